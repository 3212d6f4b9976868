"""A U-shaped DenseNet over several resolutions (official name and arguments)."""

from __future__ import annotations

from torch import Tensor, nn

from survae.nn.nets.matching.densenet import DenseNet
from survae.utils.validation import ShapeError


class MultiscaleDenseNet(nn.Module):
    """``(B, C_in, H, W) -> (B, C_out, H, W)`` through ``num_scales`` resolutions.

    A DenseNet at full resolution, then ``num_scales - 1`` times (stride-2 convolution, DenseNet)
    down; back up with (DenseNet, stride-2 transposed convolution) and a skip connection adding the
    features of the same resolution; a last DenseNet to ``out_channels``. ``H`` and ``W`` must be
    divisible by ``2 ** (num_scales - 1)``. The receptive field grows with every scale, at the
    cost of a few DenseNets at low resolution.

    Args:
        in_channels, out_channels: channels in and out.
        num_scales: resolutions (>= 2).
        num_blocks, mid_channels, depth, growth, dropout, gated_conv: of every DenseNet.
        zero_init: zero the output layer (a coupling starts as the identity).

    Example:
        >>> import torch
        >>> net = MultiscaleDenseNet(2, 4, num_scales=2, num_blocks=1, mid_channels=8, depth=1,
        ...                          growth=4, dropout=0.0)
        >>> net(torch.randn(3, 2, 8, 8)).shape
        torch.Size([3, 4, 8, 8])
    """

    def __init__(self, in_channels: int, out_channels: int, num_scales: int, num_blocks: int,
                 mid_channels: int, depth: int, growth: int, dropout: float,
                 gated_conv: bool = False, zero_init: bool = False):
        super().__init__()
        if num_scales < 2:
            raise ValueError(f"MultiscaleDenseNet: num_scales must be >= 2, got {num_scales}")
        self.num_scales = int(num_scales)

        def dense(c_in: int, c_out: int, zero: bool = False) -> DenseNet:
            return DenseNet(c_in, c_out, num_blocks, mid_channels, depth, growth, dropout,
                            gated_conv=gated_conv, zero_init=zero)

        m = mid_channels
        self.entry = dense(in_channels, m)
        self.down = nn.ModuleList(
            nn.Sequential(nn.Conv2d(m, m, kernel_size=2, stride=2), dense(m, m))
            for _ in range(num_scales - 1)
        )
        self.up = nn.ModuleList(
            nn.Sequential(dense(m, m), nn.ConvTranspose2d(m, m, kernel_size=2, stride=2))
            for _ in range(num_scales - 1)
        )
        self.exit = dense(m, out_channels, zero=zero_init)

    def forward(self, x: Tensor) -> Tensor:
        factor = 2 ** (self.num_scales - 1)
        if x.dim() != 4 or x.shape[2] % factor or x.shape[3] % factor:
            raise ShapeError(f"MultiscaleDenseNet: expected (batch, C, H, W) with H, W divisible "
                             f"by {factor}, got {tuple(x.shape)}")
        features = [self.entry(x)]
        for layer in self.down:
            features.append(layer(features[-1]))
        h = features[-1]
        for i, layer in enumerate(self.up):
            h = layer(h) + features[-2 - i]
        return self.exit(h)
