"""Conditional autoregressive bijections at the official path
``survae.transforms.bijections.conditional.autoregressive`` (plus conditional 1-D layers)."""

from survae.transforms.bijections.conditional.autoregressive.autoregressive import (
    ConditionalAutoregressiveBijection,
)
from survae.transforms.bijections.conditional.autoregressive.autoregressive_2d import (
    ConditionalAutoregressiveBijection2d,
)
from survae.transforms.bijections.conditional.autoregressive.autoregressive_linear import (
    ConditionalAdditiveAutoregressiveBijection,
    ConditionalAffineAutoregressiveBijection,
)
from survae.transforms.bijections.conditional.autoregressive.autoregressive_linear_2d import (
    ConditionalAdditiveAutoregressiveBijection2d,
    ConditionalAffineAutoregressiveBijection2d,
)
from survae.transforms.bijections.conditional.autoregressive.autoregressive_mixtures_2d import (
    ConditionalCensoredLogisticMixtureAutoregressiveBijection2d,
    ConditionalGaussianMixtureAutoregressiveBijection2d,
    ConditionalLogisticMixtureAutoregressiveBijection2d,
)
from survae.transforms.bijections.conditional.autoregressive.autoregressive_splines import (
    ConditionalRationalQuadraticSplineAutoregressiveBijection,
)
from survae.transforms.bijections.conditional.autoregressive.autoregressive_splines_2d import (
    ConditionalCubicSplineAutoregressiveBijection2d,
    ConditionalLinearSplineAutoregressiveBijection2d,
    ConditionalQuadraticSplineAutoregressiveBijection2d,
    ConditionalRationalQuadraticSplineAutoregressiveBijection2d,
)

__all__ = [
    "ConditionalAutoregressiveBijection",
    "ConditionalAutoregressiveBijection2d",
    "ConditionalAdditiveAutoregressiveBijection",
    "ConditionalAffineAutoregressiveBijection",
    "ConditionalRationalQuadraticSplineAutoregressiveBijection",
    "ConditionalAdditiveAutoregressiveBijection2d",
    "ConditionalAffineAutoregressiveBijection2d",
    "ConditionalLinearSplineAutoregressiveBijection2d",
    "ConditionalQuadraticSplineAutoregressiveBijection2d",
    "ConditionalCubicSplineAutoregressiveBijection2d",
    "ConditionalRationalQuadraticSplineAutoregressiveBijection2d",
    "ConditionalGaussianMixtureAutoregressiveBijection2d",
    "ConditionalLogisticMixtureAutoregressiveBijection2d",
    "ConditionalCensoredLogisticMixtureAutoregressiveBijection2d",
]
