"""Distributions: base distributions of flows, and conditional ones for stochastic layers."""

from survae.distributions.base import Distribution
from survae.distributions.bernoulli import Bernoulli
from survae.distributions.categorical import Categorical
from survae.distributions.conditional import *  # noqa: F403
from survae.distributions.conditional import __all__ as _conditional
from survae.distributions.data_parallel import DataParallelDistribution
from survae.distributions.half_normal import StandardHalfNormal
from survae.distributions.mixture import ConditionalGaussianMixture, GaussianMixture
from survae.distributions.normal import ConvNormal2d, DiagonalNormal, StandardNormal
from survae.distributions.uniform import StandardUniform

__all__ = [
    "Distribution",
    "Bernoulli",
    "Categorical",
    "ConditionalGaussianMixture",
    "ConvNormal2d",
    "DataParallelDistribution",
    "GaussianMixture",
    "DiagonalNormal",
    "StandardHalfNormal",
    "StandardNormal",
    "StandardUniform",
    *_conditional,
]
