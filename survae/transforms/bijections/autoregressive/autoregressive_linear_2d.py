"""Additive and affine autoregressive bijections on images (official names and arguments).

Example:
    >>> import torch
    >>> from survae.nn.nets import PixelCNN
    >>> net = PixelCNN(1, 2, filters=4, num_blocks=1, output_filters=8, kernel_size_in=3)
    >>> layer = AffineAutoregressiveBijection2d(net, scale_fn="tanh_exp")
    >>> x = torch.rand(2, 1, 3, 3)
    >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
    True
"""

from __future__ import annotations

from survae.transforms.bijections.autoregressive.autoregressive_2d import (
    AutoregressiveBijection2d,
)
from survae.transforms.bijections.autoregressive.autoregressive_linear import (
    AdditiveAutoregressive,
    AffineAutoregressive,
)


class AdditiveAutoregressiveBijection2d(AdditiveAutoregressive, AutoregressiveBijection2d):
    """:math:`z = x + t(x_<)` per value (:math:`x_<` the values before it in raster order);
    log-det 0. Net output ``(B, C, H, W, 1)``."""


class AffineAutoregressiveBijection2d(AffineAutoregressive, AutoregressiveBijection2d):
    r""":math:`z = s(x_<) x + t(x_<)` per value, :math:`s = \mathrm{scale\_fn}(u)`; log-det
    :math:`\sum \log s`. Net output ``(B, C, H, W, 2)`` (:math:`u` then :math:`t`)."""
