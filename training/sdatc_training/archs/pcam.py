"""Prompt-based compression-aware module (PCAM), Eq. 7-8 of the paper, in the UNet decoder and the
VAE decoder at every scale.

    Eq. 7:  P_C  = Conv3x3( sum_k AAP(Conv3x3(Z))_k P_k )      (P upscaled to Z's size first)
    Eq. 8:  Z'_C = Conv3x3( Transformer( Cat(Z, P_C) ) )

v = AAP(Conv3x3(Z)) is a K-vector (K = prompt length) computed from the features: it encodes the
compression the frame went through and weights the K learned prompt components P_k. As written, v
has no softmax: the paper's ablation (Table 3) finds the softmax variant ("+Softmax") worse than
PCAM. The softmax and the feature-free prompt ("+Prompt") are kept as named config variants only.

Compression hint: when the segment's encoder reports its CRF/QP, `hint` = crf / 51 in [0, 1] adds a
learned code to v (alongside the code the module estimates, not instead of it); a negative hint, or
no hint at all, selects a learned "unknown" code, so the same graph serves streams with and without
encoder hints.

Transformer: PCAM comes from PromptIR, whose blocks are Restormer's (transposed, channel-wise
attention and a gated depthwise feed-forward); their cost is linear in pixels, which matters at the
VAE decoder's full resolution. Its output projections start at zero, and the last Conv3x3 starts
as the identity on Z's channels and zero on P_C's, so an inserted PCAM is the identity until it is
trained (the pretrained decoder is undisturbed at the start of fine-tuning).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from .common import largest_divisor_at_most, zero_

VARIANTS = ("pcam", "softmax", "prompt")


class ChannelLayerNorm(nn.Module):
    """LayerNorm over the channels of each pixel of an NCHW map."""

    def __init__(self, channels, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(1, channels, 1, 1))
        self.bias = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.eps = eps

    def forward(self, x):
        mu = x.mean(1, keepdim=True)
        var = (x - mu).pow(2).mean(1, keepdim=True)
        return (x - mu) / torch.sqrt(var + self.eps) * self.weight + self.bias


class TransposedAttention(nn.Module):
    """Multi-head attention across channels (C/heads x C/heads maps), with depthwise-conv q/k/v."""

    def __init__(self, channels, heads):
        super().__init__()
        self.heads = heads
        self.temperature = nn.Parameter(torch.ones(heads, 1, 1))
        self.qkv = nn.Conv2d(channels, channels * 3, 1)
        self.qkv_dwconv = nn.Conv2d(channels * 3, channels * 3, 3, padding=1, groups=channels * 3)
        self.project_out = zero_(nn.Conv2d(channels, channels, 1))

    def forward(self, x):
        n, c, h, w = x.shape
        q, k, v = self.qkv_dwconv(self.qkv(x)).chunk(3, dim=1)
        q, k, v = (t.reshape(n, self.heads, c // self.heads, h * w) for t in (q, k, v))
        q, k = F.normalize(q, dim=-1), F.normalize(k, dim=-1)
        attn = (q @ k.transpose(-2, -1) * self.temperature).softmax(dim=-1)
        return self.project_out((attn @ v).reshape(n, c, h, w))


class GatedFeedForward(nn.Module):
    def __init__(self, channels, expansion):
        super().__init__()
        hidden = max(1, int(channels * expansion))
        self.project_in = nn.Conv2d(channels, hidden * 2, 1)
        self.dwconv = nn.Conv2d(hidden * 2, hidden * 2, 3, padding=1, groups=hidden * 2)
        self.project_out = zero_(nn.Conv2d(hidden, channels, 1))

    def forward(self, x):
        a, b = self.dwconv(self.project_in(x)).chunk(2, dim=1)
        return self.project_out(F.gelu(a) * b)


class PromptTransformer(nn.Module):
    """The Transformer block of Eq. 8 (pre-norm attention and feed-forward, both residual)."""

    def __init__(self, channels, heads, expansion):
        super().__init__()
        self.norm1 = ChannelLayerNorm(channels)
        self.attn = TransposedAttention(channels, largest_divisor_at_most(channels, heads))
        self.norm2 = ChannelLayerNorm(channels)
        self.ffn = GatedFeedForward(channels, expansion)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.ffn(self.norm2(x))


class CompressionHint(nn.Module):
    """hint [N, 1] (crf / 51; < 0 = unknown) or None -> [N, K] code added to PCAM's v."""

    def __init__(self, k):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(1, k), nn.SiLU(), nn.Linear(k, k))
        self.unknown = nn.Parameter(torch.zeros(1, k))

    def forward(self, hint, n):
        if hint is None:
            return self.unknown.expand(n, -1)
        hint = hint.reshape(-1, 1)
        return torch.where(hint >= 0, self.mlp(hint.clamp(min=0)), self.unknown)


class PCAM(nn.Module):
    """Eq. 7-8 on a feature map Z [N, C, H, W]; returns Z'_C [N, C, H, W]."""

    def __init__(self, channels, cfg):
        super().__init__()
        if cfg.variant not in VARIANTS:
            raise ValueError(f"pcam.variant must be one of {', '.join(VARIANTS)}, not {cfg.variant!r}")
        self.variant = cfg.variant
        k, pd, ps = cfg.prompt_len, max(4, int(round(channels * cfg.prompt_ratio))), cfg.prompt_size
        self.prompt_dim, self.prompt_size = pd, ps
        self.estimate = nn.Conv2d(channels, k, 3, padding=1)       # Eq. 7, inner Conv3x3 (then AAP)
        self.prompts = nn.Parameter(torch.rand(k, pd, ps, ps))      # Eq. 7, P_1..P_K
        self.prompt_conv = nn.Conv2d(pd, pd, 3, padding=1)         # Eq. 7, outer Conv3x3
        self.hint = CompressionHint(k) if cfg.hint else None
        self.transformer = PromptTransformer(channels + pd, cfg.heads, cfg.ffn_expansion)  # Eq. 8
        self.out = nn.Conv2d(channels + pd, channels, 3, padding=1)  # Eq. 8, Conv3x3
        with torch.no_grad():  # identity on Z's channels, zero on P_C's: PCAM(Z) = Z at init
            self.out.weight.zero_()
            self.out.bias.zero_()
            for c in range(channels):
                self.out.weight[c, c, 1, 1] = 1.0

    def code(self, z, hint=None):
        """v of Eq. 7 (plus the hint's code): [N, K]."""
        n = z.shape[0]
        if self.variant == "prompt":
            v = torch.full((1, self.prompts.shape[0]), 1.0 / self.prompts.shape[0], dtype=z.dtype,
                           device=z.device).expand(n, -1)
        else:
            v = F.adaptive_avg_pool2d(self.estimate(z), 1).flatten(1)
            if self.variant == "softmax":
                v = v.softmax(dim=1)
        if self.hint is not None:
            v = v + self.hint(hint, n)
        return v

    def forward(self, z, hint=None):
        v = self.code(z, hint)
        p = (v @ self.prompts.flatten(1)).reshape(-1, self.prompt_dim, self.prompt_size, self.prompt_size)
        p = F.interpolate(p, size=z.shape[-2:], mode="bilinear", align_corners=False)
        p_c = self.prompt_conv(p)
        return self.out(self.transformer(torch.cat([z, p_c], dim=1)))
