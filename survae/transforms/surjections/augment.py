"""Augment: the generative slicing surjection (adds dimensions towards the latent)."""

from __future__ import annotations

import torch
from torch import Tensor

from survae.distributions.base import Distribution
from survae.distributions.conditional.base import ConditionalDistribution
from survae.transforms.surjections.base import Surjection
from survae.utils.validation import ShapeError, check_size


class Augment(Surjection):
    r"""Generative slicing surjection: :math:`x = z_1` where :math:`z = (z_1, z_2)`.

    - forward (inference, stochastic): :math:`z_2 \sim q(z_2|x)`, :math:`z = (x, z_2)`
      concatenated on ``split_dim``;
    - inverse (generative, deterministic): :math:`x = z_1` (the first ``x_size`` entries);
    - likelihood contribution: :math:`\mathcal{V}(x, z) = -\log q(z_2|x)` (a lower bound on
      :math:`\log p(x)`).

    Used for augmented flows (ANF, VFlow) and, with a slice later, CIFs.

    Args:
        encoder: the distribution :math:`q(z_2)` (a Distribution) or :math:`q(z_2|x)` (a
            ConditionalDistribution, given ``x`` as context).
        x_size: size of ``x`` along ``split_dim``.
        split_dim: dimension along which :math:`z_2` is appended (>= 1).

    Example:
        >>> import torch
        >>> from survae.distributions import StandardNormal
        >>> layer = Augment(StandardNormal((2,)), x_size=2)
        >>> z, ldj = layer(torch.randn(5, 2))
        >>> z.shape, torch.equal(layer.inverse(z), z[:, :2])
        (torch.Size([5, 4]), True)

    References: Huang et al., 2020; Chen et al., 2020; Nielsen et al., 2020 (Table 6).
    """

    stochastic_forward = True

    def __init__(self, encoder: Distribution, x_size: int, split_dim: int = 1):
        super().__init__()
        if split_dim < 1:
            raise ValueError(f"Augment: split_dim must be >= 1 (not the batch), got {split_dim}")
        if not isinstance(encoder, Distribution):
            raise ValueError(f"Augment: encoder must be a survae Distribution, got {type(encoder)}")
        self.encoder = encoder
        self.x_size = int(x_size)
        self.split_dim = split_dim
        self.cond = isinstance(encoder, ConditionalDistribution)

    def extra_repr(self) -> str:
        return f"x_size={self.x_size}, split_dim={self.split_dim}"

    def split_z(self, z: Tensor) -> tuple[Tensor, Tensor]:
        """Split ``z`` into :math:`(x, z_2)` along ``split_dim``."""
        size = z.shape[self.split_dim]
        return torch.split(z, (self.x_size, size - self.x_size), dim=self.split_dim)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        check_size(self, x, self.split_dim, self.x_size)
        if self.cond:
            z2, log_qz2 = self.encoder.sample_with_log_prob(context=x)
        else:
            z2, log_qz2 = self.encoder.sample_with_log_prob(num_samples=x.shape[0])
        return torch.cat([x, z2.to(x.dtype)], dim=self.split_dim), -log_qz2

    def inverse(self, z: Tensor) -> Tensor:
        if z.shape[self.split_dim] <= self.x_size:
            raise ShapeError(
                f"{self.layer_name}: expected latent with more than {self.x_size} features along "
                f"dim {self.split_dim}, got shape {tuple(z.shape)}"
            )
        return self.split_z(z)[0]
