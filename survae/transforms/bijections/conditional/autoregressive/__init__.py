"""Conditional autoregressive bijections at the official path
``survae.transforms.bijections.conditional.autoregressive``."""

from survae.transforms.bijections.autoregressive.autoregressive_2d import (
    ConditionalAdditiveAutoregressiveBijection2d,
    ConditionalAffineAutoregressiveBijection2d,
    ConditionalAutoregressiveBijection2d,
    ConditionalCubicSplineAutoregressiveBijection2d,
    ConditionalLinearSplineAutoregressiveBijection2d,
    ConditionalQuadraticSplineAutoregressiveBijection2d,
    ConditionalRationalQuadraticSplineAutoregressiveBijection2d,
)
from survae.transforms.bijections.autoregressive.autoregressive_splines import (
    ConditionalAdditiveAutoregressiveBijection,
    ConditionalAffineAutoregressiveBijection,
    ConditionalAutoregressiveBijection,
    ConditionalRationalQuadraticSplineAutoregressiveBijection,
)
from survae.transforms.bijections.mixtures import (
    ConditionalCensoredLogisticMixtureAutoregressiveBijection2d,
    ConditionalGaussianMixtureAutoregressiveBijection2d,
    ConditionalLogisticMixtureAutoregressiveBijection2d,
)

__all__ = [
    "ConditionalLinearSplineAutoregressiveBijection2d",
    "ConditionalQuadraticSplineAutoregressiveBijection2d",
    "ConditionalCubicSplineAutoregressiveBijection2d",
    "ConditionalRationalQuadraticSplineAutoregressiveBijection2d",
    "ConditionalGaussianMixtureAutoregressiveBijection2d",
    "ConditionalLogisticMixtureAutoregressiveBijection2d",
    "ConditionalCensoredLogisticMixtureAutoregressiveBijection2d",
    "ConditionalAutoregressiveBijection2d",
    "ConditionalAdditiveAutoregressiveBijection2d",
    "ConditionalAffineAutoregressiveBijection2d",
    "ConditionalAutoregressiveBijection",
    "ConditionalAdditiveAutoregressiveBijection",
    "ConditionalAffineAutoregressiveBijection",
    "ConditionalRationalQuadraticSplineAutoregressiveBijection",
]
