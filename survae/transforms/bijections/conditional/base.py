"""``ConditionalBijection`` at the official path."""

from survae.transforms.bijections.base import ConditionalBijection

__all__ = ["ConditionalBijection"]
