"""The masked residual blocks of PixelCNN."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from survae.nn.layers.autoregressive.masked_conv_2d import MaskedConv2d, SpatialMaskedConv2d


class MaskedResidualBlock2d(nn.Module):
    """``x + conv3(relu(conv2(relu(conv1(relu(x))))))``: 1x1 (2h -> h), k x k (h -> h),
    1x1 (h -> 2h), every convolution a type-``'B'`` :class:`MaskedConv2d` (so the block stays
    autoregressive over pixels and channel groups).

    Args:
        h: half the channels of the block's input and output (``2h``).
        kernel_size: size of the middle convolution.
        data_channels: channel groups of the data.

    Example:
        >>> import torch
        >>> MaskedResidualBlock2d(3, data_channels=3)(torch.randn(2, 6, 4, 4)).shape
        torch.Size([2, 6, 4, 4])
    """

    def __init__(self, h: int, kernel_size: int = 3, data_channels: int = 3):
        super().__init__()
        self.conv1 = MaskedConv2d(2 * h, h, kernel_size=1, mask_type="B",
                                  data_channels=data_channels)
        self.conv2 = MaskedConv2d(h, h, kernel_size=kernel_size, padding=kernel_size // 2,
                                  mask_type="B", data_channels=data_channels)
        self.conv3 = MaskedConv2d(h, 2 * h, kernel_size=1, mask_type="B",
                                  data_channels=data_channels)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv3(F.relu(self.conv2(F.relu(self.conv1(F.relu(x))))))


class SpatialMaskedResidualBlock2d(nn.Module):
    """As :class:`MaskedResidualBlock2d` with plain 1x1 convolutions and a type-``'B'``
    :class:`SpatialMaskedConv2d` in the middle: autoregressive over pixels only.

    Example:
        >>> import torch
        >>> SpatialMaskedResidualBlock2d(4)(torch.randn(2, 8, 5, 5)).shape
        torch.Size([2, 8, 5, 5])
    """

    def __init__(self, h: int, kernel_size: int = 3):
        super().__init__()
        self.conv1 = nn.Conv2d(2 * h, h, kernel_size=1)
        self.conv2 = SpatialMaskedConv2d(h, h, kernel_size=kernel_size,
                                         padding=kernel_size // 2, mask_type="B")
        self.conv3 = nn.Conv2d(h, 2 * h, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv3(F.relu(self.conv2(F.relu(self.conv1(F.relu(x))))))
