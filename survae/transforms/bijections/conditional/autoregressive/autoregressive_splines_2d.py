"""Conditional autoregressive spline bijections on images (official names and arguments): the
conditioner is called as ``net(x, context=c)``.

Example:
    >>> import torch
    >>> from survae.nn.nets import ConditionalPixelCNN
    >>> net = ConditionalPixelCNN(1, 3 * 4 + 1, context_channels=1, filters=4,
    ...                           num_blocks=1, output_filters=8, kernel_size_in=3)
    >>> layer = ConditionalRationalQuadraticSplineAutoregressiveBijection2d(net, 4)
    >>> x, c = torch.rand(2, 1, 3, 3), torch.randn(2, 1, 3, 3)
    >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
    True
"""

from __future__ import annotations

from survae.transforms.bijections.autoregressive.autoregressive_splines import (
    SplineAutoregressive,
)
from survae.transforms.bijections.conditional.autoregressive.autoregressive_2d import (
    ConditionalAutoregressiveBijection2d,
)
from survae.transforms.bijections.transformers import splines


class ConditionalLinearSplineAutoregressiveBijection2d(SplineAutoregressive,
                                                       ConditionalAutoregressiveBijection2d):
    """Conditional piecewise-linear spline per value."""

    spline = splines.LinearSpline


class ConditionalQuadraticSplineAutoregressiveBijection2d(SplineAutoregressive,
                                                          ConditionalAutoregressiveBijection2d):
    """Conditional piecewise-quadratic spline per value (:math:`2K + 1` parameters on
    :math:`[0, 1]`, :math:`2K - 1` with tails)."""

    spline = splines.QuadraticSpline


class ConditionalCubicSplineAutoregressiveBijection2d(SplineAutoregressive,
                                                      ConditionalAutoregressiveBijection2d):
    """Conditional monotone cubic spline per value (:math:`2K + 2` parameters: widths, heights,
    end slopes)."""

    spline = splines.CubicSpline


class ConditionalRationalQuadraticSplineAutoregressiveBijection2d(
    SplineAutoregressive, ConditionalAutoregressiveBijection2d
):
    """Conditional rational-quadratic spline per value: the conditioner sees the earlier
    values and the context image (e.g. a low-resolution version, for super-resolution
    flows)."""

    spline = splines.RationalQuadraticSpline
