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
    """Inference ReLU surjection ``z = max(x, 0)``: negative data collapse onto a latent atom at 0.

    Each coordinate is treated separately; on ``{x_i <= 0}`` the latent is ``z_i = 0`` and the
    decoder ``p(x_i | z)`` (a half-normal on ``(-inf, 0]`` of scale ``sigma_i(z)``) restores it.

    - forward (inference, deterministic): ``z = max(x, 0)``;
    - inverse (generative, stochastic): where ``z_i = 0``, ``x_i = -|e_i| sigma_i(z)`` with
      ``e ~ N(0, I)``; elsewhere ``x_i = z_i``;
    - likelihood contribution: ``V(x, z) = sum_i I(z_i = 0) log p(x_i | z)`` (exact).

    Point masses: ``z`` has an atom at 0 in each coordinate, so ``log p(z)`` of the next layer or
    base must be a density with respect to ``Lebesgue + delta_0`` per coordinate: the log-mass
    ``log P(z_i = 0)`` where ``z_i = 0`` and the log-density where ``z_i > 0`` (e.g. a rectified
    distribution, or a :class:`GenerativeReLUSurjection` followed by a continuous base). Then
    ``p(x) = P(z_i = 0) p(x_i|z)`` on ``x_i < 0`` and ``p_z(x_i)`` on ``x_i > 0`` is an ordinary
    Lebesgue density, and the likelihood is exact.

    Args:
        net: optional module mapping ``z`` to the decoder's log-scales ``log sigma(z)`` (the shape
            of ``z``); None for a unit scale.

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
    """Generative ReLU surjection ``x = max(z, 0)``: data with exact zeros from a continuous latent.

    The data ``x >= 0`` has an atom at 0 in each coordinate; where ``x_i = 0`` the encoder
    proposes the negative latent value, ``q(z_i | x)`` a half-normal on ``(-inf, 0]`` of scale
    ``sigma_i(x)``.

    - forward (inference, stochastic): where ``x_i = 0``, ``z_i = -|e_i| sigma_i(x)`` with
      ``e ~ N(0, I)``; elsewhere ``z_i = x_i``;
    - inverse (generative, deterministic): ``x = max(z, 0)``;
    - likelihood contribution: ``V(x, z) = sum_i I(x_i = 0) [-log q(z_i|x)]``, a lower bound on
      ``log p(x)``, where ``p(x)`` is a density with respect to ``Lebesgue + delta_0`` per
      coordinate: the mass ``P(z_i <= 0)`` at ``x_i = 0`` and ``p_z`` elsewhere.

    Args:
        net: optional module mapping ``x`` to the encoder's log-scales ``log sigma(x)`` (the shape
            of ``x``); None for a unit scale.

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
