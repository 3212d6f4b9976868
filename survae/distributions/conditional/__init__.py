"""Conditional distributions p(x | context)."""

from survae.distributions.conditional.base import ConditionalDistribution
from survae.distributions.conditional.bernoulli import ConditionalBernoulli
from survae.distributions.conditional.categorical import ConditionalCategorical
from survae.distributions.conditional.discretized_logistic import ConditionalDiscretizedLogistic
from survae.distributions.conditional.half_normal import ConditionalHalfNormal
from survae.distributions.conditional.normal import (
    ConditionalMeanNormal,
    ConditionalMeanStdNormal,
    ConditionalNormal,
)

__all__ = [
    "ConditionalDistribution",
    "ConditionalBernoulli",
    "ConditionalCategorical",
    "ConditionalDiscretizedLogistic",
    "ConditionalHalfNormal",
    "ConditionalMeanNormal",
    "ConditionalMeanStdNormal",
    "ConditionalNormal",
]
