"""Ground-truth clips for the Java `eval` command from still test images: each image becomes a
folder of PNG frames (a smooth pan/zoom, as the training clips, but not degraded: `eval` applies
the protocol's bicubic x4 down and libx264 itself). For the still-image test sets, which have no
video of their own; the same seed gives the same clips."""

from pathlib import Path

import numpy as np
from PIL import Image

from .make_clips import clip_size
from .sequences import list_images, pan_zoom_clip


def make_eval_clips(images, out, frames, size, seed, log=print):
    out = Path(out)
    written = []
    for folder in images:
        for index, path in enumerate(list_images(folder)):
            image = Image.open(path).convert("RGB")
            s = clip_size(image, size)
            clip = pan_zoom_clip(image, frames, s, np.random.default_rng([seed, index])) if s >= 64 else None
            if clip is None:
                log(f"make-eval-clips: {path} is smaller than 64 px, skipped")
                continue
            target = out / f"{Path(folder).name}-{path.stem}"
            target.mkdir(parents=True, exist_ok=True)
            for i, frame in enumerate(clip):
                Image.fromarray(frame).save(target / f"{i:03d}.png")
            written.append(target)
    log(f"make-eval-clips: {len(written)} clips of {frames} frames in {out}")
    return written
