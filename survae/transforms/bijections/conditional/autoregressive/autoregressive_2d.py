"""The conditional autoregressive scheme on images (official name and arguments)."""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.conditional.autoregressive.autoregressive import (
    ConditionalAutoregressiveBijection,
)
from survae.transforms.bijections.transformers.base import ElementwiseTransformer


class ConditionalAutoregressiveBijection2d(ConditionalAutoregressiveBijection):
    """Conditional version of :class:`~survae.transforms.AutoregressiveBijection2d`: the
    conditioner is called as ``autoregressive_net(x, context=context)`` (e.g.
    :class:`~survae.nn.nets.ConditionalPixelCNN`); forward one pass, inverse in raster order.

    Args:
        autoregressive_net: the masked conditioner taking a context.
        autoregressive_order: ``'raster_cwh'`` (default) or ``'raster_wh'``.
        transformer: the elementwise map.
    """

    orders = ("raster_cwh", "raster_wh")
    input_rank = 4

    def __init__(self, autoregressive_net: nn.Module,
                 autoregressive_order: str | None = "raster_cwh",
                 transformer: ElementwiseTransformer | None = None):
        super().__init__(autoregressive_net, autoregressive_order, transformer)
