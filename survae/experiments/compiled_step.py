"""The training loss under ``torch.compile``, with a clean fallback to eager execution.

The trainer compiles the module that computes the loss of a batch (the model's ``log_prob``, the
loss function and everything they call): the forward pass and, through AOTAutograd, its
backward are fused into a few kernels. Shapes stay static, since the trainer drops the last
partial batch of every epoch, so one batch size is compiled once; Python numbers the loss reads
(a KL-warm-up factor from the step count, say) become graph inputs after their first change
instead of recompiling at every step (dynamo's automatic dynamic numbers).

If compilation fails (a layer dynamo cannot trace, a missing compiler toolchain, an inductor bug),
the step falls back to eager execution for the rest of the run and says why in one line on
stderr; an error the model itself raises is raised again by the eager call.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn


def _first_line(error: BaseException) -> str:
    """``Outer: Root: first line of the root cause`` (compiler errors wrap the one that matters)."""
    names, root = [type(error).__name__], error
    while True:
        inner = getattr(root, "inner_exception", None) or root.__cause__
        if inner is None or inner is root:
            break
        root = inner
        names.append(type(root).__name__)
    text = str(root).strip().splitlines()
    return f"{': '.join(names)}: {text[0] if text else ''}"[:300]


class CompiledStep:
    """``module(batch)`` compiled with ``torch.compile``; eager after a failed compilation.

    Args:
        module: computes the scalar training loss of a batch (``Trainer``'s loss module, possibly
            wrapped in ``DistributedDataParallel``).
        log: where the one-line fallback notice goes (default: stderr).
        **options: passed to ``torch.compile`` (``mode``, ``backend``, ``dynamic``...).

    Attributes:
        compiled: False once the step has fallen back to eager.
        reason: why it fell back (None while compiled).

    Example:
        >>> import torch
        >>> from survae.distributions import StandardNormal
        >>> from survae.flows import Flow
        >>> from survae.transforms import ActNormBijection
        >>> flow = Flow(StandardNormal((2,)), [ActNormBijection(2)])
        >>> class Loss(torch.nn.Module):
        ...     def forward(self, x):
        ...         return -flow.log_prob(x).mean()
        >>> step = CompiledStep(Loss(), backend="eager")  # "eager": trace only, no C++ build
        >>> step(torch.randn(8, 2)).shape, step.compiled
        (torch.Size([]), True)
    """

    def __init__(self, module: nn.Module, log: Callable[[str], None] | None = None,
                 **options: Any):
        self.module = module
        self.log = log or (lambda line: print(line, file=sys.stderr))
        self._compiled_fn = torch.compile(module, **options)
        self.compiled = True
        self.reason: str | None = None

    def fall_back(self, reason: str) -> None:
        """Run eagerly from now on and report ``reason`` in one line."""
        self.compiled = False
        self.reason = reason
        self.log(f"compile: falling back to eager execution ({reason})")

    def __call__(self, batch: Any) -> Tensor:
        if self.compiled:
            try:
                return self._compiled_fn(batch)
            except Exception as error:  # noqa: BLE001 - any compiler failure means eager
                self.fall_back(_first_line(error))
        return self.module(batch)
