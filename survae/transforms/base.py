"""The transform contract shared by every layer of a SurVAE flow.

A transform maps data ``x`` to latent ``z`` in the *inference* direction (``forward``) and back in
the *generative* direction (``inverse``). ``forward`` also returns the per-example likelihood
contribution ``V(x, z)`` (``ldj``, shape ``(batch,)``): Algorithm 1 of the SurVAE paper reads

.. math::  \\log p(x) \\simeq \\log p(z) + \\sum_t \\mathcal{V}_t(x_{t-1}, x_t),

with equality when no layer is stochastic in the inference direction, and a lower bound otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

import torch
from torch import Tensor, nn

from survae.utils.validation import LayerInputError, check_tensor, layer_input_error


def _checked_inverse(inverse: Callable) -> Callable:
    """``inverse`` with its input checked as ``forward``'s is (a batched tensor; NaN/inf with
    validation on) and torch's shape/dtype errors named by the layer."""

    @functools.wraps(inverse)
    def checked(self, z, *args, **kwargs):
        if torch.compiler.is_compiling():
            return inverse(self, z, *args, **kwargs)
        check_tensor(self, z, name="inverse input", floating=False, min_dim=1)
        try:
            return inverse(self, z, *args, **kwargs)
        except RuntimeError as error:
            if isinstance(error, LayerInputError):
                raise
            raise layer_input_error(self, z, error, name="inverse input") from error

    checked._survae_checked = True
    return checked


class Transform(nn.Module):
    """Base class of all transforms (bijective, surjective and stochastic).

    Subclasses implement ``forward(x) -> (z, ldj)`` and ``inverse(z) -> x`` and set the flags below.

    Attributes:
        has_inverse: whether ``inverse`` is implemented.
        bijective: whether the map is a bijection.
        stochastic_forward: whether ``forward`` (data -> latent) samples; then ``log_prob`` of a
            flow containing this layer is a lower bound.
        stochastic_inverse: whether ``inverse`` (latent -> data) samples.
        requires_float: whether ``forward`` needs a floating-point input (checked cheaply).
        zero_ldj: whether the contribution is identically zero for every input (a parameter-free
            rearrangement such as a permutation or a squeeze); flows then skip adding it.
    """

    has_inverse: bool = True
    bijective: bool = False
    stochastic_forward: bool = False
    stochastic_inverse: bool = False
    requires_float: bool = True
    zero_ldj: bool = False

    @property
    def lower_bound(self) -> bool:
        """True if the likelihood contribution is a stochastic lower bound, False if exact."""
        return self.stochastic_forward

    @property
    def layer_name(self) -> str:
        """Short description used in error messages, e.g. ``Reverse(dim_size=2)``."""
        return f"{type(self).__name__}({self.extra_repr()})"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        inverse = cls.__dict__.get("inverse")
        if inverse is not None and not getattr(inverse, "_survae_checked", False):
            cls.inverse = _checked_inverse(inverse)

    def __call__(self, x: Tensor, *args, **kwargs):
        check_tensor(self, x, floating=self.requires_float)
        if torch.compiler.is_compiling():
            return super().__call__(x, *args, **kwargs)
        try:
            return super().__call__(x, *args, **kwargs)
        except RuntimeError as error:  # torch's shape/dtype errors, named by the layer
            if isinstance(error, LayerInputError):
                raise
            raise layer_input_error(self, x, error) from error

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Inference direction ``z <- x``.

        Returns ``z`` and the likelihood contribution ``ldj`` of shape ``(batch,)`` such that
        ``log p(x) = log p(z) + ldj`` (exactly, or in expectation as a lower bound).
        """
        raise NotImplementedError

    def inverse(self, z: Tensor) -> Tensor:
        """Generative direction ``x <- z``."""
        raise NotImplementedError

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        """Generate ``x`` from ``z`` and return it with the contribution ``forward(x)`` would give.

        ``log p(x) = log p(z) + ldj`` holds exactly, which is what ``Flow.sample_with_log_prob``
        needs. Only transforms with a deterministic ``forward`` support it; bijections override
        this with a closed form where they have one.
        """
        if self.stochastic_forward:
            raise NotImplementedError(
                f"{self.layer_name}: the inference direction is stochastic, so the likelihood of "
                "a generated sample is not available in closed form (it is only bounded)"
            )
        x = self.inverse(z)
        _, ldj = self.forward(x)
        return x, ldj


class SequentialTransform(Transform):
    """Chains transforms: ``forward`` applies them in order and sums their contributions.

    Args:
        transforms: a Transform or an iterable of Transforms.
    """

    def __init__(self, transforms: Transform | Iterable[Transform]):
        super().__init__()
        if isinstance(transforms, Transform):
            transforms = [transforms]
        transforms = list(transforms)
        if not transforms or not all(isinstance(t, Transform) for t in transforms):
            raise ValueError(
                "SequentialTransform: expected a non-empty iterable of Transform objects"
            )
        self.transforms = nn.ModuleList(transforms)
        self.has_inverse = all(t.has_inverse for t in transforms)
        self.bijective = all(t.bijective for t in transforms)
        self.stochastic_forward = any(t.stochastic_forward for t in transforms)
        self.stochastic_inverse = any(t.stochastic_inverse for t in transforms)
        self.requires_float = transforms[0].requires_float

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        ldj = None
        for transform in self.transforms:
            x, step = transform(x)
            ldj = step if ldj is None else ldj + step
        return x, ldj

    def inverse(self, z: Tensor) -> Tensor:
        for transform in reversed(self.transforms):
            z = transform.inverse(z)
        return z

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        ldj = None
        for transform in reversed(self.transforms):
            z, step = transform.inverse_and_ldj(z)
            ldj = step if ldj is None else ldj + step
        return z, ldj
