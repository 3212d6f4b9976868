"""Conditional couplings at the official path ``...bijections.conditional.coupling``."""

from survae.transforms.bijections.conditional.coupling.coupling import (
    ConditionalCouplingBijection,
)
from survae.transforms.bijections.conditional.coupling.coupling_linear import (
    ConditionalAdditiveCouplingBijection,
    ConditionalAffineCouplingBijection,
)
from survae.transforms.bijections.conditional.coupling.coupling_mixtures import (
    ConditionalCensoredLogisticMixtureCouplingBijection,
    ConditionalGaussianMixtureCouplingBijection,
    ConditionalLogisticMixtureCouplingBijection,
)
from survae.transforms.bijections.conditional.coupling.coupling_splines import (
    ConditionalCubicSplineCouplingBijection,
    ConditionalLinearSplineCouplingBijection,
    ConditionalQuadraticSplineCouplingBijection,
    ConditionalRationalQuadraticSplineCouplingBijection,
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
