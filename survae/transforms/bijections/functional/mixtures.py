"""Mixture-CDF kernels (Flow++, Ho et al., 2019) and batched bisection inversion.

For ``M`` components with parameters ``(w, mu, log s)`` per element (last axis, ``3M`` values:
weight logits, means, log-scales), the map is the mixture CDF

    z = F(x) = sum_j softmax(w)_j F_j((x - mu_j) / s_j),     log dz/dx = log sum_j pi_j f_j / s_j,

with ``F_j`` the standard Gaussian or logistic CDF: the real line onto ``(0, 1)``. The censored
logistic variant maps ``[0, 1]`` onto itself for data dequantized in ``K`` bins (PixelCNN++'s
censoring): with ``t = K (2x - 1) / (K - 1)`` and ``c = K / (K - 1)``, the logistic mass below
``-c`` (``L``) is spread uniformly over the first bin ``[0, 1/K)`` and the mass above ``c``
(``U``) over the last bin, ``F_c(x) = F(t) - L (1 - K x) [x < 1/K] + U (K x - K + 1)
[x > 1 - 1/K]``, so ``F_c(0) = 0`` and ``F_c(1) = 1``.

There is no closed-form inverse: :func:`bisection_inverse` halves a bracket per element (all
elements at once) until it is narrower than ``eps`` or ``max_iters`` halvings are done.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

MIN_LOG_SCALE = -7.0


def mixture_params(params: Tensor, num_mixtures: int) -> tuple[Tensor, Tensor, Tensor]:
    """Split ``(..., 3M)`` into log-weights (normalized), means and log-scales (clamped)."""
    if params.shape[-1] != 3 * num_mixtures:
        raise ValueError(f"mixture parameters: expected {3 * num_mixtures} values per element "
                         f"(3 x num_mixtures), got {params.shape[-1]}")
    logits, means, log_scales = params.split(num_mixtures, dim=-1)
    return F.log_softmax(logits, dim=-1), means, log_scales.clamp(min=MIN_LOG_SCALE)


def _standardize(x: Tensor, means: Tensor, log_scales: Tensor) -> Tensor:
    return (x.unsqueeze(-1) - means) * torch.exp(-log_scales)


def gaussian_mixture_cdf(x, log_w, means, log_scales) -> tuple[Tensor, Tensor]:
    """``F(x)`` and ``log F'(x)`` of a Gaussian mixture, elementwise."""
    u = _standardize(x, means, log_scales)
    cdf = (log_w.exp() * torch.special.ndtr(u)).sum(-1)
    log_pdf = -0.5 * u**2 - 0.5 * math.log(2 * math.pi) - log_scales
    return cdf, torch.logsumexp(log_w + log_pdf, dim=-1)


def logistic_mixture_cdf(x, log_w, means, log_scales) -> tuple[Tensor, Tensor]:
    """``F(x)`` and ``log F'(x)`` of a logistic mixture, elementwise."""
    u = _standardize(x, means, log_scales)
    cdf = (log_w.exp() * torch.sigmoid(u)).sum(-1)
    log_pdf = -u - 2 * F.softplus(-u) - log_scales  # log sigmoid(u) (1 - sigmoid(u)) / s
    return cdf, torch.logsumexp(log_w + log_pdf, dim=-1)


def censored_logistic_mixture_cdf(x, log_w, means, log_scales, num_bins: int):
    """``F_c(x)`` and ``log F_c'(x)`` of the censored logistic mixture on ``[0, 1]``."""
    k = float(num_bins)
    c = k / (k - 1)
    t = c * (2 * x - 1)
    u = _standardize(t, means, log_scales)
    log_lower = F.logsigmoid((-c - means) * torch.exp(-log_scales))  # log P(T < -c)
    log_upper = F.logsigmoid(-(c - means) * torch.exp(-log_scales))  # log P(T > c)
    w = log_w.exp()
    mass_lower, mass_upper = (w * log_lower.exp()).sum(-1), (w * log_upper.exp()).sum(-1)
    first, last = x < 1 / k, x > 1 - 1 / k
    cdf = (w * torch.sigmoid(u)).sum(-1)
    cdf = cdf - torch.where(first, mass_lower * (1 - k * x), torch.zeros_like(x))
    cdf = cdf + torch.where(last, mass_upper * (k * x - k + 1), torch.zeros_like(x))
    log_mid = math.log(2 * c) + torch.logsumexp(
        log_w - u - 2 * F.softplus(-u) - log_scales, dim=-1)
    neg_inf = torch.full_like(x, -math.inf)
    log_first = torch.where(first, math.log(k) + torch.logsumexp(log_w + log_lower, -1), neg_inf)
    log_last = torch.where(last, math.log(k) + torch.logsumexp(log_w + log_upper, -1), neg_inf)
    return cdf, torch.logsumexp(torch.stack([log_first, log_mid, log_last]), dim=0)


def bisection_inverse(fn: Callable[[Tensor], Tensor], z: Tensor, lower: Tensor, upper: Tensor,
                      eps: float = 1e-10, max_iters: int = 100) -> Tensor:
    """``x`` with ``fn(x) = z`` for an increasing elementwise ``fn`` and brackets
    ``fn(lower) <= z <= fn(upper)``; vectorized over all elements (no gradient).

    The number of halvings, ``ceil(log2(max width / eps))`` capped at ``max_iters``, is fixed
    up front (one host synchronisation), not tested after every step."""
    with torch.no_grad():
        lower, upper = lower.clone(), upper.clone()
        width = float((upper - lower).max()) if upper.numel() else 0.0
        steps = 0 if width <= eps else min(max_iters, math.ceil(math.log2(width / eps)))
        for _ in range(steps):
            mid = 0.5 * (lower + upper)
            above = fn(mid) > z
            upper = torch.where(above, mid, upper)
            lower = torch.where(above, lower, mid)
        return 0.5 * (lower + upper)
