"""Independent categorical variables with learned logits."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from survae.distributions._shape import as_event_shape
from survae.distributions.base import Distribution
from survae.utils.validation import check_event_shape, is_validating


def categorical_log_prob(x: Tensor, logits: Tensor) -> Tensor:
    """Elementwise ``log p(x)`` of ``Categorical(softmax(logits))``; categories on the last dim.

    ``x`` holds class indices (integer, or integer-valued floats) of shape ``logits.shape[:-1]``
    (or broadcastable to it); the result is in the logits' dtype.
    """
    log_probs = torch.log_softmax(logits, dim=-1)
    index = x.long()
    log_probs = log_probs.expand(*index.shape, log_probs.shape[-1])
    return log_probs.gather(-1, index.unsqueeze(-1)).squeeze(-1)


def check_categories(owner: str, x: Tensor, num_categories: int) -> None:
    """With validation on, raise ``ValueError`` unless ``x`` holds integers in ``[0, K)``."""
    if not is_validating():
        return
    integral = bool((x == torch.round(x)).all()) if x.is_floating_point() else True
    if not integral or not bool(((x >= 0) & (x < num_categories)).all()):
        raise ValueError(f"{owner}: expected class indices in {{0, ..., {num_categories - 1}}}")


class Categorical(Distribution):
    r"""Independent categorical variables on ``{0, ..., K-1}^shape`` with learned ``logits``.

    .. math:: \log p(x) = \sum_i \log \operatorname{softmax}(\ell_i)_{x_i}.

    Initialised to uniform categories (``logits = 0``, shape ``(*shape, K)``). ``log_prob`` takes
    class indices (integer, or integer-valued floats) and returns the logits' dtype. Samples are
    ``torch.long``, not differentiable.

    Args:
        shape: event shape.
        num_categories: number of categories ``K``.

    Example:
        >>> import torch
        >>> dist = Categorical((2,), num_categories=4)
        >>> dist.log_prob(torch.tensor([[0, 3]])).tolist()  # 2 * log(1/4)
        [-2.7725887298583984]
        >>> dist.sample(5).shape
        torch.Size([5, 2])
    """

    def __init__(self, shape: int | Sequence[int], num_categories: int):
        super().__init__()
        self.shape = as_event_shape(type(self).__name__, shape)
        if int(num_categories) < 1:
            raise ValueError(f"Categorical: num_categories must be >= 1, got {num_categories}")
        self.num_categories = int(num_categories)
        self.logits = nn.Parameter(torch.zeros(*self.shape, self.num_categories))

    def extra_repr(self) -> str:
        return f"shape={tuple(self.shape)}, num_categories={self.num_categories}"

    @property
    def probs(self) -> Tensor:
        """Category probabilities, shape ``(*shape, K)``."""
        return torch.softmax(self.logits, dim=-1)

    def log_prob(self, x: Tensor) -> Tensor:
        check_event_shape(type(self).__name__, x, self.shape)
        check_categories(type(self).__name__, x, self.num_categories)
        return categorical_log_prob(x, self.logits).reshape(x.shape[0], -1).sum(dim=1)

    def sample(self, num_samples: int) -> Tensor:
        probs = self.probs.detach().reshape(-1, self.num_categories)
        draws = torch.multinomial(probs, num_samples, replacement=True)  # (prod(shape), n)
        return draws.t().reshape(num_samples, *self.shape)

    def sample_with_log_prob(self, num_samples: int) -> tuple[Tensor, Tensor]:
        z = self.sample(num_samples)
        return z, categorical_log_prob(z, self.logits).reshape(num_samples, -1).sum(dim=1)
