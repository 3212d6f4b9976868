"""Shared pieces of the spline kernels: bins from unconstrained parameters, bin search, tails.

Every kernel works elementwise on ``inputs`` of any shape ``S`` with parameters of shape
``S + (P,)``. The helpers here never loop over bins (a fused count or ``torch.searchsorted``)
and never let a NaN
reach a gradient: out-of-bound inputs are swapped for a safe in-range value *before* the spline
branch is evaluated, so both branches of the final ``torch.where`` are finite.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

DEFAULT_MIN_BIN_WIDTH = 1e-3
DEFAULT_MIN_BIN_HEIGHT = 1e-3
DEFAULT_MIN_DERIVATIVE = 1e-3

TAILS = ("linear", "circular", None)

SplineFn = Callable[[Tensor], tuple[Tensor, Tensor]]


def check_min_bin_size(num_bins: int, min_size: float) -> None:
    """Raise ``ValueError`` unless ``K`` bins of at least ``min_size`` fit in the interval."""
    if min_size * num_bins > 1.0:
        raise ValueError(f"minimal bin size {min_size} is too large for {num_bins} bins")


def with_ends(inner: Tensor, first: float, last: float) -> Tensor:
    """``[first, inner..., last]`` along the last axis (one ``cat``: cheaper than two pads)."""
    end = inner.new_empty(()).expand(*inner.shape[:-1], 1)
    return torch.cat([end.new_full(end.shape, first), inner, end.new_full(end.shape, last)], -1)


def bin_knots(probs: Tensor, low: float, high: float, min_size: float) -> Tensor:
    r"""The :math:`K + 1` knots
    :math:`\ell, \ell + (h - \ell) \operatorname{cumsum}(m + (1 - K m) \pi), \dots, h` of the
    partition of :math:`[\ell, h]` = ``[low, high]`` given by the bin probabilities :math:`\pi` =
    ``probs`` (``S + (K,)``, rows summing to one; :math:`m` = ``min_size``); the end knots are
    exact."""
    fractions = probs[..., :-1] * (1 - min_size * probs.shape[-1]) + min_size
    return with_ends(torch.cumsum(fractions, dim=-1) * (high - low) + low, low, high)


def normalized_bins(
    unnormalized: Tensor, low: float, high: float, min_size: float
) -> tuple[Tensor, Tensor]:
    r"""Bin sizes and knots of a partition of ``[low, high]`` into ``K`` bins.

    The fractions are :math:`m + (1 - K m) \operatorname{softmax}(u)` (:math:`m` = ``min_size``,
    :math:`u` = ``unnormalized``), so every bin has at least ``min_size`` of the interval; the end
    knots are exactly ``low`` and ``high``.

    Args:
        unnormalized: shape ``S + (K,)``.
        low, high: the interval.
        min_size: minimal fraction of the interval per bin (:math:`K m \le 1`).

    Returns:
        sizes of shape ``S + (K,)`` and knots of shape ``S + (K + 1,)``.

    Example:
        >>> import torch
        >>> sizes, knots = normalized_bins(torch.zeros(2), -1.0, 1.0, 1e-3)
        >>> knots.tolist()
        [-1.0, 0.0, 1.0]
    """
    check_min_bin_size(unnormalized.shape[-1], min_size)
    knots = bin_knots(torch.softmax(unnormalized, dim=-1), low, high, min_size)
    return knots[..., 1:] - knots[..., :-1], knots


def search_bins(knots: Tensor, inputs: Tensor) -> Tensor:
    r"""Index :math:`k \in \{0, \dots, K-1\}` of the bin :math:`[t_k, t_{k+1})` (:math:`t` =
    ``knots``) holding each input.

    Only the interior knots are searched, so inputs at (or rounding past) the end knots fall in
    the first or last bin, never out of range. Up to 64 bins the index is the count of interior
    knots ``<= input`` (one fused comparison and sum: faster than ``torch.searchsorted`` on the
    few bins of a flow, eager or compiled); beyond, a binary search.

    Example:
        >>> import torch
        >>> search_bins(torch.tensor([0.0, 0.5, 1.0]).expand(3, 3), torch.tensor([0.0, 0.5, 1.0]))
        tensor([0, 1, 1])
    """
    inner = knots[..., 1:-1]
    if inner.shape[-1] < 64:
        return (inner <= inputs.unsqueeze(-1)).sum(-1)
    index = torch.searchsorted(inner.contiguous(), inputs.unsqueeze(-1).contiguous(), right=True)
    return index.squeeze(-1)


def square_domain(bound: float) -> dict[str, float]:
    """The bounded kernels' domain keywords for :math:`[-B, B]` onto itself."""
    bound = float(bound)
    return {"left": -bound, "right": bound, "bottom": -bound, "top": bound}


def locate_bins(inputs: Tensor, x_knots: Tensor, y_knots: Tensor,
                domain: tuple[float, float, float, float], inverse: bool):
    """The input in unit coordinates (``[0, 1]`` of the input side: ``x`` forward, ``y`` if
    ``inverse``), the index of its bin (searched in those knots) and ``log`` of the domain's
    aspect ``(top - bottom) / (right - left)``."""
    left, right, bottom, top = domain
    low, high, knots = (bottom, top, y_knots) if inverse else (left, right, x_knots)
    unit = (inputs - low) / (high - low)
    return unit, search_bins(knots, unit), math.log((top - bottom) / (right - left))


def gather_elementwise(tensor: Tensor, idx_tensor: Tensor) -> Tensor:
    """``tensor[..., idx]`` elementwise (``tensor``: ``S + (M,)``, ``idx_tensor``: ``S``)."""
    return tensor.gather(-1, idx_tensor.unsqueeze(-1)).squeeze(-1)


def searchsorted(bin_locations: Tensor, inputs: Tensor, eps: float = 1e-6) -> Tensor:
    """Index of the bin holding each input: the count of knots ``<= input``, minus one, with the
    last knot raised by ``eps`` so an input on it falls in the last bin (official helper; unlike
    the original, ``bin_locations`` is not modified).

    Example:
        >>> import torch
        >>> searchsorted(torch.tensor([[0.0, 0.5, 1.0]]), torch.tensor([1.0])).tolist()
        [1]
    """
    last = bin_locations[..., -1:] + eps
    knots = torch.cat([bin_locations[..., :-1], last], dim=-1)
    return (inputs.unsqueeze(-1) >= knots).sum(-1) - 1


def cbrt(x: Tensor) -> Tensor:
    r"""Real cube root, :math:`\operatorname{sign}(x) |x|^{1/3}` (defined for negative
    :math:`x`)."""
    return torch.sign(x) * x.abs().pow(1.0 / 3.0)


def inverse_softplus(value: float) -> float:
    r"""The unconstrained value :math:`u` with :math:`\operatorname{softplus}(u)` = ``value`` (a
    Python float)."""
    return math.log(math.expm1(value))


def check_num_params(name: str, params: Tensor, expected: int, what: str) -> None:
    """Raise ``ValueError`` if the last dimension of ``params`` is not ``expected``."""
    if params.shape[-1] != expected:
        raise ValueError(
            f"{name}: expected {expected} {what} in the last dimension, got shape "
            f"{tuple(params.shape)}"
        )


def check_tails(name: str, tails: str | None, supported: tuple = TAILS) -> None:
    """Raise ``ValueError`` for an unknown or unsupported tail type."""
    if tails not in supported:
        raise ValueError(f"{name}: tails must be one of {supported}, got {tails!r}")


def with_tails(inputs: Tensor, tails: str | None, tail_bound: float, spline: SplineFn,
               name: str = "spline"):
    r"""Apply ``spline`` (a map of :math:`[-B, B]` onto itself) with the given tails (checked first,
    errors naming the kernel ``name``).

    - ``'linear'``: identity with log-det 0 outside the open interval :math:`(-B, B)`; the spline
      branch sees ``0`` for those elements, so values *and* gradients stay finite (also for
      all-tail batches, huge inputs and inf);
    - ``'circular'``: the periodic lift :math:`f(x + 2Bn) = f(x) + 2Bn` of a circle map, so any
      real input is valid (angles in :math:`[-B, B)` with :math:`B = \pi` map to themselves);
    - ``None``: the bare spline; inputs must lie in :math:`[-B, B]`.

    Returns:
        outputs :math:`y` and elementwise :math:`\log|dy/dx|` (both of the shape of ``inputs``).
    """
    check_tails(name, tails)
    if tails is None:
        return spline(inputs)
    if tails == "linear":
        inside = (inputs > -tail_bound) & (inputs < tail_bound)
        outputs, logabsdet = spline(torch.where(inside, inputs, 0.0))
        outputs = torch.where(inside, outputs, inputs)
        logabsdet = torch.where(inside, logabsdet, 0.0)
        return outputs, logabsdet
    period = 2 * tail_bound  # circular
    shift = period * torch.floor((inputs.detach() + tail_bound) / period)
    shift = torch.where(torch.isfinite(shift), shift, torch.zeros_like(shift))
    outputs, logabsdet = spline((inputs - shift).clamp(-tail_bound, tail_bound))
    return outputs + shift, logabsdet
