"""Invertible batch normalization (RealNVP) with running statistics."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.utils.validation import ShapeError, check_size


class _BatchNorm(Bijection):
    r"""Shared batch-norm bijection over ``(batch, C, *positions)``.

    With :math:`w` = ``log_weight``, :math:`b` = ``bias`` and :math:`\epsilon` = ``epsilon``, per
    feature (channel) :math:`c`:

    - forward: :math:`z = e^{w_c} (x - \mu_c) / \sqrt{\sigma^2_c + \epsilon} + b_c`, where
      :math:`(\mu, \sigma^2)` are the batch statistics in training mode (the mean and the
      unbiased variance, as the official layer; the running statistics are updated without
      autograd history) and the running statistics in eval mode;
    - inverse: :math:`x = \mu_c + (z - b_c) \sqrt{\sigma^2_c + \epsilon}\, e^{-w_c}` with the
      running statistics;
    - log-det: :math:`P \sum_c \bigl(w_c - \tfrac12 \log(\sigma^2_c + \epsilon)\bigr)`, with
      :math:`P` the number of positions per feature.

    Parameters and buffers carry the official names (``log_weight``, ``bias``, ``running_mean``,
    ``running_var``), so official state dicts load.

    In training mode the log-det treats the batch statistics as constants (the usual convention:
    the map is then a bijection of each example given the batch); in eval mode the layer is an
    exact bijection of each example.
    """

    event_dims = 1

    def __init__(self, num_features: int, momentum: float = 0.1, epsilon: float = 1e-5):
        super().__init__()
        self.num_features = int(num_features)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        shape = (1, self.num_features) + (1,) * (self.event_dims - 1)
        self.log_weight = nn.Parameter(torch.zeros(shape))
        self.bias = nn.Parameter(torch.zeros(shape))
        self.register_buffer("running_mean", torch.zeros(shape))
        self.register_buffer("running_var", torch.ones(shape))

    def extra_repr(self) -> str:
        return (f"num_features={self.num_features}, momentum={self.momentum}, "
                f"epsilon={self.epsilon}")

    @property
    def weight(self) -> Tensor:
        """The scale :math:`e^{w}`, :math:`w` = ``log_weight``."""
        return self.log_weight.exp()

    def _check(self, x: Tensor) -> None:
        if x.dim() != self.event_dims + 1:
            raise ShapeError(
                f"{self.layer_name}: expected input with {self.event_dims + 1} dimensions, "
                f"got shape {tuple(x.shape)}"
            )
        check_size(self, x, 1, self.num_features)

    def _ldj(self, x: Tensor, var: Tensor) -> Tensor:
        per_feature = self.log_weight - 0.5 * torch.log(var + self.epsilon)
        return (per_feature.sum() * x.shape[2:].numel()).expand(x.shape[0])

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        if self.training:
            dims = [0] + list(range(2, x.dim()))
            mean = x.mean(dim=dims, keepdim=True)
            count = x.numel() // x.shape[1]
            var = x.var(dim=dims, keepdim=True, correction=1 if count > 1 else 0)
            with torch.no_grad():
                self.running_mean.lerp_(mean.detach(), self.momentum)
                self.running_var.lerp_(var.detach(), self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        z = self.weight * (x - mean) / torch.sqrt(var + self.epsilon) + self.bias
        return z, self._ldj(x, var)

    def inverse(self, z: Tensor) -> Tensor:
        self._check(z)
        std = torch.sqrt(self.running_var + self.epsilon)
        return self.running_mean + (z - self.bias) * std * torch.exp(-self.log_weight)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z), self._ldj(z, self.running_var)


class BatchNormBijection(_BatchNorm):
    r"""Batch normalization bijection for ``(batch, num_features)``.

    Forward :math:`z = e^{w} (x - \mu) / \sqrt{\sigma^2 + \epsilon} + b` per feature, with the
    batch mean and variance in training mode and the running ones in eval mode; log-det
    :math:`\sum_i \bigl(w_i - \tfrac12 \log(\sigma^2_i + \epsilon)\bigr)`, where :math:`w` =
    ``log_weight`` and :math:`b` = ``bias``.

    Args:
        num_features: number of features.
        momentum: running-statistics update rate.
        epsilon: added to the variance.

    Example:
        >>> import torch
        >>> layer = BatchNormBijection(2)
        >>> z, ldj = layer(5 + 3 * torch.randn(512, 2))
        >>> bool(z.mean(0).abs().max() < 1e-5)
        True
    """

    event_dims = 1


class BatchNormBijection1d(_BatchNorm):
    r"""Batch normalization bijection for ``(batch, C, L)`` (statistics per channel).

    As :class:`BatchNormBijection` per channel; log-det
    :math:`L \sum_c \bigl(w_c - \tfrac12 \log(\sigma^2_c + \epsilon)\bigr)`.

    Example:
        >>> import torch
        >>> layer = BatchNormBijection1d(2)
        >>> x = 3 + 2 * torch.randn(100, 2, 5)
        >>> z, ldj = layer(x)  # training mode: batch statistics (and running averages)
        >>> bool(z.mean(dim=(0, 2)).abs().max() < 1e-4), ldj.shape
        (True, torch.Size([100]))
    """

    event_dims = 2


class BatchNormBijection2d(_BatchNorm):
    r"""Batch normalization bijection for ``(batch, C, H, W)`` (statistics per channel).

    As :class:`BatchNormBijection` per channel; log-det
    :math:`H W \sum_c \bigl(w_c - \tfrac12 \log(\sigma^2_c + \epsilon)\bigr)`.

    Example:
        >>> import torch
        >>> layer = BatchNormBijection2d(3).eval()  # eval mode: running statistics, a fixed map
        >>> x = torch.randn(2, 3, 4, 4)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True
    """

    event_dims = 3
