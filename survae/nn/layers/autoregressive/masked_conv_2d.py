"""Masked 2-D convolutions (PixelCNN, van den Oord et al., 2016): autoregressive in raster order.

A weight ``(out, in, kh, kw)`` is multiplied by a 0/1 mask before every convolution (the masked
entries get no gradient and never leak). Spatially, an output at a pixel sees the rows above it
and the pixels to its left on its own row. At the centre pixel, channels are ordered in groups
``k mod data_channels`` (for RGB: R, G, B, R, G, B, ...): with mask ``'A'`` (first layer) an
output of group ``g`` sees input groups ``< g``; with ``'B'`` (later layers) groups ``<= g``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

MASK_TYPES = ("A", "B")


def spatial_mask(height: int, width: int, mask_type: str) -> Tensor:
    """``(height, width)`` mask: rows above the centre, and left of it on its row (and the centre
    itself for ``'B'``)."""
    if mask_type not in MASK_TYPES:
        raise ValueError(f"mask_type must be 'A' or 'B', got {mask_type!r}")
    mask = torch.zeros(height, width)
    ch, cw = height // 2, width // 2
    mask[:ch] = 1
    mask[ch, :cw] = 1
    if mask_type == "B":
        mask[ch, cw] = 1
    return mask


def channel_spatial_mask(out_channels: int, in_channels: int, height: int, width: int,
                         mask_type: str, data_channels: int) -> Tensor:
    """``(out, in, height, width)`` mask: :func:`spatial_mask` off the centre; at the centre, the
    channel-group rule of the module docstring."""
    mask = spatial_mask(height, width, "A").expand(out_channels, in_channels, height, width)
    mask = mask.clone()
    g_out = torch.arange(out_channels) % data_channels
    g_in = torch.arange(in_channels) % data_channels
    allowed = (g_in.unsqueeze(0) < g_out.unsqueeze(1)) if mask_type == "A" else (
        g_in.unsqueeze(0) <= g_out.unsqueeze(1))
    mask[:, :, height // 2, width // 2] = allowed.float()
    return mask


class SpatialMaskedConv2d(nn.Conv2d):
    """``nn.Conv2d`` masked to be autoregressive over pixels only (all channels of earlier
    pixels; at the centre nothing for ``'A'``, everything for ``'B'``).

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
        self.register_buffer("mask", spatial_mask(h, w, mask_type).expand_as(self.weight).clone())

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight * self.mask, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)


class MaskedConv2d(SpatialMaskedConv2d):
    """``nn.Conv2d`` masked to be autoregressive over pixels and, within a pixel, over the
    ``data_channels`` channel groups (official name and arguments).

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
        super().__init__(*args, mask_type=mask_type, **kwargs)
        out_c, in_c, h, w = self.weight.shape
        self.data_channels = int(data_channels)
        self.mask.copy_(channel_spatial_mask(out_c, in_c, h, w, mask_type, data_channels))
