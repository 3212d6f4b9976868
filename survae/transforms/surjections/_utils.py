"""Private helpers shared by the surjections: permutations along a dimension, block indices."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from survae.distributions.base import Distribution
from survae.distributions.conditional.base import ConditionalDistribution
from survae.utils.validation import ShapeError, owner_name

_LOG_HALF_NORMAL_NORMALISER = math.log(2.0) - 0.5 * math.log(2.0 * math.pi)


def check_dim(owner: object, x: Tensor, dim: int) -> None:
    """Raise ``ValueError`` naming ``owner`` unless ``x`` has a dimension ``dim`` (>= 1)."""
    if x.dim() <= dim:
        raise ShapeError(
            f"{owner_name(owner)}: expected input with at least {dim + 1} dimensions "
            "(the batch first), "
            f"got shape {tuple(x.shape)}"
        )


def permute_along(x: Tensor, dim: int, perm: Tensor) -> Tensor:
    """Reorder the slices of ``x`` along ``dim``: ``out[b, .., i, ..] = x[b, .., perm[b, i], ..]``.

    ``perm`` has shape ``(batch, x.shape[dim])``; the reordering is the same for every position of
    the other dimensions.
    """
    view = [perm.shape[0]] + [1] * (x.dim() - 1)
    view[dim] = perm.shape[1]
    return torch.gather(x, dim, perm.reshape(view).expand_as(x))


def random_permutations(batch: int, size: int, device: torch.device) -> Tensor:
    """``batch`` independent uniform random permutations of ``0..size-1``, ``(batch, size)``."""
    return torch.rand(batch, size, device=device, dtype=torch.float64).argsort(dim=1)


def log_factorial(n: int) -> float:
    r""":math:`\log n!` (via ``lgamma``)."""
    return math.lgamma(n + 1)


def others_index(k: Tensor, size: int) -> Tensor:
    """The ``size - 1`` indices other than ``k``, increasing: shape ``(*k.shape, size - 1)``.

    Index ``j`` of the result is ``j + (j >= k)``.
    """
    j = torch.arange(size - 1, device=k.device)
    return j + (j >= k.unsqueeze(-1)).long()


def assemble_from_max(top: Tensor, rest: Tensor, k: Tensor) -> Tensor:
    """Inverse of splitting the last axis into ``top = v[..., k]`` and the other entries ``rest``.

    ``top`` and ``k`` have shape ``S``, ``rest`` has shape ``(*S, n - 1)``; returns ``(*S, n)``.
    Differentiable in ``top`` and ``rest``.
    """
    size = rest.shape[-1] + 1
    index = torch.cat([others_index(k, size), k.unsqueeze(-1)], dim=-1)
    values = torch.cat([rest, top.unsqueeze(-1)], dim=-1)
    return torch.zeros_like(values).scatter(-1, index, values)


def half_normal_log_density(v: Tensor, log_scale: Tensor | float) -> Tensor:
    r"""Elementwise log-density of a half-normal of scale :math:`e^{s}` (:math:`s` = ``log_scale``)
    at :math:`v \ge 0`."""
    if isinstance(log_scale, Tensor):
        return _LOG_HALF_NORMAL_NORMALISER - log_scale - 0.5 * (v * torch.exp(-log_scale)) ** 2
    return _LOG_HALF_NORMAL_NORMALISER - log_scale - 0.5 * (v * math.exp(-log_scale)) ** 2


def check_distribution(owner: str, name: str, dist: object, optional: bool = False) -> bool:
    """Check ``dist`` is a survae Distribution (or None if ``optional``); return whether it is
    conditional."""
    if dist is None and optional:
        return False
    if not isinstance(dist, Distribution):
        raise ValueError(
            f"{owner}: {name} must be a survae Distribution or ConditionalDistribution, "
            f"got {type(dist).__name__}"
        )
    return isinstance(dist, ConditionalDistribution)


def dist_log_prob(dist: Distribution, x: Tensor, context: Tensor, cond: bool) -> Tensor:
    """``dist.log_prob(x)``, passing ``context`` if the distribution is conditional."""
    return dist.log_prob(x, context=context) if cond else dist.log_prob(x)


def dist_sample(dist: Distribution, context: Tensor, cond: bool) -> Tensor:
    """One sample per row of ``context`` (conditional) or ``context.shape[0]`` samples."""
    return dist.rsample(context=context) if cond else dist.rsample(context.shape[0])


def dist_sample_with_log_prob(
    dist: Distribution, context: Tensor, cond: bool
) -> tuple[Tensor, Tensor]:
    """``dist.sample_with_log_prob`` with one sample per row of ``context``."""
    if cond:
        return dist.sample_with_log_prob(context=context)
    return dist.sample_with_log_prob(context.shape[0])


def floating(x: Tensor, module: torch.nn.Module) -> Tensor:
    """``x`` if floating, else ``x`` cast to ``module``'s floating dtype (default dtype if none)."""
    if x.is_floating_point():
        return x
    for tensor in list(module.parameters()) + list(module.buffers()):
        if tensor.is_floating_point():
            return x.to(tensor.dtype)
    return x.to(torch.get_default_dtype())
