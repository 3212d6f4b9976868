"""Elementwise transformers: the maps a coupling or autoregressive scheme applies elementwise.

======================================  =========================  ==================
transformer                             parameters per element     domain
======================================  =========================  ==================
:class:`Additive`                       1                          real line
:class:`Affine`                         2 (``u``, shift)           real line
:class:`LinearSpline` and the other     see :mod:`.splines`        ``[0, 1]``, or
three splines                                                      ``[-B, B]`` + tails
:class:`GaussianMixture`,               ``3M``                     real line -> (0, 1)
:class:`LogisticMixture`
:class:`CensoredLogisticMixture`        ``3M``                     ``[0, 1]``
======================================  =========================  ==================
"""

from survae.transforms.bijections.transformers.affine import (
    SCALE_FN_NAMES,
    Additive,
    Affine,
    AffineHooks,
    resolve_scale_fn,
)
from survae.transforms.bijections.transformers.base import (
    ElementwiseTransformer,
    OnTransformer,
    TransformerHooks,
)
from survae.transforms.bijections.transformers.mixtures import (
    CensoredLogisticMixture,
    GaussianMixture,
    LogisticMixture,
    MixtureCDF,
    MixtureHooks,
)
from survae.transforms.bijections.transformers.splines import (
    CubicSpline,
    LinearSpline,
    QuadraticSpline,
    RationalQuadraticSpline,
    SplineHooks,
    SplineTransformer,
)

__all__ = [
    "ElementwiseTransformer",
    "TransformerHooks",
    "OnTransformer",
    "Additive",
    "Affine",
    "AffineHooks",
    "SCALE_FN_NAMES",
    "resolve_scale_fn",
    "SplineTransformer",
    "SplineHooks",
    "LinearSpline",
    "QuadraticSpline",
    "CubicSpline",
    "RationalQuadraticSpline",
    "MixtureCDF",
    "MixtureHooks",
    "GaussianMixture",
    "LogisticMixture",
    "CensoredLogisticMixture",
]
