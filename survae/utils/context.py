"""The batch size of a context, whatever structure holds it."""

from __future__ import annotations

from torch import Tensor


def context_size(context: Tensor | list | tuple | dict) -> int:
    """Batch size of a context: a tensor, or a (nested) list/tuple/dict of tensors."""
    while not isinstance(context, Tensor):
        if isinstance(context, dict):
            context = next(iter(context.values()))
        else:
            context = context[0]
    return context.shape[0]
