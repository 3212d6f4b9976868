"""Densely connected convolutional blocks (Huang et al., 2017), as in the SurVAE experiments."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.nn.init import zero_init_


class DenseLayer(nn.Module):
    """Dense layer ``[x, relu(conv3x3(dropout(relu(conv1x1(x)))))]``: adds ``growth`` channels.

    Args:
        in_channels: input channels ``C``; the output has ``C + growth``.
        growth: channels produced by the layer.
        dropout: dropout probability after the first convolution (0 disables it).

    Example:
        >>> import torch
        >>> DenseLayer(4, growth=2, dropout=0.0)(torch.zeros(1, 4, 5, 5)).shape
        torch.Size([1, 6, 5, 5])
    """

    def __init__(self, in_channels: int, growth: int, dropout: float):
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(in_channels, in_channels, kernel_size=1), nn.ReLU()]
        if dropout > 0.0:
            layers.append(nn.Dropout(p=dropout))
        layers += [nn.Conv2d(in_channels, growth, kernel_size=3, padding=1), nn.ReLU()]
        self.nn = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([x, self.nn(x)], dim=1)


class GatedConv2d(nn.Module):
    """Gated convolution ``a + b * sigmoid(c)`` with ``[a, b, c]`` the thirds of one convolution.

    Args:
        in_channels: input channels.
        out_channels: output channels (the convolution produces three times as many).
        kernel_size: kernel size.
        padding: zero padding.

    Example:
        >>> import torch
        >>> GatedConv2d(4, 3, kernel_size=1, padding=0)(torch.zeros(2, 4, 5, 5)).shape
        torch.Size([2, 3, 5, 5])
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, padding: int):
        super().__init__()
        self.in_channels = in_channels
        self.conv = nn.Conv2d(in_channels, 3 * out_channels, kernel_size, padding=padding)

    def forward(self, x: Tensor) -> Tensor:
        a, b, c = torch.chunk(self.conv(x), chunks=3, dim=1)
        return a + b * torch.sigmoid(c)


class DenseBlock(nn.Sequential):
    """``depth`` dense layers, then a 1x1 (optionally gated) convolution to ``out_channels``.

    Args:
        in_channels: input channels.
        out_channels: output channels.
        depth: number of dense layers; the last convolution sees ``in + depth * growth``
            channels.
        growth: channels added by each dense layer.
        dropout: dropout probability inside the dense layers.
        gated_conv: use a :class:`GatedConv2d` as the last layer.
        zero_init: zero the last layer so that the block outputs zeros at initialisation.

    Example:
        >>> import torch
        >>> block = DenseBlock(4, 3, depth=2, growth=2, gated_conv=True, zero_init=True)
        >>> block(torch.randn(1, 4, 5, 5)).abs().max().item()
        0.0
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        depth: int,
        growth: int,
        dropout: float = 0.0,
        gated_conv: bool = False,
        zero_init: bool = False,
    ):
        layers: list[nn.Module] = [
            DenseLayer(in_channels + i * growth, growth, dropout) for i in range(depth)
        ]
        total = in_channels + depth * growth
        if gated_conv:
            last: nn.Module = GatedConv2d(total, out_channels, kernel_size=1, padding=0)
        else:
            last = nn.Conv2d(total, out_channels, kernel_size=1, padding=0)
        if zero_init:
            zero_init_(last)
        super().__init__(*layers, last)


class ResidualDenseBlock(nn.Module):
    """Residual dense block: ``x + DenseBlock(x)`` (``out_channels`` must equal ``in_channels``).

    Args:
        in_channels: input (and output) channels.
        out_channels: output channels of the inner block.
        depth: number of dense layers.
        growth: channels added by each dense layer.
        dropout: dropout probability inside the dense layers.
        gated_conv: use a gated last convolution.
        zero_init: zero the inner block's last layer (the block starts as the identity).

    Example:
        >>> import torch
        >>> block = ResidualDenseBlock(4, 4, depth=2, growth=2, zero_init=True)
        >>> x = torch.randn(1, 4, 5, 5)
        >>> torch.equal(block(x), x)
        True
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        depth: int,
        growth: int,
        dropout: float = 0.0,
        gated_conv: bool = False,
        zero_init: bool = False,
    ):
        super().__init__()
        if out_channels != in_channels:
            raise ValueError(
                f"ResidualDenseBlock: out_channels ({out_channels}) must equal in_channels "
                f"({in_channels}) for the residual sum"
            )
        self.dense = DenseBlock(
            in_channels=in_channels,
            out_channels=out_channels,
            depth=depth,
            growth=growth,
            dropout=dropout,
            gated_conv=gated_conv,
            zero_init=zero_init,
        )

    def forward(self, x: Tensor) -> Tensor:
        return x + self.dense(x)
