"""Conditional distributions p(x | context)."""

from survae.distributions.conditional.base import ConditionalDistribution
from survae.distributions.conditional.bernoulli import ConditionalBernoulli
from survae.distributions.conditional.categorical import ConditionalCategorical
from survae.distributions.conditional.normal import (
    ConditionalMeanNormal,
    ConditionalMeanStdNormal,
    ConditionalNormal,
)

__all__ = [
    "ConditionalDistribution",
    "ConditionalBernoulli",
    "ConditionalCategorical",
    "ConditionalMeanNormal",
    "ConditionalMeanStdNormal",
    "ConditionalNormal",
]
