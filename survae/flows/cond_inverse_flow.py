"""ConditionalInverseFlow: transforms applied in their forward direction to (conditional) noise."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import Tensor, nn

from survae.distributions.base import Distribution
from survae.distributions.conditional.base import ConditionalDistribution
from survae.flows._common import (
    as_transform_list,
    base_log_prob,
    base_rsample,
    base_sample_with_log_prob,
)
from survae.flows.torch_distribution import ConditionalAsDistributionMixin
from survae.transforms.base import Transform, require_exact_sample_likelihood
from survae.transforms.cond_base import ConditionalTransform


class ConditionalInverseFlow(ConditionalAsDistributionMixin, ConditionalDistribution):
    """Conditional counterpart of :class:`InverseFlow`: ``q(x | context)``.

    Args:
        base_dist: a Distribution or ConditionalDistribution of the noise.
        transforms: Transforms applied in order to the noise; ConditionalTransforms get the context.
        context_init: optional module applied to the context once before use.
    """

    def __init__(
        self,
        base_dist: Distribution,
        transforms: Transform | Iterable[Transform],
        context_init: Callable[[Tensor], Tensor] | None = None,
    ):
        super().__init__()
        transforms = as_transform_list(type(self).__name__, base_dist, transforms)
        self.base_dist = base_dist
        self.transforms = nn.ModuleList(transforms)
        self.context_init = context_init

    def sample_with_log_prob(self, context: Tensor) -> tuple[Tensor, Tensor]:
        require_exact_sample_likelihood("ConditionalInverseFlow", self.transforms)
        if self.context_init is not None:
            context = self.context_init(context)
        x, log_prob = base_sample_with_log_prob(self.base_dist, context)
        for transform in self.transforms:
            if isinstance(transform, ConditionalTransform):
                x, ldj = transform(x, context)
            else:
                x, ldj = transform(x)
            log_prob = log_prob - ldj
        return x, log_prob

    def sample(self, context: Tensor) -> Tensor:
        """One sample per context row, without autograd."""
        with torch.no_grad():
            return self.rsample(context)

    def rsample(self, context: Tensor) -> Tensor:
        """One sample per context row, with autograd recording (reparameterised)."""
        if self.context_init is not None:
            context = self.context_init(context)
        x = base_rsample(self.base_dist, context)
        for transform in self.transforms:
            if isinstance(transform, ConditionalTransform):
                x, _ = transform(x, context)
            else:
                x, _ = transform(x)
        return x

    def log_prob(self, x: Tensor, context: Tensor) -> Tensor:
        require_exact_sample_likelihood("ConditionalInverseFlow", self.transforms)
        if self.context_init is not None:
            context = self.context_init(context)
        log_prob = None
        for transform in reversed(self.transforms):
            if isinstance(transform, ConditionalTransform):
                x, ldj = transform.inverse_and_ldj(x, context)
            else:
                x, ldj = transform.inverse_and_ldj(x)
            log_prob = -ldj if log_prob is None else log_prob - ldj
        log_pz = base_log_prob(self.base_dist, x, context)
        return log_pz if log_prob is None else log_prob + log_pz
