"""PixelCNN (van den Oord et al., 2016) as an autoregressive conditioner for image flows."""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor, nn

from survae.nn.blocks.masked_residual_block_2d import MaskedResidualBlock2d
from survae.nn.layers import ElementwiseParams2d, LambdaLayer
from survae.nn.layers.autoregressive.masked_conv_2d import MaskedConv2d


def _to_signed(x: Tensor) -> Tensor:
    return 2 * x - 1


class PixelCNN(nn.Sequential):
    """``(B, C, H, W) -> (B, C, H, W, num_params)``: parameters of value ``(c, h, w)`` depend only
    on the pixels before ``(h, w)`` in raster order and on channels ``< c`` of pixel ``(h, w)``
    (official name and arguments).

    A type-``'A'`` masked ``kernel_size_in`` convolution, ``num_blocks`` masked residual blocks,
    two type-``'B'`` 1x1 convolutions, ``ElementwiseParams2d(num_params)``.

    Example:
        >>> import torch
        >>> net = PixelCNN(1, 2, filters=8, num_blocks=1, output_filters=16)
        >>> net(torch.rand(3, 1, 5, 5)).shape
        torch.Size([3, 1, 5, 5, 2])
    """

    def __init__(self, in_channels: int, num_params: int, filters: int = 128,
                 num_blocks: int = 15, output_filters: int = 1024, kernel_size: int = 3,
                 kernel_size_in: int = 7,
                 init_transforms: Callable[[Tensor], Tensor] = _to_signed):
        dc = in_channels
        super().__init__(
            LambdaLayer(init_transforms),
            MaskedConv2d(in_channels, 2 * filters, kernel_size_in, padding=kernel_size_in // 2,
                         mask_type="A", data_channels=dc),
            *[MaskedResidualBlock2d(filters, dc, kernel_size) for _ in range(num_blocks)],
            nn.ReLU(),
            MaskedConv2d(2 * filters, output_filters, 1, mask_type="B", data_channels=dc),
            nn.ReLU(),
            MaskedConv2d(output_filters, num_params * in_channels, 1, mask_type="B",
                         data_channels=dc),
            ElementwiseParams2d(num_params),
        )
