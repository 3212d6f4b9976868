"""Monotone spline kernels: ``(inputs, params, inverse) -> (outputs, log|d outputs/d inputs|)``.

``*_spline`` map a bounded interval onto another (the official library's ``[0, 1]`` default);
``unconstrained_*_spline`` work on ``[-B, B]`` with linear (identity) or circular tails, so any
real input is valid, with finite values and gradients at and beyond the bound.
"""

from survae.transforms.bijections.functional.splines.cubic import (
    cubic_spline,
    unconstrained_cubic_spline,
)
from survae.transforms.bijections.functional.splines.linear import (
    linear_spline,
    unconstrained_linear_spline,
)
from survae.transforms.bijections.functional.splines.quadratic import (
    quadratic_spline,
    unconstrained_quadratic_spline,
)
from survae.transforms.bijections.functional.splines.rational_quadratic import (
    packed_rational_quadratic_spline,
    rational_quadratic_spline,
    unconstrained_rational_quadratic_spline,
)

__all__ = [
    "linear_spline",
    "unconstrained_linear_spline",
    "quadratic_spline",
    "unconstrained_quadratic_spline",
    "cubic_spline",
    "unconstrained_cubic_spline",
    "rational_quadratic_spline",
    "unconstrained_rational_quadratic_spline",
    "packed_rational_quadratic_spline",
]
