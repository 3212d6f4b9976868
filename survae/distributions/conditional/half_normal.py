"""Half-normal distributions whose scale is given by a network of the context."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from survae.distributions.conditional._checks import check_matches
from survae.distributions.conditional.base import ConditionalDistribution
from survae.utils.tensors import sum_except_batch

_LOG_NORMALISER = math.log(2) - 0.5 * math.log(2 * math.pi)


class ConditionalHalfNormal(ConditionalDistribution):
    r"""Half-normal :math:`|\epsilon|\, \sigma(c)`, :math:`\epsilon \sim \mathcal{N}(0, I)`, with
    the log-scale from a network.

    .. math:: \log p(x|c) = \sum_i \Big[\log 2 - \tfrac12 \log 2\pi - \log \sigma_i(c)
              - \tfrac12 \big(x_i / \sigma_i(c)\big)^2\Big] \text{ if all } x_i \ge 0,
              \text{ else } -\infty.

    A decoder for non-negative quantities, e.g. the gaps below the maximum of a
    ``MaxPoolSurjection2d``: with a zero-initialised network (:math:`\log \sigma = 0`) it starts
    as the fixed ``StandardHalfNormal`` of the paper's MaxPoolFlow, of which it is a strict
    extension.
    Samples are reparametrized (:math:`\sigma |\epsilon|`).

    Args:
        net: module mapping the context to the log-scale, of the event shape.

    Example:
        >>> import torch
        >>> dist = ConditionalHalfNormal(torch.nn.Linear(3, 2))
        >>> context = torch.randn(4, 3)
        >>> x, log_prob = dist.sample_with_log_prob(context)
        >>> bool((x >= 0).all()), torch.allclose(log_prob, dist.log_prob(x, context), atol=1e-5)
        (True, True)
    """

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def log_scale(self, context) -> Tensor:
        r""":math:`\log \sigma(c)`, of shape ``(batch, *event)``."""
        return self.net(context)

    @staticmethod
    def _log_density(eps: Tensor, log_scale: Tensor) -> Tensor:
        return sum_except_batch(_LOG_NORMALISER - log_scale - 0.5 * eps**2)

    def log_prob(self, x: Tensor, context) -> Tensor:
        log_scale = self.log_scale(context)
        check_matches(type(self).__name__, x, log_scale.shape)
        outside = (x < 0).reshape(x.shape[0], -1).any(dim=1)
        return self._log_density(x * torch.exp(-log_scale), log_scale).masked_fill(
            outside, -math.inf
        )

    def sample(self, context) -> Tensor:
        return self.sample_with_log_prob(context)[0]

    def sample_with_log_prob(self, context) -> tuple[Tensor, Tensor]:
        log_scale = self.log_scale(context)
        eps = torch.randn_like(log_scale).abs()
        return eps * torch.exp(log_scale), self._log_density(eps, log_scale)
