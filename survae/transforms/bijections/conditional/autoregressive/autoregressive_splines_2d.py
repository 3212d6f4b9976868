"""Conditional autoregressive spline bijections on images (official names and arguments)."""

from __future__ import annotations

from survae.transforms.bijections.autoregressive.autoregressive_splines import (
    SplineAutoregressive,
)
from survae.transforms.bijections.conditional.autoregressive.autoregressive_2d import (
    ConditionalAutoregressiveBijection2d,
)
from survae.transforms.bijections.transformers.splines import (
    CubicSpline,
    LinearSpline,
    QuadraticSpline,
    RationalQuadraticSpline,
)


class ConditionalLinearSplineAutoregressiveBijection2d(SplineAutoregressive,
                                                       ConditionalAutoregressiveBijection2d):
    """Conditional piecewise-linear spline per value (conditioner ``net(x, context=c)``).

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalPixelCNN
        >>> net = ConditionalPixelCNN(1, 4, context_channels=1, filters=4, num_blocks=1,
        ...                           output_filters=8, kernel_size_in=3)
        >>> layer = ConditionalLinearSplineAutoregressiveBijection2d(net, 4)
        >>> x, c = torch.rand(2, 1, 3, 3), torch.randn(2, 1, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """

    spline = LinearSpline


class ConditionalQuadraticSplineAutoregressiveBijection2d(SplineAutoregressive,
                                                          ConditionalAutoregressiveBijection2d):
    """Conditional piecewise-quadratic spline per value.

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalPixelCNN
        >>> net = ConditionalPixelCNN(1, 7, context_channels=1, filters=4, num_blocks=1,
        ...                           output_filters=8, kernel_size_in=3)
        >>> layer = ConditionalQuadraticSplineAutoregressiveBijection2d(net, 4, tail_bound=2.0)
        >>> x, c = torch.randn(2, 1, 3, 3), torch.randn(2, 1, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """

    spline = QuadraticSpline


class ConditionalCubicSplineAutoregressiveBijection2d(SplineAutoregressive,
                                                      ConditionalAutoregressiveBijection2d):
    """Conditional piecewise-cubic spline per value.

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalPixelCNN
        >>> net = ConditionalPixelCNN(1, 10, context_channels=1, filters=4, num_blocks=1,
        ...                           output_filters=8, kernel_size_in=3)
        >>> layer = ConditionalCubicSplineAutoregressiveBijection2d(net, 4).double()
        >>> x = torch.rand(2, 1, 3, 3, dtype=torch.float64)
        >>> c = torch.randn(2, 1, 3, 3, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """

    spline = CubicSpline


class ConditionalRationalQuadraticSplineAutoregressiveBijection2d(
    SplineAutoregressive, ConditionalAutoregressiveBijection2d
):
    """Conditional rational-quadratic spline per value.

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

    spline = RationalQuadraticSpline
