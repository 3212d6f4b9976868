"""Autoregressive mixture-CDF bijections on vectors (Flow++ maps with MADE parameters), and the
mixture kind mixins shared by every autoregressive scheme. Each inverse step is a batched
bisection; net output ``(B, D, 3 * num_mixtures)``."""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.autoregressive.autoregressive import AutoregressiveBijection
from survae.transforms.bijections.transformers.mixtures import (
    CensoredLogisticMixture,
    GaussianMixture,
    LogisticMixture,
    MixtureCDF,
    MixtureHooks,
)


class MixtureAutoregressive(MixtureHooks):
    """Kind mixin: the mixture transformer ``mixture`` (a :class:`MixtureCDF` class)."""

    mixture: type[MixtureCDF]

    def __init__(self, autoregressive_net: nn.Module, num_mixtures: int,
                 autoregressive_order: str | None = None):
        super().__init__(autoregressive_net, autoregressive_order, self.mixture(num_mixtures))


class CensoredMixtureAutoregressive(MixtureHooks):
    """Kind mixin: the censored logistic mixture on ``[0, 1]`` with ``num_bins`` bins."""

    def __init__(self, autoregressive_net: nn.Module, num_mixtures: int, num_bins: int,
                 autoregressive_order: str | None = None):
        transformer = CensoredLogisticMixture(num_mixtures, num_bins)
        super().__init__(autoregressive_net, autoregressive_order, transformer)


class GaussianMixtureAutoregressiveBijection(MixtureAutoregressive, AutoregressiveBijection):
    """Autoregressive Gaussian-mixture CDF: ``z_i = F(x_i; theta(x_{<i}))`` in ``(0, 1)``.

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = GaussianMixtureAutoregressiveBijection(MADE(3, 3 * 2, [16]), 2).double()
        >>> x = torch.randn(4, 3, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x)
        True
    """

    mixture = GaussianMixture


class LogisticMixtureAutoregressiveBijection(MixtureAutoregressive, AutoregressiveBijection):
    """Autoregressive logistic-mixture CDF (as the Gaussian one, logistic components).

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = LogisticMixtureAutoregressiveBijection(MADE(2, 3 * 2, [16]), 2).double()
        >>> z, ldj = layer(torch.randn(4, 2, dtype=torch.float64))
        >>> bool(((z > 0) & (z < 1)).all()), ldj.shape
        (True, torch.Size([4]))
    """

    mixture = LogisticMixture


class CensoredLogisticMixtureAutoregressiveBijection(CensoredMixtureAutoregressive,
                                                     AutoregressiveBijection):
    """Autoregressive censored logistic-mixture CDF on ``[0, 1]``.

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = CensoredLogisticMixtureAutoregressiveBijection(MADE(2, 6, [16]), 2, num_bins=8)
        >>> x = torch.rand(4, 2, dtype=torch.float64)
        >>> torch.allclose(layer.double().inverse(layer(x)[0]), x)
        True
    """
