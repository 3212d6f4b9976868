"""Conditional bijections at the official path ``survae.transforms.bijections.conditional``
(also exported from ``survae.transforms``)."""

from survae.transforms.bijections.conditional.base import ConditionalBijection  # noqa: I001
from survae.transforms.bijections.conditional.autoregressive import *  # noqa: F403
from survae.transforms.bijections.conditional.autoregressive import __all__ as _autoregressive
from survae.transforms.bijections.conditional.coupling import *  # noqa: F403
from survae.transforms.bijections.conditional.coupling import __all__ as _coupling
from survae.transforms.bijections.conditional.elementwise_linear import (
    ConditionalAdditiveBijection,
    ConditionalAffineBijection,
)

__all__ = [
    "ConditionalBijection",
    "ConditionalAdditiveBijection",
    "ConditionalAffineBijection",
    *_coupling,
    *_autoregressive,
]
