"""ReLU surjections: a point mass at zero on one side, negative values on the other."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.surjections._utils import half_normal_log_density
from survae.transforms.surjections.base import Surjection
from survae.utils.tensors import sum_except_batch
from survae.utils.validation import ShapeError, is_validating, owner_name


def _log_scale(owner: object, net: nn.Module | None, context: Tensor) -> Tensor | float:
    if net is None:
        return 0.0
    log_scale = net(context)
    if log_scale.shape != context.shape:
        raise ShapeError(
            f"{owner_name(owner)}: the log-scale net must return the input shape "
            f"{tuple(context.shape)}, "
            f"got {tuple(log_scale.shape)}"
        )
    return log_scale


def _half_normal_sample(like: Tensor, log_scale: Tensor | float) -> Tensor:
    eps = torch.randn_like(like).abs()
    return eps * (torch.exp(log_scale) if isinstance(log_scale, Tensor) else 1.0)


class ReLUSurjection(Surjection):
    r"""Inference ReLU surjection :math:`z = \max(x, 0)`: negative data collapse onto a latent atom
    at 0.

    Each coordinate is treated separately; on :math:`\{x_i \le 0\}` the latent is :math:`z_i = 0`
    and the decoder :math:`p(x_i | z)` (a half-normal on :math:`(-\infty, 0]` of scale
    :math:`\sigma_i(z)`) restores it.

    - forward (inference, deterministic): :math:`z = \max(x, 0)`;
    - inverse (generative, stochastic): where :math:`z_i = 0`, :math:`x_i = -|e_i|\, \sigma_i(z)`
      with :math:`e \sim \mathcal{N}(0, I)`; elsewhere :math:`x_i = z_i`;
    - likelihood contribution:
      :math:`\mathcal{V}(x, z) = \sum_i \mathbb{1}(z_i = 0) \log p(x_i | z)` (exact).

    Point masses: :math:`z` has an atom at 0 in each coordinate, so :math:`\log p(z)` of the next
    layer or base must be a density with respect to :math:`\text{Lebesgue} + \delta_0` per
    coordinate: the log-mass :math:`\log P(z_i = 0)` where :math:`z_i = 0` and the log-density
    where :math:`z_i > 0` (e.g. a rectified distribution, or a :class:`GenerativeReLUSurjection`
    followed by a continuous base). Then :math:`p(x) = P(z_i = 0)\, p(x_i|z)` on :math:`x_i < 0`
    and :math:`p_z(x_i)` on :math:`x_i > 0` is an ordinary Lebesgue density, and the likelihood is
    exact.

    Args:
        net: optional module mapping ``z`` to the decoder's log-scales :math:`\log \sigma(z)` (the
            shape of ``z``); None for a unit scale.

    Example:
        >>> import torch
        >>> layer = ReLUSurjection()
        >>> z, ldj = layer(torch.tensor([[-1.0, 2.0]]))
        >>> z.tolist(), round(float(ldj), 4)  # log(2 N(-1; 0, 1))
        ([[0.0, 2.0]], -0.7258)
        >>> x = layer.inverse(z)
        >>> bool(x[0, 0] <= 0), float(x[0, 1])
        (True, 2.0)

    References: Nielsen et al., 2020 (Table 7, ReLU).
    """

    stochastic_forward = False

    def __init__(self, net: nn.Module | None = None):
        super().__init__()
        self.net = net

    def _contribution(self, x: Tensor, z: Tensor) -> Tensor:
        log_p = half_normal_log_density(-x, _log_scale(self, self.net, z))
        return sum_except_batch(torch.where(z == 0, log_p, torch.zeros_like(log_p)))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z = x.clamp(min=0)
        return z, self._contribution(x, z)

    def _sample(self, z: Tensor) -> tuple[Tensor, Tensor | float]:
        if is_validating() and not bool((z >= 0).all()):
            raise ValueError(f"{self.layer_name}: expected a non-negative latent")
        log_scale = _log_scale(self, self.net, z)
        return torch.where(z == 0, -_half_normal_sample(z, log_scale), z), log_scale

    def inverse(self, z: Tensor) -> Tensor:
        return self._sample(z)[0]

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        x, log_scale = self._sample(z)
        log_p = half_normal_log_density(-x, log_scale)
        return x, sum_except_batch(torch.where(z == 0, log_p, torch.zeros_like(log_p)))


class GenerativeReLUSurjection(Surjection):
    r"""Generative ReLU surjection :math:`x = \max(z, 0)`: data with exact zeros from a continuous
    latent.

    The data :math:`x \ge 0` has an atom at 0 in each coordinate; where :math:`x_i = 0` the
    encoder proposes the negative latent value, :math:`q(z_i | x)` a half-normal on
    :math:`(-\infty, 0]` of scale :math:`\sigma_i(x)`.

    - forward (inference, stochastic): where :math:`x_i = 0`, :math:`z_i = -|e_i|\, \sigma_i(x)`
      with :math:`e \sim \mathcal{N}(0, I)`; elsewhere :math:`z_i = x_i`;
    - inverse (generative, deterministic): :math:`x = \max(z, 0)`;
    - likelihood contribution:
      :math:`\mathcal{V}(x, z) = \sum_i \mathbb{1}(x_i = 0) \bigl[-\log q(z_i|x)\bigr]`, a lower
      bound on :math:`\log p(x)`, where :math:`p(x)` is a density with respect to
      :math:`\text{Lebesgue} + \delta_0` per coordinate: the mass :math:`P(z_i \le 0)` at
      :math:`x_i = 0` and :math:`p_z` elsewhere.

    Args:
        net: optional module mapping ``x`` to the encoder's log-scales :math:`\log \sigma(x)` (the
            shape of ``x``); None for a unit scale.

    Example:
        >>> import torch
        >>> layer = GenerativeReLUSurjection()
        >>> x = torch.tensor([[0.0, 2.0]])
        >>> z, ldj = layer(x)
        >>> bool(z[0, 0] <= 0), float(z[0, 1]), torch.equal(layer.inverse(z), x)
        (True, 2.0, True)

    References: Nielsen et al., 2020 (Table 6, ReLU).
    """

    stochastic_forward = True

    def __init__(self, net: nn.Module | None = None):
        super().__init__()
        self.net = net

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        if is_validating() and not bool((x >= 0).all()):
            raise ValueError(
                f"{self.layer_name}: expected non-negative input (the data is max(z, 0))"
            )
        zero = x == 0
        log_scale = _log_scale(self, self.net, x)
        v = _half_normal_sample(x, log_scale)
        log_q = half_normal_log_density(v, log_scale)
        z = torch.where(zero, -v, x)
        return z, -sum_except_batch(torch.where(zero, log_q, torch.zeros_like(log_q)))

    def inverse(self, z: Tensor) -> Tensor:
        return z.clamp(min=0)
