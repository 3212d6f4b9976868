"""Logistic-mixture CDF transform: the real line onto :math:`(0, 1)` (Flow++)."""

from __future__ import annotations

import torch
from torch import Tensor

from survae.transforms.bijections.functional.mixtures.params import (
    mixture_transform,
    scale_bracket,
)
from survae.transforms.bijections.functional.mixtures.utils_logistic import logistic_log_pdf


def logistic_mixture_cdf(x: Tensor, log_w: Tensor, means: Tensor, log_scales: Tensor):
    r""":math:`F(x) = \sum_j w_j \sigma\bigl((x - \mu_j) / s_j\bigr)` and :math:`\log F'(x)`,
    elementwise."""
    x = x.unsqueeze(-1)
    cdf = (log_w.exp() * torch.sigmoid((x - means) * torch.exp(-log_scales))).sum(-1)
    return cdf, torch.logsumexp(log_w + logistic_log_pdf(x, means, log_scales), dim=-1)


def logistic_mixture_transform(inputs: Tensor, logit_weights: Tensor, means: Tensor,
                               log_scales: Tensor, eps: float = 1e-10, max_iters: int = 100,
                               inverse: bool = False):
    r"""Univariate logistic-mixture CDF, elementwise: forward :math:`(F(x), \log F'(x))`, inverse
    :math:`F^{-1}(z)` by bisection.

    Example:
        >>> import torch
        >>> w, m, s = (torch.zeros(2, 3, dtype=torch.float64) for _ in range(3))
        >>> z, ldj = logistic_mixture_transform(torch.zeros(2, dtype=torch.float64), w, m, s)
        >>> z.tolist(), [round(v, 4) for v in ldj.tolist()]
        ([0.5, 0.5], [-1.3863, -1.3863])
    """
    return mixture_transform(logistic_mixture_cdf, inputs, logit_weights, means, log_scales,
                             scale_bracket(means, log_scales) if inverse else None,
                             eps, max_iters, inverse)
