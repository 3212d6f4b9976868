"""Absolute value as an inference surjection with a learned sign distribution p(s|z)."""

from __future__ import annotations

from torch import Tensor

from survae.distributions.base import Distribution
from survae.transforms.surjections._utils import (
    check_distribution,
    dist_log_prob,
    dist_sample,
    dist_sample_with_log_prob,
)
from survae.transforms.surjections.base import Surjection


class AbsSurjection(Surjection):
    """Inference absolute-value surjection with a learned sign distribution.

    Signs are coded as ``b = 1`` for ``x >= 0`` and ``b = 0`` for ``x < 0`` (``s = 2b - 1``).

    - forward (inference, deterministic): ``z = |x|``, ``b = [x >= 0]``;
    - inverse (generative, stochastic): ``b ~ p(b|z)`` (Bernoulli), ``x = (2b - 1) * z``;
    - likelihood contribution: ``V(x, z) = log p(b|z)`` (exact), so
      ``p(x) = p(|x|) p(sign(x) | |x|)``: the symmetry of ``SimpleAbsSurjection`` (all signs
      equally likely) is learned instead of imposed.

    Args:
        decoder: ``p(b|z)``, a ConditionalDistribution over ``{0, 1}`` with the event shape of ``x``
            given ``z`` (e.g. ``ConditionalBernoulli(net)``), or an unconditional Distribution
            (e.g. ``Bernoulli(shape)``).

    Example:
        >>> import torch
        >>> from survae.distributions import ConditionalBernoulli
        >>> layer = AbsSurjection(ConditionalBernoulli(torch.nn.Linear(2, 2)))
        >>> z, ldj = layer(torch.tensor([[-1.0, 2.0]]))
        >>> z.tolist(), ldj.shape
        ([[1.0, 2.0]], torch.Size([1]))
        >>> torch.equal(layer.inverse(z).abs(), z)
        True

    References: Nielsen et al., 2020 (Table 7, abs).
    """

    stochastic_forward = False

    def __init__(self, decoder: Distribution):
        super().__init__()
        self.cond = check_distribution("AbsSurjection", "decoder", decoder)
        self.decoder = decoder

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z = x.abs()
        bits = (x >= 0).to(x.dtype)
        return z, dist_log_prob(self.decoder, bits, z, self.cond)

    def inverse(self, z: Tensor) -> Tensor:
        bits = dist_sample(self.decoder, z, self.cond)
        return (2 * bits.to(z.dtype) - 1) * z

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        bits, log_p = dist_sample_with_log_prob(self.decoder, z, self.cond)
        return (2 * bits.to(z.dtype) - 1) * z, log_p
