"""Continuously indexed flows (CIFs): a bijection indexed by a continuous latent variable."""

from __future__ import annotations

from torch import Tensor

from survae.distributions.conditional.base import ConditionalDistribution
from survae.transforms.cond_base import ConditionalTransform
from survae.transforms.stochastic.base import StochasticTransform


class ContinuouslyIndexedTransform(StochasticTransform):
    r"""A bijection :math:`z = f(x; u)` indexed by a continuous variable :math:`u` (a CIF layer).

    In the paper's unifying table: augment with :math:`u \sim q(u|x)`, apply the indexed
    bijection, slice :math:`u` off with :math:`p(u|z)`:

    - forward (inference, stochastic): :math:`u \sim q(u|x)`, :math:`z = f(x; u)`;
    - inverse (generative, stochastic): :math:`u \sim p(u|z)`, :math:`x = f^{-1}(z; u)`;
    - likelihood contribution (a bound):

    .. math:: \mathcal{V}(x, z) = \log\Big|\det \frac{\partial f(x; u)}{\partial x}\Big|
              + \log p(u|z) - \log q(u|x),

    whose expectation plus :math:`\log p(z)` is the CIF ELBO; the marginal is
    :math:`p(x) = \int p(f(x; u))\, p(u | f(x; u))\, |\det \partial f / \partial x|\, du`. Any
    conditional bijection serves as :math:`f` (:math:`u` is its context), e.g.
    ``ConditionalAffineBijection`` for the CIF paper's :math:`f(x; u) = e^{s(u)} x + t(u)` after a
    shared bijection.

    Args:
        bijection: a conditional bijection :math:`f(x; u)` taking :math:`u` as its context.
        encoder: :math:`q(u|x)`, a ConditionalDistribution (reparametrized samples, e.g.
            ``ConditionalNormal``).
        decoder: :math:`p(u|z)`, a ConditionalDistribution.

    Example:
        >>> import torch
        >>> from survae.distributions import ConditionalNormal
        >>> from survae.transforms import ConditionalAffineBijection
        >>> cif = ContinuouslyIndexedTransform(ConditionalAffineBijection(torch.nn.Linear(1, 4)),
        ...     encoder=ConditionalNormal(torch.nn.Linear(2, 2)),
        ...     decoder=ConditionalNormal(torch.nn.Linear(2, 2)))
        >>> z, ldj = cif(torch.randn(3, 2))
        >>> z.shape, ldj.shape, cif.inverse(z).shape
        (torch.Size([3, 2]), torch.Size([3]), torch.Size([3, 2]))

    References: Cornish et al., 2020 (Relaxing bijectivity constraints with continuously
    indexed normalising flows); Nielsen et al., 2020 (Table 3).
    """

    def __init__(
        self,
        bijection: ConditionalTransform,
        encoder: ConditionalDistribution,
        decoder: ConditionalDistribution,
    ):
        super().__init__()
        if not isinstance(bijection, ConditionalTransform) or not bijection.bijective:
            raise ValueError(
                f"ContinuouslyIndexedTransform: bijection must be a conditional bijection, got "
                f"{type(bijection).__name__}"
            )
        for name, dist in (("encoder", encoder), ("decoder", decoder)):
            if not isinstance(dist, ConditionalDistribution):
                raise ValueError(
                    f"ContinuouslyIndexedTransform: {name} must be a ConditionalDistribution, "
                    f"got {type(dist).__name__}"
                )
        self.bijection = bijection
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        u, log_q = self.encoder.sample_with_log_prob(context=x)
        z, log_det = self.bijection(x, u)
        return z, log_det + self.decoder.log_prob(u, context=z) - log_q

    def inverse(self, z: Tensor) -> Tensor:
        u = self.decoder.sample(context=z)
        return self.bijection.inverse(z, u)
