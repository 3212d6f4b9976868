"""Bijections: invertible layers with exact log-Jacobian-determinants."""

from survae.transforms.bijections.base import Bijection, ConditionalBijection

__all__ = ["Bijection", "ConditionalBijection"]
