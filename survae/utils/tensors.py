"""Small tensor helpers used across the library."""

from __future__ import annotations

import torch
from torch import Tensor


def sum_except_batch(x: Tensor, num_dims: int = 1) -> Tensor:
    """Sum all dimensions of ``x`` except the first ``num_dims`` (default: the batch dimension).

    Example:
        >>> sum_except_batch(torch.ones(4, 3, 2)).tolist()
        [6.0, 6.0, 6.0, 6.0]
    """
    if x.dim() == num_dims + 1:  # one event dimension: a plain sum, no reshape
        return x.sum(-1)
    return x.reshape(*x.shape[:num_dims], -1).sum(-1)


def mean_except_batch(x: Tensor, num_dims: int = 1) -> Tensor:
    """Average all dimensions of ``x`` except the first ``num_dims``."""
    return x.reshape(*x.shape[:num_dims], -1).mean(-1)


def split_leading_dim(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Reshape the leading dimension of ``x`` into ``shape``."""
    return x.reshape(*shape, *x.shape[1:])


def merge_leading_dims(x: Tensor, num_dims: int = 2) -> Tensor:
    """Merge the first ``num_dims`` dimensions of ``x`` into one."""
    return x.reshape(-1, *x.shape[num_dims:])


def repeat_rows(x: Tensor, num_reps: int) -> Tensor:
    """Repeat each row of ``x`` ``num_reps`` times in place: rows ``a, b`` become ``a, a, b, b``."""
    return x.repeat_interleave(num_reps, dim=0)


def log_mean_exp(x: Tensor, dim: int) -> Tensor:
    """``log(mean(exp(x), dim))`` computed stably."""
    return torch.logsumexp(x, dim=dim) - torch.log(torch.tensor(float(x.shape[dim]), dtype=x.dtype))


def gumbel_max(log_probs: Tensor) -> Tensor:
    """One draw per row of the categorical with (unnormalised) log-probabilities on the last
    dimension, by the Gumbel-max trick: ``argmax(log p + G)``; no host synchronisation, no
    gradient. ``-inf`` entries are never drawn.

    Example:
        >>> gumbel_max(torch.tensor([[0.0, float("-inf")]])).tolist()
        [0]
    """
    uniform = torch.rand_like(log_probs).clamp_min(torch.finfo(log_probs.dtype).tiny)
    return (log_probs.detach() - torch.log(-torch.log(uniform))).argmax(-1)
