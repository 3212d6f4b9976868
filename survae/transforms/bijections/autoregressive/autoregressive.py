"""Autoregressive bijections: ``z_i = tau(x_i; theta_i(x_{<i}))`` with a masked conditioner."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.transforms.bijections.coupling import ScaleFn, _AffineTransformer, resolve_scale_fn


class AutoregressiveBijection(Bijection):
    """Base class: ``forward`` is one conditioner pass; ``inverse`` is ``D`` passes.

    The conditioner maps ``x`` (B, D) to ``(B, D, num_params)`` with parameters of feature ``i``
    depending only on features before it in its ordering (e.g. :class:`survae.nn.nets.MADE`).

    - forward (density direction, MAF): ``theta = net(x)``, ``z = tau(x; theta)``, one pass;
    - inverse: fixed-point sweep ``x <- tau^{-1}(z; net(x))`` repeated ``D`` times from ``x = 0``:
      after sweep ``t`` the first ``t`` features in the ordering are exact (each depends only on
      earlier ones), so ``D`` sweeps give the exact inverse. This is the only loop over
      dimensions in the library, and it is vectorized over the batch;
    - log-det: ``sum_i log |tau'(x_i; theta_i)|``.

    Used to *sample* in an ``InverseFlow`` this is an IAF.

    Args:
        autoregressive_net: the masked conditioner.
        autoregressive_order: ``'ltr'`` (kept for compatibility with the official library; the
            ordering is the conditioner's own).
    """

    recompute_by_inverse = False  # iterative inverse: memory saving keeps the input

    def __init__(self, autoregressive_net: nn.Module, autoregressive_order: str = "ltr"):
        super().__init__()
        self.autoregressive_net = autoregressive_net
        self.autoregressive_order = autoregressive_order

    def _num_params(self) -> int:
        raise NotImplementedError

    def _elementwise_forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    def _elementwise_inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    def _params(self, x: Tensor) -> Tensor:
        params = self.autoregressive_net(x)
        expected = (*x.shape, self._num_params())
        if tuple(params.shape) != expected:
            raise ValueError(
                f"{self.layer_name}: autoregressive_net must return parameters of shape "
                f"{expected}, got {tuple(params.shape)}"
            )
        return params

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return self._elementwise_forward(x, self._params(x))

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        x = torch.zeros_like(z)
        ldj = z.new_zeros(z.shape[0])
        for _ in range(z.shape[1]):
            x, ldj = self._elementwise_inverse(z, self._params(x))
        return x, ldj

    def inverse(self, z: Tensor) -> Tensor:
        return self.inverse_and_ldj(z)[0]


class AdditiveAutoregressiveBijection(AutoregressiveBijection):
    """Additive autoregressive bijection: ``z_i = x_i + t_i(x_{<i})``; log-det 0.

    Args:
        autoregressive_net: returns ``(B, D, 1)``.
        autoregressive_order: see :class:`AutoregressiveBijection`.

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = AdditiveAutoregressiveBijection(MADE(3, 1, [16]))
        >>> x = torch.randn(4, 3)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x, atol=1e-5), ldj.tolist()
        (True, [0.0, 0.0, 0.0, 0.0])
    """

    def _num_params(self) -> int:
        return 1

    def _elementwise_forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return x + params[..., 0], x.new_zeros(x.shape[0])

    def _elementwise_inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return z - params[..., 0], z.new_zeros(z.shape[0])


class AffineAutoregressiveBijection(AutoregressiveBijection):
    """Affine autoregressive bijection (MAF): ``z_i = s_i x_i + t_i``, ``s_i, t_i`` from ``x_{<i}``.

    ``(u_i, t_i) = net(x_{<i})`` and ``s_i = scale_fn(u_i)``.

    - forward: one pass; inverse: ``D`` passes; log-det: ``sum_i log s_i``.

    Args:
        autoregressive_net: returns ``(B, D, 2)`` (``u`` then ``t`` in the last axis), e.g.
            ``MADE(D, 2, [128, 128])``.
        autoregressive_order: see :class:`AutoregressiveBijection`.
        scale_fn: as in :class:`AffineCouplingBijection` (default ``exp``).

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = AffineAutoregressiveBijection(MADE(3, 2, [16]))
        >>> x = torch.randn(4, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True

    Reference: Papamakarios et al., 2017 (MAF); Kingma et al., 2016 (IAF).
    """

    def __init__(
        self,
        autoregressive_net: nn.Module,
        autoregressive_order: str = "ltr",
        scale_fn: str | ScaleFn | Callable[[Tensor], Tensor] = torch.exp,
    ):
        super().__init__(autoregressive_net, autoregressive_order)
        self.scale_fn = resolve_scale_fn(scale_fn)

    def _num_params(self) -> int:
        return 2

    _scale_shift = _AffineTransformer._scale_shift
    _elementwise_forward = _AffineTransformer._elementwise_forward
    _elementwise_inverse = _AffineTransformer._elementwise_inverse
