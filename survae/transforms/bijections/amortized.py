"""Amortized (per-example) parameters: the pieces of dynamic flow posteriors.

In the *dynamic* (amortized) mode of a VAE posterior the encoder outputs each layer's parameters
per example: :class:`AmortizedBijection` feeds a conditional layer the output of its own small
network of the encoder features; :class:`ConditionalRadialBijection` and
:class:`ConditionalHouseholderBijection` read theirs from the context directly. Wrap them in
:class:`~survae.transforms.bijections.inverse.ConditionalInverseBijection` to sample with the
closed-form direction.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from survae.transforms.bijections.conditional.base import ConditionalBijection
from survae.utils.validation import check_size


class AmortizedBijection(ConditionalBijection):
    """A conditional bijection whose parameters come from ``param_net(context)``.

    ``forward(x, c) = bijection(x, param_net(c))``: the encoder features :math:`c` of a dynamic VAE
    posterior become this layer's per-example parameters (Rezende & Mohamed, 2015, Section 4.2).

    Args:
        bijection: a conditional bijection taking its parameters as context, e.g.
            ``ConditionalPlanarBijection(D)`` (context ``(B, 2 D + 1)``).
        param_net: maps the context to those parameters, e.g. ``nn.Linear(H, 2 D + 1)``.

    Example:
        >>> import torch
        >>> from survae.transforms import ConditionalPlanarBijection
        >>> layer = AmortizedBijection(ConditionalPlanarBijection(2), torch.nn.Linear(8, 5))
        >>> z, ldj = layer(torch.randn(3, 2), torch.randn(3, 8))
        >>> z.shape, ldj.shape
        (torch.Size([3, 2]), torch.Size([3]))
    """

    def __init__(self, bijection: ConditionalBijection, param_net: nn.Module):
        super().__init__()
        self.bijection = bijection
        self.param_net = param_net

    def forward(self, x: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        return self.bijection(x, self.param_net(context))

    def inverse_and_ldj(self, z: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        return self.bijection.inverse_and_ldj(z, self.param_net(context))

    def inverse(self, z: Tensor, context: Tensor) -> Tensor:
        return self.bijection.inverse(z, self.param_net(context))


class ConditionalRadialBijection(ConditionalBijection):
    r"""Amortized radial flow: :math:`z = x + \beta h(r) (x - x_0)`, :math:`h = 1 / (\alpha + r)`,
    :math:`r = \|x - x_0\|`, with :math:`(x_0, a, b)` per example from the context (:math:`D + 2`
    values), :math:`\alpha = \operatorname{softplus}(a)`,
    :math:`\beta = -\alpha + \operatorname{softplus}(b)`.

    - forward: closed form, log-det
      :math:`(D - 1) \log(1 + \beta h) + \log(1 + \beta h - \beta r h^2)`;
    - inverse: closed form (the positive root of a quadratic in :math:`r`).

    Example:
        >>> import torch
        >>> layer = ConditionalRadialBijection(3)
        >>> x, c = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 5, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x)
        True
    """

    def __init__(self, num_features: int):
        super().__init__()
        self.num_features = int(num_features)
        self.num_params = self.num_features + 2

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}"

    def _params(self, context: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        check_size(self, context, 1, self.num_params, name="context")
        d = self.num_features
        alpha = F.softplus(context[:, d])
        beta = -alpha + F.softplus(context[:, d + 1])
        return context[:, :d], alpha, beta

    def _ldj(self, r: Tensor, alpha: Tensor, beta: Tensor) -> Tensor:
        h = 1 / (alpha + r)
        return (self.num_features - 1) * torch.log1p(beta * h) + torch.log1p(
            beta * h - beta * r * h**2
        )

    def forward(self, x: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        check_size(self, x, 1, self.num_features)
        x0, alpha, beta = self._params(context)
        diff = x - x0
        r = diff.norm(dim=-1)
        return x + (beta / (alpha + r)).unsqueeze(-1) * diff, self._ldj(r, alpha, beta)

    def inverse_and_ldj(self, z: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        check_size(self, z, 1, self.num_features)
        x0, alpha, beta = self._params(context)
        diff = z - x0
        rho = diff.norm(dim=-1)
        p = alpha + beta - rho
        r = 0.5 * (-p + torch.sqrt(p**2 + 4 * rho * alpha))
        x = x0 + diff / (1 + beta / (alpha + r)).unsqueeze(-1)
        return x, self._ldj(r, alpha, beta)

    def inverse(self, z: Tensor, context: Tensor) -> Tensor:
        return self.inverse_and_ldj(z, context)[0]


class ConditionalHouseholderBijection(ConditionalBijection):
    r"""Amortized Householder flow (Tomczak & Welling, 2016): :math:`z = H_K \cdots H_1 x` with
    :math:`H_k = I - 2 v_k v_k^\top / \|v_k\|^2` and the :math:`K D` entries of
    :math:`v_1, \dots, v_K` per example from the context; log-det 0, inverse
    :math:`x = H_1 \cdots H_K z`.

    Example:
        >>> import torch
        >>> layer = ConditionalHouseholderBijection(3, num_reflections=2)
        >>> x, c = torch.randn(4, 3), torch.randn(4, 6)
        >>> z, ldj = layer(x, c)
        >>> torch.allclose(z.norm(dim=1), x.norm(dim=1), atol=1e-5), ldj.abs().max().item()
        (True, 0.0)
    """

    def __init__(self, num_features: int, num_reflections: int = 2):
        super().__init__()
        self.num_features = int(num_features)
        self.num_reflections = int(num_reflections)
        self.num_params = self.num_features * self.num_reflections

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}, num_reflections={self.num_reflections}"

    def _vectors(self, context: Tensor) -> Tensor:
        check_size(self, context, 1, self.num_params, name="context")
        v = context.reshape(-1, self.num_reflections, self.num_features)
        return v / v.norm(dim=-1, keepdim=True).clamp_min(1e-12)

    @staticmethod
    def _reflect(x: Tensor, v: Tensor) -> Tensor:
        return x - 2 * (x * v).sum(-1, keepdim=True) * v

    def forward(self, x: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        check_size(self, x, 1, self.num_features)
        v = self._vectors(context)
        for k in range(self.num_reflections):  # K reflections, each vectorized over the batch
            x = self._reflect(x, v[:, k])
        return x, x.new_zeros(x.shape[0])

    def inverse(self, z: Tensor, context: Tensor) -> Tensor:
        check_size(self, z, 1, self.num_features)
        v = self._vectors(context)
        for k in reversed(range(self.num_reflections)):
            z = self._reflect(z, v[:, k])
        return z

    def inverse_and_ldj(self, z: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z, context), z.new_zeros(z.shape[0])


__all__ = [
    "AmortizedBijection",
    "ConditionalRadialBijection",
    "ConditionalHouseholderBijection",
]
