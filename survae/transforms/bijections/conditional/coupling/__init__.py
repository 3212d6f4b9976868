"""Conditional couplings at the official path ``...bijections.conditional.coupling``."""

from survae.transforms.bijections.coupling import (
    ConditionalAdditiveCouplingBijection,
    ConditionalAffineCouplingBijection,
    ConditionalCouplingBijection,
)
from survae.transforms.bijections.coupling_splines import (
    ConditionalCubicSplineCouplingBijection,
    ConditionalLinearSplineCouplingBijection,
    ConditionalQuadraticSplineCouplingBijection,
    ConditionalRationalQuadraticSplineCouplingBijection,
)
from survae.transforms.bijections.mixtures import (
    ConditionalCensoredLogisticMixtureCouplingBijection,
    ConditionalGaussianMixtureCouplingBijection,
    ConditionalLogisticMixtureCouplingBijection,
)

__all__ = [
    "ConditionalCouplingBijection",
    "ConditionalAdditiveCouplingBijection",
    "ConditionalAffineCouplingBijection",
    "ConditionalLinearSplineCouplingBijection",
    "ConditionalQuadraticSplineCouplingBijection",
    "ConditionalCubicSplineCouplingBijection",
    "ConditionalRationalQuadraticSplineCouplingBijection",
    "ConditionalGaussianMixtureCouplingBijection",
    "ConditionalLogisticMixtureCouplingBijection",
    "ConditionalCensoredLogisticMixtureCouplingBijection",
]
