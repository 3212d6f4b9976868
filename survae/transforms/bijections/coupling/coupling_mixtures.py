"""Mixture-CDF couplings (Flow++): ``z_2 = F(x_2; theta(x_1))`` with ``F`` the CDF of a Gaussian,
logistic or censored logistic mixture; inverse by batched bisection
(:mod:`survae.transforms.bijections.transformers.mixtures`).

``coupling_net`` returns ``(*x_2.shape, 3 * num_mixtures)`` (weight logits, means, log-scales).
The Gaussian and logistic maps take the real line onto ``(0, 1)``; the censored one ``[0, 1]``
onto itself. ``set_bisection_params(eps, max_iters)`` tunes the inverse.
"""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.coupling.coupling import CouplingBijection
from survae.transforms.bijections.transformers.mixtures import (
    CensoredLogisticMixture,
    GaussianMixture,
    LogisticMixture,
    MixtureCDF,
    MixtureHooks,
)


class MixtureCouplingBijection(MixtureHooks, CouplingBijection):
    """Coupling with the mixture kind ``mixture`` (a :class:`MixtureCDF` class)."""

    mixture: type[MixtureCDF]

    def __init__(self, coupling_net: nn.Module, num_mixtures: int, split_dim: int = 1,
                 num_condition: int | None = None):
        super().__init__(coupling_net, split_dim, num_condition,
                         transformer=self.mixture(num_mixtures))


class GaussianMixtureCouplingBijection(MixtureCouplingBijection):
    """Coupling with a Gaussian-mixture CDF: ``z_2`` in ``(0, 1)``.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1, 3 * 4), ElementwiseParams(12))
        >>> layer = GaussianMixtureCouplingBijection(net, num_mixtures=4).double()
        >>> x = torch.randn(5, 2, dtype=torch.float64)
        >>> z, ldj = layer(x)
        >>> bool(((z[:, 1] > 0) & (z[:, 1] < 1)).all()), torch.allclose(layer.inverse(z), x)
        (True, True)
    """

    mixture = GaussianMixture


class LogisticMixtureCouplingBijection(MixtureCouplingBijection):
    """Coupling with a logistic-mixture CDF (Flow++).

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1, 3 * 2), ElementwiseParams(6))
        >>> layer = LogisticMixtureCouplingBijection(net, num_mixtures=2).double()
        >>> x = torch.randn(4, 2, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x)
        True
    """

    mixture = LogisticMixture


class CensoredLogisticMixtureCouplingBijection(MixtureHooks, CouplingBijection):
    """Coupling with a censored logistic-mixture CDF on ``[0, 1]`` (``num_bins`` bins).

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1, 6), ElementwiseParams(6))
        >>> layer = CensoredLogisticMixtureCouplingBijection(net, 2, num_bins=16).double()
        >>> x = torch.rand(4, 2, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x)
        True
    """

    def __init__(self, coupling_net: nn.Module, num_mixtures: int, num_bins: int,
                 split_dim: int = 1, num_condition: int | None = None):
        mixture = CensoredLogisticMixture(num_mixtures, num_bins)
        super().__init__(coupling_net, split_dim, num_condition, transformer=mixture)
