"""Spline couplings (linear, quadratic, cubic, rational-quadratic): the coupling scheme with a
spline transformer.

``coupling_net`` maps ``x_1`` to ``(*x_2.shape, P)`` (end it with ``ElementwiseParams(P)``); ``P``
depends on the kind, ``num_bins`` and the tails (table in
:mod:`survae.transforms.bijections.transformers.splines`). The domain is ``[0, 1]`` by default (as
the official library); keyword-only ``tail_bound=B`` gives ``[-B, B]`` with ``tails='linear'``
(identity outside), ``'circular'`` (period ``2B``) or None.

- forward: ``z_1 = x_1``, ``z_2 = f(x_2; theta(x_1))`` elementwise;
- inverse: ``x_2 = f^{-1}(z_2; theta(z_1))`` in closed form (bracketed Newton for the cubic);
- log-det: ``sum log f'(x_2)``.
"""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.coupling.coupling import CouplingBijection
from survae.transforms.bijections.transformers.splines import (
    CubicSpline,
    LinearSpline,
    QuadraticSpline,
    RationalQuadraticSpline,
    SplineHooks,
    SplineTransformer,
)


class SplineCouplingBijection(SplineHooks, CouplingBijection):
    """Coupling with the spline kind ``spline`` (a :class:`SplineTransformer` class)."""

    spline: type[SplineTransformer]

    def __init__(self, coupling_net: nn.Module, num_bins: int, split_dim: int = 1,
                 num_condition: int | None = None, *, tail_bound: float | None = None,
                 tails: str | None = "linear"):
        spline = self.spline(num_bins, tail_bound, tails)
        super().__init__(coupling_net, split_dim, num_condition, transformer=spline)


class LinearSplineCouplingBijection(SplineCouplingBijection):
    """Coupling with a piecewise-linear spline (``K`` equal bins, learned heights; Müller et al.,
    2019).

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2 * 8), ElementwiseParams(8))
        >>> layer = LinearSplineCouplingBijection(net, num_bins=8, tail_bound=3.0)
        >>> x = 2 * torch.randn(5, 4)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True
    """

    spline = LinearSpline


class QuadraticSplineCouplingBijection(SplineCouplingBijection):
    """Coupling with a piecewise-quadratic spline (Müller et al., 2019).

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2 * 17), ElementwiseParams(17))
        >>> layer = QuadraticSplineCouplingBijection(net, num_bins=8)
        >>> x = torch.rand(5, 4)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True
    """

    spline = QuadraticSpline


class CubicSplineCouplingBijection(SplineCouplingBijection):
    """Coupling with a monotone cubic spline (Durkan et al., 2019).

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2 * 18), ElementwiseParams(18))
        >>> layer = CubicSplineCouplingBijection(net, num_bins=8, tail_bound=3.0).double()
        >>> x = 2 * torch.randn(5, 4, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x)
        True
    """

    spline = CubicSpline


class RationalQuadraticSplineCouplingBijection(SplineCouplingBijection):
    """Coupling with a rational-quadratic spline: the neural spline flow (Durkan et al., 2019).

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2 * 23), ElementwiseParams(23))
        >>> layer = RationalQuadraticSplineCouplingBijection(net, num_bins=8, tail_bound=3.0)
        >>> x = 2 * torch.randn(5, 4)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True
    """

    spline = RationalQuadraticSpline
