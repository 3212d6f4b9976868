"""Pure elementwise kernels (splines, mixture CDFs, bisection) the bijections are built on."""

from survae.transforms.bijections.functional import iterative_inversion, mixtures, splines
from survae.transforms.bijections.functional.mixtures import *  # noqa: F403
from survae.transforms.bijections.functional.mixtures import __all__ as _mixtures
from survae.transforms.bijections.functional.splines import *  # noqa: F403
from survae.transforms.bijections.functional.splines import __all__ as _splines

__all__ = ["iterative_inversion", "mixtures", "splines", *_mixtures, *_splines]
