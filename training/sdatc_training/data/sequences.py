"""Short video clips synthesised from still images with a smooth random pan and zoom, so that
temporal modules and the temporal compression see motion (there is no public natural-video
training set on these machines). A folder of consecutive video frames is used as it is."""

import math
from pathlib import Path

import numpy as np
from PIL import Image

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp"}


def list_images(folder):
    folder = Path(folder)
    if not folder.is_dir():
        raise SystemExit(f"{folder}: not a folder of images")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise SystemExit(f"{folder}: no .png/.jpg/.bmp images in it")
    return files


def _ease(u):
    return 0.5 - 0.5 * math.cos(math.pi * u)


def pan_zoom_clip(image, frames, size, rng, max_zoom=1.5, max_travel=0.35):
    """A [frames, size, size, 3] uint8 clip: a square window moving and zooming smoothly over the
    RGB `image` (PIL), each frame resampled to `size` with antialiasing (zoom >= 1, so frames are
    downsampled and stay sharp). Returns None when the image is smaller than `size`."""
    w, h = image.size
    if min(w, h) < size:
        return None
    zoom_cap = min(max_zoom, min(w, h) / size)
    z0, z1 = rng.uniform(1.0, zoom_cap, size=2)
    span0, span1 = size * z0, size * z1
    travel = max_travel * size

    def centre(span):
        return rng.uniform(span / 2, w - span / 2), rng.uniform(span / 2, h - span / 2)

    c0 = np.array(centre(max(span0, span1)))
    direction = rng.normal(size=2)
    direction /= np.linalg.norm(direction) + 1e-9
    c1 = c0 + direction * rng.uniform(0, travel)
    out = np.empty((frames, size, size, 3), dtype=np.uint8)
    for i in range(frames):
        u = _ease(i / max(1, frames - 1))
        span = span0 + (span1 - span0) * u
        cx, cy = c0 + (c1 - c0) * u
        cx = min(max(cx, span / 2), w - span / 2)
        cy = min(max(cy, span / 2), h - span / 2)
        box = (cx - span / 2, cy - span / 2, cx + span / 2, cy + span / 2)
        out[i] = np.asarray(image.resize((size, size), Image.BICUBIC, box=box, reducing_gap=None))
    return out


def video_frames_clips(folder, frames, size, rng):
    """Consecutive frames of a user's own video (a folder of PNG/JPEG frames in name order), cut
    into clips of `frames` frames, each cropped to one random `size` x `size` square."""
    files = list_images(folder)
    for start in range(0, len(files) - frames + 1, frames):
        first = Image.open(files[start]).convert("RGB")
        w, h = first.size
        if min(w, h) < size:
            raise SystemExit(f"{files[start]}: frames of {w}x{h} are smaller than the clip size {size}")
        x = int(rng.integers(0, w - size + 1)) // 2 * 2
        y = int(rng.integers(0, h - size + 1)) // 2 * 2
        clip = np.stack([np.asarray(Image.open(f).convert("RGB"))[y:y + size, x:x + size]
                         for f in files[start:start + frames]])
        yield clip
