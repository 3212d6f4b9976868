"""Gaussian-mixture CDF transform: the real line onto :math:`(0, 1)` (Flow++ with Gaussians)."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from survae.transforms.bijections.functional.mixtures.params import (
    mixture_transform,
    scale_bracket,
)


def gaussian_mixture_cdf(x: Tensor, log_w: Tensor, means: Tensor, log_scales: Tensor):
    r""":math:`F(x) = \sum_j w_j \Phi\bigl((x - \mu_j) / s_j\bigr)` and :math:`\log F'(x)`,
    elementwise (``log_w`` normalized, components in the last axis)."""
    u = (x.unsqueeze(-1) - means) * torch.exp(-log_scales)
    cdf = (log_w.exp() * torch.special.ndtr(u)).sum(-1)
    log_pdf = -0.5 * u**2 - 0.5 * math.log(2 * math.pi) - log_scales
    return cdf, torch.logsumexp(log_w + log_pdf, dim=-1)


def gaussian_mixture_transform(inputs: Tensor, logit_weights: Tensor, means: Tensor,
                               log_scales: Tensor, eps: float = 1e-10, max_iters: int = 100,
                               inverse: bool = False):
    r"""Univariate Gaussian-mixture CDF, elementwise (parameters in the last axis).

    - forward: :math:`(z, \log dz/dx)` with :math:`z = F(x)`;
    - inverse (``inverse=True``): :math:`x = F^{-1}(z)` by bisection (``eps``, ``max_iters``).

    Example:
        >>> import torch
        >>> w, m, s = torch.zeros(3, 2), torch.tensor([[-1.0, 1.0]]).expand(3, 2), torch.zeros(3, 2)
        >>> x = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64)
        >>> z, _ = gaussian_mixture_transform(x, w.double(), m.double(), s.double())
        >>> x_back = gaussian_mixture_transform(z, w.double(), m.double(), s.double(), inverse=True)
        >>> torch.allclose(x_back, x)
        True
    """
    return mixture_transform(gaussian_mixture_cdf, inputs, logit_weights, means, log_scales,
                             scale_bracket(means, log_scales) if inverse else None,
                             eps, max_iters, inverse)
