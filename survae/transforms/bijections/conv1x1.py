"""Invertible 1x1 convolutions (Glow): a learned linear map of the channels at every position."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.utils.validation import check_size


def _apply_channels(weight: Tensor, x: Tensor) -> Tensor:
    """``z[:, i, ...] = sum_j weight[i, j] x[:, j, ...]`` for any number of spatial dims."""
    if x.dim() == 2:
        return x @ weight.T
    return torch.movedim(torch.movedim(x, 1, -1) @ weight.T, -1, 1)


class _ChannelLinear(Bijection):
    """Shared checks and application for 1x1 convolutions over ``(batch, C, *spatial)``."""

    num_channels: int

    def extra_repr(self) -> str:
        return f"num_channels={self.num_channels}"

    def _check(self, x: Tensor) -> None:
        check_size(self, x, 1, self.num_channels)

    def _logdet_per_position(self) -> Tensor:
        raise NotImplementedError

    def _weight(self) -> Tensor:
        raise NotImplementedError

    def _weight_inverse(self) -> Tensor:
        raise NotImplementedError

    def _ldj(self, x: Tensor) -> Tensor:
        return (self._logdet_per_position() * x.shape[2:].numel()).expand(x.shape[0])

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        return _apply_channels(self._weight(), x), self._ldj(x)

    def inverse(self, z: Tensor) -> Tensor:
        self._check(z)
        return _apply_channels(self._weight_inverse(), z)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z), self._ldj(z)


class Conv1x1(_ChannelLinear):
    """Invertible 1x1 convolution with an unconstrained weight ``W`` (C x C).

    - forward: ``z[:, :, p] = W x[:, :, p]`` at every spatial position ``p``;
    - inverse: ``x[:, :, p] = W^{-1} z[:, :, p]``;
    - log-det: ``(number of positions) * log|det W|``.

    Works on ``(B, C)``, ``(B, C, L)`` and ``(B, C, H, W)``. The log-determinant is computed on the
    weight's own device (``slogdet_cpu`` is accepted for compatibility with the official library
    and ignored: moving the weight to the CPU on every call is what makes the official layer slow).
    For a parametrization with a cheap log-det and inverse, see :class:`Conv1x1LU`.

    Args:
        num_channels: number of channels ``C``.
        orthogonal_init: initialize ``W`` as a random rotation (else uniform).
        slogdet_cpu: ignored (compatibility).

    Example:
        >>> import torch
        >>> layer = Conv1x1(3)
        >>> x = torch.randn(2, 3, 4, 4)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x, atol=1e-5), bool(ldj.abs().max() < 1e-4)
        (True, True)

    Reference: Kingma & Dhariwal, 2018 (Glow).
    """

    def __init__(self, num_channels: int, orthogonal_init: bool = True, slogdet_cpu: bool = True):
        super().__init__()
        self.num_channels = int(num_channels)
        self.weight = nn.Parameter(torch.empty(self.num_channels, self.num_channels))
        if orthogonal_init:
            nn.init.orthogonal_(self.weight)
        else:
            bound = 1.0 / self.num_channels**0.5
            nn.init.uniform_(self.weight, -bound, bound)

    def _weight(self) -> Tensor:
        return self.weight

    def _weight_inverse(self) -> Tensor:
        return torch.linalg.inv(self.weight)

    def _logdet_per_position(self) -> Tensor:
        return torch.linalg.slogdet(self.weight).logabsdet


class Conv1x1LU(_ChannelLinear):
    """Invertible 1x1 convolution in the LU parametrization of Glow: ``W = P L (U + diag(s))``.

    ``P`` is a fixed permutation, ``L`` unit lower-triangular, ``U`` strictly upper-triangular and
    ``s = sign * exp(log_s)``; so

    - forward: ``z[:, :, p] = W x[:, :, p]``;
    - inverse: ``x[:, :, p] = W^{-1} z[:, :, p]`` via two triangular solves (no general inverse);
    - log-det: ``(number of positions) * sum(log_s)`` (no determinant computed at all).

    Args:
        num_channels: number of channels ``C``; initialized at a random rotation.

    Example:
        >>> import torch
        >>> layer = Conv1x1LU(4)
        >>> x = torch.randn(2, 4, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True

    Reference: Kingma & Dhariwal, 2018 (Glow, Section 3.2).
    """

    def __init__(self, num_channels: int):
        super().__init__()
        self.num_channels = c = int(num_channels)
        q = torch.empty(c, c)
        nn.init.orthogonal_(q)
        p, lower, upper = torch.linalg.lu(q)
        diag = upper.diagonal()
        self.register_buffer("permutation", p)
        self.register_buffer("sign", torch.sign(diag))
        self.register_buffer("lower_mask", torch.tril(torch.ones(c, c), -1))
        self.register_buffer("eye", torch.eye(c))
        self.lower = nn.Parameter(lower * self.lower_mask)
        self.upper = nn.Parameter(torch.triu(upper, 1))
        self.log_s = nn.Parameter(torch.log(diag.abs()))

    def _factors(self) -> tuple[Tensor, Tensor]:
        lower = self.lower * self.lower_mask + self.eye
        upper = torch.triu(self.upper, 1) + torch.diag(self.sign * torch.exp(self.log_s))
        return lower, upper

    def _weight(self) -> Tensor:
        lower, upper = self._factors()
        return self.permutation @ lower @ upper

    def _weight_inverse(self) -> Tensor:
        lower, upper = self._factors()
        # W^{-1} = U^{-1} L^{-1} P^T, from triangular solves against P^T.
        y = torch.linalg.solve_triangular(
            lower, self.permutation.T, upper=False, unitriangular=True
        )
        return torch.linalg.solve_triangular(upper, y, upper=True)

    def _logdet_per_position(self) -> Tensor:
        return self.log_s.sum()
