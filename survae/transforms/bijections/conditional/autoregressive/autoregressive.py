"""The conditional autoregressive scheme on vectors: the conditioner is called as
``autoregressive_net(x, context=context)`` (e.g. :class:`~survae.nn.nets.ConditionalMADE`)."""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.autoregressive.autoregressive import AutoregressiveScheme
from survae.transforms.bijections.conditional.base import ConditionalBijection
from survae.transforms.bijections.transformers.base import ElementwiseTransformer


class ConditionalAutoregressiveBijection(AutoregressiveScheme, ConditionalBijection):
    r"""Conditional autoregressive bijection: :math:`z_i = \tau(x_i; \theta_i(x_{<i}, c))` with
    :math:`\theta` = ``net(x, context)``; log-det :math:`\sum_i \log|\tau'(x_i; \theta_i)|`;
    forward one pass, inverse :math:`D` passes (vectorized over the batch); any elementwise
    transformer :math:`\tau`.

    Args:
        autoregressive_net: the masked conditioner taking a context.
        autoregressive_order: ``'ltr'``.
        transformer: the elementwise map.
    """

    def __init__(self, autoregressive_net: nn.Module, autoregressive_order: str | None = None,
                 transformer: ElementwiseTransformer | None = None):
        super().__init__()
        self._init_scheme(autoregressive_net, autoregressive_order, transformer)
