"""Shape check shared by the conditional distributions: ``x`` must match the net's output."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor

from survae.utils.validation import ShapeError, check_event_shape


def check_matches(owner: str, x: Tensor, shape: Sequence[int]) -> None:
    """Raise ``ValueError`` naming ``owner`` unless ``x.shape == shape`` (batch included).

    ``shape`` is the shape implied by the conditioning network's output for the context.
    """
    check_event_shape(owner, x, tuple(shape[1:]))
    if x.shape[0] != shape[0]:
        raise ShapeError(
            f"{owner}: input has batch size {x.shape[0]} but the context gives {shape[0]}"
        )
