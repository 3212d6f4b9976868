"""Conditional autoregressive bijections at the official path
``survae.transforms.bijections.conditional.autoregressive``."""

from survae.transforms.bijections.autoregressive.autoregressive_2d import (
    ConditionalAdditiveAutoregressiveBijection2d,
    ConditionalAffineAutoregressiveBijection2d,
    ConditionalAutoregressiveBijection2d,
)
from survae.transforms.bijections.autoregressive.autoregressive_splines import (
    ConditionalAdditiveAutoregressiveBijection,
    ConditionalAffineAutoregressiveBijection,
    ConditionalAutoregressiveBijection,
    ConditionalRationalQuadraticSplineAutoregressiveBijection,
)

__all__ = [
    "ConditionalAutoregressiveBijection2d",
    "ConditionalAdditiveAutoregressiveBijection2d",
    "ConditionalAffineAutoregressiveBijection2d",
    "ConditionalAutoregressiveBijection",
    "ConditionalAdditiveAutoregressiveBijection",
    "ConditionalAffineAutoregressiveBijection",
    "ConditionalRationalQuadraticSplineAutoregressiveBijection",
]
