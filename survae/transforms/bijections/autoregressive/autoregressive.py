r"""The autoregressive scheme: :math:`z_i = \tau(x_i; \theta_i(x_{<i}))` with a masked conditioner.

- forward (density direction, MAF): one conditioner pass, :math:`\theta` = ``net(x)``, then the
  elementwise transformer :math:`\tau` (:mod:`survae.transforms.bijections.transformers`);
  log-det :math:`\sum_i \log |\tau'(x_i; \theta_i)|`;
- inverse: one conditioner pass per step, the only loop over dimensions in the library (vectorized
  over the batch). ``'ltr'`` (vectors): a fixed-point sweep
  :math:`x \leftarrow \tau^{-1}(z; \theta(x))` repeated :math:`D` times from :math:`x = 0`; after
  sweep :math:`t` the first :math:`t` features *in the conditioner's ordering* are exact, so any
  ordering is inverted exactly. ``'raster_cwh'`` / ``'raster_wh'``
  (images): values filled in raster order, channel by channel within a pixel (PixelCNN's channel
  masks) or a whole pixel at once.

Used to *sample* in an ``InverseFlow`` this is an IAF. A context, when given, is passed to the
conditioner as ``autoregressive_net(x, context=context)``. The official ``*Autoregressive*``
classes are this scheme with a fixed transformer and input rank.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.transforms.bijections.transformers.base import (
    ElementwiseTransformer,
    TransformerHooks,
)


class AutoregressiveScheme(TransformerHooks):
    """The autoregressive body shared by the 1-D, 2-D and conditional classes.

    Class attributes: ``orders`` (accepted ``autoregressive_order`` values, the first the
    default) and ``input_rank`` (dimensions of the input, batch included).
    """

    orders: tuple[str, ...] = ("ltr",)
    input_rank: int = 2
    recompute_by_inverse = False  # D passes to invert: memory saving keeps the input instead
    autoregressive_net: nn.Module

    def _init_scheme(self, autoregressive_net: nn.Module, autoregressive_order: str | None,
                     transformer: ElementwiseTransformer | None) -> None:
        order = self.orders[0] if autoregressive_order is None else autoregressive_order
        if order not in self.orders:
            raise ValueError(f"{type(self).__name__}: autoregressive_order must be one of "
                             f"{self.orders}, got {autoregressive_order!r}")
        self.autoregressive_net = autoregressive_net
        self.autoregressive_order = order
        self.transformer = transformer

    def extra_repr(self) -> str:
        return f"{self._transformer_repr()}autoregressive_order={self.autoregressive_order!r}"

    def _params(self, x: Tensor, context: Tensor | None) -> Tensor:
        if x.dim() != self.input_rank:
            shape = "(batch, features)" if self.input_rank == 2 else "(batch, C, H, W)"
            raise ValueError(f"{self.layer_name}: expected inputs of shape {shape}, got shape "
                             f"{tuple(x.shape)}")
        net = self.autoregressive_net
        params = net(x) if context is None else net(x, context=context)
        num = self._output_dim_multiplier()
        if tuple(params.shape) != (*x.shape, num) and not (num == 1 and params.shape == x.shape):
            raise ValueError(f"{self.layer_name}: autoregressive_net must return parameters of "
                             f"shape {(*x.shape, num)}, got {tuple(params.shape)}")
        return params

    def forward(self, x: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor]:
        return self._elementwise_forward(x, self._params(x, context))

    def inverse_and_ldj(self, z: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor]:
        if self.autoregressive_order != "ltr":
            x = self._raster_inverse(z, context)
            return x, self.forward(x, context)[1]
        x = torch.zeros_like(z)
        for _ in range(z.shape[1] - 1):
            x = self._elementwise_inverse(z, self._params(x, context))
        return self._elementwise_inverse_and_ldj(z, self._params(x, context))

    def inverse(self, z: Tensor, context: Tensor | None = None) -> Tensor:
        if self.autoregressive_order != "ltr":
            return self._raster_inverse(z, context)
        return self.inverse_and_ldj(z, context)[0]

    def _raster_inverse(self, z: Tensor, context: Tensor | None) -> Tensor:
        """Fill ``x`` in raster order (per value or per pixel), one conditioner pass per step."""
        x = torch.zeros_like(z)
        _, c, h, w = z.shape
        groups = ([[k] for k in range(c)] if self.autoregressive_order == "raster_cwh"
                  else [list(range(c))])
        for i in range(h):
            for j in range(w):
                for group in groups:
                    params = self._params(x, context)[:, group, i, j]
                    value = self._elementwise_inverse(z[:, group, i, j], params)
                    x = x.clone()  # the previous x is saved for the backward of the net
                    x[:, group, i, j] = value
        return x


class AutoregressiveBijection(AutoregressiveScheme, Bijection):
    r"""Autoregressive bijection on vectors with any elementwise transformer.

    With :math:`\tau` the transformer and :math:`\theta` the conditioner: forward
    :math:`z_i = \tau(x_i; \theta_i(x_{<i}))`, log-det :math:`\sum_i \log|\tau'(x_i; \theta_i)|`,
    inverse by :math:`D` conditioner passes (see the module docstring for the directions).

    The conditioner maps ``x`` ``(B, D)`` to ``(B, D, P)`` parameters (:math:`P` the
    transformer's ``num_params``), those of feature :math:`i` depending only on features before
    it in its ordering (e.g. :class:`survae.nn.nets.MADE`).

    A subclass written for the official library (overriding ``_output_dim_multiplier``,
    ``_elementwise_forward``, ``_elementwise_inverse``) works with ``transformer=None``.

    Args:
        autoregressive_net: the masked conditioner.
        autoregressive_order: ``'ltr'`` (the official name and the default, also when None; the
            sweep inverts whatever ordering the conditioner has).
        transformer: the elementwise map.

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> from survae.transforms.bijections.transformers import Affine
        >>> layer = AutoregressiveBijection(MADE(3, 2, [16]), transformer=Affine("tanh_exp"))
        >>> x = torch.randn(4, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True
    """

    def __init__(self, autoregressive_net: nn.Module, autoregressive_order: str | None = None,
                 transformer: ElementwiseTransformer | None = None):
        super().__init__()
        self._init_scheme(autoregressive_net, autoregressive_order, transformer)
