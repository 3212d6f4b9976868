r"""The transform contract shared by every layer of a SurVAE flow.

A transform maps data ``x`` to latent ``z`` in the *inference* direction (``forward``) and back in
the *generative* direction (``inverse``). ``forward`` also returns the per-example likelihood
contribution :math:`\mathcal{V}(x, z)` (``ldj``, shape ``(batch,)``): Algorithm 1 of the SurVAE
paper reads

.. math::  \log p(x) \simeq \log p(z) + \sum_t \mathcal{V}_t(x_{t-1}, x_t),

with equality when no layer is stochastic in the inference direction, and a lower bound otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

import torch
from torch import Tensor, nn

from survae.transforms.memory_saving import memory_saving_forward
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


def require_exact_sample_likelihood(owner: str, transforms: Iterable[Transform]) -> None:
    """The one check behind every "sample with its likelihood" method: raise
    ``NotImplementedError`` naming the first transform that samples in the inference direction
    (its contribution to the likelihood of a generated point is only a bound)."""
    for transform in transforms:
        if transform.stochastic_forward:
            name = transform.layer_name
            where = "" if owner == name else f"{name} in "
            raise NotImplementedError(
                f"{owner}: {where}the inference direction is stochastic, so the likelihood of a "
                "generated sample is not available exactly (it is only bounded)"
            )


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
        recompute_by_inverse: for bijections, whether ``inverse`` is exact and about as cheap as
            ``forward``, so memory-saving backpropagation rebuilds the input from the output
            (False for iterative inverses: bisection, fixed points, ``D`` autoregressive passes;
            those layers keep their input instead).
    """

    has_inverse: bool = True
    bijective: bool = False
    stochastic_forward: bool = False
    stochastic_inverse: bool = False
    requires_float: bool = True
    zero_ldj: bool = False
    recompute_by_inverse: bool = True

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
        inverse = getattr(cls, "inverse", None)  # own, or from a mixin earlier in the MRO
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
        r"""Inference direction :math:`x \mapsto z`.

        Returns ``z`` and the likelihood contribution ``ldj`` of shape ``(batch,)`` such that
        :math:`\log p(x) = \log p(z) + \mathrm{ldj}` (exactly, or in expectation as a lower
        bound).
        """
        raise NotImplementedError

    def inverse(self, z: Tensor) -> Tensor:
        """Generative direction ``x <- z``."""
        raise NotImplementedError

    def memory_saving_state(self, x: Tensor) -> Tensor | None:
        """What memory-saving backpropagation keeps of the input ``x`` to rebuild it later.

        None for bijections with ``recompute_by_inverse`` (the input is ``inverse(z)``), else
        ``x`` itself. Layers that can rebuild their input from less override this together with
        :meth:`memory_saving_input` (``Slice`` keeps only the dropped part).
        """
        if self.bijective and self.has_inverse and self.recompute_by_inverse:
            return None
        return x.detach()

    def memory_saving_input(self, z: Tensor, state: Tensor | None) -> Tensor:
        """Rebuild the input of :meth:`forward` from its output ``z`` and the kept ``state``."""
        return self.inverse(z) if state is None else state

    def memory_saving_rerun(
        self, z: Tensor, state: Tensor | None, input_grad: bool
    ) -> tuple[list[Tensor], Tensor, Tensor, Tensor]:
        """Rebuild the input and re-run :meth:`forward` on it with autograd (backward pass of
        memory-saving backpropagation).

        Returns ``(leaves, x, z, ldj)``: the leaf tensors the input gradient is taken for (empty
        unless ``input_grad``; :meth:`memory_saving_input_grad` joins their gradients), the
        rebuilt input ``x`` (detached) and ``forward``'s outputs with their graph. Layers whose
        inverse and forward share work override it (couplings run their conditioner once).
        """
        with torch.no_grad():
            x = self.memory_saving_input(z, state)
        x = x.detach().requires_grad_(input_grad)
        with torch.enable_grad():
            out, ldj = self(x)
        return ([x] if input_grad else []), x.detach(), out, ldj

    def memory_saving_input_grad(self, grads: list[Tensor]) -> Tensor:
        """The gradient of the input from those of the leaves of :meth:`memory_saving_rerun`."""
        return grads[0]

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        r"""Generate ``x`` from ``z`` and return it with the contribution ``forward(x)`` would give.

        :math:`\log p(x) = \log p(z) + \mathrm{ldj}` holds exactly, which is what
        ``Flow.sample_with_log_prob`` needs. Only transforms with a deterministic ``forward``
        support it; bijections override this with a closed form where they have one.
        """
        require_exact_sample_likelihood(self.layer_name, [self])
        x = self.inverse(z)
        _, ldj = self.forward(x)
        return x, ldj


class SequentialTransform(Transform):
    """Chains transforms: ``forward`` applies them in order and sums their contributions
    (adjacent ActNorm and 1x1 convolution as one map in eager mode, see
    :mod:`survae.transforms.fusion`).

    Args:
        transforms: a Transform or an iterable of Transforms.
        memory_saving: backpropagate without storing the layers' intermediate activations:
            bijections rebuild their inputs from their outputs in the backward pass (see
            :mod:`survae.transforms.memory_saving`). Less memory, about one more forward and
            inverse pass of time; the same gradients.
    """

    def __init__(self, transforms: Transform | Iterable[Transform], memory_saving: bool = False):
        super().__init__()
        self.memory_saving = bool(memory_saving)
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
        if self.memory_saving:
            z, ldj = memory_saving_forward(type(self).__name__, self.transforms, x)
            return z, (z.new_zeros(z.shape[0]) if ldj is None else ldj)
        from survae.transforms.fusion import forward_stack  # imports this module

        x, ldj = forward_stack(self.transforms, x)
        return x, (x.new_zeros(x.shape[0]) if ldj is None else ldj)

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
