"""Small reference distributions for the surjection exactness checks (tests only, float64-clean).

Each has a closed-form density, so a flow using a surjection can be compared with a brute-force
likelihood: e.g. the max of iid normals with its exact conditional gaps reproduces iid normals.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from survae.distributions import ConditionalDistribution, Distribution

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def normal_logpdf(x: Tensor) -> Tensor:
    """Elementwise standard normal log-density."""
    return -0.5 * x**2 - _HALF_LOG_2PI


def sum_rows(x: Tensor) -> Tensor:
    return x.reshape(x.shape[0], -1).sum(1)


class _Dtype(Distribution):
    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("buffer", torch.zeros(1))


class SortedNormal(_Dtype):
    """iid standard normals, sorted: ``p(z) = N! prod_i N(z_i)`` on ``z_1 <= ... <= z_N``."""

    def __init__(self, n: int):
        super().__init__()
        self.n = n

    def log_prob(self, z: Tensor) -> Tensor:
        ordered = (z[:, 1:] >= z[:, :-1]).all(1)
        lp = sum_rows(normal_logpdf(z)) + math.lgamma(self.n + 1)
        return lp.masked_fill(~ordered, -math.inf)

    def sample(self, num_samples: int) -> Tensor:
        z = torch.randn(num_samples, self.n, dtype=self.buffer.dtype)
        return z.sort(dim=1).values


class RectifiedStandardNormal(_Dtype):
    """``max(e, 0)`` for ``e ~ N(0, I)``: mass 1/2 at 0 and density ``N(z)`` on ``z > 0``.

    ``log_prob`` is with respect to ``Lebesgue + delta_0`` per coordinate.
    """

    def __init__(self, shape: tuple[int, ...]):
        super().__init__()
        self.shape = torch.Size(shape)

    def log_prob(self, z: Tensor) -> Tensor:
        lp = torch.where(z == 0, torch.full_like(z, -math.log(2)), normal_logpdf(z))
        return sum_rows(lp).masked_fill(sum_rows((z < 0).to(z.dtype)) > 0, -math.inf)

    def sample(self, num_samples: int) -> Tensor:
        e = torch.randn(num_samples, *self.shape, dtype=self.buffer.dtype)
        return e.clamp(min=0)


class MaxOfNormals(_Dtype):
    """Elementwise max of ``n`` iid standard normals: ``p(z) = n N(z) Phi(z)^(n-1)`` per value."""

    def __init__(self, shape: tuple[int, ...], n: int):
        super().__init__()
        self.shape, self.n = torch.Size(shape), n

    def log_prob(self, z: Tensor) -> Tensor:
        lp = math.log(self.n) + normal_logpdf(z) + (self.n - 1) * torch.special.log_ndtr(z)
        return sum_rows(lp)

    def sample(self, num_samples: int) -> Tensor:
        u = torch.rand(num_samples, *self.shape, dtype=self.buffer.dtype)
        return torch.special.ndtri(u ** (1.0 / self.n))


class ConditionalTruncatedNormalGaps(ConditionalDistribution):
    """Gaps ``g = m - x >= 0`` below a maximum ``m``, with ``x ~ N(0, 1)`` truncated to ``x <= m``.

    ``p(g | m) = N(m - g) / Phi(m)``: the exact conditional of the non-maximal values of iid
    standard normals given their maximum. ``expand`` maps the context to one ``m`` per gap.
    """

    def __init__(self, expand):
        super().__init__()
        self.expand = expand

    def log_prob(self, g: Tensor, context: Tensor) -> Tensor:
        m = self.expand(context)
        lp = normal_logpdf(m - g) - torch.special.log_ndtr(m)
        return sum_rows(lp).masked_fill(sum_rows((g < 0).to(g.dtype)) > 0, -math.inf)

    def sample(self, context: Tensor) -> Tensor:
        m = self.expand(context)
        u = torch.rand_like(m)
        x = torch.special.ndtri(u * torch.special.ndtr(m))
        return (m - x).clamp(min=0)


class ConditionalHalfNormal(ConditionalDistribution):
    """Half-normal ``|e| exp(s(c))`` with log-scales ``s(c) = net(c)`` (reparametrized)."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def log_prob(self, g: Tensor, context: Tensor) -> Tensor:
        s = self.net(context)
        lp = math.log(2) + normal_logpdf(g * torch.exp(-s)) - s
        return sum_rows(lp).masked_fill(sum_rows((g < 0).to(g.dtype)) > 0, -math.inf)

    def sample_with_log_prob(self, context: Tensor) -> tuple[Tensor, Tensor]:
        s = self.net(context)
        e = torch.randn_like(s).abs()
        return e * torch.exp(s), sum_rows(math.log(2) + normal_logpdf(e) - s)

    def sample(self, context: Tensor) -> Tensor:
        return self.sample_with_log_prob(context)[0]


class ConditionalLinearDensity(ConditionalDistribution):
    """Density ``q(u|c) = 1 + a (2u - 1)`` on ``[0, 1]`` per value, ``a = tanh(net(c)) / 2``.

    Bounded in ``[1/2, 3/2]``, so importance weights are bounded; sampled by the inverse CDF
    (reparametrized): ``u = 2U / ((1 - a) + sqrt((1 - a)^2 + 4 a U))``.
    """

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def _slope(self, context: Tensor) -> Tensor:
        return 0.5 * torch.tanh(self.net(context))

    def log_prob(self, u: Tensor, context: Tensor) -> Tensor:
        a = self._slope(context)
        lp = torch.log1p(a * (2 * u - 1))
        inside = ((u >= 0) & (u <= 1)).reshape(u.shape[0], -1).all(1)
        return sum_rows(lp).masked_fill(~inside, -math.inf)

    def sample_with_log_prob(self, context: Tensor) -> tuple[Tensor, Tensor]:
        a = self._slope(context)
        v = torch.rand_like(a)
        u = 2 * v / ((1 - a) + torch.sqrt((1 - a) ** 2 + 4 * a * v))
        u = u.clamp(0, 1 - torch.finfo(u.dtype).eps)
        return u, sum_rows(torch.log1p(a * (2 * u - 1)))

    def sample(self, context: Tensor) -> Tensor:
        return self.sample_with_log_prob(context)[0]
