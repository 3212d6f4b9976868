"""Autoregressive bijections (MAF in the inference direction; IAF when used to sample)."""

from survae.transforms.bijections.autoregressive.autoregressive import (
    AdditiveAutoregressiveBijection,
    AffineAutoregressiveBijection,
    AutoregressiveBijection,
)
from survae.transforms.bijections.autoregressive.autoregressive_splines import (
    ConditionalAdditiveAutoregressiveBijection,
    ConditionalAffineAutoregressiveBijection,
    ConditionalAutoregressiveBijection,
    ConditionalRationalQuadraticSplineAutoregressiveBijection,
    CubicSplineAutoregressiveBijection,
    LinearSplineAutoregressiveBijection,
    QuadraticSplineAutoregressiveBijection,
    RationalQuadraticSplineAutoregressiveBijection,
)

__all__ = [
    "AutoregressiveBijection",
    "AdditiveAutoregressiveBijection",
    "AffineAutoregressiveBijection",
    "LinearSplineAutoregressiveBijection",
    "QuadraticSplineAutoregressiveBijection",
    "CubicSplineAutoregressiveBijection",
    "RationalQuadraticSplineAutoregressiveBijection",
    "ConditionalAutoregressiveBijection",
    "ConditionalAffineAutoregressiveBijection",
    "ConditionalAdditiveAutoregressiveBijection",
    "ConditionalRationalQuadraticSplineAutoregressiveBijection",
]
