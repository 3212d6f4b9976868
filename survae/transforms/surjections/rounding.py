"""Rounding (floor) as an inference surjection: continuous data to an integer latent."""

from __future__ import annotations

from torch import Tensor

from survae.distributions.base import Distribution
from survae.transforms.surjections._utils import (
    check_distribution,
    dist_log_prob,
    dist_sample,
    dist_sample_with_log_prob,
    floating,
)
from survae.transforms.surjections.base import Surjection
from survae.utils.validation import is_validating


class RoundingSurjection(Surjection):
    r"""Inference rounding surjection :math:`z = \lfloor x \rfloor`: the latent is the integer
    part of the data.

    The paper's "rounding" is the floor; this is its inference direction (Table 7), the mirror of
    dequantization: the continuous :math:`x` is modelled as a discrete :math:`z` plus a
    fractional part.

    - forward (inference, deterministic): :math:`z = \lfloor x \rfloor` (integer-valued, in
      ``x``'s dtype);
    - inverse (generative, stochastic): :math:`u \sim p(u|z)` on :math:`[0, 1)^D`,
      :math:`x = z + u`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = \log p(x|z) = \log p(u|z)` with
      :math:`u = x - \lfloor x \rfloor` (exact), so
      :math:`\log p(x) = \log P(z) + \log p(x - z | z)` where :math:`P` is a probability mass
      function over the integer latent (e.g. a ``Categorical`` base).

    Args:
        decoder: :math:`p(u)` (a Distribution) or :math:`p(u|z)` (a ConditionalDistribution given
            ``z``) over the fractional part :math:`u \in [0, 1)^D`, with the event shape of ``x``,
            e.g. ``StandardUniform(shape)`` for a piecewise constant density.

    Example:
        >>> import torch
        >>> from survae.distributions import StandardUniform
        >>> layer = RoundingSurjection(StandardUniform((2,)))
        >>> z, ldj = layer(torch.tensor([[0.5, 2.25]]))
        >>> z.tolist(), ldj.tolist()
        ([[0.0, 2.0]], [0.0])
        >>> torch.equal(layer.inverse(z).floor(), z)
        True

    References: Nielsen et al., 2020 (Table 7, rounding).
    """

    stochastic_forward = False

    def __init__(self, decoder: Distribution):
        super().__init__()
        self.cond = check_distribution("RoundingSurjection", "decoder", decoder)
        self.decoder = decoder

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z = x.floor()
        return z, dist_log_prob(self.decoder, x - z, z, self.cond)

    def _check_fraction(self, u: Tensor) -> None:
        if is_validating() and not bool(((u >= 0) & (u < 1)).all()):
            raise ValueError(f"{self.layer_name}: the decoder produced values outside [0, 1)")

    def inverse(self, z: Tensor) -> Tensor:
        z = floating(z, self.decoder)  # a discrete base may sample integer tensors
        u = dist_sample(self.decoder, z, self.cond)
        self._check_fraction(u)
        return z + u.to(z.dtype)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        z = floating(z, self.decoder)
        u, log_pu = dist_sample_with_log_prob(self.decoder, z, self.cond)
        self._check_fraction(u)
        return z + u.to(z.dtype), log_pu
