"""Distribution base class: an ``nn.Module`` with ``log_prob`` and ``sample``."""

from __future__ import annotations

from torch import Tensor, nn


class Distribution(nn.Module):
    """Base class of (unconditional) distributions.

    Subclasses implement ``log_prob(x)`` (shape ``(batch,)``) and ``sample(num_samples)``;
    ``sample_with_log_prob`` defaults to sampling then scoring. ``rsample(num_samples)`` draws
    with autograd recording (reparameterised where the distribution allows it); it is ``sample``
    unless a subclass runs ``sample`` without autograd, as flows do. Calling the module
    dispatches on ``mode``: ``dist(x)`` is ``dist.log_prob(x)``, ``dist(n, mode="sample")`` is
    ``dist.sample(n)`` (so that ``nn.DataParallel`` can wrap any method).
    """

    def log_prob(self, x: Tensor) -> Tensor:
        """Log-density (or log-mass) of each example, shape ``(batch,)``."""
        raise NotImplementedError

    def sample(self, num_samples: int) -> Tensor:
        """Draw ``num_samples`` samples, shape ``(num_samples, *event_shape)``."""
        raise NotImplementedError

    def rsample(self, num_samples: int) -> Tensor:
        """Draw ``num_samples`` samples with autograd recording (differentiable where the
        distribution is reparameterisable)."""
        return self.sample(num_samples)

    def sample_with_log_prob(self, num_samples: int) -> tuple[Tensor, Tensor]:
        """Draw samples and return them with their log-probabilities."""
        samples = self.rsample(num_samples)
        return samples, self.log_prob(samples)

    def forward(self, *args, mode: str = "log_prob", **kwargs):
        if mode not in ("log_prob", "sample", "rsample", "sample_with_log_prob"):
            raise ValueError(f"{type(self).__name__}: unknown mode {mode!r}")
        return getattr(self, mode)(*args, **kwargs)
