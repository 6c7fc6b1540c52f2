"""Shifted-window self-attention (Swin) layers, the building block of the DCM's RSTBs (Eq. 5).

Windows of M x M tokens attend within themselves with a learned relative position bias; every
second layer shifts the windows by M/2 and masks attention between tokens that the cyclic shift
brought together from opposite borders, as in Swin Transformer / SwinIR.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


def window_partition(x, m):
    """[B, H, W, C] -> [B * H/m * W/m, m*m, C]."""
    b, h, w, c = x.shape
    x = x.view(b, h // m, m, w // m, m, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(-1, m * m, c)


def window_merge(windows, m, b, h, w):
    """Inverse of window_partition."""
    c = windows.shape[-1]
    x = windows.view(b, h // m, w // m, m, m, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, h, w, c)


def relative_position_index(m):
    """[m*m, m*m] index into the (2m-1)^2 bias table for every pair of tokens in a window."""
    coords = torch.stack(torch.meshgrid(torch.arange(m), torch.arange(m), indexing="ij")).flatten(1)
    rel = coords[:, :, None] - coords[:, None, :] + (m - 1)
    return rel[0] * (2 * m - 1) + rel[1]


def shift_mask(h, w, m, shift):
    """[nW, m*m, m*m] additive mask: -100 between tokens from different regions of the shifted
    image, so a shifted window never mixes pixels from opposite borders. Built from comparisons
    on index ranges (not slice assignment) so that it exports with symbolic H and W."""
    rows = torch.arange(h)
    cols = torch.arange(w)
    row_region = (rows >= h - m).long() + (rows >= h - shift).long()
    col_region = (cols >= w - m).long() + (cols >= w - shift).long()
    region = (row_region[:, None] * 3 + col_region[None, :]).view(1, h, w, 1).float()
    ids = window_partition(region, m).squeeze(-1)
    diff = ids[:, None, :] - ids[:, :, None]
    return (diff != 0).float() * -100.0


class WindowAttention(nn.Module):
    """Multi-head self-attention inside one window, with relative position bias."""

    def __init__(self, dim, window, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        self.bias_table = nn.Parameter(torch.zeros((2 * window - 1) ** 2, heads))
        nn.init.trunc_normal_(self.bias_table, std=0.02)
        self.register_buffer("bias_index", relative_position_index(window), persistent=False)

    def forward(self, x, mask=None):
        bw, n, c = x.shape
        qkv = self.qkv(x).view(bw, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q * self.scale) @ k.transpose(-2, -1)
        bias = self.bias_table[self.bias_index.reshape(-1)].view(n, n, -1).permute(2, 0, 1)
        attn = attn + bias.unsqueeze(0)
        if mask is not None:
            nw = mask.shape[0]
            attn = attn.view(bw // nw, nw, self.heads, n, n) + mask.unsqueeze(1).unsqueeze(0)
            attn = attn.view(-1, self.heads, n, n)
        attn = attn.softmax(dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(bw, n, c)
        return self.proj(out)


class SwinLayer(nn.Module):
    """LayerNorm -> (shifted) window attention -> residual; LayerNorm -> MLP -> residual."""

    def __init__(self, dim, window, heads, mlp_ratio, shifted):
        super().__init__()
        self.window = window
        self.shift = window // 2 if shifted else 0
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, window, heads)
        self.norm2 = nn.LayerNorm(dim)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x, h, w):
        """x: [B, H*W, C] with H, W multiples of the window."""
        b, _, c = x.shape
        m = self.window
        y = self.norm1(x).view(b, h, w, c)
        mask = None
        if self.shift:
            y = torch.roll(y, shifts=(-self.shift, -self.shift), dims=(1, 2))
            mask = shift_mask(h, w, m, self.shift).to(x.dtype)
        y = self.attn(window_partition(y, m), mask)
        y = window_merge(y, m, b, h, w)
        if self.shift:
            y = torch.roll(y, shifts=(self.shift, self.shift), dims=(1, 2))
        x = x + y.reshape(b, h * w, c)
        return x + self.mlp(self.norm2(x))
