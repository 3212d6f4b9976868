"""Absolute value as a generative surjection: non-negative data, a signed latent."""

from __future__ import annotations

import math

from torch import Tensor

from survae.distributions.base import Distribution
from survae.transforms.surjections._utils import (
    check_distribution,
    dist_sample_with_log_prob,
)
from survae.transforms.surjections.base import Surjection
from survae.utils.validation import is_validating, owner_name


def _check_non_negative(owner: object, x: Tensor) -> None:
    if is_validating() and not bool((x >= 0).all()):
        raise ValueError(f"{owner_name(owner)}: expected non-negative input (the data is |z|)")


class SimpleGenerativeAbsSurjection(Surjection):
    r"""Generative absolute-value surjection :math:`x = |z|` with fair random signs.

    - forward (inference, stochastic): each sign :math:`s_i \sim \mathrm{Bernoulli}(1/2)` on
      :math:`\{-1, +1\}`, :math:`z = s \odot x`;
    - inverse (generative, deterministic): :math:`x = |z|`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = -\log q(s|x) = D \log 2`, a lower
      bound on :math:`\log p(x)` (:math:`p(x) = \sum_s p(s \odot x)`; tight when :math:`p(z)` is
      symmetric under sign flips).

    Example:
        >>> import torch
        >>> z, ldj = SimpleGenerativeAbsSurjection()(torch.tensor([[1.0, 2.0]]))
        >>> z.abs().tolist(), round(float(ldj), 4)
        ([[1.0, 2.0]], 1.3863)

    References: Nielsen et al., 2020 (Table 6, abs).
    """

    stochastic_forward = True

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        _check_non_negative(self, x)
        sign = (x.new_empty(x.shape).bernoulli_(0.5) * 2 - 1)
        ldj = x.new_full((x.shape[0],), math.log(2.0) * x.shape[1:].numel())
        return sign * x, ldj

    def inverse(self, z: Tensor) -> Tensor:
        return z.abs()


class GenerativeAbsSurjection(Surjection):
    r"""Generative absolute-value surjection :math:`x = |z|` with learned signs :math:`q(b|x)`.

    Signs are coded as :math:`b = 1` for a positive :math:`z` and :math:`b = 0` for a negative
    one.

    - forward (inference, stochastic): :math:`b \sim q(b|x)` (Bernoulli),
      :math:`z = (2b - 1) \odot x`;
    - inverse (generative, deterministic): :math:`x = |z|`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = -\log q(b|x)`, a lower bound on
      :math:`\log p(x) = \log \sum_s p(s \odot x)`; tight when :math:`q(b|x)` is the posterior
      :math:`p(s \odot x) / \sum_{s'} p(s' \odot x)`.

    Args:
        encoder: :math:`q(b|x)`, a ConditionalDistribution over :math:`\{0, 1\}` with the event
            shape of ``x`` given ``x`` (e.g. ``ConditionalBernoulli(net)``), or an unconditional
            Distribution (e.g. ``Bernoulli(shape)``).

    Example:
        >>> import torch
        >>> from survae.distributions import ConditionalBernoulli
        >>> layer = GenerativeAbsSurjection(ConditionalBernoulli(torch.nn.Linear(2, 2)))
        >>> z, ldj = layer(torch.tensor([[1.0, 2.0]]))
        >>> torch.equal(layer.inverse(z), torch.tensor([[1.0, 2.0]])), ldj.shape
        (True, torch.Size([1]))

    References: Nielsen et al., 2020 (Table 6, abs).
    """

    stochastic_forward = True

    def __init__(self, encoder: Distribution):
        super().__init__()
        self.cond = check_distribution("GenerativeAbsSurjection", "encoder", encoder)
        self.encoder = encoder

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        _check_non_negative(self, x)
        bits, log_q = dist_sample_with_log_prob(self.encoder, x, self.cond)
        return (2 * bits.to(x.dtype) - 1) * x, -log_q

    def inverse(self, z: Tensor) -> Tensor:
        return z.abs()
