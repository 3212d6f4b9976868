"""Censored logistic-mixture CDF transform: :math:`[0, 1]` onto itself for data dequantized in
``num_bins`` bins (see :mod:`.utils_logistic_censored`)."""

from __future__ import annotations

import torch
from torch import Tensor

from survae.transforms.bijections.functional.mixtures.params import mixture_transform
from survae.transforms.bijections.functional.mixtures.utils_logistic_censored import (
    cmol_cdf,
    cmol_log_pdf,
)

MIN_LOG_SCALE = -7.0


def censored_logistic_mixture_cdf(x: Tensor, log_w: Tensor, means: Tensor, log_scales: Tensor,
                                  num_bins: int):
    r""":math:`F_c(x) = \sum_j w_j F_{c,j}(x)` and :math:`\log F_c'(x)`, elementwise."""
    cdf = (log_w.exp() * cmol_cdf(x, means, log_scales, num_bins)).sum(-1)
    return cdf, torch.logsumexp(log_w + cmol_log_pdf(x, means, log_scales, num_bins), dim=-1)


def censored_logistic_mixture_transform(inputs: Tensor, logit_weights: Tensor, means: Tensor,
                                        log_scales: Tensor, num_bins: int = 256,
                                        eps: float = 1e-10, max_iters: int = 100,
                                        inverse: bool = False):
    r"""Censored logistic-mixture CDF on :math:`[0, 1]` (log-scales clamped at -7): forward
    :math:`(F_c(x), \log F_c'(x))`, inverse by bisection on :math:`[0, 1]` from 0.5.

    Example:
        >>> import torch
        >>> w, m, s = (torch.zeros(2, 3, dtype=torch.float64) for _ in range(3))
        >>> x = torch.tensor([0.0, 1.0], dtype=torch.float64)
        >>> censored_logistic_mixture_transform(x, w, m, s, num_bins=16)[0].tolist()
        [0.0, 1.0]
    """
    log_scales = log_scales.clamp(min=MIN_LOG_SCALE)

    def cdf(x, log_w, means, log_scales):
        return censored_logistic_mixture_cdf(x, log_w, means, log_scales, num_bins)

    bracket = (torch.zeros_like(inputs), torch.ones_like(inputs), torch.full_like(inputs, 0.5))
    return mixture_transform(cdf, inputs, logit_weights, means, log_scales,
                             bracket if inverse else None, eps, max_iters, inverse)
