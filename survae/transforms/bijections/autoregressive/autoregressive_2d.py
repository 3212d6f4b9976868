"""The autoregressive scheme on images (PixelCNN conditioners), official name and arguments."""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.autoregressive.autoregressive import AutoregressiveBijection
from survae.transforms.bijections.transformers.base import ElementwiseTransformer


class AutoregressiveBijection2d(AutoregressiveBijection):
    """Autoregressive bijection on images: the conditioner (e.g.
    :class:`~survae.nn.nets.PixelCNN`) maps ``x`` ``(B, C, H, W)`` to ``(B, C, H, W, P)``, those of
    value ``(c, h, w)`` depending on earlier values only; the inverse fills the image in raster
    order (see :mod:`survae.transforms.bijections.autoregressive.autoregressive`).

    Args:
        autoregressive_net: the masked conditioner.
        autoregressive_order: ``'raster_cwh'`` (default: channel by channel within a pixel) or
            ``'raster_wh'`` (a pixel at once, for conditioners whose channels of a pixel are
            independent given earlier pixels).
        transformer: the elementwise map.
    """

    orders = ("raster_cwh", "raster_wh")
    input_rank = 4

    def __init__(self, autoregressive_net: nn.Module,
                 autoregressive_order: str | None = "raster_cwh",
                 transformer: ElementwiseTransformer | None = None):
        super().__init__(autoregressive_net, autoregressive_order, transformer)
