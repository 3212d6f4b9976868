r"""Monotone piecewise-cubic (Hermite) splines (Durkan et al., 2019), with linear/circular tails.

:math:`K` bins of learned widths :math:`w_k` and heights :math:`h_k` (slopes
:math:`s_k = h_k / w_k`); the knot derivatives are Steffen's monotone choice
:math:`d_k = \min(2 s_{k-1}, 2 s_k, p_k)` (:math:`p_k` the width-weighted mean of the
neighbouring slopes) inside and learned at the two ends,
:math:`d_0 = s_0 \bigl(m + (3 - 2m)\, \sigma(u_\mathrm{left})\bigr)` (same on the right) with
:math:`m` = ``min_derivative``: all ratios :math:`d / s` stay in :math:`(0, 3)`, which keeps every
bin strictly increasing. In bin :math:`k` with :math:`\theta = (x - x_k) / w_k`,
:math:`a = d_k / s_k`, :math:`b = d_{k+1} / s_k`:

.. math::
    y = y_k + h_k q(\theta),\quad
    q(\theta) = a \theta + (3 - 2a - b) \theta^2 + (a + b - 2) \theta^3,\quad
    \frac{dy}{dx} = s_k q'(\theta).

The inverse finds the unique root of :math:`q(\theta) = (y - y_k) / h_k` in :math:`[0, 1]` by a
bracketed Newton iteration (a fixed number of steps, no host sync) on detached values, followed
by one differentiable Newton step: its value is the root to rounding, and its gradients are the
exact implicit-function gradients :math:`d\theta = -dq / q'(\theta)`.
"""

from __future__ import annotations

import torch
from torch import Tensor

from survae.transforms.bijections.functional.splines.utils import (
    DEFAULT_MIN_BIN_HEIGHT,
    DEFAULT_MIN_BIN_WIDTH,
    DEFAULT_MIN_DERIVATIVE,
    check_num_params,
    gather_elementwise,
    locate_bins,
    normalized_bins,
    square_domain,
    with_tails,
)


def _knot_derivatives(widths: Tensor, slopes: Tensor, unnorm_derivatives_left: Tensor,
                      unnorm_derivatives_right: Tensor, min_derivative: float) -> Tensor:
    """Steffen's derivatives at the interior knots, learned ones at the ends: ``S + (K + 1,)``."""
    left_slopes, right_slopes = slopes[..., :-1], slopes[..., 1:]
    left_widths, right_widths = widths[..., :-1], widths[..., 1:]
    weighted = (right_widths * left_slopes + left_widths * right_slopes) / (
        left_widths + right_widths
    )
    interior = torch.minimum(torch.minimum(2 * left_slopes, 2 * right_slopes), weighted)
    span = 3 - 2 * min_derivative
    first = slopes[..., :1] * (min_derivative + span * torch.sigmoid(unnorm_derivatives_left))
    last = slopes[..., -1:] * (min_derivative + span * torch.sigmoid(unnorm_derivatives_right))
    return torch.cat([first, interior, last], dim=-1)


def _cubic(theta: Tensor, a: Tensor, b: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    r""":math:`q(\theta) = a \theta + b \theta^2 + c \theta^3` and :math:`q'(\theta)`."""
    value = theta * (a + theta * (b + theta * c))
    derivative = a + theta * (2 * b + 3 * theta * c)
    return value, derivative


def _solve_monotone_cubic(
    target: Tensor, a: Tensor, b: Tensor, c: Tensor, num_iterations: int
) -> Tensor:
    r"""Root in :math:`[0, 1]` of the increasing :math:`q(\theta)` = ``target``, with implicit
    gradients."""
    a_, b_, c_, r_ = a.detach(), b.detach(), c.detach(), target.detach()
    low, high = torch.zeros_like(r_), torch.ones_like(r_)
    theta = r_.clamp(0, 1)
    for _ in range(num_iterations):
        value, derivative = _cubic(theta, a_, b_, c_)
        residual = value - r_
        low = torch.where(residual < 0, theta, low)
        high = torch.where(residual > 0, theta, high)
        newton = theta - residual / derivative
        inside = (newton >= low) & (newton <= high)
        theta = torch.where(inside, newton, (low + high) / 2)
    value, derivative = _cubic(theta, a, b, c)
    return theta - (value - target) / derivative


def cubic_spline(inputs: Tensor, unnormalized_widths: Tensor, unnormalized_heights: Tensor,
                 unnorm_derivatives_left: Tensor, unnorm_derivatives_right: Tensor,
                 inverse: bool = False, left: float = 0.0, right: float = 1.0, bottom: float = 0.0,
                 top: float = 1.0, min_bin_width: float = DEFAULT_MIN_BIN_WIDTH,
                 min_bin_height: float = DEFAULT_MIN_BIN_HEIGHT,
                 min_derivative: float = DEFAULT_MIN_DERIVATIVE,
                 num_iterations: int | None = None) -> tuple[Tensor, Tensor]:
    r"""Monotone cubic spline from ``[left, right]`` onto ``[bottom, top]``, elementwise.

    Args:
        inputs: any shape ``S``, in ``[left, right]`` (``[bottom, top]`` if ``inverse``).
        unnormalized_widths, unnormalized_heights: shape ``S + (K,)``.
        unnorm_derivatives_left, unnorm_derivatives_right: shape ``S + (1,)``: the end
            derivatives as sigmoid fractions of 3 times the end slopes.
        inverse: compute the inverse map.
        left, right, bottom, top: domain and range.
        min_bin_width, min_bin_height: minimal fractions of the intervals per bin.
        min_derivative: minimal end derivative relative to the end slope.
        num_iterations: Newton steps of the inverse (default: 60 in float64, 30 otherwise).

    Returns:
        outputs :math:`y` and :math:`\log|dy/dx|`, both of shape ``S``.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> x, w, h = torch.rand(4, dtype=torch.float64), torch.randn(4, 5), torch.randn(4, 5)
        >>> dl, dr = torch.randn(4, 1), torch.randn(4, 1)
        >>> w, h, dl, dr = w.double(), h.double(), dl.double(), dr.double()
        >>> y, logabsdet = cubic_spline(x, w, h, dl, dr)
        >>> torch.allclose(cubic_spline(y, w, h, dl, dr, inverse=True)[0], x, atol=1e-12)
        True
    """
    name = "cubic_spline"
    num_bins = unnormalized_widths.shape[-1]
    check_num_params(name, unnormalized_heights, num_bins, "heights")
    check_num_params(name, unnorm_derivatives_left, 1, "left derivative")
    check_num_params(name, unnorm_derivatives_right, 1, "right derivative")
    widths, cumwidths = normalized_bins(unnormalized_widths, 0.0, 1.0, min_bin_width)
    heights, cumheights = normalized_bins(unnormalized_heights, 0.0, 1.0, min_bin_height)
    slopes = heights / widths
    derivatives = _knot_derivatives(
        widths, slopes, unnorm_derivatives_left, unnorm_derivatives_right, min_derivative
    )
    unit, index, log_scale = locate_bins(inputs, cumwidths, cumheights,
                                         (left, right, bottom, top), inverse)
    x_k, w_k = gather_elementwise(cumwidths, index), gather_elementwise(widths, index)
    y_k, h_k = gather_elementwise(cumheights, index), gather_elementwise(heights, index)
    s_k = gather_elementwise(slopes, index)
    ratio_left = gather_elementwise(derivatives, index) / s_k
    ratio_right = gather_elementwise(derivatives[..., 1:], index) / s_k
    a = ratio_left
    b = 3 - 2 * ratio_left - ratio_right
    c = ratio_left + ratio_right - 2

    if inverse:
        if num_iterations is None:
            num_iterations = 60 if inputs.dtype == torch.float64 else 30
        theta = _solve_monotone_cubic((unit - y_k) / h_k, a, b, c, num_iterations)
        outputs = left + (right - left) * (x_k + theta * w_k)
        _, derivative = _cubic(theta, a, b, c)
    else:
        theta = (unit - x_k) / w_k
        value, derivative = _cubic(theta, a, b, c)
        outputs = bottom + (top - bottom) * (y_k + h_k * value)
    logabsdet = torch.log(s_k * derivative) + log_scale
    return outputs, (-logabsdet if inverse else logabsdet)


def unconstrained_cubic_spline(inputs: Tensor, unnormalized_widths: Tensor,
                               unnormalized_heights: Tensor, unnorm_derivatives_left: Tensor,
                               unnorm_derivatives_right: Tensor, inverse: bool = False,
                               tail_bound: float = 1.0, tails: str | None = "linear",
                               min_bin_width: float = DEFAULT_MIN_BIN_WIDTH,
                               min_bin_height: float = DEFAULT_MIN_BIN_HEIGHT,
                               min_derivative: float = DEFAULT_MIN_DERIVATIVE,
                               num_iterations: int | None = None) -> tuple[Tensor, Tensor]:
    r"""Monotone cubic spline on :math:`[-B, B]` with tails (see :func:`with_tails`); continuous
    at :math:`\pm B` (the end derivatives are learned, so not C1 there).

    Args:
        inputs: any shape ``S``.
        unnormalized_widths, unnormalized_heights: shape ``S + (K,)``.
        unnorm_derivatives_left, unnorm_derivatives_right: shape ``S + (1,)``.
        inverse: compute the inverse map.
        tail_bound: :math:`B`.
        tails: ``'linear'``, ``'circular'`` or None.
        min_bin_width, min_bin_height, min_derivative, num_iterations: as in
            :func:`cubic_spline`.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> x = torch.tensor([-3.0, 0.5, 3.0])
        >>> w, h = torch.randn(3, 4), torch.randn(3, 4)
        >>> dl, dr = torch.randn(3, 1), torch.randn(3, 1)
        >>> y, logabsdet = unconstrained_cubic_spline(x, w, h, dl, dr, tail_bound=2.0)
        >>> y[[0, 2]].tolist(), logabsdet[[0, 2]].tolist()
        ([-3.0, 3.0], [0.0, 0.0])
    """
    def spline(x: Tensor) -> tuple[Tensor, Tensor]:
        return cubic_spline(x, unnormalized_widths, unnormalized_heights, unnorm_derivatives_left,
                            unnorm_derivatives_right, inverse, **square_domain(tail_bound),
                            min_bin_width=min_bin_width, min_bin_height=min_bin_height,
                            min_derivative=min_derivative, num_iterations=num_iterations)

    return with_tails(inputs, tails, tail_bound, spline, "unconstrained_cubic_spline")
