"""Autoregressive spline bijections on vectors, and the spline kind mixin shared by every
autoregressive scheme.

The conditioner returns ``(B, D, P)`` with ``P`` the spline's parameter count (table in
:mod:`survae.transforms.bijections.transformers.splines`); keyword-only ``tail_bound`` and
``tails`` choose the domain as in the spline couplings.
"""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.autoregressive.autoregressive import AutoregressiveBijection
from survae.transforms.bijections.transformers.splines import (
    CubicSpline,
    LinearSpline,
    QuadraticSpline,
    RationalQuadraticSpline,
    SplineHooks,
    SplineTransformer,
)


class SplineAutoregressive(SplineHooks):
    """Kind mixin: the spline transformer ``spline`` (a :class:`SplineTransformer` class)."""

    spline: type[SplineTransformer]

    def __init__(self, autoregressive_net: nn.Module, num_bins: int,
                 autoregressive_order: str | None = None, *, tail_bound: float | None = None,
                 tails: str | None = "linear"):
        transformer = self.spline(num_bins, tail_bound, tails)
        super().__init__(autoregressive_net, autoregressive_order, transformer)


class LinearSplineAutoregressiveBijection(SplineAutoregressive, AutoregressiveBijection):
    """Autoregressive piecewise-linear splines: ``z_i = f(x_i; theta(x_{<i}))``; log-det
    ``sum_i log f'(x_i)``; inverse ``D`` passes. Net output ``(B, D, K)``.

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = LinearSplineAutoregressiveBijection(MADE(3, 5, [16]), num_bins=5)
        >>> x = torch.rand(4, 3)  # the [0, 1] domain (no tail_bound)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True
    """

    spline = LinearSpline


class QuadraticSplineAutoregressiveBijection(SplineAutoregressive, AutoregressiveBijection):
    """Autoregressive piecewise-quadratic splines (Müller et al., 2019).

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> net = MADE(3, 2 * 5 - 1, [16])
        >>> layer = QuadraticSplineAutoregressiveBijection(net, 5, tail_bound=3.0)
        >>> x = 2 * torch.randn(4, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True
    """

    spline = QuadraticSpline


class CubicSplineAutoregressiveBijection(SplineAutoregressive, AutoregressiveBijection):
    """Autoregressive piecewise-cubic splines (Durkan et al., 2019).

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = CubicSplineAutoregressiveBijection(MADE(2, 2 * 5 + 2, [16]), 5)
        >>> x = torch.rand(4, 2).double()
        >>> torch.allclose(layer.double().inverse(layer(x)[0]), x, atol=1e-6)
        True
    """

    spline = CubicSpline


class RationalQuadraticSplineAutoregressiveBijection(SplineAutoregressive,
                                                     AutoregressiveBijection):
    """Autoregressive neural spline flow: rational-quadratic splines with parameters from
    ``x_{<i}`` (Durkan et al., 2019); inverse ``D`` passes (the spline's closed-form root).

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = RationalQuadraticSplineAutoregressiveBijection(
        ...     MADE(3, 3 * 8 - 1, [32]), num_bins=8, tail_bound=3.0)
        >>> x = 4 * torch.randn(5, 3)  # beyond the bound too: linear tails
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True
    """

    spline = RationalQuadraticSpline
