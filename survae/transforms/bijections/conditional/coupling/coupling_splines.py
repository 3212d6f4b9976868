"""Conditional spline couplings (official names and arguments): the conditioner sees
``cat([x_1, context], split_dim)``; kinds, parameter counts and domains as in
:mod:`survae.transforms.bijections.coupling.coupling_splines`."""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.conditional.coupling.coupling import (
    ConditionalCouplingBijection,
)
from survae.transforms.bijections.transformers.splines import (
    CubicSpline,
    LinearSpline,
    QuadraticSpline,
    RationalQuadraticSpline,
    SplineHooks,
    SplineTransformer,
)


class ConditionalSplineCouplingBijection(SplineHooks, ConditionalCouplingBijection):
    """Conditional coupling with the spline kind ``spline``."""

    spline: type[SplineTransformer]

    def __init__(self, coupling_net: nn.Module, num_bins: int,
                 context_net: nn.Module | None = None, split_dim: int = 1,
                 num_condition: int | None = None, *, tail_bound: float | None = None,
                 tails: str | None = "linear"):
        transformer = self.spline(num_bins, tail_bound, tails)
        super().__init__(coupling_net, context_net, split_dim, num_condition, transformer)


class ConditionalLinearSplineCouplingBijection(ConditionalSplineCouplingBijection):
    """Conditional coupling with a piecewise-linear spline.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(3, 2 * 8), ElementwiseParams(8))
        >>> layer = ConditionalLinearSplineCouplingBijection(net, 8, tail_bound=3.0)
        >>> x, context = torch.randn(5, 4), torch.randn(5, 1)
        >>> torch.allclose(layer.inverse(layer(x, context)[0], context), x, atol=1e-4)
        True
    """

    spline = LinearSpline


class ConditionalQuadraticSplineCouplingBijection(ConditionalSplineCouplingBijection):
    """Conditional coupling with a piecewise-quadratic spline.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(3, 2 * 15), ElementwiseParams(15))
        >>> layer = ConditionalQuadraticSplineCouplingBijection(net, 8, tail_bound=3.0)
        >>> x, context = torch.randn(5, 4), torch.randn(5, 1)
        >>> torch.allclose(layer.inverse(layer(x, context)[0], context), x, atol=1e-4)
        True
    """

    spline = QuadraticSpline


class ConditionalCubicSplineCouplingBijection(ConditionalSplineCouplingBijection):
    """Conditional coupling with a monotone cubic spline.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(3, 2 * 10), ElementwiseParams(10))
        >>> layer = ConditionalCubicSplineCouplingBijection(net, 4).double()
        >>> x, context = torch.rand(5, 4).double(), torch.randn(5, 1).double()
        >>> torch.allclose(layer.inverse(layer(x, context)[0], context), x)
        True
    """

    spline = CubicSpline


class ConditionalRationalQuadraticSplineCouplingBijection(ConditionalSplineCouplingBijection):
    """Conditional coupling with a rational-quadratic spline (conditional neural spline flow).

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(3, 2 * 23), ElementwiseParams(23))
        >>> layer = ConditionalRationalQuadraticSplineCouplingBijection(net, 8, tail_bound=3.0)
        >>> x, context = torch.randn(5, 4), torch.randn(5, 1)
        >>> torch.allclose(layer.inverse(layer(x, context)[0], context), x, atol=1e-4)
        True
    """

    spline = RationalQuadraticSpline
