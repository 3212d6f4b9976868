"""``nn.DataParallel`` for distributions and flows: ``log_prob`` is split over the devices."""

from __future__ import annotations

from torch import Tensor, nn


class DataParallelDistribution(nn.DataParallel):
    """Wrap a :class:`~survae.distributions.Distribution` (a flow, say) in ``nn.DataParallel``.

    ``log_prob(x)`` scatters the batch over the devices (it calls the wrapped module with
    ``mode='log_prob'``, which every survae distribution dispatches on); sampling runs on the
    wrapped module itself. On a machine without GPUs it simply calls the module.

    Example:
        >>> import torch
        >>> from survae.distributions import StandardNormal
        >>> dist = DataParallelDistribution(StandardNormal((2,)))
        >>> dist.log_prob(torch.zeros(3, 2)).shape, dist.sample(4).shape
        (torch.Size([3]), torch.Size([4, 2]))
    """

    def log_prob(self, *args, **kwargs) -> Tensor:
        return self.forward(*args, mode="log_prob", **kwargs)

    def sample(self, *args, **kwargs) -> Tensor:
        return self.module.sample(*args, **kwargs)

    def rsample(self, *args, **kwargs) -> Tensor:
        return self.module.rsample(*args, **kwargs)

    def sample_with_log_prob(self, *args, **kwargs) -> tuple[Tensor, Tensor]:
        return self.module.sample_with_log_prob(*args, **kwargs)
