"""The autoregressive scheme on images (PixelCNN conditioners), official name and arguments."""

from __future__ import annotations

from survae.transforms.bijections.autoregressive.autoregressive import AutoregressiveBijection


class RasterOrder:
    """Scheme settings for images: ``(B, C, H, W)`` inputs, the inverse fills the image in
    ``'raster_cwh'`` (default: channel by channel within a pixel, for PixelCNN's channel masks)
    or ``'raster_wh'`` order (a pixel at once, for conditioners whose channels of a pixel are
    independent given earlier pixels)."""

    orders = ("raster_cwh", "raster_wh")
    input_rank = 4


class AutoregressiveBijection2d(RasterOrder, AutoregressiveBijection):
    """Autoregressive bijection on images: the conditioner (e.g.
    :class:`~survae.nn.nets.PixelCNN`) maps ``x`` ``(B, C, H, W)`` to ``(B, C, H, W, P)``, those of
    value ``(c, h, w)`` depending on earlier values only; the inverse fills the image in raster
    order (see :mod:`survae.transforms.bijections.autoregressive.autoregressive`).

    Args:
        autoregressive_net: the masked conditioner.
        autoregressive_order: ``'raster_cwh'`` (default, also when None) or ``'raster_wh'``.
        transformer: the elementwise map.
    """
