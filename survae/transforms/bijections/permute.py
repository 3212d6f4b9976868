"""Permutations of one dimension: fixed, random (Shuffle) and reversal."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from survae.transforms.bijections.base import Bijection
from survae.utils.validation import check_size


class Permute(Bijection):
    r"""Permute the entries along ``dim``: ``z = x[..., permutation, ...]``.

    - forward: :math:`z_i = x_{\pi(i)}`;  inverse: :math:`x_{\pi(i)} = z_i`;  log-det: 0, with
      :math:`\pi` = ``permutation``.

    Args:
        permutation: a permutation of ``range(D)`` (list or LongTensor), stored as a buffer (so
            a :class:`Shuffle`'s random draw is saved and restored with the state_dict).
        dim: the dimension to permute (>= 1).

    Example:
        >>> import torch
        >>> Permute([2, 0, 1])(torch.tensor([[10.0, 11.0, 12.0]]))[0].tolist()
        [[12.0, 10.0, 11.0]]
    """

    zero_ldj = True

    def __init__(self, permutation: Sequence[int] | Tensor, dim: int = 1):
        super().__init__()
        permutation = torch.as_tensor(permutation, dtype=torch.long)
        if permutation.dim() != 1 or not torch.equal(
            permutation.sort().values, torch.arange(permutation.numel())
        ):
            raise ValueError(f"{type(self).__name__}: expected a permutation of range(D)")
        if dim < 1:
            raise ValueError(f"{type(self).__name__}: dim must be >= 1, got {dim}")
        self.dim = dim
        self.register_buffer("permutation", permutation)
        # Derived state: not saved (the state_dict holds ``permutation`` only, as the official
        # layer's), recomputed whenever a permutation is loaded.
        self.register_buffer("inverse_permutation", torch.argsort(permutation), persistent=False)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # Checkpoints from survae 0.1.0 before this change also stored the inverse: drop it.
        state_dict.pop(prefix + "inverse_permutation", None)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        self.inverse_permutation = torch.argsort(self.permutation)

    def extra_repr(self) -> str:
        return f"dim_size={self.permutation.numel()}, dim={self.dim}"

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        check_size(self, x, self.dim, self.permutation.numel())
        return torch.index_select(x, self.dim, self.permutation), x.new_zeros(x.shape[0])

    def inverse(self, z: Tensor) -> Tensor:
        check_size(self, z, self.dim, self.permutation.numel())
        return torch.index_select(z, self.dim, self.inverse_permutation)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z), z.new_zeros(z.shape[0])


class Shuffle(Permute):
    """A fixed random permutation of ``dim_size`` entries along ``dim`` (drawn at construction).

    Args:
        dim_size: number of entries along ``dim``.
        dim: the dimension to permute.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> layer = Shuffle(4)
        >>> x = torch.arange(4.0).reshape(1, 4)
        >>> z, ldj = layer(x)
        >>> sorted(z[0].tolist()), torch.equal(layer.inverse(z), x), ldj.tolist()
        ([0.0, 1.0, 2.0, 3.0], True, [0.0])
    """

    def __init__(self, dim_size: int, dim: int = 1):
        super().__init__(torch.randperm(dim_size), dim)


class Reverse(Permute):
    """Reverse the order of the ``dim_size`` entries along ``dim``; log-det 0.

    Example:
        >>> import torch
        >>> Reverse(3)(torch.tensor([[1.0, 2.0, 3.0]]))[0].tolist()
        [[3.0, 2.0, 1.0]]
    """

    def __init__(self, dim_size: int, dim: int = 1):
        super().__init__(torch.arange(dim_size - 1, -1, -1), dim)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        check_size(self, x, self.dim, self.permutation.numel())
        return x.flip(self.dim), x.new_zeros(x.shape[0])

    def inverse(self, z: Tensor) -> Tensor:
        check_size(self, z, self.dim, self.permutation.numel())
        return z.flip(self.dim)
