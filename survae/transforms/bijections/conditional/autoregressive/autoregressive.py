"""The conditional autoregressive scheme on vectors: the conditioner is called as
``autoregressive_net(x, context=context)`` (e.g. :class:`~survae.nn.nets.ConditionalMADE`)."""

from __future__ import annotations

from torch import nn

from survae.transforms.bijections.autoregressive.autoregressive import AutoregressiveScheme
from survae.transforms.bijections.conditional.base import ConditionalBijection
from survae.transforms.bijections.transformers.base import ElementwiseTransformer


class ConditionalAutoregressiveBijection(AutoregressiveScheme, ConditionalBijection):
    """Conditional autoregressive bijection: ``theta = net(x, context)``; forward one pass,
    inverse ``D`` passes (vectorized over the batch); any elementwise transformer.

    Args:
        autoregressive_net: the masked conditioner taking a context.
        autoregressive_order: ``'ltr'``.
        transformer: the elementwise map.
    """

    def __init__(self, autoregressive_net: nn.Module, autoregressive_order: str | None = None,
                 transformer: ElementwiseTransformer | None = None):
        super().__init__()
        self._init_scheme(autoregressive_net, autoregressive_order, transformer)
