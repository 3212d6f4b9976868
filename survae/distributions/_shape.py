"""Event-shape parsing shared by the unconditional distributions."""

from __future__ import annotations

from collections.abc import Sequence

import torch


def as_event_shape(owner: str, shape: int | Sequence[int]) -> torch.Size:
    """``shape`` as a ``torch.Size`` of positive ints (an int ``d`` means ``(d,)``).

    Raises ``ValueError`` naming ``owner`` otherwise.
    """
    if isinstance(shape, int):
        shape = (shape,)
    try:
        size = torch.Size(shape)
    except TypeError as error:
        raise ValueError(
            f"{owner}: shape must be an int or a sequence of ints, got {shape!r}"
        ) from error
    if any(d <= 0 for d in size):
        raise ValueError(f"{owner}: shape must have positive sizes, got {tuple(size)}")
    return size
