"""Autoregressive bijections (MAF in the inference direction; IAF when used to sample)."""

from survae.transforms.bijections.autoregressive.autoregressive import (
    AdditiveAutoregressiveBijection,
    AffineAutoregressiveBijection,
    AutoregressiveBijection,
)
from survae.transforms.bijections.autoregressive.autoregressive_2d import (
    AdditiveAutoregressiveBijection2d,
    AffineAutoregressiveBijection2d,
    AutoregressiveBijection2d,
    ConditionalAdditiveAutoregressiveBijection2d,
    ConditionalAffineAutoregressiveBijection2d,
    ConditionalAutoregressiveBijection2d,
    CubicSplineAutoregressiveBijection2d,
    LinearSplineAutoregressiveBijection2d,
    QuadraticSplineAutoregressiveBijection2d,
    RationalQuadraticSplineAutoregressiveBijection2d,
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
    "AutoregressiveBijection2d",
    "AdditiveAutoregressiveBijection2d",
    "AffineAutoregressiveBijection2d",
    "RationalQuadraticSplineAutoregressiveBijection2d",
    "LinearSplineAutoregressiveBijection2d",
    "QuadraticSplineAutoregressiveBijection2d",
    "CubicSplineAutoregressiveBijection2d",
    "ConditionalAutoregressiveBijection2d",
    "ConditionalAdditiveAutoregressiveBijection2d",
    "ConditionalAffineAutoregressiveBijection2d",
    "LinearSplineAutoregressiveBijection",
    "QuadraticSplineAutoregressiveBijection",
    "CubicSplineAutoregressiveBijection",
    "RationalQuadraticSplineAutoregressiveBijection",
    "ConditionalAutoregressiveBijection",
    "ConditionalAffineAutoregressiveBijection",
    "ConditionalAdditiveAutoregressiveBijection",
    "ConditionalRationalQuadraticSplineAutoregressiveBijection",
]
