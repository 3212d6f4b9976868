"""Learned linear bijections of the feature dimension: dense, Householder (and the base class of
the LU, low-rank, orthogonal and QR parametrizations in their own modules)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.utils.validation import ShapeError, check_size


class _FeatureLinear(Bijection):
    """``z = W x + b`` on ``(batch, D)``; subclasses give ``W``, ``W^{-1}`` and ``log|det W|``."""

    num_features: int

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}"

    def _weight(self) -> Tensor:
        raise NotImplementedError

    def _weight_inverse(self) -> Tensor:
        raise NotImplementedError

    def _logabsdet(self) -> Tensor:
        raise NotImplementedError

    def _bias(self) -> Tensor | None:
        return getattr(self, "bias", None)

    def _check(self, x: Tensor) -> None:
        if x.dim() != 2:
            raise ShapeError(
                f"{self.layer_name}: expected input of shape (batch, {self.num_features}), "
                f"got shape {tuple(x.shape)}"
            )
        check_size(self, x, 1, self.num_features)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        return F.linear(x, self._weight(), self._bias()), self._logabsdet().expand(x.shape[0])

    def inverse(self, z: Tensor) -> Tensor:
        self._check(z)
        bias = self._bias()
        if bias is not None:
            z = z - bias
        return F.linear(z, self._weight_inverse())

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z), self._logabsdet().expand(z.shape[0])


class Linear(_FeatureLinear):
    r"""Dense invertible linear map :math:`z = W x (+ b)`; log-det :math:`\log|\det W|` (via
    ``slogdet``); inverse :math:`x = W^{-1} (z - b)`.

    Args:
        num_features: :math:`D`.
        orthogonal_init: start from a random rotation (else the identity).
        bias: learn a bias :math:`b`.

    Example:
        >>> import torch
        >>> layer = Linear(3)
        >>> x = torch.randn(4, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True
    """

    def __init__(self, num_features: int, orthogonal_init: bool = True, bias: bool = False):
        super().__init__()
        self.num_features = int(num_features)
        self.weight = nn.Parameter(torch.eye(self.num_features))
        if orthogonal_init:
            nn.init.orthogonal_(self.weight)
        self.bias = nn.Parameter(torch.zeros(self.num_features)) if bias else None

    def _weight(self) -> Tensor:
        return self.weight

    def _weight_inverse(self) -> Tensor:
        return torch.linalg.inv(self.weight)

    def _logabsdet(self) -> Tensor:
        return torch.linalg.slogdet(self.weight).logabsdet


class HouseholderBijection(_FeatureLinear):
    r"""Orthogonal map :math:`z = H_K \cdots H_1 x` with Householder reflections
    :math:`H_k = I - 2 v_k v_k^\top / \|v_k\|^2`; log-det 0, inverse :math:`x = H_1 \cdots H_K z`.

    Used as a volume-preserving VAE-posterior flow (Tomczak & Welling, 2016) and as a learned
    rotation between coupling layers.

    Args:
        num_features: :math:`D`.
        num_reflections: :math:`K`.

    Example:
        >>> import torch
        >>> layer = HouseholderBijection(3, num_reflections=2)
        >>> x = torch.randn(4, 3)
        >>> z, ldj = layer(x)
        >>> torch.allclose(z.norm(dim=1), x.norm(dim=1), atol=1e-5), ldj.abs().max().item()
        (True, 0.0)
    """

    def __init__(self, num_features: int, num_reflections: int = 2):
        super().__init__()
        self.num_features = int(num_features)
        self.num_reflections = int(num_reflections)
        self.vectors = nn.Parameter(torch.randn(self.num_reflections, self.num_features))
        self.register_buffer("eye", torch.eye(self.num_features))

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}, num_reflections={self.num_reflections}"

    def _weight(self) -> Tensor:
        q = self.eye
        for v in self.vectors:  # K small matrix products (parameters, not data)
            q = (self.eye - 2 * torch.outer(v, v) / v.dot(v)) @ q
        return q

    def _weight_inverse(self) -> Tensor:
        return self._weight().T

    def _logabsdet(self) -> Tensor:
        return self.vectors.new_zeros(())
