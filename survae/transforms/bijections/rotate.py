"""Rotations of a plane of the input by multiples of 90 degrees."""

from __future__ import annotations

from torch import Tensor

from survae.transforms.bijections.base import Bijection
from survae.utils.validation import ShapeError


class Rotate(Bijection):
    """Rotate by 90, 180 or 270 degrees in the plane of dimensions ``dim1`` and ``dim2`` (e.g.
    ``(H, W)`` of images with ``dim1=2, dim2=3``); log-det 0 (official name and arguments).

    - 90: ``transpose(dim1, dim2)`` then flip ``dim1``; 180: flip both; 270: transpose then flip
      ``dim2``; the inverse undoes these in reverse order.
    - the plane need not be square: a 90 or 270 degree rotation of ``(B, C, H, W)`` in
      ``(2, 3)`` gives ``(B, C, W, H)``.

    Example:
        >>> import torch
        >>> layer = Rotate(90, 1, 2)
        >>> x = torch.arange(4.0).reshape(1, 2, 2)
        >>> layer(x)[0].tolist(), torch.equal(layer.inverse(layer(x)[0]), x)
        ([[[1.0, 3.0], [0.0, 2.0]]], True)
    """

    def __init__(self, degrees: int, dim1: int, dim2: int):
        super().__init__()
        if degrees not in (90, 180, 270):
            raise ValueError(f"Rotate: degrees must be 90, 180 or 270, got {degrees}")
        if dim1 == 0 or dim2 == 0 or dim1 == dim2:
            raise ValueError(f"Rotate: dim1 and dim2 must differ and not be the batch, got "
                             f"{dim1}, {dim2}")
        self.degrees, self.dim1, self.dim2 = int(degrees), int(dim1), int(dim2)

    def extra_repr(self) -> str:
        return f"degrees={self.degrees}, dim1={self.dim1}, dim2={self.dim2}"

    def _check(self, x: Tensor) -> None:
        if x.dim() <= max(self.dim1, self.dim2):
            raise ShapeError(f"{self.layer_name}: input of shape {tuple(x.shape)} has no "
                             f"dimensions {self.dim1} and {self.dim2}")

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        if self.degrees == 90:
            z = x.transpose(self.dim1, self.dim2).flip(self.dim1)
        elif self.degrees == 180:
            z = x.flip(self.dim1).flip(self.dim2)
        else:
            z = x.transpose(self.dim1, self.dim2).flip(self.dim2)
        return z, x.new_zeros(x.shape[0])

    def inverse(self, z: Tensor) -> Tensor:
        self._check(z)
        if self.degrees == 90:
            return z.flip(self.dim1).transpose(self.dim1, self.dim2)
        if self.degrees == 180:
            return z.flip(self.dim2).flip(self.dim1)
        return z.flip(self.dim2).transpose(self.dim1, self.dim2)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z), z.new_zeros(z.shape[0])
