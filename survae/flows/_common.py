"""Plumbing shared by the flow classes: argument checks and per-layer output checks."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor

from survae.distributions.base import Distribution
from survae.distributions.conditional.base import ConditionalDistribution
from survae.transforms.base import Transform
from survae.utils.context import context_size
from survae.utils.validation import ShapeError, is_validating


def as_transform_list(owner: str, base_dist: object, transforms: object) -> list[Transform]:
    if not isinstance(base_dist, Distribution):
        raise ValueError(
            f"{owner}: base_dist must be a survae Distribution, got {type(base_dist).__name__}"
        )
    if isinstance(transforms, Transform):
        transforms = [transforms]
    if not isinstance(transforms, Iterable):
        raise ValueError(f"{owner}: transforms must be a Transform or an iterable of Transforms")
    transforms = list(transforms)
    for i, transform in enumerate(transforms):
        if not isinstance(transform, Transform):
            raise ValueError(
                f"{owner}: transforms[{i}] is a {type(transform).__name__}, not a survae Transform"
            )
    return transforms


def check_step(owner: str, index: int, transform: Transform, z: Tensor, ldj: Tensor) -> None:
    """With validation on, fail at the first layer that produced a non-finite value."""
    if not is_validating():
        return
    if ldj.shape != z.shape[:1]:
        raise ShapeError(
            f"{owner}: transforms[{index}] {transform.layer_name} returned ldj of shape "
            f"{tuple(ldj.shape)}, expected ({z.shape[0]},)"
        )
    if z.is_floating_point() and not bool(torch.isfinite(z).all()):
        raise ValueError(f"{owner}: transforms[{index}] {transform.layer_name} produced NaN or inf")
    if not bool(torch.isfinite(ldj).all()):
        raise ValueError(
            f"{owner}: transforms[{index}] {transform.layer_name} gave a non-finite likelihood "
            "contribution (input outside the layer's support?)"
        )


def base_log_prob(base_dist: Distribution, z: Tensor, context: Tensor) -> Tensor:
    """``log p(z | context)``, or ``log p(z)`` when the base does not take a context."""
    if isinstance(base_dist, ConditionalDistribution):
        return base_dist.log_prob(z, context)
    return base_dist.log_prob(z)


def base_rsample(base_dist: Distribution, context: Tensor) -> Tensor:
    """One reparameterised base sample per context row (conditional base or not)."""
    if isinstance(base_dist, ConditionalDistribution):
        return base_dist.rsample(context)
    return base_dist.rsample(context_size(context))


def base_sample_with_log_prob(base_dist: Distribution, context: Tensor) -> tuple[Tensor, Tensor]:
    """One base sample per context row and its log-density (conditional base or not)."""
    if isinstance(base_dist, ConditionalDistribution):
        return base_dist.sample_with_log_prob(context)
    return base_dist.sample_with_log_prob(context_size(context))
