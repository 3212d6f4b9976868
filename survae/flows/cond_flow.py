"""ConditionalFlow: a flow ``p(x | context)`` whose layers and base may depend on a context."""

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
    check_step,
)
from survae.flows.torch_distribution import ConditionalAsDistributionMixin
from survae.transforms.base import Transform, require_exact_sample_likelihood
from survae.transforms.cond_base import ConditionalTransform
from survae.utils.validation import check_tensor


class ConditionalFlow(ConditionalAsDistributionMixin, ConditionalDistribution):
    r"""A flow :math:`p(x | c)`: Algorithm 1 where conditional layers and a conditional base see
    :math:`c`,

    .. math:: \log p(x | c) \simeq \log p(z | c) + \sum_{t=1}^T \mathcal{V}_t(c),

    with each :math:`\mathcal{V}_t` the likelihood contribution of layer :math:`t` (given
    :math:`c` when the layer is conditional; the base gets :math:`c` when it is a
    ConditionalDistribution). Exact without stochastic inference layers, a lower bound otherwise.

    Args:
        base_dist: a Distribution or a ConditionalDistribution of the latent.
        transforms: Transforms ordered from data to latent; ConditionalTransforms get the context.
        context_init: optional module applied to the context once before use (e.g. an embedding).

    Example:
        >>> import torch
        >>> from survae.distributions import ConditionalNormal
        >>> from survae.transforms import ActNormBijection
        >>> model = ConditionalFlow(ConditionalNormal(torch.nn.Linear(3, 4)), [ActNormBijection(2)])
        >>> model.log_prob(torch.randn(5, 2), context=torch.randn(5, 3)).shape
        torch.Size([5])
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

    @property
    def lower_bound(self) -> bool:
        """True if ``log_prob`` is a stochastic lower bound, False if it is exact."""
        return any(t.lower_bound for t in self.transforms)

    @property
    def exact(self) -> bool:
        """True if ``log_prob`` is the exact conditional log-likelihood."""
        return not self.lower_bound

    def _base_log_prob(self, z: Tensor, context: Tensor) -> Tensor:
        return base_log_prob(self.base_dist, z, context)

    def log_prob(self, x: Tensor, context: Tensor) -> Tensor:
        check_tensor(
            type(self).__name__,
            x,
            floating=self.transforms[0].requires_float if len(self.transforms) else True,
        )
        if self.context_init is not None:
            context = self.context_init(context)
        log_prob = None
        for index, transform in enumerate(self.transforms):
            if isinstance(transform, ConditionalTransform):
                x, ldj = transform(x, context)
            else:
                x, ldj = transform(x)
            check_step(type(self).__name__, index, transform, x, ldj)
            if transform.zero_ldj:  # permutations, squeezes: nothing to add (as Flow)
                continue
            log_prob = ldj if log_prob is None else log_prob + ldj
        log_pz = self._base_log_prob(x, context)
        return log_pz if log_prob is None else log_prob + log_pz

    def _base_sample_with_log_prob(self, context: Tensor) -> tuple[Tensor, Tensor]:
        return base_sample_with_log_prob(self.base_dist, context)

    def sample(self, context: Tensor) -> Tensor:
        """One sample per context row (inverses on base samples), without autograd."""
        with torch.no_grad():
            return self.rsample(context)

    def rsample(self, context: Tensor) -> Tensor:
        """One sample per context row, with autograd recording (as ``Flow.rsample``)."""
        if self.context_init is not None:
            context = self.context_init(context)
        z = base_rsample(self.base_dist, context)
        for transform in reversed(self.transforms):
            if isinstance(transform, ConditionalTransform):
                z = transform.inverse(z, context)
            else:
                z = transform.inverse(z)
        return z

    def sample_with_log_prob(self, context: Tensor) -> tuple[Tensor, Tensor]:
        """Samples and their exact conditional log-likelihood (as ``Flow.sample_with_log_prob``)."""
        require_exact_sample_likelihood("ConditionalFlow.sample_with_log_prob", self.transforms)
        if self.context_init is not None:
            context = self.context_init(context)
        z, log_prob = self._base_sample_with_log_prob(context)
        for transform in reversed(self.transforms):
            if isinstance(transform, ConditionalTransform):
                z, ldj = transform.inverse_and_ldj(z, context)
            else:
                z, ldj = transform.inverse_and_ldj(z)
            log_prob = log_prob + ldj
        return z, log_prob
