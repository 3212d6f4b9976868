"""Pieces every ``survae train ...`` command shares: atomic checkpoints, metrics, non-finite losses.

Checkpoints hold only tensors and plain Python values, so ``torch.load(path, weights_only=True)``
reads them (no pickled objects), and are written to a temporary file in the run folder and then
renamed: an interrupted save never leaves a corrupt checkpoint behind.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import torch


def atomic_torch_save(obj: Any, path: str | os.PathLike) -> None:
    """``torch.save`` to a temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def atomic_write_text(text: str, path: str | os.PathLike) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def report_metrics(metrics: dict[str, Any], run_dir: str | os.PathLike) -> str:
    """Write ``metrics.json`` in ``run_dir`` and print the same dict as one JSON line."""
    line = json.dumps(metrics, sort_keys=False)
    atomic_write_text(line + "\n", Path(run_dir) / "metrics.json")
    print(line, flush=True)
    return line


def all_finite(module: torch.nn.Module) -> bool:
    """Whether every parameter and buffer of ``module`` is finite."""
    tensors = list(module.parameters()) + list(module.buffers())
    return all(bool(torch.isfinite(t).all()) for t in tensors if t.is_floating_point())


class NonFiniteGuard:
    """Skip optimisation steps whose loss is NaN/inf; stop after ``max_consecutive`` in a row.

    ``guard.ok(loss)`` returns False (and warns) for a non-finite loss: the caller skips the
    backward/step for that batch. After ``max_consecutive`` consecutive bad batches it raises a
    ``RuntimeError`` saying so, instead of training on (or checkpointing) garbage.
    """

    def __init__(self, max_consecutive: int = 10):
        self.max_consecutive = max_consecutive
        self.consecutive = 0
        self.skipped = 0

    def ok(self, loss: torch.Tensor, step: int) -> bool:
        value = float(loss.detach())
        if math.isfinite(value):
            self.consecutive = 0
            return True
        self.consecutive += 1
        self.skipped += 1
        warnings.warn(f"step {step}: non-finite loss ({value}); batch skipped", stacklevel=2)
        if self.consecutive >= self.max_consecutive:
            raise RuntimeError(
                f"training stopped at step {step}: {self.consecutive} consecutive non-finite "
                "losses (lower the learning rate, or check the data and the model's support)"
            )
        return False
