"""Conditional autoregressive mixture-CDF bijections on images (official names and arguments).

Example:
    >>> import torch
    >>> from survae.nn.nets import ConditionalPixelCNN
    >>> net = ConditionalPixelCNN(1, 6, context_channels=1, filters=4, num_blocks=1,
    ...                           output_filters=8, kernel_size_in=3)
    >>> layer = ConditionalGaussianMixtureAutoregressiveBijection2d(net, 2).double()
    >>> x = torch.randn(2, 1, 3, 3, dtype=torch.float64)
    >>> c = torch.randn(2, 1, 3, 3, dtype=torch.float64)
    >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x)
    True
"""

from __future__ import annotations

from survae.transforms.bijections.autoregressive.autoregressive_mixtures import (
    CensoredMixtureAutoregressive,
    MixtureAutoregressive,
)
from survae.transforms.bijections.conditional.autoregressive.autoregressive_2d import (
    ConditionalAutoregressiveBijection2d,
)
from survae.transforms.bijections.transformers import mixtures


class ConditionalGaussianMixtureAutoregressiveBijection2d(MixtureAutoregressive,
                                                          ConditionalAutoregressiveBijection2d):
    """Conditional Gaussian-mixture CDF per value: into :math:`(0, 1)`, the conditioner sees the
    earlier values and the context."""

    mixture = mixtures.GaussianMixture


class ConditionalLogisticMixtureAutoregressiveBijection2d(MixtureAutoregressive,
                                                          ConditionalAutoregressiveBijection2d):
    """Conditional logistic-mixture CDF per value (Flow++'s dequantization flows)."""

    mixture = mixtures.LogisticMixture


class ConditionalCensoredLogisticMixtureAutoregressiveBijection2d(
    CensoredMixtureAutoregressive, ConditionalAutoregressiveBijection2d
):
    """Conditional censored logistic-mixture CDF per value on :math:`[0, 1]` (the dequantized
    values of ``num_bins`` levels)."""
