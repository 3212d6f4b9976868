"""Categorical variables whose logits are given by a network of the context."""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.distributions import Categorical as TorchCategorical

from survae.distributions.categorical import categorical_log_prob, check_categories
from survae.distributions.conditional._checks import check_matches
from survae.distributions.conditional.base import ConditionalDistribution
from survae.utils.tensors import sum_except_batch


def _sample(logits: Tensor) -> Tensor:
    probs = torch.softmax(logits.detach(), dim=-1)
    draws = torch.multinomial(probs.reshape(-1, probs.shape[-1]), 1, replacement=True)
    return draws.reshape(logits.shape[:-1])


class ConditionalCategorical(ConditionalDistribution):
    r"""Independent categorical variables with logits ``l(c)`` from a network.

    The network outputs ``(batch, *event, K)``: categories on the last dimension.

    .. math:: \log p(x|c) = \sum_i \log \operatorname{softmax}(\ell_i(c))_{x_i}.

    ``log_prob`` takes class indices (integer, or integer-valued floats) of shape
    ``(batch, *event)`` and returns the logits' dtype. Samples are ``torch.long``.

    Args:
        net: module mapping the context to the logits ``(batch, *event, K)``.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> dist = ConditionalCategorical(torch.nn.Sequential(torch.nn.Linear(3, 8),
        ...                                                   ElementwiseParams(4)))
        >>> context = torch.randn(5, 3)
        >>> x, log_prob = dist.sample_with_log_prob(context)
        >>> x.shape, torch.allclose(log_prob, dist.log_prob(x, context))
        (torch.Size([5, 2]), True)
    """

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def cond_dist(self, context) -> TorchCategorical:
        """The ``torch.distributions.Categorical`` for ``context`` (as in the official library)."""
        return TorchCategorical(logits=self.net(context))

    def log_prob(self, x: Tensor, context) -> Tensor:
        logits = self.net(context)
        check_matches(type(self).__name__, x, logits.shape[:-1])
        check_categories(type(self).__name__, x, logits.shape[-1])
        return sum_except_batch(categorical_log_prob(x, logits))

    def sample(self, context) -> Tensor:
        return _sample(self.net(context))

    def sample_with_log_prob(self, context) -> tuple[Tensor, Tensor]:
        logits = self.net(context)
        x = _sample(logits)
        return x, sum_except_batch(categorical_log_prob(x, logits))

    def logits(self, context) -> Tensor:
        """The logits ``(batch, *event, K)``."""
        return self.net(context)

    def probs(self, context) -> Tensor:
        """The category probabilities ``softmax(logits)``."""
        return torch.softmax(self.net(context), dim=-1)

    def mode(self, context) -> Tensor:
        """The most likely category of each variable (``torch.long``)."""
        return self.net(context).argmax(dim=-1)
