r"""Monotone piecewise-quadratic splines (Müller et al., 2019), with linear or circular tails.

The map is the CDF of a continuous piecewise-linear density on :math:`K` bins of learned widths
:math:`w_k`, with density values :math:`p_k > 0` at the :math:`K + 1` knots (normalized to unit
mass). In bin :math:`k`, with :math:`\alpha = (x - x_k) / w_k` (unit square coordinates):

.. math::
    y = y_k + w_k \alpha \left(p_k + \tfrac{\alpha}{2} (p_{k+1} - p_k)\right),
    \qquad \frac{dy}{dx} = p_k + \alpha (p_{k+1} - p_k),

and the inverse solves the quadratic :math:`a \alpha^2 + b \alpha = \Delta y` (with
:math:`\Delta y = y - y_k`, :math:`a = w_k (p_{k+1} - p_k) / 2`, :math:`b = w_k p_k > 0`) in its
cancellation-free form :math:`\alpha = 2 \Delta y / \bigl(b + \sqrt{b^2 + 4 a \Delta y}\bigr)`
(discriminant clamped at 0).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from survae.transforms.bijections.functional.splines.utils import (
    DEFAULT_MIN_BIN_HEIGHT,
    DEFAULT_MIN_BIN_WIDTH,
    check_num_params,
    check_tails,
    gather_elementwise,
    locate_bins,
    normalized_bins,
    square_domain,
    with_tails,
)


def _knot_densities(widths: Tensor, unnormalized_heights: Tensor, min_bin_height: float) -> Tensor:
    """Density at the :math:`K + 1` knots, of unit mass and at least ``min_bin_height``.

    With :math:`K - 1` unnormalized heights the two boundary values are set so that, after
    normalization, the density there is exactly 1 (derivative 1 at the bounds: C1 linear tails).
    """
    num_bins = widths.shape[-1]
    values = torch.exp(unnormalized_heights - unnormalized_heights.detach().amax(-1, keepdim=True))
    if values.shape[-1] == num_bins - 1:
        if num_bins < 2:
            raise ValueError("quadratic_spline: K - 1 heights need at least 2 bins")
        # Mass of the interior values (boundary values 0), then the boundary value c solving
        # c = c (w_0 + w_{K-1}) / 2 + interior_mass: after dividing by the mass it equals 1.
        padded = F.pad(values, (1, 1))
        interior_mass = (widths * (padded[..., :-1] + padded[..., 1:]) / 2).sum(-1, keepdim=True)
        boundary = interior_mass / (1 - (widths[..., :1] + widths[..., -1:]) / 2)
        values = torch.cat([boundary, values, boundary], dim=-1)
    mass = (widths * (values[..., :-1] + values[..., 1:]) / 2).sum(-1, keepdim=True)
    return min_bin_height + (1 - min_bin_height) * values / mass


def quadratic_spline(inputs: Tensor, unnormalized_widths: Tensor, unnormalized_heights: Tensor,
                     inverse: bool = False, left: float = 0.0, right: float = 1.0,
                     bottom: float = 0.0, top: float = 1.0,
                     min_bin_width: float = DEFAULT_MIN_BIN_WIDTH,
                     min_bin_height: float = DEFAULT_MIN_BIN_HEIGHT) -> tuple[Tensor, Tensor]:
    r"""Piecewise-quadratic spline from ``[left, right]`` onto ``[bottom, top]``, elementwise.

    Args:
        inputs: any shape ``S``, in ``[left, right]`` (``[bottom, top]`` if ``inverse``).
        unnormalized_widths: shape ``S + (K,)``.
        unnormalized_heights: log-densities at the knots, shape ``S + (K + 1,)``; or
            ``S + (K - 1,)`` (interior knots) with the boundary density fixed to give slope
            :math:`(\mathrm{top} - \mathrm{bottom}) / (\mathrm{right} - \mathrm{left})` at both
            ends.
        inverse: compute the inverse map.
        left, right, bottom, top: domain and range.
        min_bin_width: minimal fraction of ``[left, right]`` per bin.
        min_bin_height: floor of the (unit-square) density: :math:`m + (1 - m) p` with
            :math:`m` = ``min_bin_height``.

    Returns:
        outputs :math:`y` and :math:`\log|dy/dx|`, both of shape ``S``.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> x, w, h = torch.rand(4), torch.randn(4, 5), torch.randn(4, 6)
        >>> y, logabsdet = quadratic_spline(x, w, h)
        >>> torch.allclose(quadratic_spline(y, w, h, inverse=True)[0], x, atol=1e-5)
        True
    """
    num_bins = unnormalized_widths.shape[-1]
    if unnormalized_heights.shape[-1] != num_bins - 1:
        check_num_params("quadratic_spline", unnormalized_heights, num_bins + 1, "heights")
    widths, cumwidths = normalized_bins(unnormalized_widths, 0.0, 1.0, min_bin_width)
    densities = _knot_densities(widths, unnormalized_heights, min_bin_height)
    masses = widths * (densities[..., :-1] + densities[..., 1:]) / 2
    cdf = F.pad(torch.cumsum(masses, dim=-1), (1, 0))
    unit, index, log_scale = locate_bins(inputs, cumwidths, cdf, (left, right, bottom, top),
                                         inverse)
    x_k, w_k = gather_elementwise(cumwidths, index), gather_elementwise(widths, index)
    y_k = gather_elementwise(cdf, index)
    p_k, p_k1 = gather_elementwise(densities, index), gather_elementwise(densities[..., 1:], index)

    if inverse:
        dy = unit - y_k
        a, b = w_k * (p_k1 - p_k) / 2, w_k * p_k
        alpha = 2 * dy / (b + torch.sqrt((b.pow(2) + 4 * a * dy).clamp(min=0)))
        outputs = left + (right - left) * (x_k + alpha * w_k)
    else:
        alpha = (unit - x_k) / w_k
        unit = y_k + w_k * alpha * (p_k + alpha * (p_k1 - p_k) / 2)
        outputs = bottom + (top - bottom) * unit
    logabsdet = torch.log(p_k + alpha * (p_k1 - p_k)) + log_scale
    return outputs, (-logabsdet if inverse else logabsdet)


def unconstrained_quadratic_spline(inputs: Tensor, unnormalized_widths: Tensor,
                                   unnormalized_heights: Tensor, inverse: bool = False,
                                   tail_bound: float = 1.0, tails: str | None = "linear",
                                   min_bin_width: float = DEFAULT_MIN_BIN_WIDTH,
                                   min_bin_height: float = DEFAULT_MIN_BIN_HEIGHT) -> tuple[Tensor,
                                   Tensor]:
    r"""Piecewise-quadratic spline on :math:`[-B, B]` with tails (see :func:`with_tails`).

    With ``tails='linear'`` or ``'circular'``, ``unnormalized_heights`` has :math:`K - 1` entries
    and the boundary density gives slope 1 at :math:`\pm B`: the map is C1 everywhere (also
    across the period for circular tails). With ``tails=None`` it has :math:`K + 1` entries.

    Args:
        inputs: any shape ``S``.
        unnormalized_widths: shape ``S + (K,)``.
        unnormalized_heights: shape ``S + (K - 1,)`` (tails) or ``S + (K + 1,)`` (None).
        inverse: compute the inverse map.
        tail_bound: :math:`B`.
        tails: ``'linear'``, ``'circular'`` or None.
        min_bin_width, min_bin_height: as in :func:`quadratic_spline`.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> x = torch.tensor([-3.0, 0.5, 3.0])
        >>> w, h = torch.randn(3, 4), torch.randn(3, 3)
        >>> y, logabsdet = unconstrained_quadratic_spline(x, w, h, tail_bound=2.0)
        >>> y[[0, 2]].tolist(), logabsdet[[0, 2]].tolist()
        ([-3.0, 3.0], [0.0, 0.0])
    """
    name = "unconstrained_quadratic_spline"
    check_tails(name, tails)
    num_bins = unnormalized_widths.shape[-1]
    expected = num_bins + 1 if tails is None else num_bins - 1
    check_num_params(name, unnormalized_heights, expected, "heights")

    def spline(x: Tensor) -> tuple[Tensor, Tensor]:
        return quadratic_spline(x, unnormalized_widths, unnormalized_heights, inverse,
                                **square_domain(tail_bound), min_bin_width=min_bin_width,
                                min_bin_height=min_bin_height)

    return with_tails(inputs, tails, tail_bound, spline)
