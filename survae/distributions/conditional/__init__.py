"""Conditional distributions p(x | context)."""

from survae.distributions.conditional.base import ConditionalDistribution

__all__ = ["ConditionalDistribution"]
