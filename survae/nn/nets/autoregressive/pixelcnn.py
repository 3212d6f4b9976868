"""PixelCNN (van den Oord et al., 2016) as an autoregressive conditioner for image flows."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from survae.nn.blocks.autoregressive.masked_residual_block_2d import MaskedResidualBlock2d
from survae.nn.layers import ElementwiseParams2d, LambdaLayer
from survae.nn.layers.autoregressive.masked_conv_2d import MaskedConv2d
from survae.utils.validation import ShapeError


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
            *[MaskedResidualBlock2d(filters, kernel_size, dc) for _ in range(num_blocks)],
            nn.ReLU(),
            MaskedConv2d(2 * filters, output_filters, 1, mask_type="B", data_channels=dc),
            nn.ReLU(),
            MaskedConv2d(output_filters, num_params * in_channels, 1, mask_type="B",
                         data_channels=dc),
            ElementwiseParams2d(num_params),
        )

    def forward(self, x: Tensor) -> Tensor:
        # Contiguous parameters (one small copy after the network): callers may .view() them,
        # as the official tests do.
        return super().forward(x).contiguous()


class ConditionalPixelCNN(nn.Module):
    """:class:`PixelCNN` with an image-shaped context ``(B, C_ctx, H, W)``: 1x1 convolutions of
    the context are added (unmasked) after the first masked convolution and before the output
    layers, so the parameters of value ``(c, h, w)`` depend on earlier values and on the whole
    context. Called as ``net(x, context=context)``.

    Example:
        >>> import torch
        >>> net = ConditionalPixelCNN(1, 2, context_channels=3, filters=8, num_blocks=1,
        ...                           output_filters=16)
        >>> net(torch.rand(2, 1, 4, 4), context=torch.randn(2, 3, 4, 4)).shape
        torch.Size([2, 1, 4, 4, 2])
    """

    def __init__(self, in_channels: int, num_params: int, context_channels: int,
                 filters: int = 128, num_blocks: int = 15, output_filters: int = 1024,
                 kernel_size: int = 3, kernel_size_in: int = 7,
                 init_transforms: Callable[[Tensor], Tensor] = _to_signed):
        super().__init__()
        dc = in_channels
        self.init_transforms = LambdaLayer(init_transforms)
        self.first = MaskedConv2d(in_channels, 2 * filters, kernel_size_in,
                                  padding=kernel_size_in // 2, mask_type="A", data_channels=dc)
        self.context_in = nn.Conv2d(context_channels, 2 * filters, 1)
        self.blocks = nn.Sequential(*[MaskedResidualBlock2d(filters, kernel_size, dc)
                                      for _ in range(num_blocks)])
        self.hidden = MaskedConv2d(2 * filters, output_filters, 1, mask_type="B",
                                   data_channels=dc)
        self.context_out = nn.Conv2d(context_channels, output_filters, 1)
        self.last = MaskedConv2d(output_filters, num_params * in_channels, 1, mask_type="B",
                                 data_channels=dc)
        self.params = ElementwiseParams2d(num_params)

    def forward(self, x: Tensor, context: Tensor) -> Tensor:
        if context.dim() != 4 or context.shape[0] != x.shape[0] or context.shape[2:] != x.shape[2:]:
            raise ShapeError(f"ConditionalPixelCNN: expected a context (batch, C, "
                             f"{x.shape[2]}, {x.shape[3]}), got {tuple(context.shape)}")
        context = context.to(x.dtype)
        h = self.first(self.init_transforms(x)) + self.context_in(context)
        h = self.blocks(h)
        h = self.hidden(torch.relu(h)) + self.context_out(context)
        return self.params(self.last(torch.relu(h)))
