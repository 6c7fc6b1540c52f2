"""Building blocks shared by the VAE, CFW and STAM: group norm, the SD autoencoder's residual block,
and the initialisations that make an inserted module start as a no-op (zero or identity), which is
how ControlNet and StableSR add layers to a pretrained network without disturbing it."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def group_norm(channels, groups, eps=1e-6):
    if channels % groups:
        raise ValueError(f"{channels} channels do not split into {groups} norm groups; change the config's groups")
    return nn.GroupNorm(groups, channels, eps=eps, affine=True)


def zero_(module):
    """Zero a layer's weight and bias in place; returns the layer."""
    for p in module.parameters():
        nn.init.zeros_(p)
    return module


def dirac_(conv):
    """Initialise a square conv (2-D or 3-D, odd kernel) as the identity map."""
    with torch.no_grad():
        conv.weight.zero_()
        nn.init.dirac_(conv.weight)
        if conv.bias is not None:
            conv.bias.zero_()
    return conv


class ResBlock(nn.Module):
    """Residual block of the SD autoencoder: norm-SiLU-conv3x3 twice, 1x1 shortcut when the width
    changes. Parameter names follow SD's checkpoints (norm1, conv1, norm2, conv2, nin_shortcut)."""

    def __init__(self, in_channels, out_channels, groups):
        super().__init__()
        self.norm1 = group_norm(in_channels, groups)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.norm2 = group_norm(out_channels, groups)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.nin_shortcut = nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else None

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.nin_shortcut is None else self.nin_shortcut(x)) + h


def largest_divisor_at_most(n, k):
    """Heads for attention over n channels: the largest divisor of n that is <= k."""
    return max(d for d in range(1, max(1, k) + 1) if n % d == 0)
