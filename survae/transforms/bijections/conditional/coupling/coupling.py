"""The conditional coupling: the coupling scheme whose conditioner also sees a context."""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.conditional.base import ConditionalBijection
from survae.transforms.bijections.coupling.coupling import CouplingScheme
from survae.transforms.bijections.transformers.base import ElementwiseTransformer


class ConditionalCouplingBijection(CouplingScheme, ConditionalBijection):
    r"""Coupling whose conditioner sees the context: :math:`\theta` =
    ``net(cat([x_1, c], split_dim))``.

    As in the official library the conditioner gets ``x_1`` and the (processed) context
    concatenated along ``split_dim``; forward, inverse and log-det as in
    :class:`~survae.transforms.bijections.coupling.CouplingBijection`.

    Args:
        coupling_net: called as ``coupling_net(torch.cat([x_1, context], split_dim))``.
        context_net: optional module applied to the context first.
        split_dim, num_condition, transformer: as in ``CouplingBijection``.

    Example:
        >>> import torch
        >>> from survae.transforms.bijections.transformers import Additive
        >>> layer = ConditionalCouplingBijection(torch.nn.Linear(1 + 3, 1), transformer=Additive())
        >>> x, c = torch.randn(4, 2), torch.randn(4, 3)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x)
        True
    """

    def __init__(self, coupling_net: nn.Module, context_net: nn.Module | None = None,
                 split_dim: int = 1, num_condition: int | None = None,
                 transformer: ElementwiseTransformer | None = None):
        super().__init__()
        self._init_scheme(coupling_net, split_dim, num_condition, transformer)
        self.context_net = context_net
