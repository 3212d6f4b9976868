"""The conditional autoregressive scheme on images (official name and arguments)."""

from __future__ import annotations

from survae.transforms.bijections.autoregressive.autoregressive_2d import RasterOrder
from survae.transforms.bijections.conditional.autoregressive.autoregressive import (
    ConditionalAutoregressiveBijection,
)


class ConditionalAutoregressiveBijection2d(RasterOrder, ConditionalAutoregressiveBijection):
    """Conditional version of :class:`~survae.transforms.AutoregressiveBijection2d`: the
    conditioner is called as ``autoregressive_net(x, context=context)`` (e.g.
    :class:`~survae.nn.nets.ConditionalPixelCNN`); forward one pass, inverse in raster order
    (``'raster_cwh'``, the default, or ``'raster_wh'``).
    """
