"""Conditional mixture-CDF couplings (official names and arguments): the conditioner sees
``cat([x_1, context], split_dim)``; maps as in
:mod:`survae.transforms.bijections.coupling.coupling_mixtures`.

Example:
    >>> import torch
    >>> from survae.nn.layers import ElementwiseParams
    >>> net = torch.nn.Sequential(torch.nn.Linear(1 + 2, 6), ElementwiseParams(6))
    >>> layer = ConditionalCensoredLogisticMixtureCouplingBijection(net, 2, 16).double()
    >>> x, c = torch.rand(4, 2).double(), torch.randn(4, 2).double()
    >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x)
    True
"""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.conditional.coupling.coupling import (
    ConditionalCouplingBijection,
)
from survae.transforms.bijections.transformers import mixtures
from survae.transforms.bijections.transformers.mixtures import MixtureCDF, MixtureHooks


class ConditionalMixtureCouplingBijection(MixtureHooks, ConditionalCouplingBijection):
    r"""Conditional coupling with the mixture kind ``mixture``: :math:`z_1 = x_1`,
    :math:`z_2 = F(x_2; \theta([x_1, c]))` with :math:`F` a mixture CDF, log-det
    :math:`\sum_i \log F'(x_{2,i}; \theta)`, inverse by bisection."""

    mixture: type[MixtureCDF]

    def __init__(self, coupling_net: nn.Module, num_mixtures: int,
                 context_net: nn.Module | None = None, split_dim: int = 1,
                 num_condition: int | None = None):
        transformer = self.mixture(num_mixtures)
        super().__init__(coupling_net, context_net, split_dim, num_condition, transformer)


class ConditionalGaussianMixtureCouplingBijection(ConditionalMixtureCouplingBijection):
    """Conditional Gaussian-mixture CDF coupling."""

    mixture = mixtures.GaussianMixture


class ConditionalLogisticMixtureCouplingBijection(ConditionalMixtureCouplingBijection):
    """Conditional logistic-mixture CDF coupling."""

    mixture = mixtures.LogisticMixture


class ConditionalCensoredLogisticMixtureCouplingBijection(MixtureHooks,
                                                          ConditionalCouplingBijection):
    """Conditional censored logistic-mixture CDF coupling on :math:`[0, 1]`."""

    def __init__(self, coupling_net: nn.Module, num_mixtures: int, num_bins: int,
                 context_net: nn.Module | None = None, split_dim: int = 1,
                 num_condition: int | None = None):
        mixture = mixtures.CensoredLogisticMixture(num_mixtures, num_bins)
        super().__init__(coupling_net, context_net, split_dim, num_condition, mixture)
