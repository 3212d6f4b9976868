"""Inversion of increasing elementwise maps without a closed-form inverse."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor


def bisection_inverse(fn: Callable[[Tensor], Tensor], z: Tensor, init_x: Tensor | None,
                      init_lower: Tensor, init_upper: Tensor, eps: float = 1e-10,
                      max_iters: int = 100) -> Tensor:
    r""":math:`x` with :math:`f(x) = z` for an increasing elementwise :math:`f` = ``fn``, by
    bisection.

    The bracket ``[init_lower, init_upper]`` must satisfy ``fn(lower) <= z <= fn(upper)``; the
    first split is at ``init_x`` (the midpoint when None), every later one at the midpoint. All
    elements are halved at once, a fixed number of times: until the widest bracket is narrower
    than ``eps`` (:math:`\lceil \log_2(\mathrm{width} / \epsilon) \rceil` halvings, one host
    synchronisation up front instead of one per step), at most ``max_iters``. No gradient flows
    through the search.

    Example:
        >>> import torch
        >>> z = torch.tensor([0.25, 8.0], dtype=torch.float64)
        >>> lower, upper = torch.zeros(2, dtype=torch.float64), torch.full((2,), 3.0).double()
        >>> x = bisection_inverse(lambda x: x**3, z, None, lower, upper)
        >>> [round(v, 8) for v in x.tolist()]
        [0.62996052, 2.0]
    """
    with torch.no_grad():
        lower, upper = init_lower.expand_as(z), init_upper.expand_as(z)
        width = float((upper - lower).max()) if z.numel() else 0.0
        steps = 0 if width <= eps else min(max_iters, math.ceil(math.log2(width / eps)))
        mid = 0.5 * (lower + upper) if init_x is None else init_x
        if init_x is not None and steps:
            steps = min(max_iters, steps + 1)  # an off-centre first split halves less
        for _ in range(steps):
            above = fn(mid) > z
            upper = torch.where(above, mid, upper)
            lower = torch.where(above, lower, mid)
            mid = 0.5 * (lower + upper)
        return mid
