"""Coupling bijections with monotone spline transformers (linear, quadratic, cubic, RQ).

``x = (x_1, x_2)`` split along ``split_dim``; ``x_1`` (and a context, for the conditional
variants) parametrizes an elementwise spline of ``x_2``. The spline kinds, their parameter counts
and the domain options (``[0, 1]`` as the official library, or ``[-B, B]`` with linear or
circular tails) are described in :mod:`survae.transforms.bijections.spline_transformers`.
"""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.coupling import ConditionalCouplingBijection, CouplingBijection
from survae.transforms.bijections.spline_transformers import (
    CubicSplineTransformer,
    LinearSplineTransformer,
    QuadraticSplineTransformer,
    RationalQuadraticSplineTransformer,
)


class _SplineCouplingBijection(CouplingBijection):
    """Constructor shared by the spline couplings (the transformer is mixed in)."""

    def __init__(
        self,
        coupling_net: nn.Module,
        num_bins: int,
        split_dim: int = 1,
        num_condition: int | None = None,
        *,
        tail_bound: float | None = None,
        tails: str | None = "linear",
    ):
        super().__init__(coupling_net, split_dim=split_dim, num_condition=num_condition)
        self._init_spline(num_bins, tail_bound, tails)


class _ConditionalSplineCouplingBijection(ConditionalCouplingBijection):
    """Constructor shared by the conditional spline couplings (official argument order)."""

    def __init__(
        self,
        coupling_net: nn.Module,
        num_bins: int,
        context_net: nn.Module | None = None,
        split_dim: int = 1,
        num_condition: int | None = None,
        *,
        tail_bound: float | None = None,
        tails: str | None = "linear",
    ):
        super().__init__(
            coupling_net, context_net, split_dim=split_dim, num_condition=num_condition
        )
        self._init_spline(num_bins, tail_bound, tails)


class LinearSplineCouplingBijection(LinearSplineTransformer, _SplineCouplingBijection):
    """Coupling bijection with a piecewise-linear spline transformer (Müller et al., 2019).

    The spline has ``K`` equal bins and learned heights (a piecewise-constant density).

    - forward: ``z_1 = x_1``, ``z_2 = f(x_2; theta(x_1))`` elementwise;
    - inverse: ``x_2 = f^{-1}(z_2; theta(z_1))`` (affine per bin);
    - log-det: ``sum log f'(x_2)``.

    ``coupling_net`` maps ``x_1`` to ``(*x_2.shape, P)`` (end it with ``ElementwiseParams(P)``),
    ``P = K`` on ``[0, 1]`` (default, as the official library) or ``P = K`` with
    linear tails (see :mod:`~survae.transforms.bijections.spline_transformers` for all cases).

    Args:
        coupling_net: the conditioner.
        num_bins: number of bins ``K``.
        split_dim: dimension to split along.
        num_condition: size of ``x_1`` (None: half).
        tail_bound: keyword-only ``B``: spline on ``[-B, B]``; None keeps the ``[0, 1]`` domain.
        tails: keyword-only, with ``tail_bound``: ``'linear'`` (identity outside ``[-B, B]``),
            ``'circular'`` (period ``2B``) or None (inputs in ``[-B, B]``).

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2 * 8), ElementwiseParams(8))
        >>> layer = LinearSplineCouplingBijection(net, num_bins=8, tail_bound=3.0)
        >>> x = 2 * torch.randn(5, 4)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True
    """


class QuadraticSplineCouplingBijection(QuadraticSplineTransformer, _SplineCouplingBijection):
    """Coupling bijection with a piecewise-quadratic spline transformer (Müller et al., 2019).

    - forward: ``z_1 = x_1``, ``z_2 = f(x_2; theta(x_1))`` elementwise;
    - inverse: ``x_2 = f^{-1}(z_2; theta(z_1))`` (a stable quadratic root);
    - log-det: ``sum log f'(x_2)``.

    ``coupling_net`` maps ``x_1`` to ``(*x_2.shape, P)`` (end it with ``ElementwiseParams(P)``),
    ``P = 2K + 1`` on ``[0, 1]`` (default, as the official library) or ``P = 2K - 1`` with
    linear tails (see :mod:`~survae.transforms.bijections.spline_transformers` for all cases).

    Args:
        coupling_net: the conditioner.
        num_bins: number of bins ``K``.
        split_dim: dimension to split along.
        num_condition: size of ``x_1`` (None: half).
        tail_bound: keyword-only ``B``: spline on ``[-B, B]``; None keeps the ``[0, 1]`` domain.
        tails: keyword-only, with ``tail_bound``: ``'linear'`` (identity outside ``[-B, B]``),
            ``'circular'`` (period ``2B``) or None (inputs in ``[-B, B]``).

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2 * 15), ElementwiseParams(15))
        >>> layer = QuadraticSplineCouplingBijection(net, num_bins=8, tail_bound=3.0)
        >>> x = 2 * torch.randn(5, 4)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True
    """


class CubicSplineCouplingBijection(CubicSplineTransformer, _SplineCouplingBijection):
    """Coupling bijection with a monotone cubic spline transformer (Durkan et al., 2019).

    - forward: ``z_1 = x_1``, ``z_2 = f(x_2; theta(x_1))`` elementwise;
    - inverse: ``x_2 = f^{-1}(z_2; theta(z_1))`` (bracketed Newton, exact to rounding);
    - log-det: ``sum log f'(x_2)``.

    ``coupling_net`` maps ``x_1`` to ``(*x_2.shape, P)`` (end it with ``ElementwiseParams(P)``),
    ``P = 2K + 2`` on ``[0, 1]`` (default, as the official library) or ``P = 2K + 2`` with
    linear tails (see :mod:`~survae.transforms.bijections.spline_transformers` for all cases).

    Args:
        coupling_net: the conditioner.
        num_bins: number of bins ``K``.
        split_dim: dimension to split along.
        num_condition: size of ``x_1`` (None: half).
        tail_bound: keyword-only ``B``: spline on ``[-B, B]``; None keeps the ``[0, 1]`` domain.
        tails: keyword-only, with ``tail_bound``: ``'linear'`` (identity outside ``[-B, B]``),
            ``'circular'`` (period ``2B``) or None (inputs in ``[-B, B]``).

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2 * 18), ElementwiseParams(18))
        >>> layer = CubicSplineCouplingBijection(net, num_bins=8, tail_bound=3.0)
        >>> x = 2 * torch.randn(5, 4)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True
    """


class RationalQuadraticSplineCouplingBijection(
    RationalQuadraticSplineTransformer, _SplineCouplingBijection
):
    """Coupling bijection with a rational-quadratic spline transformer (neural spline flow).

    - forward: ``z_1 = x_1``, ``z_2 = f(x_2; theta(x_1))`` elementwise;
    - inverse: ``x_2 = f^{-1}(z_2; theta(z_1))`` (a stable quadratic root);
    - log-det: ``sum log f'(x_2)``.

    ``coupling_net`` maps ``x_1`` to ``(*x_2.shape, P)`` (end it with ``ElementwiseParams(P)``),
    ``P = 3K + 1`` on ``[0, 1]`` (default, as the official library) or ``P = 3K - 1`` with
    linear tails (see :mod:`~survae.transforms.bijections.spline_transformers` for all cases).

    Args:
        coupling_net: the conditioner.
        num_bins: number of bins ``K``.
        split_dim: dimension to split along.
        num_condition: size of ``x_1`` (None: half).
        tail_bound: keyword-only ``B``: spline on ``[-B, B]``; None keeps the ``[0, 1]`` domain.
        tails: keyword-only, with ``tail_bound``: ``'linear'`` (identity outside ``[-B, B]``),
            ``'circular'`` (period ``2B``) or None (inputs in ``[-B, B]``).

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2 * 23), ElementwiseParams(23))
        >>> layer = RationalQuadraticSplineCouplingBijection(net, num_bins=8, tail_bound=3.0)
        >>> x = 2 * torch.randn(5, 4)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True

    Reference: Durkan et al., 2019 (Neural Spline Flows).
    """


class ConditionalLinearSplineCouplingBijection(
    LinearSplineTransformer, _ConditionalSplineCouplingBijection
):
    """Conditional coupling bijection with a piecewise-linear spline transformer.

    The conditioner sees the context too: ``theta = net([x_1, c])``.

    - forward: ``z_2 = f(x_2; theta([x_1, c]))``; inverse: ``x_2 = f^{-1}(z_2; theta([z_1, c]))``;
    - log-det: ``sum log f'(x_2)``.

    Args:
        coupling_net: maps ``cat([x_1, context], split_dim)`` to ``(*x_2.shape, P)``.
        num_bins: number of bins ``K``.
        context_net: optional module applied to the context first.
        split_dim, num_condition, tail_bound, tails: as in
            :class:`LinearSplineCouplingBijection`.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(3, 2 * 8), ElementwiseParams(8))
        >>> layer = ConditionalLinearSplineCouplingBijection(net, 8, tail_bound=3.0)
        >>> x, context = torch.randn(5, 4), torch.randn(5, 1)
        >>> torch.allclose(layer.inverse(layer(x, context)[0], context), x, atol=1e-4)
        True
    """


class ConditionalQuadraticSplineCouplingBijection(
    QuadraticSplineTransformer, _ConditionalSplineCouplingBijection
):
    """Conditional coupling bijection with a piecewise-quadratic spline transformer.

    The conditioner sees the context too: ``theta = net([x_1, c])``.

    - forward: ``z_2 = f(x_2; theta([x_1, c]))``; inverse: ``x_2 = f^{-1}(z_2; theta([z_1, c]))``;
    - log-det: ``sum log f'(x_2)``.

    Args:
        coupling_net: maps ``cat([x_1, context], split_dim)`` to ``(*x_2.shape, P)``.
        num_bins: number of bins ``K``.
        context_net: optional module applied to the context first.
        split_dim, num_condition, tail_bound, tails: as in
            :class:`QuadraticSplineCouplingBijection`.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(3, 2 * 15), ElementwiseParams(15))
        >>> layer = ConditionalQuadraticSplineCouplingBijection(net, 8, tail_bound=3.0)
        >>> x, context = torch.randn(5, 4), torch.randn(5, 1)
        >>> torch.allclose(layer.inverse(layer(x, context)[0], context), x, atol=1e-4)
        True
    """


class ConditionalCubicSplineCouplingBijection(
    CubicSplineTransformer, _ConditionalSplineCouplingBijection
):
    """Conditional coupling bijection with a monotone cubic spline transformer.

    The conditioner sees the context too: ``theta = net([x_1, c])``.

    - forward: ``z_2 = f(x_2; theta([x_1, c]))``; inverse: ``x_2 = f^{-1}(z_2; theta([z_1, c]))``;
    - log-det: ``sum log f'(x_2)``.

    Args:
        coupling_net: maps ``cat([x_1, context], split_dim)`` to ``(*x_2.shape, P)``.
        num_bins: number of bins ``K``.
        context_net: optional module applied to the context first.
        split_dim, num_condition, tail_bound, tails: as in
            :class:`CubicSplineCouplingBijection`.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(3, 2 * 18), ElementwiseParams(18))
        >>> layer = ConditionalCubicSplineCouplingBijection(net, 8, tail_bound=3.0)
        >>> x, context = torch.randn(5, 4), torch.randn(5, 1)
        >>> torch.allclose(layer.inverse(layer(x, context)[0], context), x, atol=1e-4)
        True
    """


class ConditionalRationalQuadraticSplineCouplingBijection(
    RationalQuadraticSplineTransformer, _ConditionalSplineCouplingBijection
):
    """Conditional coupling bijection with a rational-quadratic spline transformer.

    The conditioner sees the context too: ``theta = net([x_1, c])``.

    - forward: ``z_2 = f(x_2; theta([x_1, c]))``; inverse: ``x_2 = f^{-1}(z_2; theta([z_1, c]))``;
    - log-det: ``sum log f'(x_2)``.

    Args:
        coupling_net: maps ``cat([x_1, context], split_dim)`` to ``(*x_2.shape, P)``.
        num_bins: number of bins ``K``.
        context_net: optional module applied to the context first.
        split_dim, num_condition, tail_bound, tails: as in
            :class:`RationalQuadraticSplineCouplingBijection`.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(3, 2 * 23), ElementwiseParams(23))
        >>> layer = ConditionalRationalQuadraticSplineCouplingBijection(net, 8, tail_bound=3.0)
        >>> x, context = torch.randn(5, 4), torch.randn(5, 1)
        >>> torch.allclose(layer.inverse(layer(x, context)[0], context), x, atol=1e-4)
        True
    """
