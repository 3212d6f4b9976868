"""Bijections: invertible layers with exact log-Jacobian-determinants."""

from survae.transforms.bijections.actnorm import (
    ActNormBijection,
    ActNormBijection1d,
    ActNormBijection2d,
)
from survae.transforms.bijections.affine import AffineBijection, ScalarAffineBijection
from survae.transforms.bijections.amortized import (
    AmortizedBijection,
    ConditionalHouseholderBijection,
    ConditionalInverseBijection,
    ConditionalRadialBijection,
    InverseBijection,
)
from survae.transforms.bijections.autoregressive import (
    AdditiveAutoregressiveBijection,
    AdditiveAutoregressiveBijection2d,
    AffineAutoregressiveBijection,
    AffineAutoregressiveBijection2d,
    AutoregressiveBijection,
    AutoregressiveBijection2d,
    ConditionalAdditiveAutoregressiveBijection,
    ConditionalAdditiveAutoregressiveBijection2d,
    ConditionalAffineAutoregressiveBijection,
    ConditionalAffineAutoregressiveBijection2d,
    ConditionalAutoregressiveBijection,
    ConditionalAutoregressiveBijection2d,
    ConditionalRationalQuadraticSplineAutoregressiveBijection,
    CubicSplineAutoregressiveBijection,
    LinearSplineAutoregressiveBijection,
    QuadraticSplineAutoregressiveBijection,
    RationalQuadraticSplineAutoregressiveBijection,
    RationalQuadraticSplineAutoregressiveBijection2d,
)
from survae.transforms.bijections.base import Bijection, ConditionalBijection
from survae.transforms.bijections.batchnorm import (
    BatchNormBijection,
    BatchNormBijection1d,
    BatchNormBijection2d,
)
from survae.transforms.bijections.conditional.elementwise_linear import (
    ConditionalAdditiveBijection,
    ConditionalAffineBijection,
)
from survae.transforms.bijections.continuous import ODEBijection
from survae.transforms.bijections.conv1x1 import Conv1x1, Conv1x1LU
from survae.transforms.bijections.coupling import (
    AdditiveCouplingBijection,
    AffineCouplingBijection,
    ConditionalAdditiveCouplingBijection,
    ConditionalAffineCouplingBijection,
    ConditionalCouplingBijection,
    CouplingBijection,
)
from survae.transforms.bijections.coupling_masked import (
    DiagonalScalingBijection,
    MaskedAdditiveCouplingBijection,
    MaskedAffineCouplingBijection,
    alternating_mask,
    channel_mask,
    checkerboard_mask,
)
from survae.transforms.bijections.coupling_splines import (
    ConditionalCubicSplineCouplingBijection,
    ConditionalLinearSplineCouplingBijection,
    ConditionalQuadraticSplineCouplingBijection,
    ConditionalRationalQuadraticSplineCouplingBijection,
    CubicSplineCouplingBijection,
    LinearSplineCouplingBijection,
    QuadraticSplineCouplingBijection,
    RationalQuadraticSplineCouplingBijection,
)
from survae.transforms.bijections.elementwise_nonlinear import (
    Exp,
    LeakyReLU,
    Log,
    Logit,
    Sigmoid,
    SneakyReLU,
    Softplus,
    SoftplusInverse,
    Tanh,
)
from survae.transforms.bijections.linear import HouseholderBijection, Linear, LinearLU
from survae.transforms.bijections.linear_more import (
    LinearLowRank,
    LinearOrthogonal,
    LinearQR,
    Rotate,
)
from survae.transforms.bijections.mixtures import (
    CensoredLogisticMixtureAutoregressiveBijection,
    CensoredLogisticMixtureCouplingBijection,
    GaussianMixtureAutoregressiveBijection,
    GaussianMixtureCouplingBijection,
    LogisticMixtureAutoregressiveBijection,
    LogisticMixtureCouplingBijection,
)
from survae.transforms.bijections.permute import Permute, Reverse, Shuffle
from survae.transforms.bijections.permute_axes import PermuteAxes
from survae.transforms.bijections.planar import (
    ConditionalPlanarBijection,
    PlanarBijection,
    RadialBijection,
)
from survae.transforms.bijections.reshape import Reshape
from survae.transforms.bijections.residual import ResidualBijection
from survae.transforms.bijections.splines import (
    CubicSplineBijection,
    LinearSplineBijection,
    QuadraticSplineBijection,
    RationalQuadraticSplineBijection,
)
from survae.transforms.bijections.squeeze import Squeeze2d
from survae.transforms.bijections.sylvester import (
    ConditionalSylvesterBijection,
    SylvesterBijection,
)
from survae.transforms.bijections.unsqueeze import Unsqueeze2d

__all__ = [
    "Bijection",
    "ConditionalBijection",
    "CouplingBijection",
    "ConditionalCouplingBijection",
    "AdditiveCouplingBijection",
    "AffineCouplingBijection",
    "ConditionalAdditiveCouplingBijection",
    "ConditionalAffineCouplingBijection",
    "GaussianMixtureCouplingBijection",
    "LogisticMixtureCouplingBijection",
    "CensoredLogisticMixtureCouplingBijection",
    "GaussianMixtureAutoregressiveBijection",
    "LogisticMixtureAutoregressiveBijection",
    "CensoredLogisticMixtureAutoregressiveBijection",
    "AutoregressiveBijection2d",
    "AdditiveAutoregressiveBijection2d",
    "AffineAutoregressiveBijection2d",
    "RationalQuadraticSplineAutoregressiveBijection2d",
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
    "ConditionalAdditiveBijection",
    "ConditionalAffineBijection",
    "LinearLowRank",
    "LinearOrthogonal",
    "LinearQR",
    "Rotate",
    "InverseBijection",
    "ConditionalInverseBijection",
    "AmortizedBijection",
    "ConditionalRadialBijection",
    "ConditionalHouseholderBijection",
    "SylvesterBijection",
    "ConditionalSylvesterBijection",
    "MaskedAffineCouplingBijection",
    "MaskedAdditiveCouplingBijection",
    "DiagonalScalingBijection",
    "checkerboard_mask",
    "channel_mask",
    "alternating_mask",
    "ActNormBijection",
    "ActNormBijection1d",
    "ActNormBijection2d",
    "Permute",
    "Shuffle",
    "Reverse",
    "PermuteAxes",
    "ScalarAffineBijection",
    "AffineBijection",
    "Logit",
    "Sigmoid",
    "SoftplusInverse",
    "Softplus",
    "Tanh",
    "LeakyReLU",
    "SneakyReLU",
    "Exp",
    "Log",
    "Linear",
    "LinearLU",
    "HouseholderBijection",
    "PlanarBijection",
    "ConditionalPlanarBijection",
    "RadialBijection",
    "BatchNormBijection",
    "BatchNormBijection1d",
    "BatchNormBijection2d",
    "Conv1x1",
    "Conv1x1LU",
    "Squeeze2d",
    "Unsqueeze2d",
    "Reshape",
    "RationalQuadraticSplineBijection",
    "RationalQuadraticSplineCouplingBijection",
    "LinearSplineBijection",
    "QuadraticSplineBijection",
    "CubicSplineBijection",
    "LinearSplineCouplingBijection",
    "QuadraticSplineCouplingBijection",
    "CubicSplineCouplingBijection",
    "ConditionalLinearSplineCouplingBijection",
    "ConditionalQuadraticSplineCouplingBijection",
    "ConditionalCubicSplineCouplingBijection",
    "ConditionalRationalQuadraticSplineCouplingBijection",
    "AutoregressiveBijection",
    "AdditiveAutoregressiveBijection",
    "AffineAutoregressiveBijection",
    "ResidualBijection",
    "ODEBijection",
]
