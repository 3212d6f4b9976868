"""Monotone rational-quadratic splines (Durkan et al., 2019), with linear or circular tails.

Inside ``[left, right]`` the map is piecewise rational-quadratic with ``K`` bins whose widths,
heights and knot derivatives come from unconstrained parameters; in bin ``k`` with
``theta = (x - x_k) / w_k``, ``s_k = h_k / w_k``:

.. math::
    y = y_k + \\frac{h_k [s_k \\theta^2 + d_k \\theta (1 - \\theta)]}
                    {s_k + (d_{k+1} + d_k - 2 s_k) \\theta (1 - \\theta)},
    \\qquad
    \\frac{dy}{dx} = \\frac{s_k^2 [d_{k+1} \\theta^2 + 2 s_k \\theta (1 - \\theta)
                               + d_k (1-\\theta)^2]}
                         {[s_k + (d_{k+1} + d_k - 2 s_k) \\theta (1 - \\theta)]^2}.

The inverse solves a quadratic in ``theta``, picking the cancellation-free of the two equivalent
root formulas by the sign of the linear coefficient (discriminant clamped at zero).
``unconstrained_rational_quadratic_spline`` adds tails on ``[-B, B]``: linear tails (identity
outside, boundary derivatives fixed to 1 so the map is C1) or circular ones (a periodic circle
map: the boundary derivatives are tied, ``d_0 = d_K``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from survae.transforms.bijections.functional.splines.utils import (
    DEFAULT_MIN_BIN_HEIGHT,
    DEFAULT_MIN_BIN_WIDTH,
    DEFAULT_MIN_DERIVATIVE,
    check_num_params,
    check_tails,
    inverse_softplus,
    search_bins,
    with_tails,
)


def _knots(unnormalized: Tensor, low: float, high: float, min_size: float) -> Tensor:
    """The ``K + 1`` knots of ``normalized_bins`` (end knots exactly ``low`` and ``high``)."""
    num_bins = unnormalized.shape[-1]
    if min_size * num_bins > 1.0:
        raise ValueError(f"minimal bin size {min_size} is too large for {num_bins} bins")
    fractions = torch.softmax(unnormalized, dim=-1) * (1 - min_size * num_bins) + min_size
    inner = torch.cumsum(fractions[..., :-1], dim=-1) * (high - low) + low
    return F.pad(F.pad(inner, (1, 0), value=low), (0, 1), value=high)


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

    Widths and heights are ``min + (1 - K min) softmax(.)`` fractions of the intervals and the
    knot derivatives ``min_derivative + softplus(.)``.

    Args:
        inputs: any shape ``S``, in ``[left, right]`` (``[bottom, top]`` if ``inverse``).
        unnormalized_widths, unnormalized_heights: shape ``S + (K,)``.
        unnormalized_derivatives: shape ``S + (K + 1,)``, one per knot.
        inverse: compute the inverse map.
        left, right, bottom, top: domain and range.
        min_bin_width, min_bin_height, min_derivative: floors keeping the map well conditioned.

    Returns:
        outputs of shape ``S`` and ``log|d outputs / d inputs|`` of shape ``S`` (of the map that
        was applied: for ``inverse=True`` it is minus the forward log-derivative at the output).

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> x = torch.rand(5)
        >>> w, h, d = torch.randn(5, 4), torch.randn(5, 4), torch.randn(5, 5)
        >>> y, logabsdet = rational_quadratic_spline(x, w, h, d)
        >>> x_back, inverse_logabsdet = rational_quadratic_spline(y, w, h, d, inverse=True)
        >>> torch.allclose(x_back, x, atol=1e-5), torch.allclose(inverse_logabsdet, -logabsdet)
        (True, True)
    """
    num_bins = unnormalized_widths.shape[-1]
    check_num_params("rational_quadratic_spline", unnormalized_heights, num_bins, "heights")
    check_num_params(
        "rational_quadratic_spline", unnormalized_derivatives, num_bins + 1, "derivatives"
    )
    cumwidths = _knots(unnormalized_widths, left, right, min_bin_width)
    cumheights = _knots(unnormalized_heights, bottom, top, min_bin_height)
    derivatives = F.softplus(unnormalized_derivatives) + min_derivative

    index = search_bins(cumheights if inverse else cumwidths, inputs)
    # Both ends of the bin in one gather per table (knots, heights, derivatives): the bin sizes
    # are differences of gathered knots, the same numbers as differences of all knots.
    pair = index.unsqueeze(-1)
    pair = torch.cat([pair, pair + 1], dim=-1)
    x_k, x_k1 = cumwidths.gather(-1, pair).unbind(-1)
    y_k, y_k1 = cumheights.gather(-1, pair).unbind(-1)
    d_k, d_k1 = derivatives.gather(-1, pair).unbind(-1)
    w_k, h_k = x_k1 - x_k, y_k1 - y_k
    s_k = h_k / w_k
    slack = d_k1 + d_k - 2 * s_k

    if inverse:
        dy = inputs - y_k
        a = torch.addcmul(h_k * (s_k - d_k), dy, slack)
        b = h_k * d_k - dy * slack
        c = -s_k * dy
        root = torch.sqrt((b.square() - 4 * a * c).clamp(min=0))
        # The root in [0, 1] without cancellation: 2c / (-b - root) if b >= 0, else
        # (-b + root) / 2a (then a > -b > 0, since a + b = h_k s_k > 0). The unused branch gets a
        # dummy denominator so no inf / NaN reaches the gradient through torch.where.
        positive = b >= 0
        theta = torch.where(
            positive,
            2 * c / torch.where(positive, -b - root, -1.0),
            (root - b) / torch.where(positive, 1.0, 2 * a),
        )
        outputs = torch.addcmul(x_k, theta, w_k)
        one_minus = 1 - theta
        theta_one_minus = theta * one_minus
        denominator = torch.addcmul(s_k, slack, theta_one_minus)
    else:
        theta = (inputs - x_k) / w_k
        one_minus = 1 - theta
        theta_one_minus = theta * one_minus
        denominator = torch.addcmul(s_k, slack, theta_one_minus)
        numerator = h_k * torch.addcmul(s_k * theta.square(), d_k, theta_one_minus)
        outputs = y_k + numerator / denominator

    # s_k^2 [d_{k+1} theta^2 + 2 s_k theta (1 - theta) + d_k (1 - theta)^2]
    derivative_numerator = s_k.square() * torch.addcmul(
        torch.addcmul(d_k1 * theta.square(), 2 * s_k, theta_one_minus), d_k, one_minus.square()
    )
    logabsdet = torch.log(derivative_numerator) - 2 * torch.log(denominator)
    return outputs, (-logabsdet if inverse else logabsdet)


def unconstrained_rational_quadratic_spline(
    inputs: Tensor,
    unnormalized_widths: Tensor,
    unnormalized_heights: Tensor,
    unnormalized_derivatives: Tensor,
    inverse: bool = False,
    tails: str | None = "linear",
    tail_bound: float = 1.0,
    min_bin_width: float = DEFAULT_MIN_BIN_WIDTH,
    min_bin_height: float = DEFAULT_MIN_BIN_HEIGHT,
    min_derivative: float = DEFAULT_MIN_DERIVATIVE,
) -> tuple[Tensor, Tensor]:
    """Rational-quadratic spline on ``[-B, B]`` with tails, defined for any real input.

    - ``tails='linear'``: identity (log-det 0) outside ``(-B, B)``; ``unnormalized_derivatives``
      has ``K - 1`` entries (interior knots), the boundary derivatives are 1 (C1 at ``+-B``);
    - ``tails='circular'``: periodic with period ``2B`` (use ``B = pi`` for angles); ``K``
      derivatives, the last knot reusing the first (``d_K = d_0``) so the circle map is C1;
    - ``tails=None``: the bare spline on ``[-B, B]`` with ``K + 1`` derivatives.

    Inputs at or beyond the bound, all-tail batches and huge values give finite outputs,
    log-dets and gradients (see :func:`with_tails`).

    Args:
        inputs: any shape ``S``.
        unnormalized_widths, unnormalized_heights: shape ``S + (K,)``.
        unnormalized_derivatives: shape ``S + (K - 1,)``, ``S + (K,)`` or ``S + (K + 1,)`` as above.
        inverse: compute the inverse map.
        tails: ``'linear'``, ``'circular'`` or None.
        tail_bound: ``B``.
        min_bin_width, min_bin_height, min_derivative: as in :func:`rational_quadratic_spline`.

    Returns:
        outputs and elementwise ``log|d outputs / d inputs|``, both of shape ``S``.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> x = torch.tensor([-5.0, 0.3, 5.0])
        >>> w, h, d = torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 3)
        >>> y, logabsdet = unconstrained_rational_quadratic_spline(x, w, h, d, tail_bound=2.0)
        >>> y[[0, 2]].tolist(), logabsdet[[0, 2]].tolist()
        ([-5.0, 5.0], [0.0, 0.0])
    """
    name = "unconstrained_rational_quadratic_spline"
    check_tails(name, tails)
    num_bins = unnormalized_widths.shape[-1]
    if tails == "linear":
        check_num_params(name, unnormalized_derivatives, num_bins - 1, "derivatives (K - 1)")
        boundary = inverse_softplus(1 - min_derivative)
        derivatives = F.pad(unnormalized_derivatives, (1, 1), value=boundary)
    elif tails == "circular":
        check_num_params(name, unnormalized_derivatives, num_bins, "derivatives (K)")
        derivatives = torch.cat([unnormalized_derivatives, unnormalized_derivatives[..., :1]], -1)
    else:
        check_num_params(name, unnormalized_derivatives, num_bins + 1, "derivatives (K + 1)")
        derivatives = unnormalized_derivatives

    def spline(x: Tensor) -> tuple[Tensor, Tensor]:
        return rational_quadratic_spline(
            x,
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

    return with_tails(inputs, tails, tail_bound, spline)
