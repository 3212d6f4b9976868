r"""Mixture-CDF couplings (Flow++): :math:`z_1 = x_1`, :math:`z_2 = F(x_2; \theta(x_1))` with
:math:`F` the CDF of a Gaussian, logistic or censored logistic mixture; log-det
:math:`\sum_i \log F'(x_{2,i}; \theta)`; inverse :math:`x_2 = F^{-1}(z_2; \theta(z_1))` by
batched bisection (:mod:`survae.transforms.bijections.transformers.mixtures`).

``coupling_net`` returns ``(*x_2.shape, 3 * num_mixtures)`` (weight logits, means, log-scales).
The Gaussian and logistic maps take the real line onto :math:`(0, 1)`; the censored one
:math:`[0, 1]` onto itself. ``set_bisection_params(eps, max_iters)`` tunes the inverse.

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

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.coupling.coupling import CouplingBijection
from survae.transforms.bijections.transformers import mixtures
from survae.transforms.bijections.transformers.mixtures import MixtureCDF, MixtureHooks


class MixtureCouplingBijection(MixtureHooks, CouplingBijection):
    r"""Coupling with the mixture kind ``mixture`` (a :class:`MixtureCDF` class).

    Forward :math:`z_1 = x_1`, :math:`z_2 = F(x_2; \theta(x_1))` with :math:`F` a mixture CDF;
    log-det :math:`\sum_i \log F'(x_{2,i}; \theta)`; inverse by batched bisection."""

    mixture: type[MixtureCDF]

    def __init__(self, coupling_net: nn.Module, num_mixtures: int, split_dim: int = 1,
                 num_condition: int | None = None):
        super().__init__(coupling_net, split_dim, num_condition,
                         transformer=self.mixture(num_mixtures))


class GaussianMixtureCouplingBijection(MixtureCouplingBijection):
    r"""Gaussian-mixture CDF coupling: :math:`z_2 \in (0, 1)`."""

    mixture = mixtures.GaussianMixture


class LogisticMixtureCouplingBijection(MixtureCouplingBijection):
    r"""Logistic-mixture CDF coupling (Flow++): :math:`z_2 \in (0, 1)`."""

    mixture = mixtures.LogisticMixture


class CensoredLogisticMixtureCouplingBijection(MixtureHooks, CouplingBijection):
    """Censored logistic-mixture CDF coupling on :math:`[0, 1]` (``num_bins`` bins)."""

    def __init__(self, coupling_net: nn.Module, num_mixtures: int, num_bins: int,
                 split_dim: int = 1, num_condition: int | None = None):
        mixture = mixtures.CensoredLogisticMixture(num_mixtures, num_bins)
        super().__init__(coupling_net, split_dim, num_condition, transformer=mixture)
