r"""Couplings over the features of each point of a set, with permutation-equivariant conditioners.

A set of :math:`L` points with :math:`D` features each is stored channels first, ``(B, D, L)``
(what ``PermuteAxes((0, 2, 1))`` makes of ``(B, L, D)`` point clouds, as in the official
point-cloud experiments). These couplings split the :math:`D` features of every point into a
conditioning part :math:`x_1` and a transformed part :math:`x_2`; the parameters for point
:math:`i` come from a
:class:`~survae.nn.nets.SetTransformer` (self-attention over the points, no positional
encoding), so they depend on point :math:`i` and, symmetrically, on the whole set.

Because the conditioner is permutation *equivariant*, so is the layer: for every permutation
:math:`P` of the points, :math:`z(x P) = z(x) P` and :math:`\mathrm{ldj}(x P) = \mathrm{ldj}(x)`.
Stacked with other equivariant layers (``ActNormBijection1d``, whose shift and scale per feature
are shared by all points, ``Reverse(D, dim=1)`` over the features) and a base that is i.i.d. over
the points, they give an *exchangeable* flow: :math:`\log p(x P) = \log p(x)` exactly, without
sorting.

Example:
    >>> import torch
    >>> layer = AffineSetCouplingBijection(2, d_model=8, nhead=2, num_layers=1, zero_init=False)
    >>> x, perm = torch.randn(3, 2, 10), torch.randperm(10)
    >>> z, ldj = layer(x)
    >>> z_p, ldj_p = layer(x[:, :, perm])
    >>> torch.allclose(z_p, z[:, :, perm], atol=1e-5), torch.allclose(ldj_p, ldj, atol=1e-4)
    (True, True)
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from survae.nn.layers import ElementwiseParams1d
from survae.nn.nets.transformer import SetTransformer
from survae.transforms.bijections.coupling.coupling_linear import (
    AdditiveCouplingBijection,
    AffineCouplingBijection,
)
from survae.transforms.bijections.coupling.coupling_splines import (
    RationalQuadraticSplineCouplingBijection,
)
from survae.transforms.bijections.transformers.affine import ScaleFn


def _set_net(owner: str, num_features: int, num_condition: int | None, num_params: int,
             transformer: dict) -> tuple[nn.Sequential, int]:
    """The conditioner of a set coupling of ``num_features`` features, and its ``x_1`` size."""
    if num_features < 2:
        raise ValueError(f"{owner}: num_features must be >= 2, got {num_features}")
    condition = (num_features + 1) // 2 if num_condition is None else num_condition
    if not 0 < condition < num_features:
        raise ValueError(
            f"{owner}: num_condition must be in [1, {num_features - 1}], got {num_condition}"
        )
    net = set_coupling_net(condition, num_features - condition, num_params, **transformer)
    return net, condition


def set_coupling_net(
    d_condition: int, d_transform: int, num_params: int, **transformer: Any
) -> nn.Sequential:
    """The conditioner of a set coupling: ``(B, d_condition, L) -> (B, d_transform, L, P)``.

    A :class:`SetTransformer` to ``d_transform * num_params`` channels (``transformer``: its
    keyword options, ``d_model``, ``nhead``, ``num_layers``, ``dim_feedforward``, ``dropout``,
    ``activation``, ``zero_init``) and an ``ElementwiseParams1d(num_params)``: permutation
    equivariant over the ``L`` points.
    """
    net = SetTransformer(d_condition, d_transform * num_params, **transformer)
    return nn.Sequential(net, ElementwiseParams1d(num_params))


class _SetCoupling:
    """Shape check shared by the set couplings (the coupling machinery does the rest)."""

    num_features: int

    def _check_set(self, x: Tensor) -> None:
        if x.dim() != 3 or x.shape[1] != self.num_features:
            raise ValueError(f"{self.layer_name}: expected a set of shape (batch, "
                             f"{self.num_features}, points), got shape {tuple(x.shape)}")

    def forward(self, x: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor]:
        self._check_set(x)
        return super().forward(x, context)

    def inverse_and_ldj(self, z: Tensor, context: Tensor | None = None):
        self._check_set(z)
        return super().inverse_and_ldj(z, context)

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}, num_condition={self.num_condition}"


class AffineSetCouplingBijection(_SetCoupling, AffineCouplingBijection):
    r"""Affine coupling over the features of each point, conditioned on the whole set.

    Input ``x`` of shape ``(B, D, L)`` (:math:`D` = ``num_features`` per point, :math:`L`
    points), split along the features into :math:`x_1` (``num_condition`` features) and
    :math:`x_2`; with :math:`(u, t) = \mathrm{SetTransformer}(x_1)` (one pair per transformed
    feature and point):

    - forward: :math:`z_1 = x_1`, :math:`z_{2,ji} = s_{ji}\, x_{2,ji} + t_{ji}`,
      :math:`s = \mathrm{scale\_fn}(u) > 0`;
    - inverse: :math:`x_{2,ji} = (z_{2,ji} - t_{ji}) / s_{ji}` (the conditioner sees
      :math:`z_1 = x_1`);
    - log-det: :math:`\sum_{j,i} \log s_{ji}`.

    Permutation equivariant over the points (see the module docstring): :math:`z(xP) = z(x)P`,
    :math:`\mathrm{ldj}(xP) = \mathrm{ldj}(x)`. As in the official point-cloud experiments the
    conditioner's output
    layer starts at zero (``zero_init``) and the default scale is ``softplus``.

    Args:
        num_features: features per point :math:`D \ge 2`.
        num_condition: features in :math:`x_1` (default :math:`\lceil D / 2 \rceil`).
        transformer: keyword options of the :class:`SetTransformer` conditioner (``d_model``,
            ``nhead``, ``num_layers``, ``dim_feedforward``, ``dropout``, ``activation``,
            ``zero_init``).
        scale_fn: :math:`u \mapsto s` (``'softplus'``, ``'exp'``, ``'sigmoid'``, ``'tanh_exp'`` or a
            callable).

    Example:
        >>> import torch
        >>> layer = AffineSetCouplingBijection(2, d_model=8, nhead=2, num_layers=1)
        >>> x = torch.randn(4, 2, 7)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x, atol=1e-5), tuple(ldj.shape)
        (True, (4,))

    References: Nielsen et al., 2020 (SurVAE Flows, point-cloud experiments); Dinh et al., 2017.
    """

    def __init__(self, num_features: int, num_condition: int | None = None,
                 scale_fn: str | ScaleFn = "softplus", **transformer: Any):
        net, condition = _set_net(type(self).__name__, num_features, num_condition, 2, transformer)
        super().__init__(net, split_dim=1, num_condition=condition, scale_fn=scale_fn)
        self.num_features = num_features


class AdditiveSetCouplingBijection(_SetCoupling, AdditiveCouplingBijection):
    r"""Additive coupling over the features of each point, conditioned on the whole set.

    Input ``(B, D, L)`` split along the features into :math:`x_1`, :math:`x_2`;
    :math:`t = \mathrm{SetTransformer}(x_1)`:

    - forward: :math:`z_1 = x_1`, :math:`z_2 = x_2 + t(x_1)`;
    - inverse: :math:`x_2 = z_2 - t(z_1)`;
    - log-det: :math:`0` (volume preserving).

    Permutation equivariant over the points, like :class:`AffineSetCouplingBijection`.

    Args:
        num_features, num_condition, transformer: as in :class:`AffineSetCouplingBijection`.

    Example:
        >>> import torch
        >>> layer = AdditiveSetCouplingBijection(3, d_model=8, nhead=2, num_layers=1)
        >>> x = torch.randn(2, 3, 5)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x, atol=1e-6), ldj.tolist()
        (True, [0.0, 0.0])

    Reference: Dinh et al., 2015 (NICE).
    """

    def __init__(self, num_features: int, num_condition: int | None = None, **transformer: Any):
        net, condition = _set_net(type(self).__name__, num_features, num_condition, 1, transformer)
        super().__init__(net, split_dim=1, num_condition=condition)
        self.num_features = num_features


class RationalQuadraticSplineSetCouplingBijection(
    _SetCoupling, RationalQuadraticSplineCouplingBijection
):
    r"""Rational-quadratic spline coupling over the features of each point, conditioned on the set.

    Input ``(B, D, L)`` split along the features into :math:`x_1`, :math:`x_2`; the
    :math:`3K - 1` spline parameters of every transformed feature of every point come from
    :math:`\mathrm{SetTransformer}(x_1)`:

    - forward: :math:`z_1 = x_1`, :math:`z_{2,ji} = f(x_{2,ji}; \theta_{ji}(x_1))`, a monotone
      rational-quadratic spline with :math:`K` bins on :math:`[-B, B]` and identity (linear)
      tails;
    - inverse: :math:`x_{2,ji} = f^{-1}(z_{2,ji}; \theta_{ji}(z_1))`;
    - log-det: :math:`\sum_{j,i} \log f'(x_{2,ji})`.

    Permutation equivariant over the points, like :class:`AffineSetCouplingBijection`; more
    flexible per point (a 2-D point cloud has one transformed coordinate per coupling, where an
    affine map is weak). With ``zero_init`` the layer starts as the identity.

    Args:
        num_features: features per point :math:`D \ge 2`.
        num_bins: spline bins :math:`K`.
        tail_bound: :math:`B`: the spline acts on :math:`[-B, B]`, the identity outside.
        num_condition: features in :math:`x_1` (default :math:`\lceil D / 2 \rceil`).
        zero_init: start as the identity map.
        transformer: other keyword options of the :class:`SetTransformer` conditioner
            (``d_model``, ``nhead``, ``num_layers``, ``dim_feedforward``, ``dropout``,
            ``activation``).

    Example:
        >>> import torch
        >>> layer = RationalQuadraticSplineSetCouplingBijection(2, d_model=8, nhead=2,
        ...                                                     num_layers=1)
        >>> x = torch.randn(3, 2, 6)
        >>> z, ldj = layer(x)
        >>> torch.allclose(z, x, atol=1e-5), torch.allclose(ldj, torch.zeros(3), atol=1e-5)
        (True, True)

    Reference: Durkan et al., 2019 (Neural Spline Flows).
    """

    def __init__(
        self,
        num_features: int,
        num_bins: int = 8,
        tail_bound: float = 4.0,
        num_condition: int | None = None,
        zero_init: bool = True,
        **transformer: Any,
    ):
        num_params = 3 * num_bins - 1  # widths, heights, inner derivatives (linear tails)
        net, condition = _set_net(type(self).__name__, num_features, num_condition, num_params,
                                  {"zero_init": zero_init, **transformer})
        super().__init__(net, num_bins, split_dim=1, num_condition=condition,
                         tail_bound=tail_bound, tails="linear")
        self.num_features = num_features
        if zero_init:
            # ElementwiseParams1d reads channel p * D_2 + d as parameter p of feature d.
            bias = self.transformer.identity_params().repeat_interleave(num_features - condition)
            with torch.no_grad():
                net[0].out.bias.copy_(bias)
