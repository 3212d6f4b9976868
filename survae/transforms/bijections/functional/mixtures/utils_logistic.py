"""Log-CDF, log-survival and log-density of logistic distributions (broadcasting)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def _standardized(x: Tensor, means: Tensor, log_scales: Tensor) -> Tensor:
    return (x - means) * torch.exp(-log_scales)


def logistic_log_cdf(x: Tensor, means: Tensor, log_scales: Tensor) -> Tensor:
    r""":math:`\log \sigma\bigl((x - m) / s\bigr)`."""
    return F.logsigmoid(_standardized(x, means, log_scales))


def logistic_log_one_minus_cdf(x: Tensor, means: Tensor, log_scales: Tensor) -> Tensor:
    r""":math:`\log(1 - \sigma(u)) = -\operatorname{softplus}(u)`, :math:`u = (x - m) / s`."""
    return -F.softplus(_standardized(x, means, log_scales))


def logistic_log_pdf(x: Tensor, means: Tensor, log_scales: Tensor) -> Tensor:
    r""":math:`\log\bigl(\sigma(u) (1 - \sigma(u)) / s\bigr)
    = -u - 2 \operatorname{softplus}(-u) - \log s`, :math:`u = (x - m) / s`.

    Example:
        >>> import torch
        >>> round(float(logistic_log_pdf(torch.zeros(1), torch.zeros(1), torch.zeros(1))), 4)
        -1.3863
    """
    u = _standardized(x, means, log_scales)
    return -u - 2 * F.softplus(-u) - log_scales
