"""Additive (NICE) and affine (RealNVP) couplings: the coupling scheme with a fixed transformer."""

from __future__ import annotations

import torch
from torch import nn

from survae.transforms.bijections.coupling.coupling import CouplingBijection
from survae.transforms.bijections.transformers.affine import Additive, Affine, AffineHooks, ScaleFn


class AdditiveCouplingBijection(CouplingBijection):
    """Additive (NICE) coupling: :math:`z_1 = x_1`, :math:`z_2 = x_2 + t(x_1)`; inverse
    :math:`x_2 = z_2 - t(z_1)`; log-det 0 (volume preserving).

    ``coupling_net`` maps ``x_1`` to the shift ``t``, of shape ``x_2.shape`` (or
    ``(*x_2.shape, 1)``).

    Example:
        >>> import torch
        >>> net = torch.nn.Linear(1, 1)
        >>> z, ldj = AdditiveCouplingBijection(net)(torch.randn(3, 2))
        >>> ldj.tolist()
        [0.0, 0.0, 0.0]

    Reference: Dinh et al., 2015 (NICE).
    """

    def __init__(self, coupling_net: nn.Module, split_dim: int = 1,
                 num_condition: int | None = None):
        super().__init__(coupling_net, split_dim, num_condition, transformer=Additive())


class AffineCouplingBijection(AffineHooks, CouplingBijection):
    r"""Affine (RealNVP) coupling: :math:`z_2 = s(x_1) \odot x_2 + t(x_1)`, with
    :math:`s = \mathrm{scale\_fn}(u(x_1)) > 0`.

    - forward: :math:`z_1 = x_1`, :math:`z_2 = s \odot x_2 + t`;
    - inverse: :math:`x_1 = z_1`, :math:`x_2 = (z_2 - t) / s` (with :math:`s, t` from
      :math:`z_1`);
    - log-det: :math:`\sum_i \log s_i`.

    ``coupling_net`` maps ``x_1`` to ``(*x_2.shape, 2)`` holding ``(u, t)`` in the last axis (end
    it with ``ElementwiseParams(2)`` or ``ElementwiseParams2d(2)``).

    Args:
        coupling_net: the conditioner.
        split_dim: dimension to split along.
        num_condition: size of ``x_1`` (None: half).
        scale_fn: :math:`u \mapsto s`; a callable or one of the official names ``'exp'``
            (default), ``'softplus'``, ``'sigmoid'`` (:math:`\sigma(u + 2) + 10^{-3}`),
            ``'tanh_exp'`` (:math:`\exp(2 \tanh(u / 2))`: bounded, stable for deep flows).

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1, 2), ElementwiseParams(2))
        >>> layer = AffineCouplingBijection(net)
        >>> x = torch.randn(4, 2)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x, atol=1e-6)
        True

    Reference: Dinh et al., 2017 (RealNVP).
    """

    def __init__(self, coupling_net: nn.Module, split_dim: int = 1,
                 num_condition: int | None = None, scale_fn: str | ScaleFn = torch.exp):
        super().__init__(coupling_net, split_dim, num_condition, transformer=Affine(scale_fn))
