"""Squeeze: trade spatial resolution for channels (RealNVP)."""

from __future__ import annotations

from torch import Tensor

from survae.transforms.bijections.base import Bijection
from survae.utils.validation import ShapeError


def squeeze2d(x: Tensor, factor: int, ordered: bool) -> Tensor:
    r""":math:`(B, C, H, W) \to (B, C f^2, H/f, W/f)`; channel index :math:`c f^2 + i f + j` by
    default, :math:`(i f + j) C + c` when ``ordered``."""
    b, c, h, w = x.shape
    t = x.reshape(b, c, h // factor, factor, w // factor, factor)
    t = t.permute(0, 3, 5, 1, 2, 4) if ordered else t.permute(0, 1, 3, 5, 2, 4)
    return t.reshape(b, c * factor * factor, h // factor, w // factor)


def unsqueeze2d(z: Tensor, factor: int, ordered: bool) -> Tensor:
    """Inverse of :func:`squeeze2d`."""
    b, c, h, w = z.shape
    c_out = c // (factor * factor)
    if ordered:
        t = z.reshape(b, factor, factor, c_out, h, w).permute(0, 3, 4, 1, 5, 2)
    else:
        t = z.reshape(b, c_out, factor, factor, h, w).permute(0, 1, 4, 2, 5, 3)
    return t.reshape(b, c_out, h * factor, w * factor)


class Squeeze2d(Bijection):
    r"""Squeeze each :math:`f \times f` spatial block into channels; log-det 0.

    - forward: :math:`(B, C, H, W) \to (B, C f^2, H/f, W/f)`;  inverse: the reverse
      rearrangement.

    Args:
        factor: block size :math:`f > 1`; :math:`H` and :math:`W` must be divisible by it.
        ordered: if False (default), the :math:`f^2` sub-pixels of channel :math:`c` are the
            consecutive channels :math:`c f^2, \dots, c f^2 + f^2 - 1`; if True, channels are
            grouped by sub-pixel.

    Example:
        >>> import torch
        >>> Squeeze2d()(torch.zeros(1, 3, 4, 4))[0].shape
        torch.Size([1, 12, 2, 2])

    Reference: Dinh et al., 2017 (RealNVP).
    """

    zero_ldj = True

    def __init__(self, factor: int = 2, ordered: bool = False):
        super().__init__()
        if int(factor) != factor or factor < 2:
            raise ValueError(f"{type(self).__name__}: factor must be an integer > 1, got {factor}")
        self.factor = int(factor)
        self.ordered = bool(ordered)

    def extra_repr(self) -> str:
        return f"factor={self.factor}, ordered={self.ordered}"

    def _check_spatial(self, x: Tensor) -> None:
        if x.dim() != 4 or x.shape[2] % self.factor or x.shape[3] % self.factor:
            raise ShapeError(
                f"{self.layer_name}: expected input of shape (batch, C, H, W) with H and W "
                f"divisible by {self.factor}, got shape {tuple(x.shape)}"
            )

    def _check_channels(self, z: Tensor) -> None:
        if z.dim() != 4 or z.shape[1] % (self.factor**2):
            raise ShapeError(
                f"{self.layer_name}: expected input of shape (batch, C, H, W) with C divisible "
                f"by {self.factor**2}, got shape {tuple(z.shape)}"
            )

    def _squeeze(self, x: Tensor) -> Tensor:
        self._check_spatial(x)
        return squeeze2d(x, self.factor, self.ordered)

    def _unsqueeze(self, z: Tensor) -> Tensor:
        self._check_channels(z)
        return unsqueeze2d(z, self.factor, self.ordered)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return self._squeeze(x), x.new_zeros(x.shape[0])

    def inverse(self, z: Tensor) -> Tensor:
        return self._unsqueeze(z)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z), z.new_zeros(z.shape[0])
