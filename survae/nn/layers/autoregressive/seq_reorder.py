"""Read the values of an image as a sequence in an autoregressive order, and back.

Orders (official names) for an image ``(C, H, W)``:

- ``'cwh'``: pixels in raster order (row ``h``, then column ``w``), the channels of a pixel
  innermost: the order of :class:`~survae.transforms.AutoregressiveBijection2d`'s
  ``'raster_cwh'`` and of PixelCNN's channel masks;
- ``'whc'``: channel by channel, each channel in raster order;
- ``'zigzag_cs'``: pixels along the anti-diagonals ``h + w = s`` (``s = 0, 1, ...``), going up
  (``h`` decreasing) on even ``s`` and down on odd ``s``; the channels of a pixel innermost.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from survae.utils.validation import ShapeError

SEQUENCE_ORDERS = ("cwh", "whc", "zigzag_cs")


def image_sequence_order(autoregressive_order: str, image_shape: Sequence[int]) -> Tensor:
    """Flat index (into the ``C*H*W`` values in ``(C, H, W)`` memory order) of each position of
    the sequence.

    Example:
        >>> image_sequence_order('cwh', (2, 1, 2)).tolist()
        [0, 2, 1, 3]
        >>> image_sequence_order('zigzag_cs', (1, 2, 2)).tolist()
        [0, 1, 2, 3]
        >>> image_sequence_order('zigzag_cs', (1, 3, 3)).tolist()
        [0, 1, 3, 6, 4, 2, 5, 7, 8]
    """
    if autoregressive_order not in SEQUENCE_ORDERS:
        raise ValueError(f"autoregressive_order must be one of {SEQUENCE_ORDERS}, got "
                         f"{autoregressive_order!r}")
    if len(image_shape) != 3:
        raise ValueError(f"image_shape must be (C, H, W), got {tuple(image_shape)}")
    c, h, w = (int(s) for s in image_shape)
    flat = torch.arange(c * h * w).view(c, h, w)
    if autoregressive_order == "whc":
        return flat.reshape(-1)
    if autoregressive_order == "cwh":
        return flat.permute(1, 2, 0).reshape(-1)
    rows = torch.arange(h).view(h, 1).expand(h, w)
    diagonal = rows + torch.arange(w).view(1, w)
    # Along diagonal s, rows go up (descending) when s is even and down when s is odd.
    within = torch.where(diagonal % 2 == 0, -rows, rows)
    key = diagonal * (2 * h + 1) + within  # lexicographic (diagonal, within), within in (-h, h)
    pixels = torch.argsort(key.reshape(-1))
    return (pixels.view(-1, 1) + h * w * torch.arange(c).view(1, c)).reshape(-1)


class _Reorder(nn.Module):
    def __init__(self, autoregressive_order: str, image_shape: Sequence[int]):
        super().__init__()
        order = image_sequence_order(autoregressive_order, image_shape)
        self.autoregressive_order = autoregressive_order
        self.image_shape = torch.Size(int(s) for s in image_shape)
        self.register_buffer("order", order, persistent=False)
        self.register_buffer("position", torch.argsort(order), persistent=False)

    def extra_repr(self) -> str:
        return f"{self.autoregressive_order!r}, image_shape={tuple(self.image_shape)}"


class Image2Seq(_Reorder):
    """``(B, C, H, W, D) -> (C*H*W, B, D)``: the values in ``autoregressive_order`` (see the
    module docstring), sequence first (official name and arguments).

    Args:
        autoregressive_order: ``'cwh'``, ``'whc'`` or ``'zigzag_cs'``.
        image_shape: ``(C, H, W)``.

    Example:
        >>> import torch
        >>> x = torch.arange(4.).view(1, 2, 1, 2, 1)  # channel 0: [0, 1], channel 1: [2, 3]
        >>> Image2Seq('cwh', (2, 1, 2))(x).flatten().tolist()
        [0.0, 2.0, 1.0, 3.0]
    """

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 5 or x.shape[1:4] != self.image_shape:
            raise ShapeError(f"Image2Seq: expected (batch, {', '.join(map(str, self.image_shape))}"
                             f", dim), got {tuple(x.shape)}")
        seq = x.reshape(x.shape[0], -1, x.shape[-1]).index_select(1, self.order)
        return seq.transpose(0, 1)


class Seq2Image(_Reorder):
    """``(C*H*W, B, D) -> (B, C, H, W, D)``, the inverse of :class:`Image2Seq` with the same
    arguments (official name and arguments).

    Example:
        >>> import torch
        >>> x = torch.randn(3, 2, 4, 5, 6)
        >>> to_seq, to_image = Image2Seq('zigzag_cs', (2, 4, 5)), Seq2Image('zigzag_cs', (2, 4, 5))
        >>> torch.equal(to_image(to_seq(x)), x)
        True
    """

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3 or x.shape[0] != self.image_shape.numel():
            raise ShapeError(f"Seq2Image: expected a sequence ({self.image_shape.numel()}, batch, "
                             f"dim), got {tuple(x.shape)}")
        image = x.transpose(0, 1).index_select(1, self.position)
        return image.reshape(x.shape[1], *self.image_shape, x.shape[-1])
