r"""Masked couplings (RealNVP's checkerboard and channel masks) and NICE's diagonal scaling.

A binary mask :math:`b` (same shape as one example, or broadcastable to it) marks the entries
that condition; the others are transformed:

- forward: :math:`z = b \odot x + (1 - b) \odot \bigl(s(b \odot x) \odot x + t(b \odot x)\bigr)`;
- inverse: :math:`x = b \odot z + (1 - b) \odot \bigl(z - t(b \odot z)\bigr) / s(b \odot z)`
  (:math:`b \odot z = b \odot x`);
- log-det: :math:`\sum_i (1 - b_i) \log s_i`.

Where a split coupling (:class:`~survae.transforms.AffineCouplingBijection`) conditions on a
contiguous block of features, a mask can interleave them: RealNVP alternates checkerboard masks
(spatial) with channel masks, flipping the parity from layer to layer.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.transforms.bijections.transformers.affine import ScaleFn, log_scale, resolve_scale_fn
from survae.utils.tensors import sum_except_batch
from survae.utils.validation import check_event_shape


def checkerboard_mask(height: int, width: int, parity: int = 0) -> Tensor:
    """A ``(1, height, width)`` 0/1 mask: 1 where ``row + col + parity`` is even.

    Example:
        >>> checkerboard_mask(2, 3).tolist()
        [[[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]]
    """
    rows = torch.arange(height).reshape(-1, 1)
    cols = torch.arange(width).reshape(1, -1)
    return ((rows + cols + parity) % 2 == 0).float().unsqueeze(0)


def channel_mask(channels: int, parity: int = 0) -> Tensor:
    """A ``(channels, 1, 1)`` mask: ``1`` on the first half of the channels (``parity=1``: the
    second half).

    Example:
        >>> channel_mask(4, parity=1).flatten().tolist()
        [0.0, 0.0, 1.0, 1.0]
    """
    first = torch.arange(channels) < channels // 2
    mask = first if parity == 0 else ~first
    return mask.float().reshape(channels, 1, 1)


def alternating_mask(features: int, parity: int = 0) -> Tensor:
    """A ``(features,)`` mask ``1, 0, 1, 0, ...`` (``parity=1``: ``0, 1, 0, 1, ...``): the 1-D
    checkerboard.

    Example:
        >>> alternating_mask(5).tolist()
        [1.0, 0.0, 1.0, 0.0, 1.0]
    """
    return ((torch.arange(features) + parity) % 2 == 0).float()


def _check_broadcast(layer, x: Tensor, per_example: Tensor, what: str) -> None:
    """``per_example`` (a mask, a scale) must broadcast to one example of ``x`` unchanged."""
    if x.dim() - 1 < per_example.dim():
        check_event_shape(layer, x, tuple(per_example.shape))
    try:
        fits = torch.broadcast_shapes(x.shape[1:], per_example.shape) == x.shape[1:]
    except RuntimeError:
        fits = False
    if not fits:
        raise ValueError(f"{layer.layer_name}: {what} of shape {tuple(per_example.shape)} does "
                         f"not broadcast to inputs of shape {tuple(x.shape)}")


class _MaskedCoupling(Bijection):
    """Shared checks and the mask buffer of the masked couplings."""

    def __init__(self, coupling_net: nn.Module, mask: Tensor):
        super().__init__()
        mask = torch.as_tensor(mask, dtype=torch.float32)
        if not bool(((mask == 0) | (mask == 1)).all()):
            raise ValueError(f"{type(self).__name__}: mask must hold only 0 and 1")
        if bool(mask.all()) or not bool(mask.any()):
            raise ValueError(f"{type(self).__name__}: mask must hold both 0 and 1")
        self.coupling_net = coupling_net
        self.register_buffer("mask", mask)

    def extra_repr(self) -> str:
        return f"mask_shape={tuple(self.mask.shape)}, conditioning={int(self.mask.sum())}"

    def _check(self, x: Tensor) -> None:
        _check_broadcast(self, x, self.mask, "mask")

    def _params(self, x_masked: Tensor, num: int, shape: torch.Size) -> Tensor:
        params = self.coupling_net(x_masked)
        expected = (*shape, num)
        if num == 1 and params.shape == shape:
            return params.unsqueeze(-1)
        if params.shape != expected:
            raise ValueError(
                f"{self.layer_name}: coupling_net must return shape {expected} (end it with "
                f"ElementwiseParams/ElementwiseParams2d({num})), got {tuple(params.shape)}"
            )
        return params


class MaskedAffineCouplingBijection(_MaskedCoupling):
    r"""Affine coupling with a binary mask (RealNVP, Dinh et al., 2017).

    With :math:`b` the mask, :math:`(u, t)` = ``coupling_net(b * x)`` and
    :math:`s = \mathrm{scale\_fn}(u)`:

    - forward: :math:`z = b \odot x + (1 - b) \odot (s \odot x + t)`;
    - inverse: :math:`x = b \odot z + (1 - b) \odot (z - t) / s` (:math:`s, t` from
      :math:`b \odot z = b \odot x`);
    - log-det: :math:`\sum_i (1 - b_i) \log s_i`.

    ``coupling_net`` maps a masked input to ``(*x.shape, 2)`` (end it with
    ``ElementwiseParams(2)`` or ``ElementwiseParams2d(2)``); its output at the conditioning
    entries is ignored.

    Args:
        coupling_net: the conditioner.
        mask: 0/1 tensor broadcastable to one example (``checkerboard_mask``, ``channel_mask``,
            ``alternating_mask``).
        scale_fn: as in :class:`~survae.transforms.AffineCouplingBijection` (default ``'exp'``).

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams2d
        >>> net = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, padding=1), ElementwiseParams2d(2))
        >>> layer = MaskedAffineCouplingBijection(net, checkerboard_mask(4, 4))
        >>> x = torch.randn(3, 2, 4, 4)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x, atol=1e-5), ldj.shape
        (True, torch.Size([3]))
    """

    def __init__(self, coupling_net: nn.Module, mask: Tensor, scale_fn: str | ScaleFn = "exp"):
        super().__init__(coupling_net, mask)
        self.scale_fn = resolve_scale_fn(scale_fn)

    def _scale_shift(self, x_masked: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        params = self._params(x_masked, 2, x_masked.shape)
        unconstrained, shift = params[..., 0], params[..., 1]
        free = 1 - self.mask.to(x_masked.dtype)
        return log_scale(self.scale_fn, unconstrained) * free, shift * free, free

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        x_masked = x * self.mask.to(x.dtype)
        log_scale, shift, free = self._scale_shift(x_masked)
        z = x_masked + free * x * torch.exp(log_scale) + shift
        return z, sum_except_batch(log_scale.expand_as(z))

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        self._check(z)
        z_masked = z * self.mask.to(z.dtype)
        log_scale, shift, free = self._scale_shift(z_masked)
        x = z_masked + free * (z - shift) * torch.exp(-log_scale)
        return x, sum_except_batch(log_scale.expand_as(x))

    def inverse(self, z: Tensor) -> Tensor:
        return self.inverse_and_ldj(z)[0]


class MaskedAdditiveCouplingBijection(_MaskedCoupling):
    r"""Additive coupling with a binary mask (NICE, Dinh et al., 2015): volume preserving.

    With :math:`b` the mask and :math:`t` = ``coupling_net(b * x)`` (shape ``x.shape``, or
    ``(*x.shape, 1)``):

    - forward: :math:`z = x + (1 - b) \odot t(b \odot x)`;  inverse:
      :math:`x = z - (1 - b) \odot t(b \odot z)`;
    - log-det: 0.

    Example:
        >>> import torch
        >>> layer = MaskedAdditiveCouplingBijection(torch.nn.Linear(4, 4), alternating_mask(4))
        >>> x = torch.randn(2, 4)
        >>> z, ldj = layer(x)
        >>> bool(torch.equal(z[:, ::2], x[:, ::2])), ldj.tolist()
        (True, [0.0, 0.0])
    """

    def _shift(self, x_masked: Tensor) -> Tensor:
        shift = self._params(x_masked, 1, x_masked.shape)[..., 0]
        return shift * (1 - self.mask.to(x_masked.dtype))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        z = x + self._shift(x * self.mask.to(x.dtype))
        return z, x.new_zeros(x.shape[0])

    def inverse(self, z: Tensor) -> Tensor:
        self._check(z)
        return z - self._shift(z * self.mask.to(z.dtype))

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z), z.new_zeros(z.shape[0])


class DiagonalScalingBijection(Bijection):
    r"""NICE's final scaling layer: a learned positive scale per entry, :math:`z = e^{w} \odot x`
    with :math:`w` = ``log_scale``.

    - forward: :math:`z = e^{w} \odot x`;  inverse: :math:`x = e^{-w} \odot z`;
    - log-det: :math:`\sum_i w_i` (:math:`w` broadcast to the event shape).

    NICE puts it last, so that its additive couplings (volume preserving) can still model scale.

    Args:
        shape: shape of the learned log-scale :math:`w` (an int for vectors), broadcastable to one
            example; initialised to zero (the identity).

    Example:
        >>> import torch
        >>> layer = DiagonalScalingBijection(3)
        >>> with torch.no_grad():
        ...     _ = layer.log_scale.copy_(torch.tensor([0.0, 1.0, -1.0]))
        >>> z, ldj = layer(torch.ones(2, 3))
        >>> [round(v, 3) for v in z[0].tolist()], ldj.tolist()
        ([1.0, 2.718, 0.368], [0.0, 0.0])
    """

    def __init__(self, shape: int | tuple[int, ...]):
        super().__init__()
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        self.log_scale = nn.Parameter(torch.zeros(shape))

    def extra_repr(self) -> str:
        return f"shape={tuple(self.log_scale.shape)}"

    def _ldj(self, x: Tensor) -> Tensor:
        _check_broadcast(self, x, self.log_scale, "log_scale")
        return self.log_scale.expand(x.shape[1:]).sum().expand(x.shape[0])

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        ldj = self._ldj(x)
        return x * torch.exp(self.log_scale), ldj

    def inverse(self, z: Tensor) -> Tensor:
        self._ldj(z)
        return z * torch.exp(-self.log_scale)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return z * torch.exp(-self.log_scale), self._ldj(z)
