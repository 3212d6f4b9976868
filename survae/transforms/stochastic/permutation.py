"""A uniformly random permutation along one dimension, in both directions."""

from __future__ import annotations

import torch
from torch import Tensor

from survae.transforms.stochastic.base import StochasticTransform
from survae.transforms.surjections._utils import check_dim, permute_along, random_permutations


class StochasticPermutation(StochasticTransform):
    r"""Stochastic permutation: shuffles the slices along ``dim`` with a fresh random permutation.

    - forward (inference, stochastic): :math:`I \sim U(S_N)`, :math:`z = x_I`;
    - inverse (generative, stochastic): :math:`I \sim U(S_N)`, :math:`x = z_I`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = \log p(x|z) - \log q(z|x) = 0`: both
      directions are the same uniform distribution over the :math:`N!` arrangements, so no
      density is lost or gained.

    Placed first in a flow over sets, ``exp(log_prob)`` becomes an unbiased estimate of the
    likelihood of the symmetrised model :math:`\frac{1}{N!} \sum_I p(x_I)` (``log_prob`` a lower
    bound).

    Args:
        dim: the dimension whose slices are permuted (>= 1).

    Example:
        >>> import torch
        >>> layer = StochasticPermutation(dim=1)
        >>> z, ldj = layer(torch.tensor([[1.0, 2.0, 3.0]]))
        >>> sorted(z[0].tolist()), ldj.tolist()
        ([1.0, 2.0, 3.0], [0.0])

    References: Nielsen et al., 2020 (Section 4, permutation invariance).
    """

    def __init__(self, dim: int = 1):
        super().__init__()
        if dim < 1:
            raise ValueError(f"StochasticPermutation: dim must be >= 1 (not the batch), got {dim}")
        self.dim = dim
        # Same buffer as the official library, so that its state dicts load.
        self.register_buffer("buffer", torch.zeros(1))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"

    def _shuffle(self, x: Tensor) -> Tensor:
        check_dim(self, x, self.dim)
        perm = random_permutations(x.shape[0], x.shape[self.dim], x.device)
        return permute_along(x, self.dim, perm)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return self._shuffle(x), x.new_zeros(x.shape[0])

    def inverse(self, z: Tensor) -> Tensor:
        return self._shuffle(z)
