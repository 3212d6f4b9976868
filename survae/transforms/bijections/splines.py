"""Rational-quadratic spline bijections: elementwise (learned parameters) and coupling."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.transforms.bijections.coupling import CouplingBijection
from survae.transforms.bijections.functional.splines import (
    rational_quadratic_spline,
    unconstrained_rational_quadratic_spline,
)
from survae.utils.tensors import sum_except_batch
from survae.utils.validation import check_size


class _RationalQuadraticTransformer:
    """Elementwise RQ-spline transformer from ``(..., num_params)`` parameters.

    Without ``tail_bound`` the spline maps ``[0, 1]`` onto ``[0, 1]`` (the official library's
    convention: ``3K + 1`` parameters per element); with it, ``[-B, B]`` onto itself with identity
    tails outside (``3K - 1`` parameters).
    """

    num_bins: int
    tail_bound: float | None

    def _num_params(self) -> int:
        return 3 * self.num_bins + (1 if self.tail_bound is None else -1)

    def _spline(self, x: Tensor, params: Tensor, inverse: bool) -> tuple[Tensor, Tensor]:
        k = self.num_bins
        widths, heights, derivatives = params[..., :k], params[..., k : 2 * k], params[..., 2 * k :]
        if self.tail_bound is None:
            y, logabsdet = rational_quadratic_spline(x, widths, heights, derivatives, inverse)
        else:
            y, logabsdet = unconstrained_rational_quadratic_spline(
                x, widths, heights, derivatives, inverse, tail_bound=self.tail_bound
            )
        return y, sum_except_batch(logabsdet)

    def _elementwise_forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return self._spline(x, params, inverse=False)

    def _elementwise_inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        x, inverse_logabsdet = self._spline(z, params, inverse=True)
        return x, -inverse_logabsdet


class RationalQuadraticSplineCouplingBijection(_RationalQuadraticTransformer, CouplingBijection):
    """Coupling layer with a monotone rational-quadratic spline transformer (neural spline flow).

    - forward: ``z_1 = x_1``, ``z_2 = RQS(x_2; theta(x_1))`` elementwise;
    - inverse: ``x_2 = RQS^{-1}(z_2; theta(z_1))`` (closed form, a quadratic per element);
    - log-det: ``sum log RQS'(x_2)``.

    ``coupling_net`` maps ``x_1`` to ``(*x_2.shape, P)`` with ``P = 3K + 1`` (no tails: data in
    ``[0, 1]``, as the official library) or ``P = 3K - 1`` with ``tail_bound`` (identity outside
    ``[-B, B]``: any real data).

    Args:
        coupling_net: the conditioner (end it with ``ElementwiseParams(P)``).
        num_bins: number of bins ``K``.
        split_dim, num_condition: as in :class:`AffineCouplingBijection`.
        tail_bound: keyword-only ``B``; None keeps the ``[0, 1]`` domain.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1, 23), ElementwiseParams(23))
        >>> layer = RationalQuadraticSplineCouplingBijection(net, num_bins=8, tail_bound=4.0)
        >>> x = torch.randn(5, 2)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True

    Reference: Durkan et al., 2019 (Neural Spline Flows).
    """

    def __init__(
        self,
        coupling_net: nn.Module,
        num_bins: int,
        split_dim: int = 1,
        num_condition: int | None = None,
        *,
        tail_bound: float | None = None,
    ):
        super().__init__(coupling_net, split_dim=split_dim, num_condition=num_condition)
        self.num_bins = int(num_bins)
        self.tail_bound = None if tail_bound is None else float(tail_bound)

    def extra_repr(self) -> str:
        return f"num_bins={self.num_bins}, tail_bound={self.tail_bound}, " + super().extra_repr()


class RationalQuadraticSplineBijection(_RationalQuadraticTransformer, Bijection):
    """Elementwise rational-quadratic spline with learned parameters, identity tails outside
    ``[-B, B]``: a flexible monotone map per feature.

    - forward: ``z_i = RQS_i(x_i)``;  inverse: ``x_i = RQS_i^{-1}(z_i)``;
    - log-det: ``sum_i log RQS_i'(x_i)``.

    Args:
        num_features: number of features (dim 1).
        num_bins: number of bins ``K``.
        tail_bound: ``B``.

    Example:
        >>> import torch
        >>> layer = RationalQuadraticSplineBijection(3, num_bins=4)
        >>> x = 5 * torch.randn(6, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True
    """

    def __init__(self, num_features: int, num_bins: int = 8, tail_bound: float = 3.0):
        super().__init__()
        self.num_features = int(num_features)
        self.num_bins = int(num_bins)
        self.tail_bound = float(tail_bound)
        self.params = nn.Parameter(0.01 * torch.randn(self.num_features, self._num_params()))

    def extra_repr(self) -> str:
        return (
            f"num_features={self.num_features}, num_bins={self.num_bins}, "
            f"tail_bound={self.tail_bound}"
        )

    def _expanded(self, x: Tensor) -> Tensor:
        check_size(self, x, 1, self.num_features)
        shape = (self.num_features,) + (1,) * (x.dim() - 2) + (self._num_params(),)
        return self.params.reshape(shape).expand(*x.shape, self._num_params())

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return self._elementwise_forward(x, self._expanded(x))

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self._elementwise_inverse(z, self._expanded(z))

    def inverse(self, z: Tensor) -> Tensor:
        return self.inverse_and_ldj(z)[0]
