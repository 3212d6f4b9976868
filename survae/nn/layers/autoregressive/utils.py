"""Masks of autoregressive 2-D convolutions (PixelCNN, van den Oord et al., 2016).

Spatially, an output at a pixel sees the rows above it and the pixels to its left on its own row
(and, for mask ``'B'``, the pixel itself). At the centre pixel, channels are ordered in groups
``k mod data_channels`` (for RGB: R, G, B, R, G, B, ...): with mask ``'A'`` (first layer) an
output of group ``g`` sees input groups ``< g``; with ``'B'`` (later layers) groups ``<= g``.
A mask holds 1 where a weight is kept and 0 where it is masked.
"""

from __future__ import annotations

import torch
from torch import Tensor

MASK_TYPES = ("A", "B")


def _check_type(mask_type: str) -> None:
    if mask_type not in MASK_TYPES:
        raise ValueError(f"mask_type must be 'A' or 'B', got {mask_type!r}")


def mask_conv2d_spatial(mask_type: str, height: int, width: int) -> Tensor:
    """``(1, 1, height, width)`` mask: the rows above the centre, the pixels left of it on its
    row, and the centre itself for ``'B'``.

    Example:
        >>> mask_conv2d_spatial("A", 3, 3)[0, 0].int().tolist()
        [[1, 1, 1], [1, 0, 0], [0, 0, 0]]
    """
    _check_type(mask_type)
    rows = torch.arange(height).unsqueeze(1)
    cols = torch.arange(width).unsqueeze(0)
    ch, cw = height // 2, width // 2
    keep = (rows < ch) | ((rows == ch) & (cols < cw + (mask_type == "B")))
    return keep.float().reshape(1, 1, height, width)


def mask_channels(mask_type: str, in_channels: int, out_channels: int,
                  data_channels: int = 3) -> Tensor:
    """``(out_channels, in_channels)`` mask of the centre pixel: output group ``g`` sees input
    groups ``< g`` (``'A'``) or ``<= g`` (``'B'``), groups being ``index mod data_channels``.

    Example:
        >>> mask_channels("A", 3, 3).int().tolist()
        [[0, 0, 0], [1, 0, 0], [1, 1, 0]]
    """
    _check_type(mask_type)
    g_out = (torch.arange(out_channels) % data_channels).unsqueeze(1)
    g_in = (torch.arange(in_channels) % data_channels).unsqueeze(0)
    return ((g_in < g_out) if mask_type == "A" else (g_in <= g_out)).float()


def mask_conv2d(mask_type: str, in_channels: int, out_channels: int, height: int, width: int,
                data_channels: int = 3) -> Tensor:
    """``(out_channels, in_channels, height, width)`` mask: :func:`mask_conv2d_spatial` (type
    ``'A'``) off the centre, :func:`mask_channels` at the centre."""
    mask = mask_conv2d_spatial("A", height, width).repeat(out_channels, in_channels, 1, 1)
    mask[:, :, height // 2, width // 2] = mask_channels(mask_type, in_channels, out_channels,
                                                        data_channels)
    return mask
