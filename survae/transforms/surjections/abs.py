"""Absolute-value surjections."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from survae.transforms.surjections.base import Surjection


class SimpleAbsSurjection(Surjection):
    r"""Inference absolute-value surjection with a fixed, symmetric inverse.

    - forward (inference, deterministic): :math:`z = |x|`;
    - inverse (generative, stochastic): each sign :math:`s_i \sim \mathrm{Bernoulli}(1/2)` on
      :math:`\{-1, +1\}`, :math:`x = s \odot z`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = \log p(s|z) = -D \log 2` (exact), so
      :math:`p(x) = p(|x|) / 2^D`: the density is symmetric under every sign flip.

    Example:
        >>> import torch
        >>> z, ldj = SimpleAbsSurjection()(torch.tensor([[-1.0, 2.0]]))
        >>> z.tolist(), round(float(ldj), 4)
        ([[1.0, 2.0]], -1.3863)

    References: Nielsen et al., 2020 (Table 7, abs; the AbsFlow experiments).
    """

    stochastic_forward = False

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        ldj = x.new_full((x.shape[0],), -math.log(2.0) * x.shape[1:].numel())
        return x.abs(), ldj

    def inverse(self, z: Tensor) -> Tensor:
        sign = torch.randint(0, 2, z.shape, device=z.device).to(z.dtype) * 2 - 1
        return sign * z
