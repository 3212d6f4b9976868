"""Log-CDF, log-survival and log-density of logistic distributions (broadcasting)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def _standardized(x: Tensor, means: Tensor, log_scales: Tensor) -> Tensor:
    return (x - means) * torch.exp(-log_scales)


def logistic_log_cdf(x: Tensor, means: Tensor, log_scales: Tensor) -> Tensor:
    """``log sigmoid((x - m) / s)``."""
    return F.logsigmoid(_standardized(x, means, log_scales))


def logistic_log_one_minus_cdf(x: Tensor, means: Tensor, log_scales: Tensor) -> Tensor:
    """``log(1 - sigmoid(u)) = -softplus(u)``, ``u = (x - m) / s``."""
    return -F.softplus(_standardized(x, means, log_scales))


def logistic_log_pdf(x: Tensor, means: Tensor, log_scales: Tensor) -> Tensor:
    """``log(sigmoid(u) (1 - sigmoid(u)) / s) = -u - 2 softplus(-u) - log s``.

    Example:
        >>> import torch
        >>> round(float(logistic_log_pdf(torch.zeros(1), torch.zeros(1), torch.zeros(1))), 4)
        -1.3863
    """
    u = _standardized(x, means, log_scales)
    return -u - 2 * F.softplus(-u) - log_scales
