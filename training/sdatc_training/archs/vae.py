"""The latent autoencoder (SD's KL-VAE layout) with SDATC's decoder: PCAM (Eq. 7-8), STAM
(Eq. 9-11) and CFW (Eq. 12) at every scale of the decoder.

Encoder: image [N, 3, H, W] in [-1, 1] -> `latent` [N, C, H/f, W/f], the posterior mean (unscaled:
the engine multiplies by the manifest's latent_scaling_factor), and the encoder features CFW fuses,
one map per level of `vae.cfw_levels`, coarsest first.

Decoder, per level from the coarsest (latent resolution) to the finest:

    Z'_C = PCAM(Z)                                     Eq. 7-8
    F_d  = STAM(Z'_C) around the level's first two     Eq. 9-11
           residual blocks (then its other blocks)
    Z    = Up( F_d + w * CFW(F_e, F_d) )               Eq. 12 (CFW at cfw_levels; Up = SD's nearest x2
                                                       + conv, none at the finest level)

The window's T frames are on the batch axis (`frames` = T; the exported graph decodes one window).

Parameter names follow Stable Diffusion's autoencoder checkpoints (encoder.down.0.block.0.conv1,
decoder.up.3.upsample.conv, quant_conv, ...), so SD's first_stage_model weights load by stripping
the prefix; the SDATC modules live apart, under decoder.pcam / decoder.stam / decoder.cfw.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from .cfw import CFW
from .common import ResBlock, group_norm
from .pcam import PCAM
from .stam import STAM


class AttnBlock(nn.Module):
    """SD's single-head spatial self-attention (mid block), 1x1-conv projections."""

    def __init__(self, channels, groups):
        super().__init__()
        self.norm = group_norm(channels, groups)
        self.q = nn.Conv2d(channels, channels, 1)
        self.k = nn.Conv2d(channels, channels, 1)
        self.v = nn.Conv2d(channels, channels, 1)
        self.proj_out = nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        n, c, h, w = x.shape
        y = self.norm(x)
        q = self.q(y).reshape(n, c, h * w).transpose(1, 2)
        k = self.k(y).reshape(n, c, h * w)
        v = self.v(y).reshape(n, c, h * w)
        attn = (q @ k * c ** -0.5).softmax(dim=-1)                 # [n, hw, hw]
        return x + self.proj_out((v @ attn.transpose(1, 2)).reshape(n, c, h, w))


class Downsample(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2)

    def forward(self, x):
        return self.conv(F.pad(x, (0, 1, 0, 1)))


class Upsample(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Mid(nn.Module):
    def __init__(self, channels, groups):
        super().__init__()
        self.block_1 = ResBlock(channels, channels, groups)
        self.attn_1 = AttnBlock(channels, groups)
        self.block_2 = ResBlock(channels, channels, groups)

    def forward(self, x):
        return self.block_2(self.attn_1(self.block_1(x)))


class Level(nn.Module):
    """One resolution: `block` (residual blocks) and an optional `downsample`/`upsample`."""

    def __init__(self, blocks, downsample=None, upsample=None):
        super().__init__()
        self.block = nn.ModuleList(blocks)
        if downsample is not None:
            self.downsample = downsample
        if upsample is not None:
            self.upsample = upsample


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ch, mult, g = cfg.ch, cfg.ch_mult, cfg.groups
        self.levels = len(mult)
        self.feature_levels = sorted(cfg.cfw_levels, reverse=True)
        self.conv_in = nn.Conv2d(3, ch, 3, padding=1)
        self.down = nn.ModuleList()
        c_in = ch
        for i, m in enumerate(mult):
            blocks = []
            for _ in range(cfg.num_res_blocks):
                blocks.append(ResBlock(c_in, ch * m, g))
                c_in = ch * m
            self.down.append(Level(blocks, downsample=Downsample(c_in) if i != self.levels - 1 else None))
        self.mid = Mid(c_in, g)
        self.norm_out = group_norm(c_in, g)
        self.conv_out = nn.Conv2d(c_in, 2 * cfg.latent_channels, 3, padding=1)

    def forward(self, x):
        """-> (moments before quant_conv [N, 2C, h, w], {level: feature map})."""
        h = self.conv_in(x)
        features = {}
        for i, level in enumerate(self.down):
            for block in level.block:
                h = block(h)
            if i in self.feature_levels:
                features[i] = h
            if i != self.levels - 1:
                h = level.downsample(h)
        h = self.mid(h)
        return self.conv_out(F.silu(self.norm_out(h))), features


class Decoder(nn.Module):
    def __init__(self, cfg, pcam_cfg, stam_cfg, cfw_cfg):
        super().__init__()
        ch, mult, g = cfg.ch, cfg.ch_mult, cfg.groups
        self.levels = len(mult)
        for name, levels in (("pcam_levels", cfg.pcam_levels), ("stam_levels", cfg.stam_levels),
                             ("cfw_levels", cfg.cfw_levels)):
            bad = [i for i in levels if not 0 <= i < self.levels]
            if bad:
                raise ValueError(f"vae.{name} {bad}: the VAE has levels 0..{self.levels - 1}")
        self.cfw_levels = sorted(cfg.cfw_levels, reverse=True)
        c = ch * mult[-1]
        self.conv_in = nn.Conv2d(cfg.latent_channels, c, 3, padding=1)
        self.mid = Mid(c, g)
        ups = [None] * self.levels
        self.pcam = nn.ModuleDict()
        self.stam = nn.ModuleDict()
        self.cfw = nn.ModuleDict()
        for i in reversed(range(self.levels)):
            c_out = ch * mult[i]
            if i in cfg.pcam_levels:
                self.pcam[str(i)] = PCAM(c, pcam_cfg)
            if i in cfg.stam_levels:
                self.stam[str(i)] = STAM(c, c_out, stam_cfg, g)
            blocks = []
            for _ in range(cfg.num_res_blocks + 1):
                blocks.append(ResBlock(c, c_out, g))
                c = c_out
            if i in cfg.cfw_levels:
                self.cfw[str(i)] = CFW(c_out, c_out, cfw_cfg.blocks, g)
            ups[i] = Level(blocks, upsample=Upsample(c) if i != 0 else None)
        self.up = nn.ModuleList(ups)
        self.norm_out = group_norm(c, g)
        self.conv_out = nn.Conv2d(c, 3, 3, padding=1)

    def forward(self, z, features, w, hint=None, frames=None):
        """z [B*T, C, h, w]; features: the encoder maps of `cfw_levels`, coarsest first; w: float or [1]."""
        if len(features) != len(self.cfw_levels):
            raise ValueError(f"decoder takes {len(self.cfw_levels)} encoder feature maps, got {len(features)}")
        h = self.mid(self.conv_in(z))
        fused = dict(zip(self.cfw_levels, features))
        for i in reversed(range(self.levels)):
            level, key = self.up[i], str(i)
            if key in self.pcam:
                h = self.pcam[key](h, hint)                                   # Eq. 7-8
            blocks = list(level.block)
            if key in self.stam:
                h = self.stam[key](h, blocks[0], blocks[1], frames)           # Eq. 9-11
                blocks = blocks[2:]
            for block in blocks:
                h = block(h)
            if key in self.cfw:
                h = self.cfw[key](fused[i], h, w)                             # Eq. 12
            if i != 0:
                h = level.upsample(h)                                         # Up of Eq. 12
        return self.conv_out(F.silu(self.norm_out(h)))


class VAE(nn.Module):
    """cfg: the full SdatcConfig (the decoder needs the PCAM, STAM and CFW settings)."""

    def __init__(self, cfg):
        super().__init__()
        v = cfg.vae
        self.latent_channels = v.latent_channels
        self.encoder = Encoder(v)
        self.quant_conv = nn.Conv2d(2 * v.latent_channels, 2 * v.latent_channels, 1)
        self.post_quant_conv = nn.Conv2d(v.latent_channels, v.latent_channels, 1)
        self.decoder = Decoder(v, cfg.pcam, cfg.stam, cfg.cfw)

    def encode(self, image):
        """image [N, 3, H, W] in [-1, 1] -> (latent [N, C, H/f, W/f] posterior mean, [F_e] coarsest first)."""
        moments, features = self.encoder(image)
        latent = self.quant_conv(moments)[:, : self.latent_channels]
        return latent, [features[i] for i in self.encoder.feature_levels]

    def decode(self, latent, features, w, hint=None, frames=None):
        """latent [B*T, C, h, w] (unscaled) -> image [B*T, 3, H, W] in [-1, 1] (not clamped)."""
        return self.decoder(self.post_quant_conv(latent), features, w, hint, frames)

    def encoder_modules(self):
        return [self.encoder, self.quant_conv]

    def sdatc_modules(self):
        """The decoder modules SDATC adds (the paper fine-tunes these with the rest frozen)."""
        return [self.decoder.pcam, self.decoder.stam, self.decoder.cfw]

    def feature_channels(self):
        """[(channels, downsample factor)] of the encoder features, coarsest first."""
        v = self.encoder
        return [(self.encoder.down[i].block[-1].conv2.out_channels, 2 ** i) for i in v.feature_levels]
