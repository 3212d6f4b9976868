"""Conditional spline couplings (official names and arguments): the conditioner sees
``cat([x_1, context], split_dim)``; kinds, parameter counts and domains as in
:mod:`survae.transforms.bijections.coupling.coupling_splines`.

Example:
    >>> import torch
    >>> from survae.nn.layers import ElementwiseParams
    >>> net = torch.nn.Sequential(torch.nn.Linear(3, 2 * 8), ElementwiseParams(8))
    >>> layer = ConditionalLinearSplineCouplingBijection(net, 8, tail_bound=3.0)
    >>> x, context = torch.randn(5, 4), torch.randn(5, 1)
    >>> torch.allclose(layer.inverse(layer(x, context)[0], context), x, atol=1e-4)
    True
"""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.conditional.coupling.coupling import (
    ConditionalCouplingBijection,
)
from survae.transforms.bijections.transformers import splines
from survae.transforms.bijections.transformers.splines import SplineHooks, SplineTransformer


class ConditionalSplineCouplingBijection(SplineHooks, ConditionalCouplingBijection):
    r"""Conditional coupling with the spline kind ``spline``: :math:`z_1 = x_1`,
    :math:`z_2 = f(x_2; \theta([x_1, c]))` with :math:`f` a monotone spline, log-det
    :math:`\sum_i \log f'(x_{2,i}; \theta)`, closed-form inverse."""

    spline: type[SplineTransformer]

    def __init__(self, coupling_net: nn.Module, num_bins: int,
                 context_net: nn.Module | None = None, split_dim: int = 1,
                 num_condition: int | None = None, *, tail_bound: float | None = None,
                 tails: str | None = "linear"):
        transformer = self.spline(num_bins, tail_bound, tails)
        super().__init__(coupling_net, context_net, split_dim, num_condition, transformer)


class ConditionalLinearSplineCouplingBijection(ConditionalSplineCouplingBijection):
    r"""Conditional piecewise-linear spline coupling: :math:`\theta = \mathrm{net}([x_1, c])`,
    :math:`P = K` (as :class:`~survae.transforms.LinearSplineCouplingBijection`)."""

    spline = splines.LinearSpline


class ConditionalQuadraticSplineCouplingBijection(ConditionalSplineCouplingBijection):
    """Conditional piecewise-quadratic spline coupling."""

    spline = splines.QuadraticSpline


class ConditionalCubicSplineCouplingBijection(ConditionalSplineCouplingBijection):
    """Conditional monotone cubic spline coupling."""

    spline = splines.CubicSpline


class ConditionalRationalQuadraticSplineCouplingBijection(ConditionalSplineCouplingBijection):
    """Conditional rational-quadratic spline coupling (conditional neural spline flow)."""

    spline = splines.RationalQuadraticSpline
