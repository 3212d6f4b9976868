"""Slice: the inference slicing surjection (factors dimensions out; multi-scale flows)."""

from __future__ import annotations

import torch
from torch import Tensor

from survae.distributions.base import Distribution
from survae.distributions.conditional.base import ConditionalDistribution
from survae.transforms.surjections.base import Surjection
from survae.utils.validation import ShapeError


class Slice(Surjection):
    r"""Inference slicing surjection: :math:`z = x_1` where :math:`x = (x_1, x_2)`.

    - forward (inference, deterministic): keep the first ``num_keep`` entries along ``dim``;
    - inverse (generative, stochastic): :math:`x_2 \sim p(x_2|z)`, :math:`x = (z, x_2)`
      concatenated along ``dim``;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = \log p(x_2|z)` (exact), so
      :math:`\log p(x) = \log p(z) + \log p(x_2|z)`.

    This is the "factor-out" step of multi-scale architectures (RealNVP, Glow).

    Args:
        decoder: :math:`p(x_2)` (a Distribution) or :math:`p(x_2|z)` (a ConditionalDistribution).
        num_keep: number of entries kept along ``dim``.
        dim: dimension to slice (>= 1).

    Example:
        >>> import torch
        >>> from survae.distributions import StandardNormal
        >>> layer = Slice(StandardNormal((1,)), num_keep=1)
        >>> z, ldj = layer(torch.randn(5, 2))
        >>> z.shape, layer.inverse(z).shape
        (torch.Size([5, 1]), torch.Size([5, 2]))

    References: Dinh et al., 2017 (RealNVP); Nielsen et al., 2020 (Table 7).
    """

    stochastic_forward = False

    def __init__(self, decoder: Distribution, num_keep: int, dim: int = 1):
        super().__init__()
        if dim < 1:
            raise ValueError(f"Slice: dim must be >= 1 (not the batch), got {dim}")
        if not isinstance(decoder, Distribution):
            raise ValueError(f"Slice: decoder must be a survae Distribution, got {type(decoder)}")
        self.decoder = decoder
        self.num_keep = int(num_keep)
        self.dim = dim
        self.cond = isinstance(decoder, ConditionalDistribution)

    def extra_repr(self) -> str:
        return f"num_keep={self.num_keep}, dim={self.dim}"

    def split_input(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Split ``x`` into :math:`(z, x_2)` along ``dim``."""
        size = x.shape[self.dim] if x.dim() > self.dim else 0
        if size <= self.num_keep:
            raise ShapeError(
                f"{self.layer_name}: expected input with more than {self.num_keep} features along "
                f"dim {self.dim}, got shape {tuple(x.shape)}"
            )
        return x.split_with_sizes((self.num_keep, size - self.num_keep), self.dim)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z, x2 = self.split_input(x)
        ldj = self.decoder.log_prob(x2, context=z) if self.cond else self.decoder.log_prob(x2)
        return z, ldj

    def memory_saving_state(self, x: Tensor) -> Tensor:
        """Memory-saving backpropagation keeps only the dropped part :math:`x_2`."""
        return self.split_input(x)[1].detach()

    def memory_saving_input(self, z: Tensor, state: Tensor) -> Tensor:
        return torch.cat([z, state], dim=self.dim)

    def inverse(self, z: Tensor) -> Tensor:
        if self.cond:
            x2 = self.decoder.rsample(context=z)
        else:
            x2 = self.decoder.rsample(z.shape[0])
        return torch.cat([z, x2.to(z.dtype)], dim=self.dim)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        if self.cond:
            x2, ldj = self.decoder.sample_with_log_prob(context=z)
        else:
            x2, ldj = self.decoder.sample_with_log_prob(num_samples=z.shape[0])
        return torch.cat([z, x2.to(z.dtype)], dim=self.dim), ldj
