"""Conditional additive and affine couplings (official names and arguments)."""

from __future__ import annotations

import torch
from torch import nn

from survae.transforms.bijections.conditional.coupling.coupling import (
    ConditionalCouplingBijection,
)
from survae.transforms.bijections.transformers.affine import Additive, Affine, AffineHooks, ScaleFn


class ConditionalAdditiveCouplingBijection(ConditionalCouplingBijection):
    """Conditional additive coupling: :math:`z_2 = x_2 + t([x_1, c])`; log-det 0.

    Example:
        >>> import torch
        >>> layer = ConditionalAdditiveCouplingBijection(torch.nn.Linear(1 + 3, 1))
        >>> x, c = torch.randn(4, 2), torch.randn(4, 3)
        >>> z, ldj = layer(x, c)
        >>> torch.allclose(layer.inverse(z, c), x, atol=1e-6), ldj.tolist()
        (True, [0.0, 0.0, 0.0, 0.0])
    """

    def __init__(self, coupling_net: nn.Module, context_net: nn.Module | None = None,
                 split_dim: int = 1, num_condition: int | None = None):
        super().__init__(coupling_net, context_net, split_dim, num_condition, Additive())


class ConditionalAffineCouplingBijection(AffineHooks, ConditionalCouplingBijection):
    r"""Conditional affine coupling: :math:`z_2 = s([x_1, c]) \odot x_2 + t([x_1, c])`, log-det
    :math:`\sum_i \log s_i`.

    Args:
        coupling_net: maps ``cat([x_1, context], split_dim)`` to ``(*x_2.shape, 2)``.
        context_net: optional module applied to the context first.
        split_dim, num_condition, scale_fn: as in ``AffineCouplingBijection``.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1 + 3, 2), ElementwiseParams(2))
        >>> layer = ConditionalAffineCouplingBijection(net, scale_fn="softplus")
        >>> x, c = torch.randn(4, 2), torch.randn(4, 3)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """

    def __init__(self, coupling_net: nn.Module, context_net: nn.Module | None = None,
                 split_dim: int = 1, num_condition: int | None = None,
                 scale_fn: str | ScaleFn = torch.exp):
        super().__init__(coupling_net, context_net, split_dim, num_condition, Affine(scale_fn))
