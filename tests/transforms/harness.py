"""The Case record every transform is registered with, and generic input generators."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import Tensor

from survae.transforms import Transform


def normal_input(shape: tuple[int, ...]) -> Callable[[int], Tensor]:
    """Standard normal inputs of event shape ``shape`` (float64)."""
    return lambda n: torch.randn(n, *shape, dtype=torch.float64)


def uniform_input(shape: tuple[int, ...], low: float = 0.0, high: float = 1.0):
    """Uniform inputs in ``(low, high)`` of event shape ``shape`` (float64)."""
    return lambda n: low + (high - low) * torch.rand(n, *shape, dtype=torch.float64)


@dataclass
class Case:
    """One registered transform configuration.

    Attributes:
        id: test id, e.g. ``"AffineCouplingBijection-2d"``.
        make: builds the layer (float32 by default; the harness calls ``.double()``).
        input: ``n -> x`` inputs in the layer's domain (float64, or integer for discrete layers).
        context: ``n -> context`` for conditional layers (float64), else None.
        jacobian: compare ldj with the autograd Jacobian (bijections with small event size).
        init: optional ``(layer, x, context)`` hook run once before checks (data-dependent init).
        exact: optional ``(layer) -> None`` extra check (brute-force likelihood etc.); it asserts.
        support: optional ``(x) -> bool tensor`` that samples of ``inverse`` must satisfy.
        atol: tolerance for the inverse and log-det checks.
    """

    id: str
    make: Callable[[], Transform]
    input: Callable[[int], Tensor]
    context: Callable[[int], Tensor] | None = None
    jacobian: bool = True
    init: Callable[..., None] | None = None
    exact: Callable[[Transform], None] | None = None
    support: Callable[[Tensor], Tensor] | None = None
    atol: float = 1e-8
    marks: list = field(default_factory=list)
