"""Autoregressive mixture-CDF bijections on images (PixelCNN parameters; official names).

Example:
    >>> import torch
    >>> from survae.nn.nets import PixelCNN
    >>> net = PixelCNN(1, 6, filters=4, num_blocks=1, output_filters=8, kernel_size_in=3)
    >>> layer = CensoredLogisticMixtureAutoregressiveBijection2d(net, 2, num_bins=16).double()
    >>> x = torch.rand(2, 1, 3, 3, dtype=torch.float64)
    >>> torch.allclose(layer.inverse(layer(x)[0]), x)
    True
"""

from __future__ import annotations

from survae.transforms.bijections.autoregressive.autoregressive_2d import (
    AutoregressiveBijection2d,
)
from survae.transforms.bijections.autoregressive.autoregressive_mixtures import (
    CensoredMixtureAutoregressive,
    MixtureAutoregressive,
)
from survae.transforms.bijections.transformers import mixtures


class GaussianMixtureAutoregressiveBijection2d(MixtureAutoregressive, AutoregressiveBijection2d):
    """Gaussian-mixture CDF per value with PixelCNN parameters."""

    mixture = mixtures.GaussianMixture


class LogisticMixtureAutoregressiveBijection2d(MixtureAutoregressive, AutoregressiveBijection2d):
    """Logistic-mixture CDF per value with PixelCNN parameters (``(B, C, H, W, 3M)``
    conditioner output); the values map into :math:`(0, 1)`."""

    mixture = mixtures.LogisticMixture


class CensoredLogisticMixtureAutoregressiveBijection2d(CensoredMixtureAutoregressive,
                                                       AutoregressiveBijection2d):
    """Censored logistic-mixture CDF per value on :math:`[0, 1]` with PixelCNN parameters."""
