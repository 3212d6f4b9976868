r"""Censored logistic components on ``[0, 1]`` (PixelCNN++'s censoring, as a continuous map).

With :math:`K` bins, :math:`t = K (2x - 1) / (K - 1)` and :math:`c = K / (K - 1)`, a component's
mass below :math:`-c` (:math:`L`) is spread uniformly over the first bin :math:`[0, 1/K)` and the
mass above :math:`c` (:math:`U`) over the last, so the component's CDF maps :math:`[0, 1]` onto
itself:

.. math::

    F_c(x) = F(t) - L (1 - K x)\, [x < 1/K] + U (K x - K + 1)\, [x > 1 - 1/K].
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from survae.transforms.bijections.functional.mixtures.utils_logistic import (
    logistic_log_cdf,
    logistic_log_one_minus_cdf,
    logistic_log_pdf,
)


def _pieces(x: Tensor, K: int):
    x = x.unsqueeze(-1)
    c = K / (K - 1)
    return x, c, c * (2 * x - 1), x < 1 / K, x > 1 - 1 / K


def cmol_cdf(x: Tensor, means: Tensor, log_scales: Tensor, K: int) -> Tensor:
    """Per-component censored CDFs :math:`F_c(x)`, shape ``(*x.shape, M)``.

    Example:
        >>> import torch
        >>> m, s = torch.zeros(1, 2), torch.zeros(1, 2)
        >>> cmol_cdf(torch.tensor([1.0]), m, s, 16).tolist()
        [[1.0, 1.0]]
    """
    x, c, t, first, last = _pieces(x, K)
    mass_lower = logistic_log_cdf(-c, means, log_scales).exp()
    mass_upper = logistic_log_one_minus_cdf(c, means, log_scales).exp()
    cdf = logistic_log_cdf(t, means, log_scales).exp()
    cdf = cdf - torch.where(first, mass_lower * (1 - K * x), 0.0)
    return cdf + torch.where(last, mass_upper * (K * x - K + 1), 0.0)


def cmol_log_pdf(x: Tensor, means: Tensor, log_scales: Tensor, K: int) -> Tensor:
    r"""Per-component :math:`\log F_c'(x)`, shape ``(*x.shape, M)``."""
    x, c, t, first, last = _pieces(x, K)
    log_mid = math.log(2 * c) + logistic_log_pdf(t, means, log_scales)
    log_k = math.log(K)
    log_first = torch.where(first, log_k + logistic_log_cdf(-c, means, log_scales), -math.inf)
    log_last = torch.where(last, log_k + logistic_log_one_minus_cdf(c, means, log_scales),
                           -math.inf)
    return torch.logsumexp(torch.stack([log_first, log_mid, log_last]), dim=0)
