"""Autoregressive bijections at the official path ``survae.transforms.bijections.autoregressive``
(MAF in the inference direction; IAF when used to sample): the one autoregressive scheme
(:mod:`.autoregressive`) and its transformers fixed by name, on vectors and images."""

from survae.transforms.bijections.autoregressive.autoregressive import (
    AutoregressiveBijection,
)
from survae.transforms.bijections.autoregressive.autoregressive_2d import (
    AutoregressiveBijection2d,
)
from survae.transforms.bijections.autoregressive.autoregressive_linear import (
    AdditiveAutoregressiveBijection,
    AffineAutoregressiveBijection,
)
from survae.transforms.bijections.autoregressive.autoregressive_linear_2d import (
    AdditiveAutoregressiveBijection2d,
    AffineAutoregressiveBijection2d,
)
from survae.transforms.bijections.autoregressive.autoregressive_mixtures import (
    CensoredLogisticMixtureAutoregressiveBijection,
    GaussianMixtureAutoregressiveBijection,
    LogisticMixtureAutoregressiveBijection,
)
from survae.transforms.bijections.autoregressive.autoregressive_mixtures_2d import (
    CensoredLogisticMixtureAutoregressiveBijection2d,
    GaussianMixtureAutoregressiveBijection2d,
    LogisticMixtureAutoregressiveBijection2d,
)
from survae.transforms.bijections.autoregressive.autoregressive_splines import (
    CubicSplineAutoregressiveBijection,
    LinearSplineAutoregressiveBijection,
    QuadraticSplineAutoregressiveBijection,
    RationalQuadraticSplineAutoregressiveBijection,
)
from survae.transforms.bijections.autoregressive.autoregressive_splines_2d import (
    CubicSplineAutoregressiveBijection2d,
    LinearSplineAutoregressiveBijection2d,
    QuadraticSplineAutoregressiveBijection2d,
    RationalQuadraticSplineAutoregressiveBijection2d,
)

__all__ = [
    "AutoregressiveBijection",
    "AutoregressiveBijection2d",
    "AdditiveAutoregressiveBijection",
    "AffineAutoregressiveBijection",
    "AdditiveAutoregressiveBijection2d",
    "AffineAutoregressiveBijection2d",
    "LinearSplineAutoregressiveBijection",
    "QuadraticSplineAutoregressiveBijection",
    "CubicSplineAutoregressiveBijection",
    "RationalQuadraticSplineAutoregressiveBijection",
    "LinearSplineAutoregressiveBijection2d",
    "QuadraticSplineAutoregressiveBijection2d",
    "CubicSplineAutoregressiveBijection2d",
    "RationalQuadraticSplineAutoregressiveBijection2d",
    "GaussianMixtureAutoregressiveBijection",
    "LogisticMixtureAutoregressiveBijection",
    "CensoredLogisticMixtureAutoregressiveBijection",
    "GaussianMixtureAutoregressiveBijection2d",
    "LogisticMixtureAutoregressiveBijection2d",
    "CensoredLogisticMixtureAutoregressiveBijection2d",
]
