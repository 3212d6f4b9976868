"""Permute the (non-batch) axes of a tensor."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from survae.transforms.bijections.base import Bijection
from survae.utils.validation import ShapeError


class PermuteAxes(Bijection):
    """Reorder axes: ``z = x.permute(permutation)``; log-det 0.

    - forward: ``z = x.permute(permutation)``;  inverse: ``x = z.permute(argsort(permutation))``.

    Outputs are contiguous (as the official layer's), so a following ``.view`` works.

    Args:
        permutation: a permutation of ``range(x.dim())`` that keeps the batch axis first
            (``permutation[0] == 0``).

    Example:
        >>> import torch
        >>> PermuteAxes([0, 2, 1])(torch.zeros(5, 3, 4))[0].shape
        torch.Size([5, 4, 3])
    """

    def __init__(self, permutation: Sequence[int]):
        super().__init__()
        permutation = [int(p) for p in permutation]
        if sorted(permutation) != list(range(len(permutation))) or permutation[0] != 0:
            raise ValueError(
                f"PermuteAxes: expected a permutation of range(n) keeping axis 0 first, "
                f"got {permutation}"
            )
        self.permutation = permutation
        self.inverse_permutation = torch.argsort(torch.tensor(permutation)).tolist()

    def extra_repr(self) -> str:
        return f"permutation={self.permutation}"

    def _check(self, x: Tensor) -> None:
        if x.dim() != len(self.permutation):
            raise ShapeError(
                f"{self.layer_name}: expected input with {len(self.permutation)} dimensions, "
                f"got shape {tuple(x.shape)}"
            )

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        return x.permute(self.permutation).contiguous(), x.new_zeros(x.shape[0])

    def inverse(self, z: Tensor) -> Tensor:
        self._check(z)
        return z.permute(self.inverse_permutation).contiguous()

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z), z.new_zeros(z.shape[0])
