"""Input validation shared by every transform, distribution and flow.

Cheap metadata checks (tensor type, floating dtype, number of dimensions, sizes along a dimension)
are always on: they read tensor metadata only and never synchronise with the device. Checks that
must read values (NaN / inf, support membership) cost a host sync, so they run only while
validation is enabled::

    import survae
    survae.set_validate_args(True)        # globally
    with survae.validate_args():          # or for a block
        model.log_prob(x)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import torch
from torch import Tensor

_VALIDATE = False


def set_validate_args(enabled: bool) -> None:
    """Turn value checks (NaN/inf and support checks) on or off globally."""
    global _VALIDATE
    _VALIDATE = bool(enabled)


def is_validating() -> bool:
    """Whether value checks are enabled."""
    return _VALIDATE


@contextlib.contextmanager
def validate_args(enabled: bool = True) -> Iterator[None]:
    """Context manager enabling (or disabling) value checks inside a block."""
    global _VALIDATE
    previous = _VALIDATE
    _VALIDATE = bool(enabled)
    try:
        yield
    finally:
        _VALIDATE = previous


def owner_name(owner: object) -> str:
    """The owner's name for a message: a string, or a layer's ``layer_name`` (built lazily)."""
    return owner if isinstance(owner, str) else getattr(owner, "layer_name", type(owner).__name__)


def check_tensor(
    owner: object,
    x: object,
    *,
    name: str = "input",
    floating: bool = True,
    min_dim: int = 2,
) -> None:
    """Raise ``ValueError`` naming ``owner`` if ``x`` is not a batched (floating) tensor.

    ``owner`` is a name or a layer (whose ``layer_name`` is only built if an error is raised, so
    the check costs a few attribute reads on the hot path). With validation enabled, also raises
    if ``x`` holds NaN or inf.
    """
    if not isinstance(x, Tensor):
        raise ValueError(
            f"{owner_name(owner)}: expected {name} to be a torch.Tensor, got {type(x).__name__}"
        )
    if x.dim() < min_dim:
        raise ValueError(
            f"{owner_name(owner)}: expected {name} with a batch dimension and at least {min_dim} "
            f"dimensions in all, got shape {tuple(x.shape)}"
        )
    if floating and not x.is_floating_point():
        raise ValueError(
            f"{owner_name(owner)}: expected a floating-point {name}, got dtype {x.dtype} "
            "(discrete data needs a dequantization layer first)"
        )
    if _VALIDATE and x.is_floating_point() and not bool(torch.isfinite(x).all()):
        raise ValueError(f"{owner_name(owner)}: {name} contains NaN or inf values")


def check_size(owner: object, x: Tensor, dim: int, expected: int, *, name: str = "input") -> None:
    """Raise ``ValueError`` naming ``owner`` unless ``x.shape[dim] == expected``."""
    if x.dim() <= dim or x.shape[dim] != expected:
        raise ValueError(
            f"{owner_name(owner)}: expected {name} with {expected} features along dim {dim}, "
            f"got shape {tuple(x.shape)}"
        )


def check_event_shape(
    owner: object, x: Tensor, shape: Sequence[int], *, name: str = "input"
) -> None:
    """Raise ``ValueError`` naming ``owner`` unless ``x.shape[1:] == shape``."""
    if tuple(x.shape[1:]) != tuple(shape):
        raise ValueError(
            f"{owner_name(owner)}: expected {name} of shape (batch, {', '.join(map(str, shape))}), "
            f"got shape {tuple(x.shape)}"
        )


class LayerInputError(ValueError, RuntimeError):
    """An input that does not fit a layer (shape or dtype), named by the layer.

    A ``ValueError`` (a caller's input) that is still a ``RuntimeError``, the type torch raised.
    """


_FIT_WORDS = ("shape", "size", "dtype", "scalar type", "channels", "dimension", "mat1")


def layer_input_error(
    owner: object, x: Tensor, error: RuntimeError, *, name: str = "input"
) -> BaseException:
    """The error to raise for torch's ``error`` in ``owner`` on ``x``: a ``LayerInputError``
    naming the layer, the input's shape and dtype (and the layer's parameter dtype when it
    differs) for a shape or dtype mismatch; ``error`` itself otherwise."""
    message = str(error)
    if type(error) is not RuntimeError or not any(w in message.lower() for w in _FIT_WORDS):
        return error
    parameters = getattr(owner, "parameters", None)
    dtypes = {p.dtype for p in parameters() if p.is_floating_point()} if parameters else set()
    mismatch = ""
    if x.is_floating_point() and dtypes and x.dtype not in dtypes:
        mismatch = f" (its parameters are {', '.join(sorted(map(str, dtypes)))})"
    first = (message.strip().splitlines() or [""])[0]
    return LayerInputError(
        f"{owner_name(owner)}: {name} of shape {tuple(x.shape)} and dtype {x.dtype} does not "
        f"fit the layer{mismatch}: {first}"
    )
