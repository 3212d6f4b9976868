r"""Spline couplings (linear, quadratic, cubic, rational-quadratic): the coupling scheme with a
spline transformer.

``coupling_net`` maps ``x_1`` to ``(*x_2.shape, P)`` (end it with ``ElementwiseParams(P)``);
:math:`P` depends on the kind, ``num_bins`` and the tails (table in
:mod:`survae.transforms.bijections.transformers.splines`). The domain is :math:`[0, 1]` by default
(as the official library); keyword-only ``tail_bound=B`` gives :math:`[-B, B]` with
``tails='linear'`` (identity outside), ``'circular'`` (period :math:`2B`) or None.

- forward: :math:`z_1 = x_1`, :math:`z_2 = f(x_2; \theta(x_1))` elementwise;
- inverse: :math:`x_2 = f^{-1}(z_2; \theta(z_1))` in closed form (bracketed Newton for the
  cubic);
- log-det: :math:`\sum_i \log f'(x_{2,i})`.

Example:
    >>> import torch
    >>> from survae.nn.layers import ElementwiseParams
    >>> _ = torch.manual_seed(0)
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2 * 23), ElementwiseParams(23))
    >>> layer = RationalQuadraticSplineCouplingBijection(net, num_bins=8, tail_bound=3.0)
    >>> x = 2 * torch.randn(5, 4)
    >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
    True
"""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.coupling.coupling import CouplingBijection
from survae.transforms.bijections.transformers import splines
from survae.transforms.bijections.transformers.splines import SplineHooks, SplineTransformer


class SplineCouplingBijection(SplineHooks, CouplingBijection):
    r"""Coupling with the spline kind ``spline`` (a :class:`SplineTransformer` class).

    Forward :math:`z_1 = x_1`, :math:`z_2 = f(x_2; \theta(x_1))` with :math:`f` a monotone spline
    elementwise; inverse :math:`x_2 = f^{-1}(z_2; \theta(z_1))`; log-det
    :math:`\sum_i \log f'(x_{2,i}; \theta)`.

    Args:
        coupling_net: the conditioner.
        num_bins: number of bins :math:`K`.
        split_dim, num_condition: as in :class:`CouplingBijection`.
        tail_bound, tails: keyword-only domain options (module docstring).
    """

    spline: type[SplineTransformer]

    def __init__(self, coupling_net: nn.Module, num_bins: int, split_dim: int = 1,
                 num_condition: int | None = None, *, tail_bound: float | None = None,
                 tails: str | None = "linear"):
        spline = self.spline(num_bins, tail_bound, tails)
        super().__init__(coupling_net, split_dim, num_condition, transformer=spline)


class LinearSplineCouplingBijection(SplineCouplingBijection):
    """Piecewise-linear spline coupling (:math:`K` equal bins; Müller et al., 2019):
    :math:`P = K`."""

    spline = splines.LinearSpline


class QuadraticSplineCouplingBijection(SplineCouplingBijection):
    """Piecewise-quadratic spline coupling (Müller et al., 2019): :math:`K` widths and the
    densities at the knots, :math:`P = 2K + 1` on :math:`[0, 1]`, :math:`2K - 1` with tails."""

    spline = splines.QuadraticSpline


class CubicSplineCouplingBijection(SplineCouplingBijection):
    """Monotone cubic spline coupling (Durkan et al., 2019): :math:`P = 2K + 2`."""

    spline = splines.CubicSpline


class RationalQuadraticSplineCouplingBijection(SplineCouplingBijection):
    """Rational-quadratic spline coupling, the neural spline flow (Durkan et al., 2019):
    :math:`P = 3K + 1` on :math:`[0, 1]`, :math:`3K - 1` with linear tails."""

    spline = splines.RationalQuadraticSpline
