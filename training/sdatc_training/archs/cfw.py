"""Controllable feature wrapping (CFW, from StableSR), Eq. 12 of the paper:

    x_HQ = Up( F_d + w * CFW(F_e, F_d) )

F_e is the VAE encoder's feature map of the (DCM-restored) input at the same resolution as the
decoder feature F_d; w in [0, 1] trades fidelity (large w) against generated detail (small w) and is
a graph input, so the engine can set it per stream. CFW(F_e, F_d) is a residual block on Cat(F_e,
F_d), `blocks` residual blocks, and a zero-initialised Conv3x3: an untrained CFW adds nothing, and
w = 0 gives F_d exactly whatever the weights. (StableSR uses RRDB blocks in the middle; plain
residual blocks keep the module small, and the equation does not fix the body.)

The decoder applies it at the levels of `vae.cfw_levels`, after the level's blocks and before its
upsampling (the "Up" of Eq. 12), which is where StableSR fuses.
"""

import torch
import torch.nn as nn

from .common import ResBlock, zero_


class CFW(nn.Module):
    """Eq. 12: forward(F_e, F_d, w) = F_d + w * CFW(F_e, F_d)."""

    def __init__(self, enc_channels, dec_channels, blocks, groups):
        super().__init__()
        self.fuse = ResBlock(enc_channels + dec_channels, dec_channels, groups)
        self.body = nn.Sequential(*(ResBlock(dec_channels, dec_channels, groups) for _ in range(blocks)))
        self.out = zero_(nn.Conv2d(dec_channels, dec_channels, 3, padding=1))

    def residual(self, f_e, f_d):
        return self.out(self.body(self.fuse(torch.cat([f_e, f_d], dim=1))))

    def forward(self, f_e, f_d, w):
        """w: a float or a tensor broadcastable to F_d (the graph's `cfw_weight` [1])."""
        return f_d + w * self.residual(f_e, f_d)
