"""Coupling bijections at the official path ``survae.transforms.bijections.coupling``: the one
coupling scheme (:mod:`.coupling`) and its transformers fixed by name, plus masked and set
couplings."""

from survae.transforms.bijections.coupling.coupling import CouplingBijection
from survae.transforms.bijections.coupling.coupling_linear import (
    AdditiveCouplingBijection,
    AffineCouplingBijection,
)
from survae.transforms.bijections.coupling.coupling_masked import (
    DiagonalScalingBijection,
    MaskedAdditiveCouplingBijection,
    MaskedAffineCouplingBijection,
    alternating_mask,
    channel_mask,
    checkerboard_mask,
)
from survae.transforms.bijections.coupling.coupling_mixtures import (
    CensoredLogisticMixtureCouplingBijection,
    GaussianMixtureCouplingBijection,
    LogisticMixtureCouplingBijection,
)
from survae.transforms.bijections.coupling.coupling_set import (
    AdditiveSetCouplingBijection,
    AffineSetCouplingBijection,
    RationalQuadraticSplineSetCouplingBijection,
)
from survae.transforms.bijections.coupling.coupling_splines import (
    CubicSplineCouplingBijection,
    LinearSplineCouplingBijection,
    QuadraticSplineCouplingBijection,
    RationalQuadraticSplineCouplingBijection,
)

__all__ = [
    "CouplingBijection",
    "AdditiveCouplingBijection",
    "AffineCouplingBijection",
    "LinearSplineCouplingBijection",
    "QuadraticSplineCouplingBijection",
    "CubicSplineCouplingBijection",
    "RationalQuadraticSplineCouplingBijection",
    "GaussianMixtureCouplingBijection",
    "LogisticMixtureCouplingBijection",
    "CensoredLogisticMixtureCouplingBijection",
    "MaskedAffineCouplingBijection",
    "MaskedAdditiveCouplingBijection",
    "DiagonalScalingBijection",
    "checkerboard_mask",
    "channel_mask",
    "alternating_mask",
    "AffineSetCouplingBijection",
    "AdditiveSetCouplingBijection",
    "RationalQuadraticSplineSetCouplingBijection",
]
