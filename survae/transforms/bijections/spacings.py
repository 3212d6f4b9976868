"""Ordered sequences to unconstrained ones: the first value and the log-spacings."""

from __future__ import annotations

import torch
from torch import Tensor

from survae.transforms.bijections.base import Bijection
from survae.utils.tensors import sum_except_batch
from survae.utils.validation import is_validating


class LogSpacingsBijection(Bijection):
    r"""Map a strictly increasing sequence to its first value and the logs of its spacings.

    For inputs whose feature ``feature`` (along ``dim=1``) increases strictly along the last
    dimension, :math:`x_1 < x_2 < \dots < x_L` (e.g. a set sorted by that coordinate by a
    ``SortSurjection``), this is a bijection from the ordered cone onto :math:`\mathbb{R}^L`:

    - forward: :math:`z_1 = x_1`, :math:`z_i = \log(x_i - x_{i-1})` for :math:`i \ge 2`; the other
      features pass through;
    - inverse: :math:`x_i = z_1 + \sum_{j=2}^{i} e^{z_j}` (a cumulative sum);
    - log-det: :math:`-\sum_{i \ge 2} \log(x_i - x_{i-1})` (triangular Jacobian).

    A flow with a Gaussian base cannot put a sharp edge at :math:`x_i = x_{i-1}`, where the
    density of sorted points jumps from positive to zero; after this layer the spacings are
    unconstrained and that edge is at :math:`-\infty`.

    Ties: a spacing that is exactly zero in floating point (two values that round to the same
    number: float32 point sets of 50 points in ``[0, 28)`` have one about once in 10^4 sets) is
    taken as about one unit in the last place of the larger value,
    :math:`\epsilon \max(|x_{i-1}|, |x_i|)` (``torch.finfo(x.dtype).eps``; at least the
    smallest normal number): the true spacing is below what the inputs resolve, and the log-
    likelihood is that of the smallest spacing they can express, finite instead of
    :math:`-\infty`. The inverse then returns the tie one unit in the last place apart: within
    rounding. Negative spacings (unsorted input) are left to give NaN.

    Args:
        feature: index along ``dim=1`` of the increasing feature.

    Example:
        >>> import torch
        >>> layer = LogSpacingsBijection()
        >>> x = torch.tensor([[[0.0, 1.0, 3.0], [5.0, 6.0, 7.0]]])  # (B, D, L), feature 0 sorted
        >>> z, ldj = layer(x)
        >>> z[0, 0].tolist(), round(float(ldj), 4), torch.allclose(layer.inverse(z), x)
        ([0.0, 0.0, 0.6931471824645996], -0.6931, True)
    """

    def __init__(self, feature: int = 0):
        super().__init__()
        self.feature = int(feature)

    def extra_repr(self) -> str:
        return f"feature={self.feature}"

    def _check(self, x: Tensor) -> None:
        if x.dim() < 3 or not -x.shape[1] <= self.feature < x.shape[1] or x.shape[-1] < 2:
            raise ValueError(
                f"{self.layer_name}: expected input (batch, features > {self.feature}, ..., "
                f"length >= 2), got shape {tuple(x.shape)}"
            )

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        values = x[:, self.feature]
        gaps = values[..., 1:] - values[..., :-1]
        if is_validating() and not bool((gaps >= 0).all()):
            raise ValueError(
                f"{self.layer_name}: feature {self.feature} must not decrease along the last "
                f"dimension (sort the input first)"
            )
        info = torch.finfo(values.dtype)
        resolution = torch.maximum(values[..., 1:].abs(), values[..., :-1].abs()) * info.eps
        gaps = torch.where(gaps == 0, resolution.clamp_min(info.tiny), gaps)
        log_gaps = torch.log(gaps)
        z = x.clone()
        z[:, self.feature] = torch.cat([values[..., :1], log_gaps], dim=-1)
        return z, -sum_except_batch(log_gaps)

    def _values(self, z: Tensor) -> tuple[Tensor, Tensor]:
        self._check(z)
        coded = z[:, self.feature]
        log_gaps = coded[..., 1:]
        steps = torch.cat([coded[..., :1], torch.exp(log_gaps)], dim=-1)
        return torch.cumsum(steps, dim=-1), log_gaps

    def inverse(self, z: Tensor) -> Tensor:
        values, _ = self._values(z)
        x = z.clone()
        x[:, self.feature] = values
        return x

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        values, log_gaps = self._values(z)
        x = z.clone()
        x[:, self.feature] = values
        return x, -sum_except_batch(log_gaps)
