"""The masked residual block of PixelCNN."""

from __future__ import annotations

from torch import Tensor, nn

from survae.nn.layers.autoregressive.masked_conv_2d import MaskedConv2d


class MaskedResidualBlock2d(nn.Module):
    """``x + [ReLU, 1x1 (2h -> h), ReLU, k x k (h -> h), ReLU, 1x1 (h -> 2h)](x)``, every
    convolution a type-``'B'`` :class:`MaskedConv2d` (so the block stays autoregressive).

    Args:
        h: half the channels of the block's input and output (``2h``).
        data_channels: channel groups of the data.
        kernel_size: size of the middle convolution.
    """

    def __init__(self, h: int, data_channels: int = 3, kernel_size: int = 3):
        super().__init__()
        self.net = nn.Sequential(
            nn.ReLU(),
            MaskedConv2d(2 * h, h, 1, mask_type="B", data_channels=data_channels),
            nn.ReLU(),
            MaskedConv2d(h, h, kernel_size, padding=kernel_size // 2, mask_type="B",
                         data_channels=data_channels),
            nn.ReLU(),
            MaskedConv2d(h, 2 * h, 1, mask_type="B", data_channels=data_channels),
        )

    def forward(self, x: Tensor) -> Tensor:
        return x + self.net(x)
