"""Inputs that stages (b) and (c) derive from a low-quality window, as the engine does at run time:
the DCM-restored frames (or bicubic x4 when no DCM checkpoint is given) and the compression hint."""

import torch
import torch.nn.functional as F

from .export_dcm import load_dcm
from .loop import freeze

HINT_SCALE = 51.0   # CRF and QP of H.264/H.265 both range over 0..51
HINT_UNKNOWN = -1.0


class Restorer:
    """lq [N, 3, h, w] in [0, 1] -> x4 frames in [0, 1]: the frozen DCM (Eq. 5), or bicubic."""

    def __init__(self, dcm_ckpt, device):
        self.path = str(dcm_ckpt) if dcm_ckpt else None
        self.model = None
        if dcm_ckpt:
            self.model, ckpt = load_dcm(dcm_ckpt)
            self.iterations = ckpt["iteration"]
            freeze(self.model)
            self.model.to(device)

    @torch.no_grad()
    def __call__(self, lq):
        if self.model is None:
            up = F.interpolate(lq, scale_factor=4, mode="bicubic", align_corners=False)
        else:
            up = self.model(lq)
        return up.clamp(0, 1)

    def describe(self):
        return f"DCM {self.path} ({self.iterations} iterations)" if self.model is not None else "bicubic x4"


def crf_hints(crf, frames, drop, generator=None):
    """crf [B] int64 (-1: unknown) -> hint [B*frames, 1] = crf / 51, or -1 (unknown) for clips with
    no CRF and, with probability `drop`, for known ones (so the learned "unknown" code is trained)."""
    hint = crf.float() / HINT_SCALE
    unknown = crf < 0
    if drop > 0:
        unknown = unknown | (torch.rand(crf.shape, generator=generator) < drop)
    hint = torch.where(unknown, torch.full_like(hint, HINT_UNKNOWN), hint)
    return hint.repeat_interleave(frames).unsqueeze(1)
