"""Builds a training set of degraded clips: for every source image, pan/zoom clips (or cuts of a
user's video frames), each compressed at a CRF drawn from the range. One .npz per clip:
`hr` [T, S, S, 3] and `lq` [T, S/4, S/4, 3] uint8, `crf`. Writes are atomic, so a training run can
read the folder while it is still growing, and a stopped build resumes where it was."""

import json
import os
from pathlib import Path

import numpy as np
from PIL import Image

from .degradations import compress_clip
from .sequences import list_images, pan_zoom_clip, video_frames_clips

FORBIDDEN = ("vid4",)


def refuse_validation_sets(paths):
    for p in paths:
        if any(part.lower() in FORBIDDEN for part in Path(p).resolve().parts):
            raise SystemExit(f"{p}: Vid4 is validation data; never train on it")


def clip_size(image, size):
    side = min(image.size)
    return size if side >= size else (side // 16) * 16


def make_clips(images, video_frames, out, clips_per_image, frames, size, crf_range, seed, log=print):
    refuse_validation_sets(list(images) + list(video_frames))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lo, hi = crf_range
    written = skipped = 0
    jobs = []
    for folder in images:
        for path in list_images(folder):
            for k in range(clips_per_image):
                jobs.append(("image", path, k))
    for folder in video_frames:
        jobs.append(("video", Path(folder), 0))
    for index, (kind, path, k) in enumerate(jobs):
        name = f"{path.parent.name}-{path.stem}-{k}"
        rng = np.random.default_rng([seed, index])
        if kind == "image":
            target = out / f"{name}.npz"
            if target.exists():
                continue
            image = Image.open(path).convert("RGB")
            s = clip_size(image, size)
            clip = pan_zoom_clip(image, frames, s, rng) if s >= 64 else None
            if clip is None:
                skipped += 1
                continue
            clips = [(target, clip)]
        else:
            clips = [(out / f"{name}-{j}.npz", c)
                     for j, c in enumerate(video_frames_clips(path, frames, size, rng))]
        for target, clip in clips:
            crf = int(rng.integers(lo, hi + 1))
            lq = compress_clip(clip, crf)
            tmp = target.with_suffix(".tmp.npz")
            np.savez(tmp, hr=clip, lq=lq, crf=crf)
            os.replace(tmp, target)
            written += 1
        if (index + 1) % 50 == 0:
            log(f"make-data: {index + 1}/{len(jobs)} sources, {written} clips written", flush=True)
    total = len([f for f in out.glob("*.npz") if not f.name.endswith(".tmp.npz")])
    (out / "dataset.json").write_text(json.dumps({
        "images": [str(Path(f).resolve()) for f in images],
        "video_frames": [str(Path(f).resolve()) for f in video_frames],
        "clips_per_image": clips_per_image, "frames": frames, "size": size, "crf": list(crf_range),
        "seed": seed, "clips": total,
        "degradation": "bicubic x4 down (swscale) -> libx264 preset medium, no B-frames, one GOP per clip",
    }, indent=2) + "\n")
    log(f"make-data: done, {written} clips written, {skipped} images too small, in {out}")
