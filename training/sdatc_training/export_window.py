"""Window parity fixtures: one window of a synthetic panned clip through the PyTorch reference loop
(reference_loop.run_window), once with flow guidance off and once on, written into
OUT/parity/window/<name>.json with raw little-endian files beside it. The Java build runs the same
window through its engine (seeded noise, timesteps, sampler, Eq. 13-14 guidance, stages) and
compares its final latents and its image before the colour fix with these.

They live in parity/window/, not parity/: ParityCheck reads every parity/*.json as a stage fixture.

The clip: T = window_length frames of a smooth multi-frequency texture panned by SHIFT low-resolution
pixels per frame (sub-pixel, so warping interpolates), quantised to uint8; its flows are that pan
(forward +SHIFT on frame i's grid, backward -SHIFT on frame i+1's), constant fields at frame size.
The frame size is the smallest non-square one that needs no padding and that the engine accepts
(SdatcEnhancer.MIN_SIDE = 16).
"""

import json
from pathlib import Path

import numpy as np
import torch

from .export import PARITY_DIR
from .reference_loop import prepare, run_window, warp_error, window_seed

WINDOW_DIR = "window"
STREAM, SEQUENCE, WINDOW = "parity", 0, 0
SHIFT = (0.6, -0.35)        # the pan per frame (dx, dy), low-resolution pixels
CRF = 25
STEPS = 3
GUIDANCE_SCALE = 0.05       # FlowGuidance.Config.defaults()
MIN_SIDE = 16               # SdatcEnhancer.MIN_SIDE
TOLERANCE = 1e-4


def _round_up(v, m):
    return (v + m - 1) // m * m


def window_size(cfg):
    """(H, W) of the low-resolution frames: multiples of the image multiple / 4, non-square, >= 16."""
    m = cfg.latent_downsample * cfg.latent_multiple // 4
    h = _round_up(MIN_SIDE, m)
    w = _round_up(h * 5 // 4, m)
    return h, (w if w != h else w + m)


def panned_frames(frames, h, w, shift=SHIFT, seed=0):
    """uint8 RGB [frames, h, w, 3]: per channel three sinusoids (periods 3-8 px, random directions
    and phases), frame i sampled at (x - i dx, y - i dy), so content moves by +shift per frame."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    waves = [(rng.uniform(3, 8), rng.uniform(0, np.pi), rng.uniform(0, 2 * np.pi)) for _ in range(9)]
    out = np.empty((frames, h, w, 3), dtype=np.uint8)
    for i in range(frames):
        x, y = xx - i * shift[0], yy - i * shift[1]
        for c in range(3):
            v = sum(np.sin(2 * np.pi * (x * np.cos(a) + y * np.sin(a)) / period + phase)
                    for period, a, phase in waves[3 * c: 3 * c + 3]) / 3
            out[i, :, :, c] = np.clip(np.round((v + 1) * 127.5), 0, 255).astype(np.uint8)
    return out


def pan_flows(frames, h, w, shift=SHIFT):
    """float32 [frames - 1, 2, 2, h, w]: pair i = (forward +shift, backward -shift), (dx, dy) planes."""
    flows = np.empty((frames - 1, 2, 2, h, w), dtype=np.float32)
    for direction, sign in ((0, 1), (1, -1)):
        flows[:, direction, 0] = sign * shift[0]
        flows[:, direction, 1] = sign * shift[1]
    return flows


def _dump(folder, file, array, dtype):
    a = np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<"))
    a.tofile(folder / file)
    return {"file": file, "shape": list(a.shape), "dtype": np.dtype(dtype).name}


def write_window_fixtures(out, dcm, vae, net, cfg, recipe, latent_scale, frames, log=print):
    """Writes OUT/parity/window/guidance-off.json and guidance-on.json (+ raw files).
    -> {name: fixture dict}."""
    folder = Path(out) / PARITY_DIR / WINDOW_DIR
    folder.mkdir(parents=True, exist_ok=True)
    h, w = window_size(cfg)
    clip, flows = panned_frames(frames, h, w), pan_flows(frames, h, w)
    seed = window_seed(STREAM, SEQUENCE, WINDOW)
    steps = min(STEPS, recipe.start_timestep + 1)
    common = dict(recipe=recipe, latent_scale=latent_scale, seed=seed, steps=steps, cfw_weight=cfg.cfw.weight,
                  hint_input=bool(cfg.pcam.hint), crf=CRF, sampler=recipe.sampler, eta=recipe.eta)
    runs = {"guidance-off": run_window(dcm, vae, net, clip, **common),
            "guidance-on": run_window(dcm, vae, net, clip, flows=flows, guidance_scale=GUIDANCE_SCALE, **common)}
    latent_flows = prepare(torch.from_numpy(flows), *runs["guidance-off"].latents.shape[-2:])
    effect = {"latents_max_abs": (runs["guidance-on"].latents - runs["guidance-off"].latents).abs().max().item(),
              "image_max_abs": (runs["guidance-on"].image - runs["guidance-off"].image).abs().max().item()}
    written = {}
    for name, r in runs.items():
        guided = name == "guidance-on"
        fixture = {
            "kind": "window", "stream": STREAM, "sequence": SEQUENCE, "window": WINDOW, "seed": seed,
            "frames": _dump(folder, f"{name}.frames.u8", clip, "u1"),
            "crf": CRF, "steps": steps, "sampler": recipe.sampler, "eta": recipe.eta, "cfw_weight": cfg.cfw.weight,
            "guidance": None if not guided else {
                "scale": GUIDANCE_SCALE, "step_size": "variance", "target": "predicted_x0",
                "flows": _dump(folder, f"{name}.flows.f32", flows, "f4")},
            "outputs": {"latents": _dump(folder, f"{name}.latents.f32", r.latents.numpy(), "f4"),
                        "image": _dump(folder, f"{name}.image.f32", r.image.numpy(), "f4")},
            "tolerance": TOLERANCE,
            "reference": {
                "by": "sdatc_training.reference_loop.run_window",
                "timesteps": r.timesteps,
                "motion": {"dx": SHIFT[0], "dy": SHIFT[1], "unit": "low-resolution pixels per frame"},
                "final_warp_error": warp_error(r.latents.double(), latent_flows).item(),
                "guidance_effect": effect,
                **({"guidance_steps": r.trace} if guided else {}),
            },
        }
        (folder / f"{name}.json").write_text(json.dumps(fixture, indent=2) + "\n")
        written[name] = fixture
    log(f"wrote {folder}/guidance-off.json, guidance-on.json: {frames} frames of {w}x{h}, {steps} {recipe.sampler} "
        f"steps {runs['guidance-off'].timesteps}; guidance (scale {GUIDANCE_SCALE}) moved the latents by up to "
        f"{effect['latents_max_abs']:.4f}, the image by up to {effect['image_max_abs']:.4f}")
    return written
