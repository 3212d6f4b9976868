"""Bijections: deterministic, invertible transforms with an exact log-Jacobian-determinant."""

from __future__ import annotations

from survae.transforms.base import Transform


class Bijection(Transform):
    """Base class of bijections.

    ``forward(x) -> (z, log|det dz/dx|)`` and ``inverse(z) -> x``; the contribution is exact.
    """

    bijective = True
    stochastic_forward = False
    stochastic_inverse = False
