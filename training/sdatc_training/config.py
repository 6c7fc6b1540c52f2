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
    "cpu-lite": DcmConfig(dim=16, depths=(2,), block="conv"),
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


# --- Diffusion side: VAE, UNet + ControlNet, PCAM, STAM, CFW -------------------------------------
#
# Levels are numbered as in Stable Diffusion's checkpoints: level 0 is the finest (image resolution
# for the VAE, latent resolution for the UNet), level L-1 the coarsest.


@dataclass(frozen=True)
class VaeConfig:
    """SD-style KL autoencoder (f = 2^(len(ch_mult)-1)). The decoder carries PCAM at `pcam_levels`,
    STAM at `stam_levels` and CFW at `cfw_levels` (StableSR fuses at the interior levels: not at the
    latent resolution, not at full resolution)."""
    ch: int = 128
    ch_mult: tuple = (1, 2, 4, 4)
    num_res_blocks: int = 2
    latent_channels: int = 4
    groups: int = 32
    pcam_levels: tuple = (3, 2, 1, 0)
    stam_levels: tuple = (3, 2, 1, 0)
    cfw_levels: tuple = (2, 1)


@dataclass(frozen=True)
class UnetConfig:
    """SD-style UNet (openaimodel layout). `context_dim=None` drops cross-attention (the small sizes
    have no text encoder); SD 2.1 reads a fixed context (the empty prompt's encoding)."""
    model_channels: int = 320
    channel_mult: tuple = (1, 2, 4, 4)
    num_res_blocks: int = 2
    attention_levels: tuple = (0, 1, 2)
    head_channels: int = 64
    transformer_depth: int = 1
    context_dim: object = 1024
    context_tokens: int = 77
    groups: int = 32
    pcam_levels: tuple = (3, 2, 1, 0)


@dataclass(frozen=True)
class ControlNetConfig:
    """Eq. 6: trainable copy of the UNet encoder on Cat(z_t, C_HR); `scale` multiplies its zero-conv
    outputs (ControlNet's conditioning scale)."""
    scale: float = 1.0


@dataclass(frozen=True)
class PcamConfig:
    """Eq. 7-8. variant: `pcam` (Eq. 7 as written: v = AAP(Conv3x3(Z)), no softmax), `softmax`
    (softmax on v: the ablation's "+Softmax" row, worse), `prompt` (learned prompts with no feature
    code: the "+Prompt" row). `hint`: add an input for the segment's CRF/QP (normalised by 51,
    negative = unknown)."""
    variant: str = "pcam"
    prompt_len: int = 5
    prompt_ratio: float = 0.25
    prompt_size: int = 16
    heads: int = 8
    ffn_expansion: float = 2.0
    hint: bool = True


@dataclass(frozen=True)
class StamConfig:
    """Eq. 9-11 over the T frames of a window; `window_length` is the T the decoder is trained with."""
    heads: int = 8
    alpha_init: float = 0.5
    beta_init: float = 0.5
    window_length: int = 5


@dataclass(frozen=True)
class CfwConfig:
    """Eq. 12: `blocks` residual blocks after the fusing one; `weight` is the default w (paper: 0.75)."""
    blocks: int = 2
    weight: float = 0.75


@dataclass(frozen=True)
class SdatcConfig:
    vae: VaeConfig = field(default_factory=VaeConfig)
    unet: UnetConfig = field(default_factory=UnetConfig)
    controlnet: ControlNetConfig = field(default_factory=ControlNetConfig)
    pcam: PcamConfig = field(default_factory=PcamConfig)
    stam: StamConfig = field(default_factory=StamConfig)
    cfw: CfwConfig = field(default_factory=CfwConfig)

    @property
    def latent_downsample(self):
        return 2 ** (len(self.vae.ch_mult) - 1)

    @property
    def latent_multiple(self):
        return 2 ** (len(self.unet.channel_mult) - 1)


SDATC_SIZES = {
    # Tests and CI: a training iteration in well under a second on one core.
    "tiny": SdatcConfig(
        vae=VaeConfig(ch=8, ch_mult=(1, 2, 2, 2), num_res_blocks=1, groups=4),
        unet=UnetConfig(model_channels=16, channel_mult=(1, 2), num_res_blocks=1, attention_levels=(1,),
                        head_channels=8, context_dim=None, groups=4, pcam_levels=(1, 0)),
        pcam=PcamConfig(prompt_len=3, prompt_size=4, heads=1, ffn_expansion=1.0),
        stam=StamConfig(heads=1, window_length=3),
        cfw=CfwConfig(blocks=1),
    ),
    # CPU training: ~1/4 of SD's VAE widths, a 3-level UNet of 64 channels.
    "small": SdatcConfig(
        vae=VaeConfig(ch=32, ch_mult=(1, 2, 4, 4), num_res_blocks=1, groups=8),
        unet=UnetConfig(model_channels=64, channel_mult=(1, 2, 2), num_res_blocks=1, attention_levels=(1, 2),
                        head_channels=32, context_dim=None, groups=16, pcam_levels=(2, 1, 0)),
        pcam=PcamConfig(prompt_len=5, prompt_size=8, heads=2, ffn_expansion=2.0),
        stam=StamConfig(heads=2, window_length=5),
        cfw=CfwConfig(blocks=1),
    ),
    # Stable Diffusion 2.1 (base) UNet and VAE shapes; GPU only, never instantiated in tests.
    "paper": SdatcConfig(
        pcam=PcamConfig(prompt_len=5, prompt_size=16, heads=8, ffn_expansion=2.66),
    ),
}


def sdatc_config(size):
    try:
        return SDATC_SIZES[size]
    except KeyError:
        raise SystemExit(f"unknown size {size!r}: choose one of {', '.join(SDATC_SIZES)}") from None


def sdatc_to_dict(cfg):
    """Nested plain dict (tuples as lists): goes into checkpoints and manifests."""
    return {part: to_dict(getattr(cfg, part)) for part in ("vae", "unet", "controlnet", "pcam", "stam", "cfw")}


def sdatc_from_dict(d):
    parts = {"vae": VaeConfig, "unet": UnetConfig, "controlnet": ControlNetConfig, "pcam": PcamConfig,
             "stam": StamConfig, "cfw": CfwConfig}
    return SdatcConfig(**{name: cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d[name].items()})
                          for name, cls in parts.items()})
