"""Bernoulli variables whose logits are given by a network of the context."""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.distributions import Bernoulli as TorchBernoulli

from survae.distributions.bernoulli import bernoulli_log_prob, check_binary
from survae.distributions.conditional._checks import check_matches
from survae.distributions.conditional.base import ConditionalDistribution
from survae.utils.tensors import sum_except_batch


class ConditionalBernoulli(ConditionalDistribution):
    r"""Independent Bernoulli variables with logits :math:`\ell(c)` from a network.

    .. math:: \log p(x|c) = \sum_i \big[x_i \ell_i(c) - \log(1 + e^{\ell_i(c)})\big].

    ``log_prob`` accepts integer or floating :math:`x \in \{0, 1\}` (computed in the floating
    dtype of ``x``, or the logits' for integer ``x``). Samples are ``torch.long`` and not
    differentiable.

    Args:
        net: module mapping the context to the logits (the event shape).

    Example:
        >>> import torch
        >>> dist = ConditionalBernoulli(torch.nn.Linear(3, 5))
        >>> context = torch.randn(4, 3)
        >>> x = dist.sample(context)
        >>> x.dtype, dist.log_prob(x, context).shape
        (torch.int64, torch.Size([4]))
    """

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def cond_dist(self, context) -> TorchBernoulli:
        """The ``torch.distributions.Bernoulli`` for ``context`` (as in the official library)."""
        return TorchBernoulli(logits=self.net(context))

    def log_prob(self, x: Tensor, context) -> Tensor:
        logits = self.net(context)
        check_matches(type(self).__name__, x, logits.shape)
        check_binary(type(self).__name__, x)
        return sum_except_batch(bernoulli_log_prob(x, logits))

    def sample(self, context) -> Tensor:
        return torch.bernoulli(torch.sigmoid(self.net(context)).detach()).long()

    def sample_with_log_prob(self, context) -> tuple[Tensor, Tensor]:
        logits = self.net(context)
        x = torch.bernoulli(torch.sigmoid(logits).detach()).long()
        return x, sum_except_batch(bernoulli_log_prob(x, logits))

    def logits(self, context) -> Tensor:
        r"""The logits :math:`\ell(c)`."""
        return self.net(context)

    def probs(self, context) -> Tensor:
        r""":math:`p(x_i = 1 | c) = \sigma(\ell_i(c))`."""
        return torch.sigmoid(self.net(context))

    def mean(self, context) -> Tensor:
        """The conditional mean, equal to ``probs(context)``."""
        return self.probs(context)

    def mode(self, context) -> Tensor:
        """The most likely value (``torch.long``; ties at :math:`p = 1/2` give 1)."""
        return (self.net(context) >= 0).long()
