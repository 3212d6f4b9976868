"""Spectrally normalized linear and convolutional layers with a Lipschitz bound ``coeff``.

Each layer keeps power-iteration vectors ``u`` (output side) and ``v`` (input side) as buffers, so
the estimate of the largest singular value ``sigma`` of the weight operator survives
``state_dict`` round trips. The layer applies the rescaled weight

.. math::  \\tilde W = W \\cdot \\min(1, c / \\hat\\sigma), \\qquad
           \\hat\\sigma = u^\\top W v,

so its Lipschitz constant (in the Euclidean norm) is at most ``c`` up to the accuracy of the power
iteration (Behrmann et al., 2019; Miyato et al., 2018). In training mode every call runs
``n_power_iterations`` updates of ``u, v`` (without gradient, as usual for spectral
normalization); in eval mode the stored vectors are used and the layer is deterministic. The
vectors are refined with ``n_init_iterations`` steps at construction, and
:meth:`refine_` / :meth:`spectral_norm` give an accurate estimate on demand.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from survae.utils.validation import ShapeError


def _normalize(x: Tensor, eps: float) -> Tensor:
    return x / x.norm().clamp_min(eps)


class _SpectralNormMixin:
    """Power iteration on a linear operator given by ``_apply_op`` and its adjoint ``_apply_adj``.

    Subclasses define the operator, ``weight`` and the ``u`` / ``v`` buffers.
    """

    coeff: float
    n_power_iterations: int
    eps: float
    u: Tensor
    v: Tensor
    weight: Tensor

    def _apply_op(self, v: Tensor, weight: Tensor) -> Tensor:
        raise NotImplementedError

    def _apply_adj(self, u: Tensor, weight: Tensor) -> Tensor:
        raise NotImplementedError

    @torch.no_grad()
    def refine_(self, n_iterations: int) -> Tensor:
        """Run ``n_iterations`` power-iteration steps in place; return the estimate of ``sigma``."""
        weight = self.weight.detach()
        u, v = self.u, self.v
        for _ in range(n_iterations):
            v = _normalize(self._apply_adj(u, weight), self.eps)
            u = _normalize(self._apply_op(v, weight), self.eps)
        self.u.copy_(u)
        self.v.copy_(v)
        return (self.u * self._apply_op(self.v, weight)).sum()

    def sigma(self) -> Tensor:
        """The current estimate ``u^T W v`` of the largest singular value (differentiable in W)."""
        return (self.u * self._apply_op(self.v, self.weight)).sum()

    def normalized_weight(self) -> Tensor:
        """``W * min(1, coeff / sigma)``; updates ``u, v`` first in training mode."""
        if self.training and self.n_power_iterations > 0:
            self.refine_(self.n_power_iterations)
        return self._scaled_weight()

    def _scaled_weight(self) -> Tensor:
        factor = torch.clamp(self.coeff / self.sigma().clamp_min(self.eps), max=1.0)
        return self.weight * factor

    @torch.no_grad()
    def spectral_norm(self, n_iterations: int = 200) -> Tensor:
        """Spectral norm of the *normalized* weight operator, from a fresh power iteration.

        Does not touch the buffers; use it to verify the Lipschitz bound ``<= coeff``.
        """
        weight = self._scaled_weight()
        v = _normalize(torch.randn_like(self.v), self.eps)
        for _ in range(n_iterations):
            u = _normalize(self._apply_op(v, weight), self.eps)
            v = _normalize(self._apply_adj(u, weight), self.eps)
        return self._apply_op(v, weight).norm()


def _check_coeff(name: str, coeff: float) -> None:
    if not 0.0 < coeff:
        raise ValueError(f"{name}: coeff must be positive, got {coeff}")


class SpectralNormLinear(_SpectralNormMixin, nn.Module):
    """A linear layer whose weight is rescaled to spectral norm at most ``coeff``.

    ``y = W~ x + b`` with ``W~ = W min(1, coeff / sigma(W))`` and ``sigma`` estimated by power
    iteration (see the module docstring); the Lipschitz constant of the layer is ``<= coeff``.

    Args:
        in_features: input features.
        out_features: output features.
        bias: whether to add a bias.
        coeff: Lipschitz bound ``c`` (use ``c < 1`` inside invertible residual blocks).
        n_power_iterations: power-iteration steps per training-mode call.
        n_init_iterations: power-iteration steps at construction.
        eps: small constant guarding the normalizations.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> layer = SpectralNormLinear(3, 4, coeff=0.9)
        >>> layer(torch.randn(2, 3)).shape
        torch.Size([2, 4])
        >>> bool(layer.eval().spectral_norm() <= 0.9 + 1e-3)
        True
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        coeff: float = 0.97,
        n_power_iterations: int = 1,
        n_init_iterations: int = 200,
        eps: float = 1e-12,
    ):
        super().__init__()
        _check_coeff("SpectralNormLinear", coeff)
        self.in_features = in_features
        self.out_features = out_features
        self.coeff = float(coeff)
        self.n_power_iterations = int(n_power_iterations)
        self.eps = float(eps)
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features)) if bias else None
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1.0 / math.sqrt(in_features)
            nn.init.uniform_(self.bias, -bound, bound)
        self.register_buffer("u", _normalize(torch.randn(out_features), self.eps))
        self.register_buffer("v", _normalize(torch.randn(in_features), self.eps))
        self.refine_(n_init_iterations)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}, coeff={self.coeff}"
        )

    def _apply_op(self, v: Tensor, weight: Tensor) -> Tensor:
        return weight @ v

    def _apply_adj(self, u: Tensor, weight: Tensor) -> Tensor:
        return weight.t() @ u

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.normalized_weight(), self.bias)


class SpectralNormConv2d(_SpectralNormMixin, nn.Module):
    """A stride-1 convolution whose operator norm is rescaled to at most ``coeff``.

    The power iteration runs on the convolution *operator* on inputs of spatial size
    ``input_size`` (with ``conv_transpose2d`` as its adjoint), not on the reshaped kernel, so the
    bound ``Lip <= coeff`` is for the layer as applied to images of that size.

    Args:
        in_channels: input channels.
        out_channels: output channels.
        kernel_size: kernel size (odd for "same" padding).
        input_size: spatial size ``(H, W)`` of the inputs.
        padding: zero padding (default ``kernel_size // 2``: output size = input size).
        bias: whether to add a bias.
        coeff: Lipschitz bound ``c``.
        n_power_iterations: power-iteration steps per training-mode call.
        n_init_iterations: power-iteration steps at construction.
        eps: small constant guarding the normalizations.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> layer = SpectralNormConv2d(2, 3, 3, input_size=(4, 4), coeff=0.9)
        >>> layer(torch.randn(5, 2, 4, 4)).shape
        torch.Size([5, 3, 4, 4])
        >>> bool(layer.eval().spectral_norm() <= 0.9 + 1e-3)
        True
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        input_size: tuple[int, int],
        padding: int | None = None,
        bias: bool = True,
        coeff: float = 0.97,
        n_power_iterations: int = 1,
        n_init_iterations: int = 200,
        eps: float = 1e-12,
    ):
        super().__init__()
        _check_coeff("SpectralNormConv2d", coeff)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = int(kernel_size)
        self.padding = self.kernel_size // 2 if padding is None else int(padding)
        self.input_size = (int(input_size[0]), int(input_size[1]))
        self.coeff = float(coeff)
        self.n_power_iterations = int(n_power_iterations)
        self.eps = float(eps)
        k = self.kernel_size
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, k, k))
        self.bias = nn.Parameter(torch.empty(out_channels)) if bias else None
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1.0 / math.sqrt(in_channels * k * k)
            nn.init.uniform_(self.bias, -bound, bound)
        h, w = self.input_size
        h_out, w_out = h + 2 * self.padding - k + 1, w + 2 * self.padding - k + 1
        if h_out < 1 or w_out < 1:
            raise ValueError(
                f"SpectralNormConv2d: kernel_size={k} with padding={self.padding} does not fit "
                f"input_size={self.input_size}"
            )
        self.output_size = (h_out, w_out)
        self.register_buffer("u", _normalize(torch.randn(1, out_channels, h_out, w_out), self.eps))
        self.register_buffer("v", _normalize(torch.randn(1, in_channels, h, w), self.eps))
        self.refine_(n_init_iterations)

    def extra_repr(self) -> str:
        return (
            f"in_channels={self.in_channels}, out_channels={self.out_channels}, "
            f"kernel_size={self.kernel_size}, input_size={self.input_size}, "
            f"padding={self.padding}, coeff={self.coeff}"
        )

    def _apply_op(self, v: Tensor, weight: Tensor) -> Tensor:
        return F.conv2d(v, weight, padding=self.padding)

    def _apply_adj(self, u: Tensor, weight: Tensor) -> Tensor:
        return F.conv_transpose2d(u, weight, padding=self.padding)

    def forward(self, x: Tensor) -> Tensor:
        if tuple(x.shape[-2:]) != self.input_size:
            raise ShapeError(
                f"SpectralNormConv2d({self.extra_repr()}): expected inputs of spatial size "
                f"{self.input_size} (the size the norm is computed for), got shape "
                f"{tuple(x.shape)}"
            )
        return F.conv2d(x, self.normalized_weight(), self.bias, padding=self.padding)
