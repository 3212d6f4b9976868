r"""Monotone rational-quadratic splines (Durkan et al., 2019), with linear or circular tails.

Inside :math:`[\mathrm{left}, \mathrm{right}]` the map is piecewise rational-quadratic with
:math:`K` bins whose widths, heights and knot derivatives come from unconstrained parameters; in
bin :math:`k` with :math:`\theta = (x - x_k) / w_k`, :math:`s_k = h_k / w_k`:

.. math::
    y = y_k + \frac{h_k [s_k \theta^2 + d_k \theta (1 - \theta)]}
                    {s_k + (d_{k+1} + d_k - 2 s_k) \theta (1 - \theta)},
    \qquad
    \frac{dy}{dx} = \frac{s_k^2 [d_{k+1} \theta^2 + 2 s_k \theta (1 - \theta)
                               + d_k (1-\theta)^2]}
                         {[s_k + (d_{k+1} + d_k - 2 s_k) \theta (1 - \theta)]^2}.

The inverse solves a quadratic in :math:`\theta`, picking the cancellation-free of the two
equivalent root formulas by the sign of the linear coefficient (discriminant clamped at zero).
``unconstrained_rational_quadratic_spline`` adds tails on :math:`[-B, B]`: linear tails (identity
outside, boundary derivatives fixed to 1 so the map is C1) or circular ones (a periodic circle
map: the boundary derivatives are tied, :math:`d_0 = d_K`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from survae.transforms.bijections.functional.splines.utils import (
    DEFAULT_MIN_BIN_HEIGHT,
    DEFAULT_MIN_BIN_WIDTH,
    DEFAULT_MIN_DERIVATIVE,
    bin_knots,
    check_min_bin_size,
    check_num_params,
    check_tails,
    inverse_softplus,
    search_bins,
    with_ends,
    with_tails,
)


def _knot_tables(unnormalized_bins: Tensor, domain: tuple[float, float, float, float],
                 min_bin_width: float, min_bin_height: float) -> Tensor:
    r"""The knots of the widths and of the heights (``unnormalized_bins``: ``S + (2, K)``, widths
    then heights) as one tensor ``S + (2, K + 1)``.

    Fractions :math:`m + (1 - K m) \operatorname{softmax}(u)` of ``[left, right]`` and
    ``[bottom, top]``, end knots exact. Both tables go through one softmax, one cumsum and one
    gather (the spline's cost on small tensors is the number of operations, not their size).
    """
    left, right, bottom, top = domain
    num_bins = unnormalized_bins.shape[-1]
    check_min_bin_size(num_bins, min_bin_width)
    check_min_bin_size(num_bins, min_bin_height)
    probs = torch.softmax(unnormalized_bins, dim=-1)
    if (left, right, min_bin_width) == (bottom, top, min_bin_height):
        return bin_knots(probs, left, right, min_bin_width)
    p_w, p_h = probs.unbind(-2)
    return torch.stack([bin_knots(p_w, left, right, min_bin_width),
                        bin_knots(p_h, bottom, top, min_bin_height)], dim=-2)


def _bin_ends(inputs: Tensor, tables: Tensor, unnormalized_derivatives: Tensor,
              min_derivative: float, inverse: bool) -> tuple[Tensor, ...]:
    """:math:`x_k, x_{k+1}, y_k, y_{k+1}, d_k, d_{k+1}` of the bin holding each input (searched in
    the knots of ``y`` if ``inverse``); the softplus only on the two derivatives used."""
    index = search_bins(tables[..., int(inverse), :], inputs).unsqueeze(-1)
    pair = torch.cat([index, index + 1], dim=-1)
    ends = tables.gather(-1, pair.unsqueeze(-2).expand(*pair.shape[:-1], 2, 2))
    (x_k, x_k1), (y_k, y_k1) = (e.unbind(-1) for e in ends.unbind(-2))
    derivatives = F.softplus(unnormalized_derivatives.gather(-1, pair)) + min_derivative
    return x_k, x_k1, y_k, y_k1, *derivatives.unbind(-1)


def rational_quadratic_spline(inputs: Tensor, unnormalized_widths: Tensor,
                              unnormalized_heights: Tensor, unnormalized_derivatives: Tensor,
                              inverse: bool = False, left: float = 0.0, right: float = 1.0,
                              bottom: float = 0.0, top: float = 1.0,
                              min_bin_width: float = DEFAULT_MIN_BIN_WIDTH,
                              min_bin_height: float = DEFAULT_MIN_BIN_HEIGHT,
                              min_derivative: float = DEFAULT_MIN_DERIVATIVE) -> tuple[Tensor,
                              Tensor]:
    r"""Rational-quadratic spline from ``[left, right]`` onto ``[bottom, top]``, elementwise.

    Widths and heights are :math:`m + (1 - K m) \operatorname{softmax}(\cdot)` fractions of the
    intervals (:math:`m` the minimal bin width or height) and the knot derivatives
    :math:`d_\mathrm{min} + \operatorname{softplus}(\cdot)` (:math:`d_\mathrm{min}` =
    ``min_derivative``).

    Args:
        inputs: any shape ``S``, in ``[left, right]`` (``[bottom, top]`` if ``inverse``).
        unnormalized_widths, unnormalized_heights: shape ``S + (K,)``.
        unnormalized_derivatives: shape ``S + (K + 1,)``, one per knot.
        inverse: compute the inverse map.
        left, right, bottom, top: domain and range.
        min_bin_width, min_bin_height, min_derivative: floors keeping the map well conditioned.

    Returns:
        outputs :math:`y` of shape ``S`` and :math:`\log|dy/dx|` of shape ``S`` (of the map that
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
    bins = torch.stack([unnormalized_widths, unnormalized_heights], dim=-2)
    return _spline(inputs, bins, unnormalized_derivatives, inverse, (left, right, bottom, top),
                   (min_bin_width, min_bin_height, min_derivative))


def _spline(inputs: Tensor, unnormalized_bins: Tensor, unnormalized_derivatives: Tensor,
            inverse: bool, domain: tuple[float, float, float, float],
            minimums: tuple[float, float, float]) -> tuple[Tensor, Tensor]:
    """:func:`rational_quadratic_spline` with widths and heights stacked, ``S + (2, K)``."""
    min_bin_width, min_bin_height, min_derivative = minimums
    tables = _knot_tables(unnormalized_bins, domain, min_bin_width, min_bin_height)
    x_k, x_k1, y_k, y_k1, d_k, d_k1 = _bin_ends(
        inputs, tables, unnormalized_derivatives, min_derivative, inverse
    )
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


def unconstrained_rational_quadratic_spline(inputs: Tensor, unnormalized_widths: Tensor,
                                            unnormalized_heights: Tensor,
                                            unnormalized_derivatives: Tensor, inverse: bool = False,
                                            tails: str | None = "linear", tail_bound: float = 1.0,
                                            min_bin_width: float = DEFAULT_MIN_BIN_WIDTH,
                                            min_bin_height: float = DEFAULT_MIN_BIN_HEIGHT,
                                            min_derivative: float = DEFAULT_MIN_DERIVATIVE,
                                            ) -> tuple[Tensor, Tensor]:
    r"""Rational-quadratic spline on :math:`[-B, B]` with tails, defined for any real input.

    - ``tails='linear'``: identity (log-det 0) outside :math:`(-B, B)`;
      ``unnormalized_derivatives`` has :math:`K - 1` entries (interior knots), the boundary
      derivatives are 1 (C1 at :math:`\pm B`);
    - ``tails='circular'``: periodic with period :math:`2B` (use :math:`B = \pi` for angles);
      :math:`K` derivatives, the last knot reusing the first (:math:`d_K = d_0`) so the circle map
      is C1;
    - ``tails=None``: the bare spline on :math:`[-B, B]` with :math:`K + 1` derivatives.

    Inputs at or beyond the bound, all-tail batches and huge values give finite outputs,
    log-dets and gradients (see :func:`with_tails`).

    Args:
        inputs: any shape ``S``.
        unnormalized_widths, unnormalized_heights: shape ``S + (K,)``.
        unnormalized_derivatives: shape ``S + (K - 1,)``, ``S + (K,)`` or ``S + (K + 1,)`` as above.
        inverse: compute the inverse map.
        tails: ``'linear'``, ``'circular'`` or None.
        tail_bound: :math:`B`.
        min_bin_width, min_bin_height, min_derivative: as in :func:`rational_quadratic_spline`.

    Returns:
        outputs :math:`y` and elementwise :math:`\log|dy/dx|`, both of shape ``S``.

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
    check_num_params(name, unnormalized_heights, unnormalized_widths.shape[-1], "heights")
    bins = torch.stack([unnormalized_widths, unnormalized_heights], dim=-2)
    return _unconstrained(name, inputs, bins, unnormalized_derivatives, inverse, tails,
                          tail_bound, (min_bin_width, min_bin_height, min_derivative))


def _unconstrained(name: str, inputs: Tensor, unnormalized_bins: Tensor,
                   unnormalized_derivatives: Tensor, inverse: bool, tails: str | None,
                   tail_bound: float,
                   minimums: tuple[float, float, float]) -> tuple[Tensor, Tensor]:
    """:func:`unconstrained_rational_quadratic_spline` with stacked widths and heights."""
    num_bins = unnormalized_bins.shape[-1]
    if tails == "linear":
        check_num_params(name, unnormalized_derivatives, num_bins - 1, "derivatives (K - 1)")
        boundary = inverse_softplus(1 - minimums[2])
        derivatives = with_ends(unnormalized_derivatives, boundary, boundary)
    elif tails == "circular":
        check_num_params(name, unnormalized_derivatives, num_bins, "derivatives (K)")
        derivatives = torch.cat([unnormalized_derivatives, unnormalized_derivatives[..., :1]], -1)
    else:
        check_num_params(name, unnormalized_derivatives, num_bins + 1, "derivatives (K + 1)")
        derivatives = unnormalized_derivatives
    domain = (-tail_bound, tail_bound, -tail_bound, tail_bound)
    return with_tails(
        inputs, tails, tail_bound,
        lambda x: _spline(x, unnormalized_bins, derivatives, inverse, domain, minimums),
    )


def packed_rational_quadratic_spline(inputs: Tensor, params: Tensor, num_bins: int,
                                     inverse: bool = False, tails: str | None = "linear",
                                     tail_bound: float | None = 1.0) -> tuple[Tensor, Tensor]:
    """The rational-quadratic spline with its parameters packed as a layer's network outputs
    them: ``params`` of shape ``S + (P,)`` holds ``K`` widths, ``K`` heights and the
    derivatives (``K - 1``, ``K`` or ``K + 1`` by ``tails``, as in
    :func:`unconstrained_rational_quadratic_spline`).

    Same values as the unpacked functions; the widths and heights are used as one view
    ``S + (2, K)`` (no copy), so their gradients flow back as one tensor. ``tails=None`` is the
    bounded spline on ``[-B, B]`` (``[0, 1]`` if ``tail_bound`` is None too), default minimums.

    Example:
        >>> import torch
        >>> x, params = torch.randn(3, 2), torch.randn(3, 2, 3 * 4 - 1)
        >>> y, logabsdet = packed_rational_quadratic_spline(x, params, 4, tail_bound=3.0)
        >>> w, h, d = params.split([4, 4, 3], -1)
        >>> torch.equal(y, unconstrained_rational_quadratic_spline(x, w, h, d, tail_bound=3.0)[0])
        True
    """
    name = "packed_rational_quadratic_spline"
    check_tails(name, tails)
    if params.shape[-1] <= 2 * num_bins:
        raise ValueError(f"{name}: expected more than 2K = {2 * num_bins} parameters in the last "
                         f"dimension, got shape {tuple(params.shape)}")
    bins, derivatives = params.split_with_sizes([2 * num_bins, params.shape[-1] - 2 * num_bins], -1)
    bins = bins.unflatten(-1, (2, num_bins))
    minimums = (DEFAULT_MIN_BIN_WIDTH, DEFAULT_MIN_BIN_HEIGHT, DEFAULT_MIN_DERIVATIVE)
    if tails is None:
        check_num_params(name, derivatives, num_bins + 1, "derivatives (K + 1)")
        bound = (0.0, 1.0) if tail_bound is None else (-tail_bound, tail_bound)
        return _spline(inputs, bins, derivatives, inverse, bound + bound, minimums)
    return _unconstrained(name, inputs, bins, derivatives, inverse, tails, tail_bound, minimums)
