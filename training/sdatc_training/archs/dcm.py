"""Distortion control module, Eq. 5 of the paper: I_r = DCM(I_lq).

SwinIR-style restoration: a 3x3 conv lifts the frame to features (shallow features), residual Swin
Transformer blocks (RSTBs: Swin layers, then a 3x3 conv, with a residual) refine them, a patch
norm and a 3x3 conv close the deep path with a long residual, and PixelShuffle upsamples x4.
The output is the restored high-resolution frame in [0, 1] that conditions the diffusion model
(through the VAE encoder) and, on its own, is the `dcm` quality tier.

`block="conv"` replaces each RSTB's Swin layers by residual conv blocks (conv-ReLU-conv + skip),
keeping the group layout (blocks -> conv 3x3, + input) and dropping the token norms. Not the paper:
on two CPU cores Swin layers train about 7x slower per parameter than convs, so the models the
project trains on CPU use it; their model cards say so. `block="swin"` is Eq. 5 as written.

`global_skip="bicubic"` adds a bicubic x4 upscale of the input to the output, so the network learns
the residual over bicubic; this is not in the paper (SwinIR has no such skip) and is a config
choice because it makes short CPU training converge much faster. The skip is `BicubicUp4`: the same
function as `F.interpolate(mode="bicubic")`, written as a fixed grouped conv whose 16 phases join
the upsampler's before its PixelShuffle, because ONNX Runtime's cubic Resize costs ~10x the rest of
a small DCM on a CPU.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .swin import SwinLayer


class RSTB(nn.Module):
    """Residual Swin Transformer block: Swin layers (alternately shifted) -> conv 3x3, + input."""

    def __init__(self, dim, depth, heads, window, mlp_ratio):
        super().__init__()
        self.layers = nn.ModuleList(
            SwinLayer(dim, window, heads, mlp_ratio, shifted=(i % 2 == 1)) for i in range(depth)
        )
        self.conv = nn.Conv2d(dim, dim, 3, padding=1)

    def forward(self, x):
        b, c, h, w = x.shape
        t = x.flatten(2).transpose(1, 2)
        for layer in self.layers:
            t = layer(t, h, w)
        return x + self.conv(t.transpose(1, 2).reshape(b, c, h, w))


class ResidualConvGroup(nn.Module):
    """The RSTB layout with conv blocks instead of Swin layers (block="conv")."""

    def __init__(self, dim, depth):
        super().__init__()
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Conv2d(dim, dim, 3, padding=1), nn.ReLU(inplace=True), nn.Conv2d(dim, dim, 3, padding=1))
            for _ in range(depth)
        )
        self.conv = nn.Conv2d(dim, dim, 3, padding=1)

    def forward(self, x):
        y = x
        for block in self.blocks:
            y = y + block(y)
        return x + self.conv(y)


class Upsampler(nn.Module):
    """x4 by PixelShuffle. `pixelshuffle`: SwinIR-classical (conv to 64 + LeakyReLU, two conv +
    PixelShuffle(2), conv to RGB); `pixelshuffledirect`: one conv to 3 x 16 phases + PixelShuffle(4)
    (SwinIR-lightweight)."""

    def __init__(self, dim, kind, mid=64):
        super().__init__()
        if kind == "pixelshuffle":
            self.body = nn.Sequential(
                nn.Conv2d(dim, mid, 3, padding=1),
                nn.LeakyReLU(0.2, inplace=True),
                nn.Conv2d(mid, mid * 4, 3, padding=1),
                nn.PixelShuffle(2),
                nn.Conv2d(mid, mid * 4, 3, padding=1),
                nn.PixelShuffle(2),
                nn.Conv2d(mid, 3, 3, padding=1),
            )
        elif kind == "pixelshuffledirect":
            self.body = nn.Sequential(nn.Conv2d(dim, 3 * 16, 3, padding=1), nn.PixelShuffle(4))
        else:
            raise ValueError(f"dcm.upsampler must be pixelshuffle or pixelshuffledirect, not {kind!r}")

    def forward(self, x):
        return self.body(x)


def _keys_cubic(x, a=-0.75):
    """The Keys cubic kernel with a = -0.75, as PyTorch's and OpenCV's bicubic."""
    x = abs(x)
    if x <= 1:
        return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1
    if x < 2:
        return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a
    return 0.0


class BicubicUp4(nn.Module):
    """Bicubic x4 (align_corners=False, borders clamped) as `F.interpolate` computes it, returned as
    the 3 x 16 phase planes that PixelShuffle(4) interleaves: output pixel 4k + p samples the input
    at k + (2p - 3) / 8, so every phase is a fixed 5-tap filter over k - 2 .. k + 2 in each axis,
    and replicate padding is the border clamp. No parameters: the weights are a constant buffer."""

    def __init__(self):
        super().__init__()
        taps = torch.zeros(4, 5)
        for p in range(4):
            src = (2 * p - 3) / 8
            base = math.floor(src)
            for j in range(-1, 3):
                taps[p, base + j + 2] = _keys_cubic(src - (base + j))
        phase = torch.einsum("yi,xj->yxij", taps, taps).reshape(16, 1, 5, 5)
        self.register_buffer("weight", phase.repeat(3, 1, 1, 1), persistent=False)

    def forward(self, x):
        # Replicate padding by concatenating edge slices: F.pad(mode="replicate") exports (torch 1.13)
        # a shape subgraph of ConstantOfShape/Slice/Cast for its pads that `model info` cannot size.
        left, right = x[:, :, :, :1], x[:, :, :, -1:]
        x = torch.cat([left, left, x, right, right], dim=3)
        top, bottom = x[:, :, :1], x[:, :, -1:]
        x = torch.cat([top, top, x, bottom, bottom], dim=2)
        return F.conv2d(x, self.weight, groups=3)


class DCM(nn.Module):
    """Eq. 5. Input `lq` [N, 3, H, W] in [0, 1]; output `restored` [N, 3, 4H, 4W] in [0, 1]."""

    def __init__(self, cfg):
        super().__init__()
        if cfg.block not in ("swin", "conv"):
            raise ValueError(f"dcm.block must be swin or conv, not {cfg.block!r}")
        self.swin = cfg.block == "swin"
        self.window = cfg.window if self.swin else 1
        self.global_skip = cfg.global_skip
        self.conv_first = nn.Conv2d(3, cfg.dim, 3, padding=1)
        if self.swin:
            self.groups = nn.ModuleList(RSTB(cfg.dim, d, cfg.heads, cfg.window, cfg.mlp_ratio) for d in cfg.depths)
            self.patch_norm = nn.LayerNorm(cfg.dim)
            self.norm = nn.LayerNorm(cfg.dim)
        else:
            self.groups = nn.ModuleList(ResidualConvGroup(cfg.dim, d) for d in cfg.depths)
        self.conv_after_body = nn.Conv2d(cfg.dim, cfg.dim, 3, padding=1)
        self.upsample = Upsampler(cfg.dim, cfg.upsampler)
        self.direct = cfg.upsampler == "pixelshuffledirect"
        if self.global_skip == "bicubic":
            self.bicubic = BicubicUp4()
            # Start as bicubic: the learned part is a residual that begins at zero.
            last = self.upsample.body[-2] if cfg.upsampler == "pixelshuffledirect" else self.upsample.body[-1]
            nn.init.zeros_(last.weight)
            nn.init.zeros_(last.bias)
        self.register_buffer("mean", torch.tensor([0.4488, 0.4371, 0.4040]).view(1, 3, 1, 1), persistent=False)

    def forward(self, lq):
        h, w = lq.shape[2], lq.shape[3]
        if self.window > 1:
            # Replicate padding keeps the bicubic skip exact inside the frame (it clamps there too).
            m = self.window
            lq = F.pad(lq, (0, (m - w % m) % m, 0, (m - h % m) % m), mode="replicate")
        shallow = self.conv_first(lq - self.mean)
        deep = self._channel_norm(self.patch_norm, shallow) if self.swin else shallow
        for group in self.groups:
            deep = group(deep)
        if self.swin:
            deep = self._channel_norm(self.norm, deep)
        features = shallow + self.conv_after_body(deep)
        if self.global_skip == "bicubic" and self.direct:
            # One PixelShuffle for both: the learned phases plus bicubic's.
            out = F.pixel_shuffle(self.upsample.body[0](features) + self.bicubic(lq), 4)
        elif self.global_skip == "bicubic":
            out = self.upsample(features) + F.pixel_shuffle(self.bicubic(lq), 4)
        else:
            out = self.upsample(features) + self.mean
        if self.window > 1:
            out = out[:, :, : 4 * h, : 4 * w]
        return out

    @staticmethod
    def _channel_norm(norm, x):
        return norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
