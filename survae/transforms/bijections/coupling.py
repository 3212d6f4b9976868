"""Coupling bijections: one part of the input parametrizes an elementwise map of the other part."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection, ConditionalBijection
from survae.utils.tensors import sum_except_batch

ScaleFn = Callable[[Tensor], Tensor]


def _exp_tanh(s: Tensor) -> Tensor:
    return torch.exp(torch.tanh(s))


def _sigmoid_plus_2(s: Tensor) -> Tensor:
    return torch.sigmoid(s + 2.0)


def _log_sigmoid_plus_2(s: Tensor) -> Tensor:
    return nn.functional.logsigmoid(s + 2.0)


SCALE_FNS: dict[str, ScaleFn] = {
    "exp": torch.exp,
    "softplus": nn.functional.softplus,
    "sigmoid": _sigmoid_plus_2,
    "tanh_exp": _exp_tanh,
}

# Closed-form log-scales of the built-in scale functions: ``log(scale_fn(u))`` without the
# round trip through ``scale_fn`` (which underflows to log(0) = -inf for very negative ``u``).
_LOG_SCALE_FNS: dict[ScaleFn, ScaleFn] = {
    torch.exp: lambda u: u,
    _sigmoid_plus_2: _log_sigmoid_plus_2,
    _exp_tanh: torch.tanh,
}


def resolve_scale_fn(scale_fn: str | ScaleFn) -> ScaleFn:
    """Map a scale name (``'exp'``, ``'softplus'``, ``'sigmoid'`` (Glow's ``sigmoid(s + 2)``),
    ``'tanh_exp'`` (``exp(tanh(s))``, bounded in ``[1/e, e]``)) or a callable to a callable."""
    if callable(scale_fn):
        return scale_fn
    if scale_fn not in SCALE_FNS:
        raise ValueError(f"unknown scale_fn {scale_fn!r}; choose one of {sorted(SCALE_FNS)}")
    return SCALE_FNS[scale_fn]


class _CouplingMixin:
    """Split/merge plumbing shared by the unconditional and conditional coupling classes."""

    split_dim: int
    num_condition: int | None

    def split_input(self, x: Tensor) -> tuple[Tensor, Tensor]:
        size = x.shape[self.split_dim] if x.dim() > self.split_dim else 0
        if self.num_condition is not None:
            if not 0 < self.num_condition < size:
                raise ValueError(
                    f"{self.layer_name}: expected more than num_condition={self.num_condition} "
                    f"features along dim {self.split_dim}, got shape {tuple(x.shape)}"
                )
            sizes = (self.num_condition, size - self.num_condition)
            return x.split_with_sizes(sizes, self.split_dim)
        if size < 2:
            raise ValueError(
                f"{self.layer_name}: expected at least 2 features along dim {self.split_dim}, "
                f"got shape {tuple(x.shape)}"
            )
        first = (size + 1) // 2  # as torch.chunk(2): the conditioning half gets the odd entry
        # split_with_sizes: torch.split's Python wrapper costs more than the split itself
        return x.split_with_sizes((first, size - first), self.split_dim)

    def _output_dim_multiplier(self) -> int:
        """Parameters per transformed element (the official library's name for it)."""
        return self._num_params()

    def _params(self, elementwise_params: Tensor, x2: Tensor) -> Tensor:
        expected = (*x2.shape, self._num_params())
        if self._num_params() == 1 and elementwise_params.shape == x2.shape:
            # ElementwiseParams(1) returns its input unchanged (as in the official library).
            return elementwise_params.unsqueeze(-1)
        if tuple(elementwise_params.shape) != expected:
            raise ValueError(
                f"{self.layer_name}: coupling_net must map the conditioning part to parameters of "
                f"shape {expected} (e.g. end it with ElementwiseParams({self._num_params()})), "
                f"got {tuple(elementwise_params.shape)}"
            )
        return elementwise_params

    def extra_repr(self) -> str:
        return f"split_dim={self.split_dim}, num_condition={self.num_condition}"


class CouplingBijection(_CouplingMixin, Bijection):
    """Coupling bijection (Dinh et al., 2015; 2017): ``x = (x_1, x_2)`` split along ``split_dim``.

    - forward: ``z_1 = x_1``, ``z_2 = g(x_2; theta)`` elementwise, ``theta = coupling_net(x_1)``;
    - inverse: ``x_1 = z_1``, ``x_2 = g^{-1}(z_2; theta(z_1))``;
    - log-det: ``sum_i log |g'(x_{2,i}; theta)|``.

    Subclasses give the elementwise transformer ``g`` via ``_elementwise_forward`` /
    ``_elementwise_inverse`` and its number of parameters per element.

    Args:
        coupling_net: maps ``x_1`` to parameters of shape ``(*x_2.shape, num_params)``.
        split_dim: dimension to split along (1 = features / channels).
        num_condition: size of ``x_1``; None splits in half (the first part gets the odd entry).
    """

    def __init__(
        self, coupling_net: nn.Module, split_dim: int = 1, num_condition: int | None = None
    ):
        super().__init__()
        if split_dim < 1:
            raise ValueError(f"{type(self).__name__}: split_dim must be >= 1, got {split_dim}")
        self.coupling_net = coupling_net
        self.split_dim = split_dim
        self.num_condition = num_condition

    def _num_params(self) -> int:
        raise NotImplementedError

    def _elementwise_forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    def _elementwise_inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        """Return ``x`` and the forward log-det at ``x``."""
        raise NotImplementedError

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        x1, x2 = self.split_input(x)
        params = self._params(self.coupling_net(x1), x2)
        z2, ldj = self._elementwise_forward(x2, params)
        return torch.cat([x1, z2], dim=self.split_dim), ldj

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        z1, z2 = self.split_input(z)
        params = self._params(self.coupling_net(z1), z2)
        x2, ldj = self._elementwise_inverse(z2, params)
        return torch.cat([z1, x2], dim=self.split_dim), ldj

    def inverse(self, z: Tensor) -> Tensor:
        return self.inverse_and_ldj(z)[0]

    def memory_saving_rerun(
        self, z: Tensor, state: Tensor | None, input_grad: bool
    ) -> tuple[list[Tensor], Tensor, Tensor, Tensor]:
        """Memory-saving backward: ``x_1 = z_1``, so the conditioner runs once, with autograd,
        for both the inverse and the re-run forward (instead of once each)."""
        cls = type(self)
        if state is not None or (cls.forward, cls.inverse_and_ldj) != (
            CouplingBijection.forward,
            CouplingBijection.inverse_and_ldj,
        ):  # kept input, or a subclass with its own split (set couplings)
            return super().memory_saving_rerun(z, state, input_grad)
        z1, z2 = self.split_input(z)
        x1 = z1.detach().requires_grad_(input_grad)
        with torch.enable_grad():
            params = self._params(self.coupling_net(x1), z2)
        with torch.no_grad():
            x2 = self._elementwise_inverse(z2, params)[0]
        x2.requires_grad_(input_grad)
        with torch.enable_grad():
            out2, ldj = self._elementwise_forward(x2, params)
            out = torch.cat([x1, out2], dim=self.split_dim)
        x = torch.cat([z1, x2.detach()], dim=self.split_dim)
        return ([x1, x2] if input_grad else []), x, out, ldj

    def memory_saving_input_grad(self, grads: list[Tensor]) -> Tensor:
        return grads[0] if len(grads) == 1 else torch.cat(grads, dim=self.split_dim)


class ConditionalCouplingBijection(_CouplingMixin, ConditionalBijection):
    """Coupling bijection whose conditioner also sees a context: ``theta = net([x_1, c])``.

    As in the official library, the conditioner gets ``x_1`` and the (processed) context
    concatenated along ``split_dim``.

    Args:
        coupling_net: called as ``coupling_net(torch.cat([x_1, context], split_dim))``.
        context_net: optional module applied to the context first.
        split_dim, num_condition: as in :class:`CouplingBijection`.
    """

    def __init__(
        self,
        coupling_net: nn.Module,
        context_net: nn.Module | None = None,
        split_dim: int = 1,
        num_condition: int | None = None,
    ):
        super().__init__()
        if split_dim < 1:
            raise ValueError(f"{type(self).__name__}: split_dim must be >= 1, got {split_dim}")
        self.coupling_net = coupling_net
        self.context_net = context_net
        self.split_dim = split_dim
        self.num_condition = num_condition

    _num_params = CouplingBijection._num_params

    def _net(self, x1: Tensor, context: Tensor) -> Tensor:
        if self.context_net is not None:
            context = self.context_net(context)
        return self.coupling_net(torch.cat([x1, context.to(x1.dtype)], dim=self.split_dim))

    def forward(self, x: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        x1, x2 = self.split_input(x)
        params = self._params(self._net(x1, context), x2)
        z2, ldj = self._elementwise_forward(x2, params)
        return torch.cat([x1, z2], dim=self.split_dim), ldj

    def inverse_and_ldj(self, z: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        z1, z2 = self.split_input(z)
        params = self._params(self._net(z1, context), z2)
        x2, ldj = self._elementwise_inverse(z2, params)
        return torch.cat([z1, x2], dim=self.split_dim), ldj

    def inverse(self, z: Tensor, context: Tensor) -> Tensor:
        return self.inverse_and_ldj(z, context)[0]


class _AdditiveTransformer:
    def _num_params(self) -> int:
        return 1

    def _elementwise_forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return x + params[..., 0], x.new_zeros(x.shape[0])

    def _elementwise_inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return z - params[..., 0], z.new_zeros(z.shape[0])


class _AffineTransformer:
    scale_fn: ScaleFn

    def _num_params(self) -> int:
        return 2

    def _scale_shift(self, params: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """``(scale, log scale, shift)``.

        For the built-in scale functions the log-scale is computed in closed form (with ``exp``
        it is the raw output itself) and the scale is its ``exp``, so both directions derive the
        log-det from the very same tensor; other callables use ``log(scale_fn(u))``.
        """
        unconstrained, shift = params.unbind(-1)  # one view op; one stack in the backward
        log_scale_fn = _LOG_SCALE_FNS.get(self.scale_fn)
        if log_scale_fn is not None:
            log_scale = log_scale_fn(unconstrained)
            return torch.exp(log_scale), log_scale, shift
        scale = self.scale_fn(unconstrained)
        return scale, torch.log(scale), shift

    def _elementwise_forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        scale, log_scale, shift = self._scale_shift(params)
        return torch.addcmul(shift, scale, x), sum_except_batch(log_scale)

    def _elementwise_inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        scale, log_scale, shift = self._scale_shift(params)
        return (z - shift) / scale, sum_except_batch(log_scale)


class AdditiveCouplingBijection(_AdditiveTransformer, CouplingBijection):
    """Additive (NICE) coupling: ``z_2 = x_2 + t(x_1)``; log-det 0 (volume preserving).

    ``coupling_net`` maps ``x_1`` to the shift ``t``, of shape ``x_2.shape`` (or
    ``(*x_2.shape, 1)``).

    Example:
        >>> import torch
        >>> net = torch.nn.Linear(1, 1)
        >>> z, ldj = AdditiveCouplingBijection(net)(torch.randn(3, 2))
        >>> ldj.tolist()
        [0.0, 0.0, 0.0]

    Reference: Dinh et al., 2015 (NICE).
    """


class AffineCouplingBijection(_AffineTransformer, CouplingBijection):
    """Affine (RealNVP) coupling: ``z_2 = s(x_1) * x_2 + t(x_1)``, ``s = scale_fn(u(x_1)) > 0``.

    - forward: ``z_1 = x_1``, ``z_2 = s * x_2 + t``;
    - inverse: ``x_2 = (z_2 - t) / s``;
    - log-det: ``sum log s``.

    ``coupling_net`` maps ``x_1`` to ``(*x_2.shape, 2)`` holding ``(u, t)`` in the last axis (end
    it with ``ElementwiseParams(2)`` or ``ElementwiseParams2d(2)``).

    Args:
        coupling_net: the conditioner.
        split_dim: dimension to split along.
        num_condition: size of ``x_1`` (None: half).
        scale_fn: ``u -> s``; a callable or one of ``'exp'`` (default, as the official library),
            ``'softplus'``, ``'sigmoid'`` (Glow's ``sigmoid(u + 2)``), ``'tanh_exp'``
            (``exp(tanh(u))``: bounded, stable for deep flows).

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1, 2), ElementwiseParams(2))
        >>> layer = AffineCouplingBijection(net)
        >>> x = torch.randn(4, 2)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x, atol=1e-6)
        True

    Reference: Dinh et al., 2017 (RealNVP).
    """

    def __init__(
        self,
        coupling_net: nn.Module,
        split_dim: int = 1,
        num_condition: int | None = None,
        scale_fn: str | ScaleFn = torch.exp,
    ):
        super().__init__(coupling_net, split_dim=split_dim, num_condition=num_condition)
        self.scale_fn = resolve_scale_fn(scale_fn)


class ConditionalAdditiveCouplingBijection(_AdditiveTransformer, ConditionalCouplingBijection):
    """Conditional additive coupling: ``z_2 = x_2 + t([x_1, c])``; log-det 0.

    Example:
        >>> import torch
        >>> layer = ConditionalAdditiveCouplingBijection(torch.nn.Linear(1 + 3, 1))
        >>> x, c = torch.randn(4, 2), torch.randn(4, 3)
        >>> z, ldj = layer(x, c)
        >>> torch.allclose(layer.inverse(z, c), x, atol=1e-6), ldj.tolist()
        (True, [0.0, 0.0, 0.0, 0.0])
    """


class ConditionalAffineCouplingBijection(_AffineTransformer, ConditionalCouplingBijection):
    """Conditional affine coupling: ``z_2 = s([x_1, c]) x_2 + t([x_1, c])``, log-det ``sum log s``.

    Args:
        coupling_net: maps ``cat([x_1, context], split_dim)`` to ``(*x_2.shape, 2)``.
        context_net: optional module applied to the context first.
        split_dim, num_condition, scale_fn: as in :class:`AffineCouplingBijection`.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1 + 3, 2), ElementwiseParams(2))
        >>> layer = ConditionalAffineCouplingBijection(net, scale_fn="softplus")
        >>> x, c = torch.randn(4, 2), torch.randn(4, 3)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """

    def __init__(
        self,
        coupling_net: nn.Module,
        context_net: nn.Module | None = None,
        split_dim: int = 1,
        num_condition: int | None = None,
        scale_fn: str | ScaleFn = torch.exp,
    ):
        super().__init__(
            coupling_net, context_net, split_dim=split_dim, num_condition=num_condition
        )
        self.scale_fn = resolve_scale_fn(scale_fn)
