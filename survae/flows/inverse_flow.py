"""InverseFlow: transforms applied in their forward direction to base noise (cheap sampling)."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor, nn

from survae.distributions.base import Distribution
from survae.flows._common import as_transform_list
from survae.flows.torch_distribution import AsDistributionMixin
from survae.transforms.base import Transform, require_exact_sample_likelihood


class InverseFlow(AsDistributionMixin, Distribution):
    r"""A distribution whose samples are :math:`x = T_K(\cdots T_1(z))` with :math:`z` from
    ``base_dist``.

    The transforms run in their ``forward`` direction to *generate*: sampling with the density
    is one pass:

    .. math:: \log q(x) = \log p(z) - \sum_k \mathcal{V}_k.

    This is the natural form of a variational posterior (e.g. an IAF). ``log_prob`` of a given
    point runs the inverses (exact for bijections). ``sample`` runs without autograd (as
    ``torch.distributions``); ``rsample`` and ``sample_with_log_prob`` keep the graph, which is
    what a VAE encoder with a flow posterior needs for reparameterised gradients.

    Args:
        base_dist: the distribution of the noise :math:`z`.
        transforms: Transforms applied in order to the noise.
    """

    def __init__(self, base_dist: Distribution, transforms: Transform | Iterable[Transform]):
        super().__init__()
        transforms = as_transform_list(type(self).__name__, base_dist, transforms)
        self.base_dist = base_dist
        self.transforms = nn.ModuleList(transforms)

    def sample_with_log_prob(self, num_samples: int) -> tuple[Tensor, Tensor]:
        require_exact_sample_likelihood("InverseFlow", self.transforms)
        x, log_prob = self.base_dist.sample_with_log_prob(num_samples)
        for transform in self.transforms:
            x, ldj = transform(x)
            log_prob = log_prob - ldj
        return x, log_prob

    def sample(self, num_samples: int) -> Tensor:
        """Draw ``num_samples`` samples without autograd."""
        with torch.no_grad():
            return self.rsample(num_samples)

    def rsample(self, num_samples: int) -> Tensor:
        """Draw ``num_samples`` samples with autograd recording (reparameterised)."""
        x = self.base_dist.rsample(num_samples)
        for transform in self.transforms:
            x, _ = transform(x)
        return x

    def log_prob(self, x: Tensor) -> Tensor:
        require_exact_sample_likelihood("InverseFlow", self.transforms)
        log_prob = None
        for transform in reversed(self.transforms):
            x, ldj = transform.inverse_and_ldj(x)
            log_prob = -ldj if log_prob is None else log_prob - ldj
        log_pz = self.base_dist.log_prob(x)
        return log_pz if log_prob is None else log_prob + log_pz
