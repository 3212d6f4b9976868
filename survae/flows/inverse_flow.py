"""InverseFlow: transforms applied in their forward direction to base noise (cheap sampling)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from torch import Tensor, nn

from survae.distributions.base import Distribution
from survae.distributions.conditional.base import ConditionalDistribution
from survae.flows._common import as_transform_list
from survae.flows.torch_distribution import AsDistributionMixin, ConditionalAsDistributionMixin
from survae.transforms.base import Transform
from survae.transforms.cond_base import ConditionalTransform
from survae.utils.tensors import context_size


def _check_deterministic_inverse(owner: str, transforms: Iterable[Transform]) -> None:
    for transform in transforms:
        if transform.stochastic_forward:
            raise NotImplementedError(
                f"{owner}: {transform.layer_name} is stochastic in its forward direction, so the "
                "density of an inverse-flow sample is not available exactly"
            )


class InverseFlow(AsDistributionMixin, Distribution):
    """A distribution whose samples are ``x = T_K(...T_1(z))`` with ``z`` from ``base_dist``.

    The transforms run in their ``forward`` direction to *generate*: sampling with the density
    is one pass:

    .. math:: \\log q(x) = \\log p(z) - \\sum_k \\mathcal{V}_k.

    This is the natural form of a variational posterior (e.g. an IAF). ``log_prob`` of a given
    point runs the inverses (exact for bijections).

    Args:
        base_dist: the distribution of the noise ``z``.
        transforms: Transforms applied in order to the noise.
    """

    def __init__(self, base_dist: Distribution, transforms: Transform | Iterable[Transform]):
        super().__init__()
        transforms = as_transform_list(type(self).__name__, base_dist, transforms)
        self.base_dist = base_dist
        self.transforms = nn.ModuleList(transforms)

    def sample_with_log_prob(self, num_samples: int) -> tuple[Tensor, Tensor]:
        _check_deterministic_inverse("InverseFlow", self.transforms)
        x, log_prob = self.base_dist.sample_with_log_prob(num_samples)
        for transform in self.transforms:
            x, ldj = transform(x)
            log_prob = log_prob - ldj
        return x, log_prob

    def sample(self, num_samples: int) -> Tensor:
        x = self.base_dist.sample(num_samples)
        for transform in self.transforms:
            x, _ = transform(x)
        return x

    def log_prob(self, x: Tensor) -> Tensor:
        _check_deterministic_inverse("InverseFlow", self.transforms)
        log_prob = None
        for transform in reversed(self.transforms):
            x, ldj = transform.inverse_and_ldj(x)
            log_prob = -ldj if log_prob is None else log_prob - ldj
        log_pz = self.base_dist.log_prob(x)
        return log_pz if log_prob is None else log_prob + log_pz


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
        _check_deterministic_inverse("ConditionalInverseFlow", self.transforms)
        if self.context_init is not None:
            context = self.context_init(context)
        if isinstance(self.base_dist, ConditionalDistribution):
            x, log_prob = self.base_dist.sample_with_log_prob(context)
        else:
            x, log_prob = self.base_dist.sample_with_log_prob(context_size(context))
        for transform in self.transforms:
            if isinstance(transform, ConditionalTransform):
                x, ldj = transform(x, context)
            else:
                x, ldj = transform(x)
            log_prob = log_prob - ldj
        return x, log_prob

    def sample(self, context: Tensor) -> Tensor:
        return self.sample_with_log_prob(context)[0]

    def log_prob(self, x: Tensor, context: Tensor) -> Tensor:
        _check_deterministic_inverse("ConditionalInverseFlow", self.transforms)
        if self.context_init is not None:
            context = self.context_init(context)
        log_prob = None
        for transform in reversed(self.transforms):
            if isinstance(transform, ConditionalTransform):
                x, ldj = transform.inverse_and_ldj(x, context)
            else:
                x, ldj = transform.inverse_and_ldj(x)
            log_prob = -ldj if log_prob is None else log_prob - ldj
        if isinstance(self.base_dist, ConditionalDistribution):
            log_pz = self.base_dist.log_prob(x, context)
        else:
            log_pz = self.base_dist.log_prob(x)
        return log_pz if log_prob is None else log_prob + log_pz
