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
    ConditionalRadialBijection,
)
from survae.transforms.bijections.autodiff import AutodiffBijection
from survae.transforms.bijections.autoregressive import *  # noqa: F403
from survae.transforms.bijections.autoregressive import __all__ as _autoregressive
from survae.transforms.bijections.base import Bijection
from survae.transforms.bijections.batchnorm import (
    BatchNormBijection,
    BatchNormBijection1d,
    BatchNormBijection2d,
)
from survae.transforms.bijections.conditional import *  # noqa: F403
from survae.transforms.bijections.conditional import __all__ as _conditional
from survae.transforms.bijections.continuous import ODEBijection
from survae.transforms.bijections.conv1x1 import Conv1x1, Conv1x1LU
from survae.transforms.bijections.coupling import *  # noqa: F403
from survae.transforms.bijections.coupling import __all__ as _coupling
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
from survae.transforms.bijections.inverse import ConditionalInverseBijection, InverseBijection
from survae.transforms.bijections.linear import HouseholderBijection, Linear
from survae.transforms.bijections.linear_lowrank import LinearLowRank
from survae.transforms.bijections.linear_lu import LinearLU
from survae.transforms.bijections.linear_orthogonal import (
    LinearOrthogonal,
    LinearQR,
)
from survae.transforms.bijections.ot_flow import OTFlowBijection, PotentialDynamics
from survae.transforms.bijections.permute import Permute, Reverse, Shuffle
from survae.transforms.bijections.permute_axes import PermuteAxes
from survae.transforms.bijections.planar import (
    ConditionalPlanarBijection,
    PlanarBijection,
    RadialBijection,
)
from survae.transforms.bijections.reshape import Reshape
from survae.transforms.bijections.residual import ResidualBijection
from survae.transforms.bijections.rotate import Rotate
from survae.transforms.bijections.spacings import LogSpacingsBijection
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
    "LogSpacingsBijection",
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
    "LinearSplineBijection",
    "QuadraticSplineBijection",
    "CubicSplineBijection",
    "ResidualBijection",
    "ODEBijection",
    *_coupling,
    *_autoregressive,
    *_conditional,
    "OTFlowBijection",
    "PotentialDynamics",
    "AutodiffBijection",
]
