"""ControlNet-style guidance, Eq. 6 of the paper:

    Z'_t = UNet_decoder( Cat(Z_t, Conv_zero(C'_HR)) )

C_HR is the VAE encoding of the DCM output (the scaled latent the engine passes as `condition`).
A trainable copy of the UNet encoder (time embedding, input blocks, middle block) reads Cat(Z_t,
C_HR) and gives C'_HR, one map per UNet skip connection plus the middle block; each goes through a
1x1 zero convolution and is added to the UNet's skip (and middle) features, which the UNet decoder
concatenates with its own (the Cat of Eq. 6, as in ControlNet). The zero convolutions make the copy
a no-op at the start of training, so early-stage noise in the copy cannot disturb the UNet.

`SdatcUNet` is the exported `unet` stage: ControlNet + UNet in one graph.
"""

import torch
import torch.nn as nn

from .common import zero_
from .unet import UNet, build_encoder, timestep_embedding


class ControlNet(nn.Module):
    def __init__(self, cfg, latent_channels):
        super().__init__()
        u = cfg.unet
        self.model_channels = u.model_channels
        self.latent_channels = latent_channels
        self.scale = cfg.controlnet.scale
        self.time_embed, self.input_blocks, self.middle_block, skips = build_encoder(u, 2 * latent_channels)
        self.zero_convs = nn.ModuleList(zero_(nn.Conv2d(c, c, 1)) for c in skips)
        self.middle_block_out = zero_(nn.Conv2d(skips[-1], skips[-1], 1))

    def forward(self, x, timesteps, condition, context=None):
        """-> Conv_zero(C'_HR): one residual per UNet skip, then one for the middle block."""
        emb = self.time_embed(timestep_embedding(timesteps, self.model_channels))
        h = torch.cat([x, condition], dim=1)
        out = []
        for block, zero in zip(self.input_blocks, self.zero_convs):
            h = block(h, emb, context)
            out.append(zero(h) * self.scale)
        h = self.middle_block(h, emb, context)
        out.append(self.middle_block_out(h) * self.scale)
        return out

    @torch.no_grad()
    def copy_from(self, unet):
        """ControlNet's initialisation: the copy starts as the UNet's encoder; conv_in's extra input
        channels (the condition) start at zero."""
        self.time_embed.load_state_dict(unet.time_embed.state_dict())
        self.middle_block.load_state_dict(unet.middle_block.state_dict())
        for mine, theirs in zip(self.input_blocks[1:], unet.input_blocks[1:]):
            mine.load_state_dict(theirs.state_dict())
        conv, src = self.input_blocks[0][0], unet.input_blocks[0][0]
        conv.weight.zero_()
        conv.weight[:, : self.latent_channels] = src.weight
        conv.bias.copy_(src.bias)


class SdatcUNet(nn.Module):
    """The `unet` stage: (sample z_t, timestep, condition C_HR, hint) -> model_output."""

    def __init__(self, cfg):
        super().__init__()
        c = cfg.vae.latent_channels
        self.unet = UNet(cfg, c, cfg.pcam)
        self.controlnet = ControlNet(cfg, c)
        self.controlnet.copy_from(self.unet)

    def forward(self, sample, timestep, condition, hint=None):
        context = None if self.unet.context is None else self.unet.context.expand(sample.shape[0], -1, -1)
        control = self.controlnet(sample, timestep, condition, context)
        return self.unet(sample, timestep, control, hint)
