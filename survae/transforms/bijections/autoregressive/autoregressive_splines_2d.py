"""Autoregressive spline bijections on images (PixelCNN conditioners; official names)."""

from __future__ import annotations

from survae.transforms.bijections.autoregressive.autoregressive_2d import (
    AutoregressiveBijection2d,
)
from survae.transforms.bijections.autoregressive.autoregressive_splines import (
    SplineAutoregressive,
)
from survae.transforms.bijections.transformers.splines import (
    CubicSpline,
    LinearSpline,
    QuadraticSpline,
    RationalQuadraticSpline,
)


class LinearSplineAutoregressiveBijection2d(SplineAutoregressive, AutoregressiveBijection2d):
    """Piecewise-linear spline per value with PixelCNN parameters (``K`` per value).

    Example:
        >>> import torch
        >>> from survae.nn.nets import PixelCNN
        >>> net = PixelCNN(1, 4, filters=4, num_blocks=1, output_filters=8, kernel_size_in=3)
        >>> layer = LinearSplineAutoregressiveBijection2d(net, num_bins=4)
        >>> x = torch.rand(2, 1, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True
    """

    spline = LinearSpline


class QuadraticSplineAutoregressiveBijection2d(SplineAutoregressive, AutoregressiveBijection2d):
    """Piecewise-quadratic spline per value with PixelCNN parameters.

    Example:
        >>> import torch
        >>> from survae.nn.nets import PixelCNN
        >>> net = PixelCNN(1, 2 * 4 - 1, filters=4, num_blocks=1, output_filters=8,
        ...                kernel_size_in=3)
        >>> layer = QuadraticSplineAutoregressiveBijection2d(net, 4, tail_bound=2.0)
        >>> x = torch.randn(2, 1, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True
    """

    spline = QuadraticSpline


class CubicSplineAutoregressiveBijection2d(SplineAutoregressive, AutoregressiveBijection2d):
    """Piecewise-cubic spline per value with PixelCNN parameters.

    Example:
        >>> import torch
        >>> from survae.nn.nets import PixelCNN
        >>> net = PixelCNN(1, 2 * 4 + 2, filters=4, num_blocks=1, output_filters=8,
        ...                kernel_size_in=3)
        >>> layer = CubicSplineAutoregressiveBijection2d(net, 4).double()
        >>> x = torch.rand(2, 1, 3, 3, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-6)
        True
    """

    spline = CubicSpline


class RationalQuadraticSplineAutoregressiveBijection2d(SplineAutoregressive,
                                                       AutoregressiveBijection2d):
    """Rational-quadratic spline per value with PixelCNN parameters.

    Example:
        >>> import torch
        >>> from survae.nn.nets import PixelCNN
        >>> net = PixelCNN(1, 3 * 4 - 1, filters=4, num_blocks=1, output_filters=8,
        ...                kernel_size_in=3)
        >>> layer = RationalQuadraticSplineAutoregressiveBijection2d(net, 4, tail_bound=2.0)
        >>> x = torch.randn(2, 1, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True
    """

    spline = RationalQuadraticSpline
