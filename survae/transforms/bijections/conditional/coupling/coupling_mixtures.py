"""Conditional mixture-CDF couplings (official names and arguments): the conditioner sees
``cat([x_1, context], split_dim)``; maps as in
:mod:`survae.transforms.bijections.coupling.coupling_mixtures`."""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.conditional.coupling.coupling import (
    ConditionalCouplingBijection,
)
from survae.transforms.bijections.transformers.mixtures import (
    CensoredLogisticMixture,
    GaussianMixture,
    LogisticMixture,
    MixtureCDF,
    MixtureHooks,
)


class ConditionalMixtureCouplingBijection(MixtureHooks, ConditionalCouplingBijection):
    """Conditional coupling with the mixture kind ``mixture``."""

    mixture: type[MixtureCDF]

    def __init__(self, coupling_net: nn.Module, num_mixtures: int,
                 context_net: nn.Module | None = None, split_dim: int = 1,
                 num_condition: int | None = None):
        transformer = self.mixture(num_mixtures)
        super().__init__(coupling_net, context_net, split_dim, num_condition, transformer)


class ConditionalGaussianMixtureCouplingBijection(ConditionalMixtureCouplingBijection):
    """Conditional coupling with a Gaussian-mixture CDF.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1 + 2, 6), ElementwiseParams(6))
        >>> layer = ConditionalGaussianMixtureCouplingBijection(net, 2).double()
        >>> x, c = torch.randn(4, 2).double(), torch.randn(4, 2).double()
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x)
        True
    """

    mixture = GaussianMixture


class ConditionalLogisticMixtureCouplingBijection(ConditionalMixtureCouplingBijection):
    """Conditional coupling with a logistic-mixture CDF.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1 + 2, 6), ElementwiseParams(6))
        >>> layer = ConditionalLogisticMixtureCouplingBijection(net, 2).double()
        >>> x, c = torch.randn(4, 2).double(), torch.randn(4, 2).double()
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x)
        True
    """

    mixture = LogisticMixture


class ConditionalCensoredLogisticMixtureCouplingBijection(MixtureHooks,
                                                          ConditionalCouplingBijection):
    """Conditional coupling with a censored logistic-mixture CDF on ``[0, 1]``.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1 + 2, 6), ElementwiseParams(6))
        >>> layer = ConditionalCensoredLogisticMixtureCouplingBijection(net, 2, 16).double()
        >>> x, c = torch.rand(4, 2).double(), torch.randn(4, 2).double()
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x)
        True
    """

    def __init__(self, coupling_net: nn.Module, num_mixtures: int, num_bins: int,
                 context_net: nn.Module | None = None, split_dim: int = 1,
                 num_condition: int | None = None):
        transformer = CensoredLogisticMixture(num_mixtures, num_bins)
        super().__init__(coupling_net, context_net, split_dim, num_condition, transformer)
