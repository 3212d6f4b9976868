"""Additive and affine (MAF / IAF) autoregressive bijections on vectors, and the two kind
mixins (:class:`AdditiveAutoregressive`, :class:`AffineAutoregressive`) that give any
autoregressive scheme (1-D, 2-D, conditional) its transformer and official arguments."""

from __future__ import annotations

import torch
from torch import nn

from survae.transforms.bijections.autoregressive.autoregressive import AutoregressiveBijection
from survae.transforms.bijections.transformers.affine import Additive, Affine, AffineHooks, ScaleFn


class AdditiveAutoregressive:
    """Kind mixin: the additive transformer (``autoregressive_order`` None: the scheme's
    default)."""

    def __init__(self, autoregressive_net: nn.Module, autoregressive_order: str | None = None):
        super().__init__(autoregressive_net, autoregressive_order, Additive())


class AffineAutoregressive(AffineHooks):
    """Kind mixin: the affine transformer with ``scale_fn``."""

    def __init__(self, autoregressive_net: nn.Module, autoregressive_order: str | None = None,
                 scale_fn: str | ScaleFn = torch.exp):
        super().__init__(autoregressive_net, autoregressive_order, Affine(scale_fn))


class AdditiveAutoregressiveBijection(AdditiveAutoregressive, AutoregressiveBijection):
    """Additive autoregressive bijection: :math:`z_i = x_i + t_i(x_{<i})`; inverse
    :math:`x_i = z_i - t_i(x_{<i})` (:math:`D` passes); log-det 0.

    Args:
        autoregressive_net: returns ``(B, D, 1)`` (or ``(B, D)``).
        autoregressive_order: ``'ltr'``.

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = AdditiveAutoregressiveBijection(MADE(3, 1, [16]))
        >>> x = torch.randn(4, 3)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x, atol=1e-5), ldj.tolist()
        (True, [0.0, 0.0, 0.0, 0.0])
    """


class AffineAutoregressiveBijection(AffineAutoregressive, AutoregressiveBijection):
    r"""Affine autoregressive bijection (MAF): :math:`z_i = s_i x_i + t_i`, :math:`s_i, t_i` from
    :math:`x_{<i}`; :math:`(u_i, t_i) = \mathrm{net}(x_{<i})`,
    :math:`s_i = \mathrm{scale\_fn}(u_i)`.

    - forward: one pass; inverse: :math:`x_i = (z_i - t_i) / s_i`, :math:`D` passes;
    - log-det: :math:`\sum_i \log s_i`.

    Args:
        autoregressive_net: returns ``(B, D, 2)`` (:math:`u` then :math:`t`), e.g.
            ``MADE(D, 2, [128])``.
        autoregressive_order: ``'ltr'``.
        scale_fn: as in :class:`~survae.transforms.AffineCouplingBijection` (default ``exp``).

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = AffineAutoregressiveBijection(MADE(3, 2, [16]))
        >>> x = torch.randn(4, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True

    Reference: Papamakarios et al., 2017 (MAF); Kingma et al., 2016 (IAF).
    """
