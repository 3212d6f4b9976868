"""Autoregressive spline bijections on images (PixelCNN conditioners; official names): the
conditioner returns ``(B, C, H, W, P)``; the inverse fills the image in raster order.

Example:
    >>> import torch
    >>> from survae.nn.nets import PixelCNN
    >>> net = PixelCNN(1, 4, filters=4, num_blocks=1, output_filters=8, kernel_size_in=3)
    >>> layer = LinearSplineAutoregressiveBijection2d(net, num_bins=4)
    >>> x = torch.rand(2, 1, 3, 3)
    >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
    True
"""

from __future__ import annotations

from survae.transforms.bijections.autoregressive.autoregressive_2d import (
    AutoregressiveBijection2d,
)
from survae.transforms.bijections.autoregressive.autoregressive_splines import (
    SplineAutoregressive,
)
from survae.transforms.bijections.transformers import splines


class LinearSplineAutoregressiveBijection2d(SplineAutoregressive, AutoregressiveBijection2d):
    """Piecewise-linear spline per value with PixelCNN parameters (:math:`K` per value)."""

    spline = splines.LinearSpline


class QuadraticSplineAutoregressiveBijection2d(SplineAutoregressive, AutoregressiveBijection2d):
    """Piecewise-quadratic spline per value with PixelCNN parameters."""

    spline = splines.QuadraticSpline


class CubicSplineAutoregressiveBijection2d(SplineAutoregressive, AutoregressiveBijection2d):
    """Monotone cubic spline per value with PixelCNN parameters (:math:`2K + 2` per value: widths,
    heights and the two end slopes)."""

    spline = splines.CubicSpline


class RationalQuadraticSplineAutoregressiveBijection2d(SplineAutoregressive,
                                                       AutoregressiveBijection2d):
    """Rational-quadratic spline per value with PixelCNN parameters (:math:`3K + 1` per value on
    :math:`[0, 1]`, :math:`3K - 1` with linear tails); a neural spline flow over pixels."""

    spline = splines.RationalQuadraticSpline
