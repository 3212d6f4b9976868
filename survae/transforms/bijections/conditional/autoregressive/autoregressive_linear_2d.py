"""Conditional additive and affine autoregressive bijections on images (official names).

Example:
    >>> import torch
    >>> from survae.nn.nets import ConditionalPixelCNN
    >>> net = ConditionalPixelCNN(1, 2, context_channels=2, filters=4, num_blocks=1,
    ...                           output_filters=8, kernel_size_in=3)
    >>> layer = ConditionalAffineAutoregressiveBijection2d(net)
    >>> x, c = torch.rand(2, 1, 3, 3), torch.randn(2, 2, 3, 3)
    >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
    True
"""

from __future__ import annotations

from survae.transforms.bijections.autoregressive.autoregressive_linear import (
    AdditiveAutoregressive,
    AffineAutoregressive,
)
from survae.transforms.bijections.conditional.autoregressive.autoregressive_2d import (
    ConditionalAutoregressiveBijection2d,
)


class ConditionalAdditiveAutoregressiveBijection2d(AdditiveAutoregressive,
                                                   ConditionalAutoregressiveBijection2d):
    """:math:`z = x + t(x_<, c)` per value; log-det 0."""


class ConditionalAffineAutoregressiveBijection2d(AffineAutoregressive,
                                                 ConditionalAutoregressiveBijection2d):
    r""":math:`z = s(x_<, c)\, x + t(x_<, c)` per value; log-det :math:`\sum \log s`."""
