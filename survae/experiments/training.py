"""Small shared pieces of the experiments: flag types, RNG states, thread scoping, finiteness.

Run-folder I/O (checkpoints, metrics, logs, the lock) lives in :mod:`survae.experiments.run_files`.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import warnings
from collections.abc import Iterator

import torch


def positive_int(text: str) -> int:
    """``argparse`` type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text}")
    return value


def non_negative_int(text: str) -> int:
    """``argparse`` type: an integer >= 0."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text}")
    return value


def rng_state(generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """The global torch RNG state (and ``generator``'s, if given) as tensors, for a checkpoint."""
    state = {"torch": torch.get_rng_state()}
    if generator is not None:
        state["generator"] = generator.get_state()
    return state


def set_rng_state(state: dict[str, torch.Tensor], generator: torch.Generator | None = None):
    """Restore what ``rng_state`` saved."""
    torch.set_rng_state(state["torch"])
    if generator is not None:
        generator.set_state(state["generator"])


@contextlib.contextmanager
def torch_threads(num_threads: int) -> Iterator[None]:
    """Run the block with ``torch.set_num_threads(num_threads)`` (``0``: leave torch's default).

    Small models train several times faster on one thread than on two, and much faster when the
    cores are shared with other processes (intra-op threads then spin waiting for each other).
    """
    previous = torch.get_num_threads()
    if num_threads > 0:
        torch.set_num_threads(num_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def all_finite(module: torch.nn.Module) -> bool:
    """Whether every floating parameter and buffer of ``module`` is finite."""
    tensors = list(module.parameters()) + list(module.buffers())
    return all(bool(torch.isfinite(t).all()) for t in tensors if t.is_floating_point())


class NonFiniteGuard:
    """Skip optimisation steps whose loss or gradients are NaN/inf; stop after several in a row.

    ``guard.step(loss, optimizer, step)`` does ``zero_grad``, ``backward`` and ``optimizer.step()``
    unless the loss or a gradient is non-finite: then it warns, leaves the parameters untouched
    and returns False. After ``max_consecutive`` consecutive bad batches it raises a
    ``RuntimeError`` saying so, instead of training on (or checkpointing) garbage.
    ``guard.ok(loss, step)`` is the loss-only check, for loops that call ``backward`` themselves.

    Args:
        max_consecutive: how many bad batches in a row stop the run.

    Example:
        >>> import torch, warnings
        >>> w = torch.nn.Parameter(torch.ones(()))
        >>> opt = torch.optim.SGD([w], lr=0.1)
        >>> guard = NonFiniteGuard(max_consecutive=3)
        >>> guard.step((w - 3) ** 2, opt, step=1), round(float(w.detach()), 3)
        (True, 1.4)
        >>> with warnings.catch_warnings(record=True):
        ...     guard.step(w * float("nan"), opt, step=2), guard.skipped
        (False, 1)
    """

    def __init__(self, max_consecutive: int = 10):
        if max_consecutive < 1:
            raise ValueError(f"max_consecutive must be >= 1, got {max_consecutive}")
        self.max_consecutive = max_consecutive
        self.consecutive = 0
        self.skipped = 0

    def _bad(self, step: int, what: str) -> bool:
        self.consecutive += 1
        self.skipped += 1
        warnings.warn(f"step {step}: {what}; batch skipped", stacklevel=3)
        if self.consecutive >= self.max_consecutive:
            raise RuntimeError(
                f"training stopped at step {step}: {self.consecutive} consecutive non-finite "
                "losses or gradients (lower the learning rate, or check the data and the "
                "model's support)"
            )
        return False

    def ok(self, loss: torch.Tensor, step: int) -> bool:
        """True if ``loss`` is finite; otherwise warn, count it, and return False."""
        value = float(loss.detach())
        if math.isfinite(value):
            self.consecutive = 0
            return True
        return self._bad(step, f"non-finite loss ({value})")

    def step(self, loss: torch.Tensor, optimizer: torch.optim.Optimizer, step: int) -> bool:
        """Backward and ``optimizer.step()`` unless the loss or a gradient is non-finite."""
        value = float(loss.detach())
        if not math.isfinite(value):
            return self._bad(step, f"non-finite loss ({value})")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        params = [p for group in optimizer.param_groups for p in group["params"]]
        grads = [p.grad for p in params if p.grad is not None]
        if grads and not bool(torch.stack([torch.isfinite(g).all() for g in grads]).all()):
            optimizer.zero_grad(set_to_none=True)
            return self._bad(step, "non-finite gradient")
        optimizer.step()
        self.consecutive = 0
        return True
