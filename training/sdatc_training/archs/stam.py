"""Spatio-temporal attention module (STAM), Eq. 9-11 of the paper, in the VAE decoder.

    Eq. 9:   Z'_0  = Res( Conv3x3(Z'_C0) )
    Eq. 10:  Z''_0 = alpha_T Conv3D_3x3(Z'_0) + (1 - alpha_T) Z'_0
    Eq. 11:  F_d   = Res( beta_T TA(Z''_0) + (1 - beta_T) Z''_0 )

Z'_C0 is PCAM's output (PCAM comes first). The T frames of a window travel on the batch axis
([B*T, C, h, w]); Conv3D and the temporal attention TA fold them into [B, C, T, h, w] and attend
over T at each pixel. The two Res() are the decoder's own pretrained spatial residual blocks of
that level ("freezing pre-trained spatial residual blocks, we insert 3D CNN and temporal attention
block"), so STAM owns only the new layers: the Conv3x3 of Eq. 9, Conv3D, TA, alpha_T and beta_T.
alpha_T and beta_T are learnable per-channel tensors used as written (no sigmoid).

At init the Conv3x3 and the Conv3D are identity kernels and TA's output projection is zero (TA's
output is a residual), so STAM reduces to the two residual blocks, i.e. the pretrained decoder.
"""

import torch
import torch.nn as nn

from .common import dirac_, group_norm, largest_divisor_at_most, zero_


def fold(x, frames):
    """[B*T, C, h, w] -> [B, C, T, h, w]."""
    _, c, h, w = x.shape
    return x.reshape(-1, frames, c, h, w).transpose(1, 2)


def unfold(x):
    """[B, C, T, h, w] -> [B*T, C, h, w]."""
    _, c, _, h, w = x.shape
    return x.transpose(1, 2).reshape(-1, c, h, w)


class TemporalAttention(nn.Module):
    """TA of Eq. 11: multi-head self-attention across the T frames at each pixel, as a residual."""

    def __init__(self, channels, heads, groups):
        super().__init__()
        self.heads = largest_divisor_at_most(channels, heads)
        self.norm = group_norm(channels, groups)
        self.qkv = nn.Linear(channels, channels * 3)
        self.proj_out = zero_(nn.Linear(channels, channels))

    def forward(self, x, frames):
        bt, c, h, w = x.shape
        y = fold(self.norm(x), frames)                              # [B, C, T, h, w]
        y = y.permute(0, 3, 4, 2, 1).reshape(-1, frames, c)         # [B*h*w, T, C]
        q, k, v = self.qkv(y).reshape(-1, frames, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        attn = (q @ k.transpose(-2, -1) * (c // self.heads) ** -0.5).softmax(dim=-1)
        y = self.proj_out((attn @ v).transpose(1, 2).reshape(-1, frames, c))
        y = y.reshape(-1, h, w, frames, c).permute(0, 3, 4, 1, 2).reshape(bt, c, h, w)
        return x + y


class STAM(nn.Module):
    """Eq. 9-11 around two residual blocks of a decoder level (res9: in_channels -> channels,
    res11: channels -> channels)."""

    def __init__(self, in_channels, channels, cfg, groups):
        super().__init__()
        self.conv_in = dirac_(nn.Conv2d(in_channels, in_channels, 3, padding=1))   # Eq. 9, Conv3x3
        self.conv3d = dirac_(nn.Conv3d(channels, channels, 3, padding=1))          # Eq. 10, Conv3D
        self.alpha = nn.Parameter(torch.full((1, channels, 1, 1), float(cfg.alpha_init)))
        self.temporal = TemporalAttention(channels, cfg.heads, groups)             # Eq. 11, TA
        self.beta = nn.Parameter(torch.full((1, channels, 1, 1), float(cfg.beta_init)))

    def forward(self, z_c, res9, res11, frames=None):
        """z_c [B*T, C_in, h, w]; `frames` = T (default: the whole batch is one window)."""
        frames = z_c.shape[0] if frames is None else frames
        z0 = res9(self.conv_in(z_c))                                                # Eq. 9
        z1 = self.alpha * unfold(self.conv3d(fold(z0, frames))) + (1 - self.alpha) * z0   # Eq. 10
        return res11(self.beta * self.temporal(z1, frames) + (1 - self.beta) * z1)        # Eq. 11
