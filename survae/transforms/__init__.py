"""Transforms: bijections, surjections and stochastic layers under one contract.

``forward(x) -> (z, ldj)`` maps data to latent and returns the likelihood contribution;
``inverse(z) -> x`` generates.
"""

from survae.transforms.base import SequentialTransform, Transform
from survae.transforms.bijections import *  # noqa: F403
from survae.transforms.bijections import __all__ as _bijections
from survae.transforms.cond_base import ConditionalTransform
from survae.transforms.stochastic import *  # noqa: F403
from survae.transforms.stochastic import __all__ as _stochastic
from survae.transforms.surjections import *  # noqa: F403
from survae.transforms.surjections import __all__ as _surjections

#: The exported abstract bases (not layers): the test harness and the docs table skip them.
BASE_CLASSES = frozenset(
    {
        "Transform",
        "SequentialTransform",
        "ConditionalTransform",
        "Bijection",
        "ConditionalBijection",
        "Surjection",
        "StochasticTransform",
        "CouplingBijection",
        "ConditionalCouplingBijection",
        "AutoregressiveBijection",
        "ConditionalAutoregressiveBijection",
        "AutoregressiveBijection2d",
        "ConditionalAutoregressiveBijection2d",
    }
)

__all__ = [
    "BASE_CLASSES",
    "Transform",
    "SequentialTransform",
    "ConditionalTransform",
    *_bijections,
    *_surjections,
    *_stochastic,
]
