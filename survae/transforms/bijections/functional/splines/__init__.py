"""Monotone spline kernels: ``(inputs, params, inverse) -> (outputs, log|derivative|)``."""

from survae.transforms.bijections.functional.splines.rational_quadratic import (
    rational_quadratic_spline,
    unconstrained_rational_quadratic_spline,
)

__all__ = ["rational_quadratic_spline", "unconstrained_rational_quadratic_spline"]
