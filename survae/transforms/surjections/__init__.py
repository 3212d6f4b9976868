"""Surjections: generative (bound) and inference (exact) surjective layers.

Inference surjections (deterministic towards the latent, exact likelihood): ``Slice``,
``RoundingSurjection``, ``SimpleAbsSurjection``, ``AbsSurjection``, ``SimpleMaxPoolSurjection2d``,
``MaxPoolSurjection2d``, ``SortSurjection``, ``SimpleSortSurjection``, ``ReLUSurjection``.

Generative surjections (deterministic towards the data, lower bound): ``Augment``,
``UniformDequantization``, ``VariationalDequantization``, ``SimpleGenerativeAbsSurjection``,
``GenerativeAbsSurjection``, ``GenerativeMaxSurjection``, ``GenerativeSortSurjection``,
``GenerativeReLUSurjection``.
"""

from survae.transforms.surjections.abs import SimpleAbsSurjection
from survae.transforms.surjections.abs_generative import (
    GenerativeAbsSurjection,
    SimpleGenerativeAbsSurjection,
)
from survae.transforms.surjections.abs_learned import AbsSurjection, ElementAbsSurjection
from survae.transforms.surjections.augment import Augment
from survae.transforms.surjections.base import Surjection
from survae.transforms.surjections.dequantization_uniform import UniformDequantization
from survae.transforms.surjections.dequantization_variational import VariationalDequantization
from survae.transforms.surjections.max_generative import GenerativeMaxSurjection
from survae.transforms.surjections.maxpool2d import MaxPoolSurjection2d, SimpleMaxPoolSurjection2d
from survae.transforms.surjections.relu import GenerativeReLUSurjection, ReLUSurjection
from survae.transforms.surjections.rounding import RoundingSurjection
from survae.transforms.surjections.slice import Slice
from survae.transforms.surjections.sort import SimpleSortSurjection, SortSurjection
from survae.transforms.surjections.sort_generative import GenerativeSortSurjection

__all__ = [
    "Surjection",
    # generative rounding (dequantization) and inference rounding
    "UniformDequantization",
    "VariationalDequantization",
    "RoundingSurjection",
    # slicing
    "Augment",
    "Slice",
    # abs
    "SimpleAbsSurjection",
    "AbsSurjection",
    "ElementAbsSurjection",
    "SimpleGenerativeAbsSurjection",
    "GenerativeAbsSurjection",
    # max
    "SimpleMaxPoolSurjection2d",
    "MaxPoolSurjection2d",
    "GenerativeMaxSurjection",
    # sort
    "SortSurjection",
    "SimpleSortSurjection",
    "GenerativeSortSurjection",
    # ReLU
    "ReLUSurjection",
    "GenerativeReLUSurjection",
]
