"""Elementwise shift / affine maps whose parameters come from the context (official names)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.conditional.base import ConditionalBijection
from survae.utils.tensors import sum_except_batch


class ConditionalAdditiveBijection(ConditionalBijection):
    """:math:`z = x + t(c)` with :math:`t` = ``context_net(context)`` (shape of ``x``); inverse
    :math:`x = z - t(c)`; log-det 0.

    Example:
        >>> import torch
        >>> layer = ConditionalAdditiveBijection(torch.nn.Linear(3, 2))
        >>> x, c = torch.randn(4, 2), torch.randn(4, 3)
        >>> z, ldj = layer(x, c)
        >>> torch.allclose(layer.inverse(z, c), x), ldj.tolist()
        (True, [0.0, 0.0, 0.0, 0.0])
    """

    def __init__(self, context_net: nn.Module):
        super().__init__()
        self.context_net = context_net

    def _shift(self, x: Tensor, context: Tensor) -> Tensor:
        shift = self.context_net(context)
        if shift.shape != x.shape:
            raise ValueError(f"{self.layer_name}: context_net must return the input's shape "
                             f"{tuple(x.shape)}, got {tuple(shift.shape)}")
        return shift

    def forward(self, x: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        return x + self._shift(x, context), x.new_zeros(x.shape[0])

    def inverse(self, z: Tensor, context: Tensor) -> Tensor:
        return z - self._shift(z, context)

    def inverse_and_ldj(self, z: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z, context), z.new_zeros(z.shape[0])


class ConditionalAffineBijection(ConditionalBijection):
    r""":math:`z = m(c) + e^{s(c)} \odot x` with :math:`(m, s)` the two halves of
    ``context_net(context)`` along ``param_dim``.

    - forward: as above, log-det :math:`\sum_i s_i`;  inverse: :math:`x = (z - m) \odot e^{-s}`.

    Args:
        context_net: maps the context to twice the input's size along ``param_dim``.
        param_dim: the dimension holding :math:`[m, s]` (default 1).

    Example:
        >>> import torch
        >>> layer = ConditionalAffineBijection(torch.nn.Linear(3, 4))
        >>> x, c = torch.randn(5, 2), torch.randn(5, 3)
        >>> z, ldj = layer(x, c)
        >>> torch.allclose(layer.inverse(z, c), x, atol=1e-6)
        True
    """

    def __init__(self, context_net: nn.Module, param_dim: int = 1):
        super().__init__()
        self.context_net = context_net
        self.param_dim = param_dim

    def _params(self, x: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        params = self.context_net(context)
        mean, log_std = torch.chunk(params, 2, dim=self.param_dim)
        if mean.shape != x.shape:
            raise ValueError(f"{self.layer_name}: context_net must return twice the input's "
                             f"size along dim {self.param_dim} (input {tuple(x.shape)}), got "
                             f"{tuple(params.shape)}")
        return mean, log_std

    def forward(self, x: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        mean, log_std = self._params(x, context)
        return mean + torch.exp(log_std) * x, sum_except_batch(log_std)

    def inverse_and_ldj(self, z: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        mean, log_std = self._params(z, context)
        return (z - mean) * torch.exp(-log_std), sum_except_batch(log_std)

    def inverse(self, z: Tensor, context: Tensor) -> Tensor:
        return self.inverse_and_ldj(z, context)[0]
