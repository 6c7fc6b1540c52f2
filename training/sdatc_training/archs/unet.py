"""The denoising UNet of the latent diffusion model (Eq. 1-4), with PCAM (Eq. 7-8) at every scale of
its decoder, and the ControlNet residuals of Eq. 6 added to its skip connections.

Stable Diffusion's layout (openaimodel): a sinusoidal timestep embedding and MLP; an encoder of
`input_blocks` (conv_in, then per level `num_res_blocks` residual blocks, each followed by a spatial
transformer at `attention_levels`, and a stride-2 conv except at the last level); a `middle_block`
(ResBlock, transformer, ResBlock); a decoder of `output_blocks` that concatenates each encoder skip
(num_res_blocks + 1 blocks per level, nearest x2 + conv at the end of each level but the finest);
and GroupNorm-SiLU-conv out (zero-initialised, as in SD).

PCAM runs at the end of each decoder level of `unet.pcam_levels`, before that level's upsampling,
and reads the optional compression hint. The UNet's encoder is what the ControlNet copies.

Parameter names follow SD's `model.diffusion_model.*` checkpoint keys (time_embed.0, input_blocks.1.0.
in_layers.2, input_blocks.1.1.transformer_blocks.0.attn1.to_q, output_blocks.2.1.conv, out.2, ...);
PCAMs live apart, under `decoder_pcam`.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .common import zero_
from .pcam import PCAM


def timestep_embedding(timesteps, dim, max_period=10000):
    """[N] int64 -> [N, dim]: cos then sin of t * 10000^(-i/half), SD's convention."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=timesteps.device) / half)
    args = timesteps.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


def norm(channels, groups):
    return nn.GroupNorm(groups, channels, eps=1e-5)


class TimestepResBlock(nn.Module):
    """SD's UNet ResBlock: in_layers (norm, SiLU, conv), + emb_layers(emb), out_layers (norm, SiLU,
    dropout, zero conv), skip_connection."""

    def __init__(self, in_channels, out_channels, emb_channels, groups):
        super().__init__()
        self.in_layers = nn.Sequential(norm(in_channels, groups), nn.SiLU(), nn.Conv2d(in_channels, out_channels, 3, padding=1))
        self.emb_layers = nn.Sequential(nn.SiLU(), nn.Linear(emb_channels, out_channels))
        self.out_layers = nn.Sequential(norm(out_channels, groups), nn.SiLU(), nn.Dropout(0.0),
                                        zero_(nn.Conv2d(out_channels, out_channels, 3, padding=1)))
        self.skip_connection = nn.Identity() if in_channels == out_channels else nn.Conv2d(in_channels, out_channels, 1)

    def forward(self, x, emb):
        h = self.in_layers(x) + self.emb_layers(emb)[:, :, None, None]
        return self.skip_connection(x) + self.out_layers(h)


class Attention(nn.Module):
    """Multi-head attention: self-attention, or cross-attention when `context_dim` is given."""

    def __init__(self, dim, heads, head_dim, context_dim=None):
        super().__init__()
        inner = heads * head_dim
        self.heads = heads
        self.scale = head_dim ** -0.5
        self.to_q = nn.Linear(dim, inner, bias=False)
        self.to_k = nn.Linear(context_dim or dim, inner, bias=False)
        self.to_v = nn.Linear(context_dim or dim, inner, bias=False)
        self.to_out = nn.Sequential(nn.Linear(inner, dim), nn.Dropout(0.0))

    def forward(self, x, context=None):
        context = x if context is None else context
        n, l, _ = x.shape

        def split(t):
            return t.reshape(n, t.shape[1], self.heads, -1).transpose(1, 2)

        q, k, v = split(self.to_q(x)), split(self.to_k(context)), split(self.to_v(context))
        attn = (q @ k.transpose(-2, -1) * self.scale).softmax(dim=-1)
        return self.to_out((attn @ v).transpose(1, 2).reshape(n, l, -1))


class GEGLU(nn.Module):
    def __init__(self, dim, out):
        super().__init__()
        self.proj = nn.Linear(dim, out * 2)

    def forward(self, x):
        a, gate = self.proj(x).chunk(2, dim=-1)
        return a * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim, mult=4):
        super().__init__()
        self.net = nn.Sequential(GEGLU(dim, dim * mult), nn.Dropout(0.0), nn.Linear(dim * mult, dim))

    def forward(self, x):
        return self.net(x)


class TransformerBlock(nn.Module):
    """Self-attention, cross-attention to the context (when there is one), GEGLU feed-forward."""

    def __init__(self, dim, heads, head_dim, context_dim):
        super().__init__()
        self.attn1 = Attention(dim, heads, head_dim)
        self.ff = FeedForward(dim)
        self.norm1 = nn.LayerNorm(dim)
        self.norm3 = nn.LayerNorm(dim)
        if context_dim:
            self.attn2 = Attention(dim, heads, head_dim, context_dim)
            self.norm2 = nn.LayerNorm(dim)
        else:
            self.attn2 = None

    def forward(self, x, context):
        x = x + self.attn1(self.norm1(x))
        if self.attn2 is not None:
            x = x + self.attn2(self.norm2(x), context)
        return x + self.ff(self.norm3(x))


class SpatialTransformer(nn.Module):
    """SD 2.1's transformer over the h*w tokens of a map (linear proj_in/proj_out, proj_out zero)."""

    def __init__(self, channels, head_channels, depth, context_dim, groups):
        super().__init__()
        heads = max(1, channels // head_channels)
        self.norm = nn.GroupNorm(groups, channels, eps=1e-6)
        self.proj_in = nn.Linear(channels, channels)
        self.transformer_blocks = nn.ModuleList(
            TransformerBlock(channels, heads, channels // heads, context_dim) for _ in range(depth))
        self.proj_out = zero_(nn.Linear(channels, channels))

    def forward(self, x, context):
        n, c, h, w = x.shape
        t = self.proj_in(self.norm(x).reshape(n, c, h * w).transpose(1, 2))
        for block in self.transformer_blocks:
            t = block(t, context)
        return x + self.proj_out(t).transpose(1, 2).reshape(n, c, h, w)


class Downsample(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.op = nn.Conv2d(channels, channels, 3, stride=2, padding=1)

    def forward(self, x):
        return self.op(x)


class Upsample(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Step(nn.ModuleList):
    """One entry of input_blocks / output_blocks: layers that take (x, emb, context) as they need.
    `before_upsample` (PCAM) runs before a trailing Upsample, or at the end when there is none."""

    def forward(self, x, emb, context, before_upsample=None):
        for layer in self:
            if isinstance(layer, TimestepResBlock):
                x = layer(x, emb)
            elif isinstance(layer, SpatialTransformer):
                x = layer(x, context)
            else:
                if isinstance(layer, Upsample) and before_upsample is not None:
                    x, before_upsample = before_upsample(x), None
                x = layer(x)
        return before_upsample(x) if before_upsample is not None else x


def build_encoder(cfg, in_channels):
    """time_embed, input_blocks, middle_block and the channels of every skip (UNet and ControlNet)."""
    mc, g = cfg.model_channels, cfg.groups
    emb = mc * 4
    time_embed = nn.Sequential(nn.Linear(mc, emb), nn.SiLU(), nn.Linear(emb, emb))
    blocks = nn.ModuleList([Step([nn.Conv2d(in_channels, mc, 3, padding=1)])])
    skips = [mc]
    c = mc
    for level, m in enumerate(cfg.channel_mult):
        for _ in range(cfg.num_res_blocks):
            layers = [TimestepResBlock(c, mc * m, emb, g)]
            c = mc * m
            if level in cfg.attention_levels:
                layers.append(SpatialTransformer(c, cfg.head_channels, cfg.transformer_depth, cfg.context_dim, g))
            blocks.append(Step(layers))
            skips.append(c)
        if level != len(cfg.channel_mult) - 1:
            blocks.append(Step([Downsample(c)]))
            skips.append(c)
    middle = Step([TimestepResBlock(c, c, emb, g),
                   SpatialTransformer(c, cfg.head_channels, cfg.transformer_depth, cfg.context_dim, g),
                   TimestepResBlock(c, c, emb, g)])
    return time_embed, blocks, middle, skips


class UNet(nn.Module):
    """eps_theta(z_t, t) of Eq. 3-4 (or v, per the recipe), with ControlNet residuals (Eq. 6) and PCAM."""

    def __init__(self, cfg, latent_channels, pcam_cfg):
        super().__init__()
        u = cfg.unet
        self.model_channels = u.model_channels
        levels = len(u.channel_mult)
        bad = [i for i in u.pcam_levels if not 0 <= i < levels]
        if bad:
            raise ValueError(f"unet.pcam_levels {bad}: the UNet has levels 0..{levels - 1}")
        self.time_embed, self.input_blocks, self.middle_block, skips = build_encoder(u, latent_channels)
        if u.context_dim:
            # SD 2.1 reads the text encoder's output; SDATC/StableSR run with one fixed prompt, so the
            # context is a constant (load the empty prompt's encoding here with SD weights).
            self.context = nn.Parameter(torch.zeros(1, u.context_tokens, u.context_dim))
        else:
            self.context = None
        mc, g, emb = u.model_channels, u.groups, u.model_channels * 4
        c = skips[-1]
        self.output_blocks = nn.ModuleList()
        self.level_end = {}   # output block index -> level it closes
        self.decoder_pcam = nn.ModuleDict()
        for level in reversed(range(levels)):
            m = u.channel_mult[level]
            for j in range(u.num_res_blocks + 1):
                layers = [TimestepResBlock(c + skips.pop(), mc * m, emb, g)]
                c = mc * m
                if level in u.attention_levels:
                    layers.append(SpatialTransformer(c, u.head_channels, u.transformer_depth, u.context_dim, g))
                if j == u.num_res_blocks:
                    if level != 0:
                        layers.append(Upsample(c))
                    self.level_end[len(self.output_blocks)] = level
                    if level in u.pcam_levels:
                        self.decoder_pcam[str(level)] = PCAM(c, pcam_cfg)
                self.output_blocks.append(Step(layers))
        self.out = nn.Sequential(norm(c, g), nn.SiLU(), zero_(nn.Conv2d(c, latent_channels, 3, padding=1)))

    def forward(self, x, timesteps, control=None, hint=None):
        """x [N, C, h, w], timesteps [N] int64; control: ControlNet residuals (one per skip, then one
        for the middle block) or None; hint [N, 1] or None."""
        emb = self.time_embed(timestep_embedding(timesteps, self.model_channels))
        context = None if self.context is None else self.context.expand(x.shape[0], -1, -1)
        hs, h = [], x
        for block in self.input_blocks:
            h = block(h, emb, context)
            hs.append(h)
        h = self.middle_block(h, emb, context)
        if control is not None:
            h = h + control[-1]
            hs = [s + c for s, c in zip(hs, control[:-1])]
        for i, block in enumerate(self.output_blocks):
            h = torch.cat([h, hs.pop()], dim=1)
            key = str(self.level_end.get(i))
            pcam = self.decoder_pcam[key] if key in self.decoder_pcam else None
            h = block(h, emb, context, (lambda z, p=pcam: p(z, hint)) if pcam is not None else None)
        return self.out(h)

    def encoder_modules(self):
        """What the paper keeps frozen ("we merely fine-tune UNet decoders")."""
        return [self.time_embed, self.input_blocks, self.middle_block] + ([self.context] if self.context is not None else [])
