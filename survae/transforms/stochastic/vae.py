"""The VAE layer: a stochastic transform with an encoder q(z|x) and a decoder p(x|z)."""

from __future__ import annotations

from torch import Tensor

from survae.distributions.conditional.base import ConditionalDistribution
from survae.transforms.stochastic.base import StochasticTransform


class VAE(StochasticTransform):
    r"""Variational autoencoder layer.

    - forward (inference, stochastic): :math:`z \sim q(z|x)` (reparametrized where the encoder
      allows);
    - inverse (generative, stochastic): :math:`x \sim p(x|z)`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = \log p(x|z) - \log q(z|x)`; with the
      prior's :math:`\log p(z)` added by the flow this is the ELBO, a lower bound on
      :math:`\log p(x)`.

    Args:
        decoder: ConditionalDistribution :math:`p(x|z)`.
        encoder: ConditionalDistribution :math:`q(z|x)`.

    Example:
        >>> import torch
        >>> from survae.distributions import ConditionalNormal
        >>> vae = VAE(decoder=ConditionalNormal(torch.nn.Linear(2, 8)),
        ...           encoder=ConditionalNormal(torch.nn.Linear(4, 4)))
        >>> z, ldj = vae(torch.randn(3, 4))
        >>> z.shape, ldj.shape
        (torch.Size([3, 2]), torch.Size([3]))

    References: Kingma & Welling, 2014; Rezende et al., 2014; Nielsen et al., 2020 (Table 3).
    """

    requires_float = False  # discrete data (e.g. binary images) go straight to the encoder

    def __init__(self, decoder: ConditionalDistribution, encoder: ConditionalDistribution):
        super().__init__()
        for name, dist in (("decoder", decoder), ("encoder", encoder)):
            if not isinstance(dist, ConditionalDistribution):
                raise ValueError(
                    f"VAE: {name} must be a ConditionalDistribution, got {type(dist).__name__}"
                )
        self.decoder = decoder
        self.encoder = encoder

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z, log_qz = self.encoder.sample_with_log_prob(context=x)
        log_px = self.decoder.log_prob(x, context=z)
        return z, log_px - log_qz

    def inverse(self, z: Tensor) -> Tensor:
        return self.decoder.rsample(context=z)
