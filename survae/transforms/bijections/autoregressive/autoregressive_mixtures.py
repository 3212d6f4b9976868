"""Autoregressive mixture-CDF bijections on vectors (Flow++ maps with MADE parameters), and the
mixture kind mixins shared by every autoregressive scheme. Net output
``(B, D, 3 * num_mixtures)``; each inverse step is a batched bisection.

Example:
    >>> import torch
    >>> from survae.nn.nets import MADE
    >>> layer = GaussianMixtureAutoregressiveBijection(MADE(3, 3 * 2, [16]), 2).double()
    >>> x = torch.randn(4, 3, dtype=torch.float64)
    >>> torch.allclose(layer.inverse(layer(x)[0]), x)
    True
"""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.autoregressive.autoregressive import AutoregressiveBijection
from survae.transforms.bijections.transformers import mixtures
from survae.transforms.bijections.transformers.mixtures import MixtureCDF, MixtureHooks


class MixtureAutoregressive(MixtureHooks):
    r"""Kind mixin: the mixture transformer ``mixture`` (a :class:`MixtureCDF` class).

    Forward :math:`z_i = F(x_i; \theta_i(x_{<i}))` with :math:`F` a mixture CDF, log-det
    :math:`\sum_i \log F'(x_i; \theta_i)`; inverse :math:`D` conditioner passes, each a batched
    bisection."""

    mixture: type[MixtureCDF]

    def __init__(self, autoregressive_net: nn.Module, num_mixtures: int,
                 autoregressive_order: str | None = None):
        super().__init__(autoregressive_net, autoregressive_order, self.mixture(num_mixtures))


class CensoredMixtureAutoregressive(MixtureHooks):
    """Kind mixin: the censored logistic mixture on :math:`[0, 1]` with ``num_bins`` bins."""

    def __init__(self, autoregressive_net: nn.Module, num_mixtures: int, num_bins: int,
                 autoregressive_order: str | None = None):
        transformer = mixtures.CensoredLogisticMixture(num_mixtures, num_bins)
        super().__init__(autoregressive_net, autoregressive_order, transformer)


class GaussianMixtureAutoregressiveBijection(MixtureAutoregressive, AutoregressiveBijection):
    r"""Autoregressive Gaussian-mixture CDF: :math:`z_i = F(x_i; \theta(x_{<i})) \in (0, 1)`;
    follow it with ``Logit`` to return to the real line."""

    mixture = mixtures.GaussianMixture


class LogisticMixtureAutoregressiveBijection(MixtureAutoregressive, AutoregressiveBijection):
    """Autoregressive logistic-mixture CDF (Flow++'s components)."""

    mixture = mixtures.LogisticMixture


class CensoredLogisticMixtureAutoregressiveBijection(CensoredMixtureAutoregressive,
                                                     AutoregressiveBijection):
    """Autoregressive censored logistic-mixture CDF: :math:`[0, 1]` onto itself for data
    dequantized in ``num_bins`` bins (the boundary bins carry the tails' mass)."""
