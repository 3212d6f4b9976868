"""Unsqueeze: trade channels for spatial resolution (the inverse of :class:`Squeeze2d`)."""

from __future__ import annotations

from torch import Tensor

from survae.transforms.bijections.squeeze import Squeeze2d


class Unsqueeze2d(Squeeze2d):
    r"""The inverse of :class:`Squeeze2d`: :math:`(B, C f^2, H, W) \to (B, C, H f, W f)`; log-det
    0.

    - forward: each group of :math:`f^2` channels becomes an :math:`f \times f` spatial block;
    - inverse: :class:`Squeeze2d`'s forward with the same ``factor`` and ``ordered``.

    Args:
        factor: block size :math:`f > 1`; the number of channels must be divisible by
            :math:`f^2`.
        ordered: channel ordering, as in :class:`Squeeze2d` (default False).

    Example:
        >>> import torch
        >>> Unsqueeze2d()(torch.zeros(1, 12, 2, 2))[0].shape
        torch.Size([1, 3, 4, 4])
    """

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return self._unsqueeze(x), x.new_zeros(x.shape[0])

    def inverse(self, z: Tensor) -> Tensor:
        return self._squeeze(z)
