"""Pure elementwise kernels (splines, ...) that the bijection classes are built on."""

from survae.transforms.bijections.functional import splines

__all__ = ["splines"]
