"""Y-PSNR as the eval command and FFmpeg's psnr filter measure it: BT.601 limited-range luma
(Y = 16 + 65.481 R + 128.553 G + 24.966 B for R, G, B in [0, 1]), peak 255, no border crop."""

import torch


def luma(rgb):
    """[N, 3, H, W] in [0, 1] -> [N, H, W] luma in 16..235, on the 0-255 scale."""
    rgb = rgb.clamp(0, 1)
    return 16.0 + 65.481 * rgb[:, 0] + 128.553 * rgb[:, 1] + 24.966 * rgb[:, 2]


def psnr_y(a, b):
    """Mean over the batch of per-image Y-PSNR in dB; rounds to 8-bit first, as a video would."""
    ya, yb = luma(a).round(), luma(b).round()
    mse = (ya - yb).pow(2).flatten(1).mean(1).clamp_min(1e-10)
    return (10 * torch.log10(255.0 ** 2 / mse)).mean().item()
