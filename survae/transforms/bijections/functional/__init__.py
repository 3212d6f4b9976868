"""Pure elementwise kernels (splines, mixture CDFs) that the bijection classes are built on."""

from survae.transforms.bijections.functional import mixtures, splines

__all__ = ["mixtures", "splines"]
