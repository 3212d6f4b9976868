"""Flow: a distribution defined by a base distribution and a stack of transforms."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor, nn

from survae.distributions.base import Distribution
from survae.flows._common import as_transform_list, check_step
from survae.flows.torch_distribution import AsDistributionMixin
from survae.transforms.base import Transform, require_exact_sample_likelihood
from survae.transforms.fusion import forward_stack
from survae.transforms.memory_saving import memory_saving_forward
from survae.utils.validation import check_tensor, is_validating


class Flow(AsDistributionMixin, Distribution):
    r"""A SurVAE flow :math:`p(x)` built from ``base_dist`` :math:`p(z)` and ``transforms`` (data
    to latent).

    ``log_prob`` is Algorithm 1 of the SurVAE paper: each transform maps :math:`x` towards the
    latent and adds its likelihood contribution :math:`\mathcal{V}_t` (a log-Jacobian-determinant
    for bijections, :math:`\log p(x|z) - \log q(z|x)` for stochastic and surjective layers), then
    the base log-density of the final :math:`z` is added:

    .. math:: \log p(x) \simeq \log p(z) + \sum_{t=1}^T \mathcal{V}_t.

    The result is exact when no layer samples in the inference direction (``lower_bound`` is
    False) and a stochastic lower bound (an ELBO) otherwise. The sum is kept in the dtype of the
    contributions (float64 stays float64). In eager mode an ActNorm followed by a 1x1
    convolution is evaluated as one map (:mod:`survae.transforms.fusion`: same values and
    gradients, fewer operations).

    Sampling follows ``torch.distributions``: ``sample(n)`` runs the inverses from base samples
    without autograd (``model.sample(n).numpy()`` works); ``rsample(n)`` is the same pass with
    autograd recording (gradients reach the parameters through the inverses), and
    ``sample_with_log_prob(n)`` returns differentiable samples with their exact log-likelihood.

    Args:
        base_dist: the distribution of the latent :math:`z`.
        transforms: a Transform or a list of Transforms, ordered from data to latent.
        memory_saving: backpropagate through ``log_prob`` without storing intermediate
            activations: bijections rebuild their inputs from their outputs in the backward pass,
            ``Slice`` keeps only its dropped half, layers that sample in ``forward`` run as usual
            (see :mod:`survae.transforms.memory_saving`). Same gradients, several times less
            memory for deep flows, at the cost of about one more forward and inverse pass.
            Can be switched at any time (``flow.memory_saving = True``).

    Example:
        >>> import torch
        >>> from survae.distributions import StandardNormal
        >>> from survae.transforms import ActNormBijection, Reverse
        >>> model = Flow(StandardNormal((2,)), [ActNormBijection(2), Reverse(2)])
        >>> model.log_prob(torch.randn(5, 2)).shape
        torch.Size([5])
    """

    def __init__(
        self,
        base_dist: Distribution,
        transforms: Transform | Iterable[Transform],
        memory_saving: bool = False,
    ):
        super().__init__()
        transforms = as_transform_list(type(self).__name__, base_dist, transforms)
        self.base_dist = base_dist
        self.transforms = nn.ModuleList(transforms)
        self.memory_saving = bool(memory_saving)

    @property
    def lower_bound(self) -> bool:
        """True if ``log_prob`` is a stochastic lower bound, False if it is exact."""
        return any(t.lower_bound for t in self.transforms)

    @property
    def exact(self) -> bool:
        """True if ``log_prob`` is the exact log-likelihood."""
        return not self.lower_bound

    def log_prob(self, x: Tensor) -> Tensor:
        """Log-likelihood (exact, or its lower bound when ``lower_bound``), shape ``(batch,)``."""
        floating = self.transforms[0].requires_float if len(self.transforms) else True
        check_tensor(type(self).__name__, x, floating=floating)
        if self.memory_saving:
            owner = type(self).__name__
            x, log_prob = memory_saving_forward(
                owner, self.transforms, x, lambda i, t, z, ldj: check_step(owner, i, t, z, ldj)
            )
            log_pz = self.base_dist.log_prob(x)
            return log_pz if log_prob is None else log_prob + log_pz
        owner = type(self).__name__
        x, log_prob = forward_stack(
            self.transforms, x, (lambda i, t, z, ldj: check_step(owner, i, t, z, ldj))
            if is_validating() else None
        )
        log_pz = self.base_dist.log_prob(x)
        return log_pz if log_prob is None else log_prob + log_pz

    def sample(self, num_samples: int) -> Tensor:
        """Draw ``num_samples`` samples (inverses on base samples), without autograd."""
        with torch.no_grad():
            return self.rsample(num_samples)

    def rsample(self, num_samples: int) -> Tensor:
        """Draw ``num_samples`` samples with autograd recording: differentiable with respect to
        the parameters of the base distribution and of the transforms."""
        z = self.base_dist.rsample(num_samples)
        for transform in reversed(self.transforms):
            z = transform.inverse(z)
        return z

    def sample_with_log_prob(self, num_samples: int) -> tuple[Tensor, Tensor]:
        """Samples and their exact log-likelihood, in one generative pass.

        Works when every layer has a deterministic inference direction (bijections and inference
        surjections); raises ``NotImplementedError`` naming the first layer that does not.
        """
        require_exact_sample_likelihood("Flow.sample_with_log_prob", self.transforms)
        z, log_prob = self.base_dist.sample_with_log_prob(num_samples)
        for transform in reversed(self.transforms):
            z, ldj = transform.inverse_and_ldj(z)
            log_prob = log_prob + ldj
        return z, log_prob
