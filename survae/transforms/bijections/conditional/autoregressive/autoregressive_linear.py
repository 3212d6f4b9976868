"""Conditional additive and affine autoregressive bijections on vectors (conditional MAF / IAF).

Example:
    >>> import torch
    >>> from survae.nn.nets import ConditionalMADE
    >>> layer = ConditionalAffineAutoregressiveBijection(ConditionalMADE(3, 2, [16], 4))
    >>> x, c = torch.randn(5, 3), torch.randn(5, 4)
    >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
    True
"""

from __future__ import annotations

from survae.transforms.bijections.autoregressive.autoregressive_linear import (
    AdditiveAutoregressive,
    AffineAutoregressive,
)
from survae.transforms.bijections.conditional.autoregressive.autoregressive import (
    ConditionalAutoregressiveBijection,
)


class ConditionalAdditiveAutoregressiveBijection(AdditiveAutoregressive,
                                                 ConditionalAutoregressiveBijection):
    """Conditional additive autoregressive layer: :math:`z_i = x_i + t_i(x_{<i}, c)`; log-det 0."""


class ConditionalAffineAutoregressiveBijection(AffineAutoregressive,
                                               ConditionalAutoregressiveBijection):
    r"""Conditional MAF layer: :math:`z_i = s_i x_i + t_i` with :math:`(s_i, t_i)` from
    :math:`x_{<i}` and the context; log-det :math:`\sum_i \log s_i`; used to sample, a
    conditional IAF."""
