r"""Affine and additive transformers, and the scale functions of affine layers.

The scale functions are the official library's (:func:`survae.nn.layers.scale_fn`): one registry
for every affine layer. For the named ones the log-scale is computed in closed form, so both
directions take the log-det from the very same tensor and very negative inputs do not underflow
to :math:`\log 0`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from survae.nn.layers import scale_fn as named_scale_fn
from survae.transforms.bijections.transformers.base import (
    ElementwiseTransformer,
    OnTransformer,
    TransformerHooks,
)
from survae.utils.tensors import sum_except_batch

ScaleFn = Callable[[Tensor], Tensor]

SCALE_FN_NAMES = ("exp", "softplus", "sigmoid", "tanh_exp")

# log(scale_fn(u)) in closed form, keyed by the registry's functions (and torch.exp, the default)
def _identity(u: Tensor) -> Tensor:
    return u


_LOG_SCALE_FNS: dict[ScaleFn, ScaleFn] = {
    torch.exp: _identity,
    named_scale_fn("exp"): _identity,
    named_scale_fn("tanh_exp"): lambda u: 2.0 * torch.tanh(u / 2.0),
}  # 'sigmoid' (>= 1e-3) and 'softplus' take log(scale)


def resolve_scale_fn(scale_fn: str | ScaleFn) -> ScaleFn:
    r"""A callable, or one of the official names: ``'exp'``, ``'softplus'``, ``'sigmoid'``
    (:math:`\sigma(u + 2) + 10^{-3}`) and ``'tanh_exp'`` (:math:`\exp(2 \tanh(u / 2))`, in
    :math:`(e^{-2}, e^2)`)."""
    if callable(scale_fn):
        return scale_fn
    if scale_fn not in SCALE_FN_NAMES:
        raise ValueError(f"unknown scale_fn {scale_fn!r}; choose one of {list(SCALE_FN_NAMES)} "
                         "or pass a callable")
    return named_scale_fn(scale_fn)


def log_scale(scale_fn: ScaleFn, unconstrained: Tensor) -> Tensor:
    r""":math:`\log \mathrm{scale\_fn}(u)`, in closed form for the named scale functions."""
    closed_form = _LOG_SCALE_FNS.get(scale_fn)
    if closed_form is not None:
        return closed_form(unconstrained)
    return torch.log(scale_fn(unconstrained))


class Additive(ElementwiseTransformer):
    """:math:`z = x + t` (NICE), inverse :math:`x = z - t`; log-det 0. One parameter per element
    (``(*x.shape, 1)`` or ``x.shape``, as ``ElementwiseParams(1)`` leaves it).

    Example:
        >>> import torch
        >>> Additive().forward(torch.zeros(2, 3), torch.ones(2, 3, 1))[0].tolist()
        [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """

    num_params = 1

    def forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return x + params.reshape(x.shape), x.new_zeros(x.shape[0])

    def inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return z - params.reshape(z.shape), z.new_zeros(z.shape[0])


class Affine(ElementwiseTransformer):
    r""":math:`z = s x + t` with :math:`s = \mathrm{scale\_fn}(u) > 0`; parameters :math:`(u, t)`
    in the last axis.

    - forward: :math:`z = s x + t`; inverse: :math:`x = (z - t) / s`;
    - log-det: :math:`\sum_i \log s_i`.

    Args:
        scale_fn: :math:`u \mapsto s`: a callable or a name of :func:`resolve_scale_fn` (default
            ``exp``).

    Example:
        >>> import torch
        >>> affine = Affine("tanh_exp")
        >>> affine
        Affine(scale_fn=tanh_exp)
        >>> z, ldj = affine.forward(torch.ones(1, 2), torch.zeros(1, 2, 2))
        >>> z.tolist(), ldj.tolist()
        ([[1.0, 1.0]], [0.0])
    """

    num_params = 2

    def __init__(self, scale_fn: str | ScaleFn = torch.exp):
        self.scale_fn = resolve_scale_fn(scale_fn)

    def extra_repr(self) -> str:
        if _LOG_SCALE_FNS.get(self.scale_fn) is _identity:  # the default, exp: not repeated
            return ""
        name = getattr(self.scale_fn, "__name__", repr(self.scale_fn)).lstrip("_")
        return f"scale_fn={name}"

    @staticmethod
    def unconstrained_scale_and_shift(params: Tensor) -> tuple[Tensor, Tensor]:
        # One view op; one stack in the backward, along the axis that holds the two parameters
        # in memory: ElementwiseParams' default (interleaved) layout keeps them right after the
        # batch, so the stacked gradient is already in the conditioner's output layout (no copy
        # when its reshapes are undone).
        if params.dim() > 2 and params.stride(-1) > params.stride(1):
            return params.movedim(-1, 1).unbind(1)
        return params.unbind(-1)

    def scale_and_log_scale(self, unconstrained: Tensor) -> tuple[Tensor, Tensor]:
        if self.scale_fn in _LOG_SCALE_FNS:  # the scale from the log-scale: one source for both
            log_s = _LOG_SCALE_FNS[self.scale_fn](unconstrained)
            return torch.exp(log_s), log_s
        scale = self.scale_fn(unconstrained)
        return scale, torch.log(scale)

    def forward_with(self, x: Tensor, unconstrained: Tensor, shift: Tensor):
        scale, log_scale = self.scale_and_log_scale(unconstrained)
        return torch.addcmul(shift, scale, x), sum_except_batch(log_scale)

    def inverse_with(self, z: Tensor, unconstrained: Tensor, shift: Tensor):
        scale, log_scale = self.scale_and_log_scale(unconstrained)
        return (z - shift) / scale, sum_except_batch(log_scale)

    def forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return self.forward_with(x, *self.unconstrained_scale_and_shift(params))

    def inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse_with(z, *self.unconstrained_scale_and_shift(params))


class AffineHooks(TransformerHooks):
    """Affine layers: the official ``scale_fn`` attribute and ``_unconstrained_scale_and_shift``
    hook (a subclass overriding the hook changes how parameters are read, in both directions)."""

    scale_fn = OnTransformer()

    def _unconstrained_scale_and_shift(self, elementwise_params: Tensor):
        return self.transformer.unconstrained_scale_and_shift(elementwise_params)

    def _elementwise_forward(self, x: Tensor, elementwise_params: Tensor):
        return self.transformer.forward_with(
            x, *self._unconstrained_scale_and_shift(elementwise_params))

    def _transformer_inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return self.transformer.inverse_with(z, *self._unconstrained_scale_and_shift(params))
