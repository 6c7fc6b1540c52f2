"""The degradation SDATC is trained against, as a live stream makes it: HR frames -> bicubic x4
down -> libx264 (a live encoder: no B-frames, one GOP per clip) at a CRF drawn from a range ->
decoded low-resolution frames. The compression is temporal: frames after the first are P-frames
predicted from their neighbours, as in a real stream.

Everything runs through Debian's `ffmpeg` binary (swscale bicubic, libx264), the same libraries
the Java service decodes and scales with."""

import subprocess

import numpy as np


class FfmpegError(RuntimeError):
    pass


def _run(cmd, data):
    proc = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise FfmpegError(f"{' '.join(cmd[:6])}... failed: {proc.stderr.decode(errors='replace')[-400:]}")
    return proc.stdout


def compress_clip(hr, crf, preset="medium", gop=None):
    """hr: uint8 [T, H, W, 3] RGB, H and W multiples of 8. Returns the decoded low-resolution
    clip, uint8 [T, H/4, W/4, 3] RGB, after bicubic x4 down and libx264 at `crf`."""
    t, h, w, _ = hr.shape
    if h % 8 or w % 8:
        raise ValueError(f"clip size {w}x{h} must be a multiple of 8 (x4 down to an even size)")
    lw, lh = w // 4, h // 4
    gop = gop or t
    encoded = _run(
        ["ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", "25",
         "-i", "pipe:0", "-vf", f"scale={lw}:{lh}:flags=bicubic", "-pix_fmt", "yuv420p",
         "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-g", str(gop), "-bf", "0",
         "-f", "h264", "pipe:1"],
        np.ascontiguousarray(hr).tobytes(),
    )
    decoded = _run(
        ["ffmpeg", "-v", "error", "-f", "h264", "-i", "pipe:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
        encoded,
    )
    frames = np.frombuffer(decoded, dtype=np.uint8)
    if frames.size != t * lh * lw * 3:
        raise FfmpegError(f"decoded {frames.size} bytes, expected {t} frames of {lw}x{lh}")
    return frames.reshape(t, lh, lw, 3)
