"""Distributions: base distributions of flows and conditional distributions for stochastic layers."""

from survae.distributions.base import Distribution
from survae.distributions.conditional import *  # noqa: F403
from survae.distributions.conditional import __all__ as _conditional

__all__ = ["Distribution", *_conditional]
