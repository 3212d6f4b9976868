r"""Autoregressive spline bijections on vectors, and the spline kind mixin shared by every
autoregressive scheme.

The conditioner returns ``(B, D, P)`` with :math:`P` the spline's parameter count (table in
:mod:`survae.transforms.bijections.transformers.splines`); keyword-only ``tail_bound`` and
``tails`` choose the domain as in the spline couplings. Forward
:math:`z_i = f(x_i; \theta(x_{<i}))`, log-det :math:`\sum_i \log f'(x_i)`, inverse :math:`D`
passes (each the spline's closed-form root).

Example:
    >>> import torch
    >>> from survae.nn.nets import MADE
    >>> layer = RationalQuadraticSplineAutoregressiveBijection(
    ...     MADE(3, 3 * 8 - 1, [32]), num_bins=8, tail_bound=3.0)
    >>> x = 4 * torch.randn(5, 3)  # beyond the bound too: linear tails
    >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
    True
"""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.autoregressive.autoregressive import AutoregressiveBijection
from survae.transforms.bijections.transformers import splines
from survae.transforms.bijections.transformers.splines import SplineHooks, SplineTransformer


class SplineAutoregressive(SplineHooks):
    r"""Kind mixin: the spline transformer ``spline`` (``autoregressive_order`` None: the
    scheme's default).

    Forward :math:`z_i = f(x_i; \theta_i(x_{<i}))` with :math:`f` a monotone spline, log-det
    :math:`\sum_i \log f'(x_i; \theta_i)`; inverse :math:`D` conditioner passes, each the
    spline's closed-form root (bracketed Newton for the cubic)."""

    spline: type[SplineTransformer]

    def __init__(self, autoregressive_net: nn.Module, num_bins: int,
                 autoregressive_order: str | None = None, *, tail_bound: float | None = None,
                 tails: str | None = "linear"):
        transformer = self.spline(num_bins, tail_bound, tails)
        super().__init__(autoregressive_net, autoregressive_order, transformer)


class LinearSplineAutoregressiveBijection(SplineAutoregressive, AutoregressiveBijection):
    """Autoregressive piecewise-linear splines: :math:`K` equal bins with learned heights (net
    output ``(B, D, K)``)."""

    spline = splines.LinearSpline


class QuadraticSplineAutoregressiveBijection(SplineAutoregressive, AutoregressiveBijection):
    """Autoregressive piecewise-quadratic splines (Müller et al., 2019)."""

    spline = splines.QuadraticSpline


class CubicSplineAutoregressiveBijection(SplineAutoregressive, AutoregressiveBijection):
    """Autoregressive monotone cubic splines (Durkan et al., 2019); the inverse solves the
    cubic per bin (bracketed Newton)."""

    spline = splines.CubicSpline


class RationalQuadraticSplineAutoregressiveBijection(SplineAutoregressive,
                                                     AutoregressiveBijection):
    """Autoregressive neural spline flow: rational-quadratic splines (Durkan et al., 2019)."""

    spline = splines.RationalQuadraticSpline
