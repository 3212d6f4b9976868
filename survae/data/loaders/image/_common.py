"""What the image loader objects share: the ``pil_transforms + ToTensor + Quantize`` pipeline."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from survae.data.transforms import Quantize


def quantized(pil_transforms: Sequence[Callable] = (), num_bits: int = 8) -> Callable:
    """``Compose(pil_transforms + [ToTensor(), Quantize(num_bits)])``: PIL image to ``long``
    ``(C, H, W)`` in ``0 .. 2**num_bits - 1``."""
    from torchvision.transforms import Compose, ToTensor

    return Compose(list(pil_transforms) + [ToTensor(), Quantize(num_bits)])


def binarized(*first: Callable, flatten: bool = False) -> Callable:
    """``Compose(first + [DynamicBinarize()] (+ [Flatten()]))``."""
    from torchvision.transforms import Compose

    from survae.data.transforms import DynamicBinarize, Flatten

    return Compose(list(first) + [DynamicBinarize()] + ([Flatten()] if flatten else []))
