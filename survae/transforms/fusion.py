"""Eager forward pass of a stack of transforms, with adjacent layers fused where that is exact.

In eager mode every tensor operation costs a few microseconds of dispatch plus an autograd node,
whatever the size of the tensor, and a Glow step on small maps is dozens of such operations
around its conditioner. :func:`forward_stack` runs a stack of layers as ``Flow.log_prob`` and
``SequentialTransform.forward`` always did (each layer's ``forward`` in order, the contributions
summed, layers with ``zero_ldj`` adding nothing), except that it evaluates some adjacent pairs as
one mathematically identical map:

- an ActNorm (``ActNormBijection``, ``ActNormBijection1d``, ``ActNormBijection2d``) followed by
  a 1x1 convolution (``Conv1x1``, ``Conv1x1LU``) on the same layout: the ActNorm's scale and
  shift are folded into the convolution's weight and a bias
  (:meth:`~survae.transforms.bijections.conv1x1._ChannelLinear.forward_after_actnorm`), so the
  pair costs one product with the activations and one log-det instead of two passes over them
  and two log-dets.

The layers, their parameters, state_dict keys and results are unchanged (same values up to
floating-point rounding, the same gradients); only the number of operations differs. A pair is
fused only when both layers are used as they come: their own ``forward`` (no subclass override,
none set on the instance), no module hooks (``register_forward_hook`` and friends, global ones
included), the ActNorm initialized or in eval mode (its data-dependent initialization happens in
its own ``forward``). Nothing is fused with validation on (``survae.set_validate_args``: flows
then check every layer's output) or under ``torch.compile``, which fuses the whole graph itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import Tensor
from torch.nn.modules import module as _module

from survae.transforms.base import Transform
from survae.transforms.bijections.actnorm import _ActNorm
from survae.transforms.bijections.conv1x1 import _ChannelLinear
from survae.utils.validation import (
    LayerInputError,
    check_tensor,
    is_validating,
    layer_input_error,
)

Check = Callable[[int, Transform, Tensor, Tensor], None]


def _global_hooks() -> bool:
    return bool(
        _module._global_forward_hooks
        or _module._global_forward_pre_hooks
        or _module._global_backward_hooks
        or _module._global_backward_pre_hooks
    )


def _plain(layer: Transform) -> bool:
    """Called as it comes: no hooks of its own, ``Transform.__call__``, no ``forward`` set on
    the instance."""
    return not (
        layer._forward_hooks
        or layer._forward_pre_hooks
        or layer._backward_hooks
        or layer._backward_pre_hooks
        or "forward" in layer.__dict__
    ) and type(layer).__call__ is Transform.__call__


def _actnorm_then_linear(first: Transform, second: Transform) -> bool:
    return (
        isinstance(first, _ActNorm)
        and isinstance(second, _ChannelLinear)
        and type(first).forward is _ActNorm.forward
        and type(first)._ldj is _ActNorm._ldj
        and type(second).forward is _ChannelLinear.forward
        and (first._init_done or not first.training)
        and _plain(first)
        and _plain(second)
    )


def _fused_actnorm_linear(first: _ActNorm, second: _ChannelLinear, x: Tensor):
    check_tensor(first, x, floating=first.requires_float)
    try:
        return second.forward_after_actnorm(first, x)
    except RuntimeError as error:  # torch's shape/dtype errors, named by the first layer
        if isinstance(error, LayerInputError):
            raise
        raise layer_input_error(first, x, error) from error


def fusion_enabled() -> bool:
    """Whether :func:`forward_stack` may fuse layers now (eager, no validation, no global
    module hooks)."""
    return not (torch.compiler.is_compiling() or is_validating() or _global_hooks())


def forward_stack(
    transforms: Iterable[Transform], x: Tensor, check: Check | None = None
) -> tuple[Tensor, Tensor | None]:
    """``x`` through ``transforms`` in order: the output and the summed contributions (None if
    every layer has ``zero_ldj``). ``check(index, layer, z, ldj)`` is called after each layer
    when validation is on (nothing is fused then, so every layer's output exists).

    Example:
        >>> import torch
        >>> from survae.transforms import ActNormBijection2d, Conv1x1LU, Squeeze2d
        >>> layers = [Squeeze2d(), ActNormBijection2d(12, data_dep_init=False), Conv1x1LU(12)]
        >>> z, ldj = forward_stack(layers, torch.randn(2, 3, 4, 4))  # the last two as one map
        >>> z.shape, ldj.shape
        (torch.Size([2, 12, 2, 2]), torch.Size([2]))
    """
    layers = list(transforms)
    fuse = fusion_enabled()
    total = None
    index, count = 0, len(layers)
    while index < count:
        layer = layers[index]
        if fuse and index + 1 < count and _actnorm_then_linear(layer, layers[index + 1]):
            x, ldj = _fused_actnorm_linear(layer, layers[index + 1], x)
            index += 2
        else:
            x, ldj = layer(x)
            if check is not None:
                check(index, layer, x, ldj)
            index += 1
            if layer.zero_ldj:  # permutations, squeezes: nothing to add
                continue
        total = ldj if total is None else total + ldj
    return x, total
