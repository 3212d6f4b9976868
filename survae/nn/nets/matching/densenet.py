"""DenseNet conditioner for image coupling layers (spatial size preserved)."""

from __future__ import annotations

from torch import nn

from survae.nn.blocks.denseblock import ResidualDenseBlock
from survae.nn.init import zero_init_


class DenseNet(nn.Sequential):
    """``conv1x1 -> num_blocks x ResidualDenseBlock -> conv1x1``, mapping ``(B, C_in, H, W)`` to
    ``(B, C_out, H, W)``.

    Args:
        in_channels: input channels.
        out_channels: output channels (e.g. ``2 * C`` for an affine coupling with
            ``ElementwiseParams2d(2)``).
        num_blocks: number of residual dense blocks.
        mid_channels: channels inside the network.
        depth: dense layers per block.
        growth: channels added by each dense layer.
        dropout: dropout probability inside the dense layers.
        gated_conv: end each dense block with a gated convolution.
        zero_init: zero the last convolution, so the network outputs zeros at initialisation
            (an affine coupling then starts as the identity).

    Example:
        >>> import torch
        >>> net = DenseNet(in_channels=3, out_channels=6, num_blocks=1, mid_channels=8, depth=2,
        ...                growth=4, dropout=0.0, gated_conv=True, zero_init=True)
        >>> out = net(torch.randn(2, 3, 8, 8))
        >>> out.shape, out.abs().max().item()
        (torch.Size([2, 6, 8, 8]), 0.0)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        num_blocks: int,
        mid_channels: int,
        depth: int,
        growth: int,
        dropout: float,
        gated_conv: bool = False,
        zero_init: bool = False,
    ):
        blocks = [
            ResidualDenseBlock(
                in_channels=mid_channels,
                out_channels=mid_channels,
                depth=depth,
                growth=growth,
                dropout=dropout,
                gated_conv=gated_conv,
                zero_init=False,
            )
            for _ in range(num_blocks)
        ]
        last = nn.Conv2d(mid_channels, out_channels, kernel_size=1)
        if zero_init:
            zero_init_(last)
        super().__init__(nn.Conv2d(in_channels, mid_channels, kernel_size=1), *blocks, last)
