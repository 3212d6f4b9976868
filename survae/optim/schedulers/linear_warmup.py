"""Linear learning-rate warm-up (the official ``LinearWarmupScheduler``) and warm-up + cosine."""

from __future__ import annotations

import math

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler


class LinearWarmupScheduler(LRScheduler):
    """Learning rate ``base_lr * min(1, t / total_epoch)`` at scheduler step ``t`` (from zero).

    Call ``step()`` once per iteration (or epoch); after ``total_epoch`` steps the rate stays at
    ``base_lr``. Same constructor and semantics as the official library's scheduler.

    Args:
        optimizer: the wrapped optimizer.
        total_epoch: steps to reach the base learning rate (>= 1).
        last_epoch: index of the last step (-1: a new run).

    Example:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        >>> sched = LinearWarmupScheduler(opt, total_epoch=4)
        >>> rates = []
        >>> for _ in range(5):
        ...     rates.append(opt.param_groups[0]["lr"]); opt.step(); sched.step()
        >>> rates
        [0.0, 0.25, 0.5, 0.75, 1.0]
    """

    def __init__(self, optimizer: Optimizer, total_epoch: int, last_epoch: int = -1):
        if total_epoch < 1:
            raise ValueError(f"LinearWarmupScheduler: total_epoch must be >= 1, got {total_epoch}")
        self.total_epoch = int(total_epoch)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        factor = min(1.0, self.last_epoch / self.total_epoch)
        return [base_lr * factor for base_lr in self.base_lrs]


class WarmupCosineScheduler(LRScheduler):
    """Linear warm-up over ``warmup`` steps, then cosine decay to ``min_ratio * base_lr`` at
    ``total`` steps (constant afterwards).

    Example:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        >>> sched = WarmupCosineScheduler(opt, warmup=2, total=6)
        >>> rates = []
        >>> for _ in range(7):
        ...     rates.append(round(opt.param_groups[0]["lr"], 3)); opt.step(); sched.step()
        >>> rates
        [0.0, 0.5, 1.0, 0.854, 0.5, 0.146, 0.0]
    """

    def __init__(self, optimizer: Optimizer, warmup: int, total: int, min_ratio: float = 0.0,
                 last_epoch: int = -1):
        if warmup < 0 or total <= warmup:
            raise ValueError(f"WarmupCosineScheduler: need 0 <= warmup < total, got {warmup}, "
                             f"{total}")
        self.warmup, self.total, self.min_ratio = int(warmup), int(total), float(min_ratio)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        if t < self.warmup:
            factor = t / self.warmup
        else:
            progress = min(1.0, (t - self.warmup) / (self.total - self.warmup))
            cosine = 0.5 * (1 + math.cos(math.pi * progress))
            factor = self.min_ratio + (1 - self.min_ratio) * cosine
        return [base_lr * factor for base_lr in self.base_lrs]
