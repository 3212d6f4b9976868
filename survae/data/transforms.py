"""Per-image transforms of the official ``survae.data.transforms`` (for torchvision's ``Compose``).

``Quantize(num_bits)`` turns ``ToTensor()``'s floats ``k / 255`` back into the integers ``k``
(``long``), keeping the top ``num_bits`` bits; ``StaticBinarize`` rounds values in ``[0, 1]``
to ``{0, 1}``; ``DynamicBinarize`` draws ``Bernoulli(x)`` afresh at every call; ``Flatten``
gives a vector.

Example:
    >>> import torch
    >>> Quantize(num_bits=5)(torch.tensor([0.0, 128 / 255, 1.0]))
    tensor([ 0, 16, 31])
    >>> StaticBinarize()(torch.tensor([0.2, 0.7]))
    tensor([0, 1])
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["Flatten", "StaticBinarize", "DynamicBinarize", "Quantize"]


class Flatten:
    """An image to a vector: ``(C, H, W) -> (C * H * W,)``."""

    def __call__(self, image: Tensor) -> Tensor:
        return image.reshape(-1)


class StaticBinarize:
    """Round values in ``[0, 1]`` to ``{0, 1}`` (``long``)."""

    def __call__(self, image: Tensor) -> Tensor:
        return image.round().long()


class DynamicBinarize:
    """Sample ``Bernoulli(image)`` at every call (``long``; torch's global generator)."""

    def __call__(self, image: Tensor) -> Tensor:
        return torch.bernoulli(image.float()).long()


class Quantize:
    """``ToTensor()`` output ``k / 255`` to the integer ``floor(k / 2**(8 - num_bits))`` (``long``).

    Args:
        num_bits: bits kept per value, ``1 .. 8``: values ``0 .. 2**num_bits - 1``.
    """

    def __init__(self, num_bits: int = 8):
        if not 1 <= int(num_bits) <= 8:
            raise ValueError(f"Quantize: num_bits must be in 1..8, got {num_bits}")
        self.num_bits = int(num_bits)

    def __call__(self, image: Tensor) -> Tensor:
        # ToTensor divides by 255 in float32; rounding recovers the byte exactly.
        levels = torch.round(image * 255)
        if self.num_bits != 8:
            levels = torch.floor(levels / 2 ** (8 - self.num_bits))
        return levels.long()

    def __repr__(self) -> str:
        return f"Quantize(num_bits={self.num_bits})"
