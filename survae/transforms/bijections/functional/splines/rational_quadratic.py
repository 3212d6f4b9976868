"""Monotone rational-quadratic splines (Durkan et al., 2019), with linear tails.

Inside ``[left, right]`` the map is a piecewise rational-quadratic, monotone function with ``K``
bins whose widths, heights and knot derivatives come from unconstrained parameters; in bin ``k``
with ``theta = (x - x_k) / w_k`` and ``s_k = h_k / w_k``:

.. math::
    y = y_k + \\frac{h_k [s_k \\theta^2 + d_k \\theta (1 - \\theta)]}
                    {s_k + (d_{k+1} + d_k - 2 s_k) \\theta (1 - \\theta)},
    \\qquad
    \\frac{dy}{dx} = \\frac{s_k^2 [d_{k+1} \\theta^2 + 2 s_k \\theta (1 - \\theta)
                               + d_k (1-\\theta)^2]}
                         {[s_k + (d_{k+1} + d_k - 2 s_k) \\theta (1 - \\theta)]^2}.

The inverse solves a quadratic in ``theta`` (its discriminant clamped at zero). With
``unconstrained_rational_quadratic_spline`` the map is the identity outside ``[-B, B]`` and the
boundary derivatives are 1, so values and gradients are finite everywhere: out-of-bound inputs are
replaced by a safe in-range value inside the spline branch (so no NaN reaches the gradient through
``torch.where``), and the bin search uses ``torch.searchsorted`` (no loops over bins).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

DEFAULT_MIN_BIN_WIDTH = 1e-3
DEFAULT_MIN_BIN_HEIGHT = 1e-3
DEFAULT_MIN_DERIVATIVE = 1e-3


def _knots(unnormalized: Tensor, low: float, high: float, min_size: float) -> tuple[Tensor, Tensor]:
    """Bin sizes (softmax, floored at ``min_size``) and knot positions from ``low`` to ``high``."""
    num_bins = unnormalized.shape[-1]
    if min_size * num_bins > 1.0:
        raise ValueError(f"minimal bin size {min_size} too large for {num_bins} bins")
    sizes = min_size + (1 - min_size * num_bins) * torch.softmax(unnormalized, dim=-1)
    inner = low + (high - low) * torch.cumsum(sizes, dim=-1)[..., :-1]
    knots = F.pad(F.pad(inner, (1, 0), value=low), (0, 1), value=high)  # exact end points
    return knots[..., 1:] - knots[..., :-1], knots


def _gather(values: Tensor, index: Tensor) -> Tensor:
    return values.gather(-1, index).squeeze(-1)


def rational_quadratic_spline(
    inputs: Tensor,
    unnormalized_widths: Tensor,
    unnormalized_heights: Tensor,
    unnormalized_derivatives: Tensor,
    inverse: bool = False,
    left: float = 0.0,
    right: float = 1.0,
    bottom: float = 0.0,
    top: float = 1.0,
    min_bin_width: float = DEFAULT_MIN_BIN_WIDTH,
    min_bin_height: float = DEFAULT_MIN_BIN_HEIGHT,
    min_derivative: float = DEFAULT_MIN_DERIVATIVE,
) -> tuple[Tensor, Tensor]:
    """Rational-quadratic spline from ``[left, right]`` onto ``[bottom, top]``, elementwise.

    Args:
        inputs: any shape ``S``; must lie in the domain (``[bottom, top]`` if ``inverse``).
        unnormalized_widths, unnormalized_heights: shape ``S + (K,)``.
        unnormalized_derivatives: shape ``S + (K + 1,)`` (derivative at every knot, via
            ``min_derivative + softplus``).
        inverse: compute the inverse map.

    Returns:
        outputs of shape ``S`` and ``log|d outputs / d inputs|`` of shape ``S``.
    """
    widths, cumwidths = _knots(unnormalized_widths, left, right, min_bin_width)
    heights, cumheights = _knots(unnormalized_heights, bottom, top, min_bin_height)
    derivatives = min_derivative + F.softplus(unnormalized_derivatives)

    search = cumheights if inverse else cumwidths
    index = torch.searchsorted(
        search[..., 1:-1].contiguous(), inputs.unsqueeze(-1).contiguous(), right=True
    )
    x_k, w_k = _gather(cumwidths, index), _gather(widths, index)
    y_k, h_k = _gather(cumheights, index), _gather(heights, index)
    d_k, d_k1 = _gather(derivatives, index), _gather(derivatives[..., 1:], index)
    s_k = h_k / w_k
    slack = d_k1 + d_k - 2 * s_k

    if inverse:
        dy = inputs - y_k
        a = h_k * (s_k - d_k) + dy * slack
        b = h_k * d_k - dy * slack
        c = -s_k * dy
        discriminant = (b.pow(2) - 4 * a * c).clamp(min=0)
        theta = (2 * c) / (-b - torch.sqrt(discriminant))
        outputs = theta * w_k + x_k
    else:
        theta = (inputs - x_k) / w_k
        numerator = h_k * (s_k * theta.pow(2) + d_k * theta * (1 - theta))
        outputs = y_k + numerator / (s_k + slack * theta * (1 - theta))

    one_minus = 1 - theta
    denominator = s_k + slack * theta * one_minus
    derivative_numerator = s_k.pow(2) * (
        d_k1 * theta.pow(2) + 2 * s_k * theta * one_minus + d_k * one_minus.pow(2)
    )
    logabsdet = torch.log(derivative_numerator) - 2 * torch.log(denominator)
    return outputs, (-logabsdet if inverse else logabsdet)


def unconstrained_rational_quadratic_spline(
    inputs: Tensor,
    unnormalized_widths: Tensor,
    unnormalized_heights: Tensor,
    unnormalized_derivatives: Tensor,
    inverse: bool = False,
    tail_bound: float = 3.0,
    min_bin_width: float = DEFAULT_MIN_BIN_WIDTH,
    min_bin_height: float = DEFAULT_MIN_BIN_HEIGHT,
    min_derivative: float = DEFAULT_MIN_DERIVATIVE,
) -> tuple[Tensor, Tensor]:
    """Rational-quadratic spline on ``[-B, B]`` with identity (linear) tails outside.

    ``unnormalized_derivatives`` has shape ``S + (K - 1,)``: the interior knots; the two boundary
    derivatives are fixed to 1 so the map is continuously differentiable at ``+-B``. Inputs at or
    beyond the bound, including all-tail batches, give finite outputs and gradients.
    """
    inside = (inputs > -tail_bound) & (inputs < tail_bound)
    boundary = math.log(math.expm1(1 - min_derivative))
    derivatives = F.pad(unnormalized_derivatives, (1, 1), value=boundary)
    safe = torch.where(inside, inputs, torch.zeros_like(inputs))
    outputs, logabsdet = rational_quadratic_spline(
        safe,
        unnormalized_widths,
        unnormalized_heights,
        derivatives,
        inverse=inverse,
        left=-tail_bound,
        right=tail_bound,
        bottom=-tail_bound,
        top=tail_bound,
        min_bin_width=min_bin_width,
        min_bin_height=min_bin_height,
        min_derivative=min_derivative,
    )
    outputs = torch.where(inside, outputs, inputs)
    logabsdet = torch.where(inside, logabsdet, torch.zeros_like(logabsdet))
    return outputs, logabsdet
