"""``ConditionalBijection``: the base of bijections conditioned on a context."""

from __future__ import annotations

from survae.transforms.cond_base import ConditionalTransform


class ConditionalBijection(ConditionalTransform):
    """Base class of bijections conditioned on a context: ``forward(x, context) -> (z, ldj)``
    with an exact ``ldj``, ``inverse(z, context) -> x``."""

    bijective = True
    stochastic_forward = False
    stochastic_inverse = False


__all__ = ["ConditionalBijection"]
