"""Bijections: deterministic, invertible transforms with an exact log-Jacobian-determinant."""

from __future__ import annotations

from survae.transforms.base import Transform
from survae.transforms.cond_base import ConditionalTransform


class Bijection(Transform):
    """Base class of bijections.

    ``forward(x) -> (z, log|det dz/dx|)`` and ``inverse(z) -> x``; the contribution is exact.
    """

    bijective = True
    stochastic_forward = False
    stochastic_inverse = False


class ConditionalBijection(ConditionalTransform):
    """Base class of bijections conditioned on a context."""

    bijective = True
    stochastic_forward = False
    stochastic_inverse = False
