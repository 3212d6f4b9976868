"""Conditional distribution base class: ``log_prob(x, context)`` and ``sample(context)``."""

from __future__ import annotations

from torch import Tensor

from survae.distributions.base import Distribution


class ConditionalDistribution(Distribution):
    """Base class of distributions ``p(x | context)``.

    Subclasses implement ``log_prob(x, context)`` and ``sample(context)`` (one sample per context
    row); ``sample_with_log_prob(context)`` defaults to sampling then scoring.
    """

    def log_prob(self, x: Tensor, context: Tensor) -> Tensor:  # type: ignore[override]
        raise NotImplementedError

    def sample(self, context: Tensor) -> Tensor:  # type: ignore[override]
        raise NotImplementedError

    def rsample(self, context: Tensor) -> Tensor:  # type: ignore[override]
        """One sample per context row, with autograd recording (see ``Distribution.rsample``)."""
        return self.sample(context)

    def sample_with_log_prob(self, context: Tensor) -> tuple[Tensor, Tensor]:  # type: ignore[override]
        samples = self.rsample(context)
        return samples, self.log_prob(samples, context)
