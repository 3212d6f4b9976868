"""Independent Bernoulli variables with learned logits."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from survae.distributions._shape import as_event_shape
from survae.distributions.base import Distribution
from survae.utils.validation import ShapeError, check_event_shape, is_validating


def bernoulli_log_prob(x: Tensor, logits: Tensor) -> Tensor:
    r"""Elementwise :math:`\log p(x)` of :math:`\mathrm{Bernoulli}(\sigma(\ell))` (:math:`\ell` =
    ``logits``) for :math:`x \in \{0, 1\}`.

    :math:`x \ell - \operatorname{softplus}(\ell)`, computed stably (as a negated binary
    cross-entropy) in the
    floating dtype of ``x`` and ``logits`` (an integer ``x`` takes the logits' dtype).
    """
    dtype = torch.promote_types(x.dtype, logits.dtype) if x.is_floating_point() else logits.dtype
    x = x.to(dtype)
    logits = logits.to(dtype).expand_as(x)
    return -F.binary_cross_entropy_with_logits(logits, x, reduction="none")


def check_binary(owner: str, x: Tensor) -> None:
    """With validation on, raise ``ValueError`` naming ``owner`` unless ``x`` is in ``{0, 1}``."""
    if is_validating() and not bool(((x == 0) | (x == 1)).all()):
        raise ValueError(f"{owner}: expected binary values in {{0, 1}}")


class Bernoulli(Distribution):
    r"""Independent Bernoulli variables on ``{0, 1}^shape`` with learned ``logits``.

    .. math:: \log p(x) = \sum_i \big[x_i \ell_i - \log(1 + e^{\ell_i})\big],
              \quad p(x_i = 1) = \sigma(\ell_i).

    Initialised to fair coins (``logits = 0``). ``log_prob`` accepts integer or floating inputs
    and is computed in the floating dtype of the input (the logits' dtype for integer inputs).
    Samples are ``torch.long`` (as the official ``ConditionalBernoulli``), not differentiable.

    Args:
        shape: event shape.
        logits: optional initial logits, broadcastable to ``shape``.

    Example:
        >>> import torch
        >>> dist = Bernoulli((3,))
        >>> dist.log_prob(torch.tensor([[0, 1, 1]])).tolist()  # 3 * log(1/2)
        [-2.079441547393799]
        >>> dist.sample(2).dtype
        torch.int64
    """

    def __init__(self, shape: int | Sequence[int], logits: Tensor | float | None = None):
        super().__init__()
        self.shape = as_event_shape(type(self).__name__, shape)
        init = torch.zeros(self.shape)
        if logits is not None:
            init = init + torch.as_tensor(logits, dtype=init.dtype)
            if init.shape != self.shape:
                raise ShapeError(
                    f"Bernoulli: logits must broadcast to shape {tuple(self.shape)}, "
                    f"got shape {tuple(torch.as_tensor(logits).shape)}"
                )
        self.logits = nn.Parameter(init)

    def extra_repr(self) -> str:
        return f"shape={tuple(self.shape)}"

    @property
    def probs(self) -> Tensor:
        """:math:`p(x_i = 1)`, shape ``shape``."""
        return torch.sigmoid(self.logits)

    def log_prob(self, x: Tensor) -> Tensor:
        check_event_shape(type(self).__name__, x, self.shape)
        check_binary(type(self).__name__, x)
        return bernoulli_log_prob(x, self.logits).reshape(x.shape[0], -1).sum(dim=1)

    def sample(self, num_samples: int) -> Tensor:
        probs = self.probs.detach().expand(num_samples, *self.shape)
        return torch.bernoulli(probs).long()

    def sample_with_log_prob(self, num_samples: int) -> tuple[Tensor, Tensor]:
        z = self.sample(num_samples)
        return z, bernoulli_log_prob(z, self.logits).reshape(num_samples, -1).sum(dim=1)
