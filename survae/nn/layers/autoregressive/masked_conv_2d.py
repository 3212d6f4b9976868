"""Masked 2-D convolutions (PixelCNN, van den Oord et al., 2016): autoregressive in raster order
(the masks are described in :mod:`survae.nn.layers.autoregressive.utils`).

The weight is multiplied by the mask inside every call (the masked entries get no gradient and
never leak); the weight itself is not rewritten. The ``mask`` buffers have the official shapes,
so official state dicts load.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from survae.nn.layers.autoregressive.utils import mask_conv2d, mask_conv2d_spatial


class _MaskedConv2d(nn.Conv2d):
    """``nn.Conv2d`` whose weight is multiplied by the ``mask`` buffer in every call."""

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight * self.mask, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)


class SpatialMaskedConv2d(_MaskedConv2d):
    """``nn.Conv2d`` masked to be autoregressive over pixels only (all channels of earlier
    pixels; at the centre nothing for ``'A'``, everything for ``'B'``); mask ``(1, 1, kh, kw)``.

    Example:
        >>> import torch
        >>> conv = SpatialMaskedConv2d(1, 4, 3, padding=1, mask_type="A")
        >>> conv(torch.randn(2, 1, 5, 5)).shape
        torch.Size([2, 4, 5, 5])
    """

    def __init__(self, *args, mask_type: str, **kwargs):
        super().__init__(*args, **kwargs)
        _, _, h, w = self.weight.shape
        self.mask_type = mask_type
        self.register_buffer("mask", mask_conv2d_spatial(mask_type, h, w))


class MaskedConv2d(_MaskedConv2d):
    """``nn.Conv2d`` masked to be autoregressive over pixels and, within a pixel, over the
    ``data_channels`` channel groups (official name and arguments); mask ``(out, in, kh, kw)``.

    Args:
        *args: ``nn.Conv2d``'s positional arguments.
        **kwargs: ``nn.Conv2d``'s keyword arguments.
        mask_type: ``'A'`` (first layer: an output never sees its own input value) or ``'B'``.
        data_channels: channels of the data (3 for RGB); feature maps are grouped ``k mod
            data_channels``.

    Example:
        >>> import torch
        >>> conv = MaskedConv2d(3, 6, 3, padding=1, mask_type="A", data_channels=3)
        >>> conv(torch.randn(2, 3, 4, 4)).shape
        torch.Size([2, 6, 4, 4])
    """

    def __init__(self, *args, mask_type: str, data_channels: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        out_c, in_c, h, w = self.weight.shape
        self.mask_type = mask_type
        self.data_channels = int(data_channels)
        self.register_buffer("mask", mask_conv2d(mask_type, in_c, out_c, h, w, data_channels))
