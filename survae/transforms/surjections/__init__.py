"""Surjections: generative (bound) and inference (exact) surjective layers."""

from survae.transforms.surjections.base import ConditionalSurjection, Surjection

__all__ = ["Surjection", "ConditionalSurjection"]
