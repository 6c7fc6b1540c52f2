"""Model sizes. One dataclass per module; `SIZES` maps a size name to a full config.

- `tiny`: seconds per iteration on a laptop core, for tests and CI smoke runs.
- `small`: what two CPU cores train to a real gain in a few hours.
- `paper`: SwinIR-classical DCM and Stable Diffusion 2.1 UNet/VAE shapes (GPU only).
"""

from dataclasses import dataclass, field, asdict, replace


@dataclass(frozen=True)
class DcmConfig:
    dim: int = 60
    depths: tuple = (2, 2)
    heads: int = 4
    window: int = 8
    mlp_ratio: float = 2.0
    upsampler: str = "pixelshuffledirect"
    global_skip: str = "bicubic"
    block: str = "swin"


DCM_SIZES = {
    "tiny": DcmConfig(dim=16, depths=(2,), heads=2, window=4, mlp_ratio=2.0),
    "lite": DcmConfig(dim=24, depths=(2,), heads=2, window=8, mlp_ratio=1.0),
    "small": DcmConfig(dim=60, depths=(4, 4), heads=4, window=8, mlp_ratio=2.0),
    # What two CPU cores train to a real gain in hours (see the DCM's note on block="conv").
    "cpu": DcmConfig(dim=48, depths=(4, 4), block="conv"),
    "cpu-lite": DcmConfig(dim=24, depths=(2,), block="conv"),
    "paper": DcmConfig(dim=180, depths=(6,) * 6, heads=6, window=8, mlp_ratio=2.0,
                       upsampler="pixelshuffle", global_skip="none"),
}


def dcm_config(size):
    try:
        return DCM_SIZES[size]
    except KeyError:
        raise SystemExit(f"unknown size {size!r}: choose one of {', '.join(DCM_SIZES)}") from None


def to_dict(cfg):
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(cfg).items()}
