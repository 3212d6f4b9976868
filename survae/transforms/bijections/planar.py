"""Planar and radial flows (Rezende & Mohamed, 2015): the classic VAE-posterior flows."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.transforms.bijections.conditional.base import ConditionalBijection
from survae.utils.validation import check_size

BISECTION_STEPS = 64


def _planar_terms(w: Tensor, u: Tensor) -> Tensor:
    """``u_hat = u + (m(w.u) - w.u) w / |w|^2`` with ``m(a) = -1 + softplus(a)``: ``w.u_hat > -1``.

    ``w`` and ``u`` have shape ``(..., D)``; returns ``u_hat`` of the same shape.
    """
    wu = (w * u).sum(-1, keepdim=True)
    return u + (F.softplus(wu) - 1 - wu) * w / (w * w).sum(-1, keepdim=True)


def _planar_forward(x: Tensor, w: Tensor, u_hat: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    pre = (x * w).sum(-1) + b
    h = torch.tanh(pre)
    z = x + u_hat * h.unsqueeze(-1)
    # det(I + u_hat psi^T) = 1 + u_hat . psi, psi = (1 - tanh^2) w; positive by construction.
    ldj = torch.log1p((1 - h**2) * (u_hat * w).sum(-1))
    return z, ldj


def _planar_inverse(z: Tensor, w: Tensor, u_hat: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """Solve ``a + c tanh(a + b) = w.z`` for ``a = w.x`` by bisection (``c = w.u_hat >= -1`` makes
    the left side non-decreasing; the root lies within ``|c|`` of ``w.z``), then
    ``x = z - u_hat tanh(a + b)``. ``BISECTION_STEPS`` halvings, vectorized over the batch."""
    target = (z * w).sum(-1)
    c = (u_hat * w).sum(-1)
    with torch.no_grad():
        low, high = target - c.abs() - 1e-6, target + c.abs() + 1e-6
        for _ in range(BISECTION_STEPS):
            mid = 0.5 * (low + high)
            above = mid + c * torch.tanh(mid + b) > target
            high = torch.where(above, mid, high)
            low = torch.where(above, low, mid)
        root = 0.5 * (low + high)
    # One Newton step from the (detached) root: the value stays at the root, and its derivatives
    # with respect to z and the parameters are those of the implicit function a(z, w, u, b).
    t = torch.tanh(root + b)
    a = root - (root + c * t - target) / (1 + c * (1 - t**2))
    x = z - u_hat * torch.tanh(a + b).unsqueeze(-1)
    return x, _planar_forward(x, w, u_hat, b)[1]


class PlanarBijection(Bijection):
    r"""Planar flow :math:`z = x + \hat u \tanh(w^\top x + b)` with learned :math:`(w, u, b)`.

    - forward: closed form; log-det
      :math:`\log\bigl|1 + \bigl(1 - \tanh^2(w^\top x + b)\bigr) w^\top \hat u\bigr|`;
    - inverse: a 1-D monotone root find along :math:`w` (bisection, ``BISECTION_STEPS`` = 64
      halvings of a bracket of width :math:`2 |w^\top \hat u|`: machine precision in float64),
      vectorized over the batch.

    :math:`\hat u = u + \bigl(m(w^\top u) - w^\top u\bigr) w / \|w\|^2` with
    :math:`m(a) = -1 + \operatorname{softplus}(a)` enforces :math:`w^\top \hat u > -1`, so the map
    is invertible.

    Args:
        num_features: :math:`D`.

    Example:
        >>> import torch
        >>> layer = PlanarBijection(3)
        >>> x = torch.randn(4, 3, dtype=torch.float64)
        >>> torch.allclose(layer.double().inverse(layer(x)[0]), x)
        True

    Reference: Rezende & Mohamed, 2015 (Variational Inference with Normalizing Flows).
    """

    recompute_by_inverse = False  # iterative inverse: memory saving keeps the input

    def __init__(self, num_features: int):
        super().__init__()
        self.num_features = int(num_features)
        bound = 1.0 / self.num_features**0.5
        self.w = nn.Parameter(torch.empty(self.num_features).uniform_(-bound, bound))
        self.u = nn.Parameter(torch.empty(self.num_features).uniform_(-bound, bound))
        self.b = nn.Parameter(torch.zeros(()))

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}"

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        check_size(self, x, 1, self.num_features)
        return _planar_forward(x, self.w, _planar_terms(self.w, self.u), self.b)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        check_size(self, z, 1, self.num_features)
        return _planar_inverse(z, self.w, _planar_terms(self.w, self.u), self.b)

    def inverse(self, z: Tensor) -> Tensor:
        return self.inverse_and_ldj(z)[0]


class ConditionalPlanarBijection(ConditionalBijection):
    """Amortized planar flow: :math:`(w, u, b)` per example from the context (:math:`2 D + 1`
    values), as the encoder outputs them in a dynamic VAE posterior; the map is that of
    :class:`PlanarBijection`.

    Args:
        num_features: :math:`D`; the context must have shape ``(batch, num_params)`` with
            ``num_params = 2 D + 1`` (ordered :math:`w`, :math:`u`, :math:`b`).

    Example:
        >>> import torch
        >>> layer = ConditionalPlanarBijection(2)
        >>> x, params = torch.randn(3, 2), torch.randn(3, layer.num_params)
        >>> z, ldj = layer(x, params)
        >>> torch.allclose(layer.inverse(z, params), x, atol=1e-5)
        True
    """

    def __init__(self, num_features: int):
        super().__init__()
        self.num_features = int(num_features)
        self.num_params = 2 * self.num_features + 1

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}"

    def _params(self, context: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        check_size(self, context, 1, self.num_params, name="context")
        d = self.num_features
        w, u, b = context[:, :d], context[:, d : 2 * d], context[:, 2 * d]
        return w, _planar_terms(w, u), b

    def forward(self, x: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        check_size(self, x, 1, self.num_features)
        return _planar_forward(x, *self._params(context))

    def inverse_and_ldj(self, z: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        return _planar_inverse(z, *self._params(context))

    def inverse(self, z: Tensor, context: Tensor) -> Tensor:
        return self.inverse_and_ldj(z, context)[0]


class RadialBijection(Bijection):
    r"""Radial flow :math:`z = x + \beta h(r) (x - x_0)`, :math:`h = 1 / (\alpha + r)`,
    :math:`r = \|x - x_0\|`.

    :math:`\alpha = \operatorname{softplus}(a) > 0` and
    :math:`\beta = -\alpha + \operatorname{softplus}(b) > -\alpha` keep it invertible.

    - forward: closed form; log-det
      :math:`(D - 1) \log(1 + \beta h) + \log\bigl(1 + \beta h - \beta r / (\alpha + r)^2\bigr)`;
    - inverse: closed form: :math:`r` solves
      :math:`r^2 + (\alpha + \beta - \rho) r - \rho \alpha = 0` with :math:`\rho = \|z - x_0\|`,
      then :math:`x = x_0 + (z - x_0) / (1 + \beta h(r))`.

    Args:
        num_features: :math:`D`.

    Example:
        >>> import torch
        >>> layer = RadialBijection(3).double()
        >>> x = torch.randn(4, 3, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x)
        True

    Reference: Rezende & Mohamed, 2015.
    """

    recompute_by_inverse = False  # iterative inverse: memory saving keeps the input

    def __init__(self, num_features: int):
        super().__init__()
        self.num_features = int(num_features)
        self.x0 = nn.Parameter(torch.randn(self.num_features) * 0.1)
        self.unconstrained_alpha = nn.Parameter(torch.zeros(()))
        self.unconstrained_beta = nn.Parameter(torch.zeros(()))

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}"

    def _alpha_beta(self) -> tuple[Tensor, Tensor]:
        alpha = F.softplus(self.unconstrained_alpha)
        return alpha, -alpha + F.softplus(self.unconstrained_beta)

    def _ldj(self, r: Tensor, alpha: Tensor, beta: Tensor) -> Tensor:
        h = 1 / (alpha + r)
        return (self.num_features - 1) * torch.log1p(beta * h) + torch.log1p(
            beta * h - beta * r * h**2
        )

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        check_size(self, x, 1, self.num_features)
        alpha, beta = self._alpha_beta()
        diff = x - self.x0
        r = diff.norm(dim=-1)
        z = x + (beta / (alpha + r)).unsqueeze(-1) * diff
        return z, self._ldj(r, alpha, beta)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        check_size(self, z, 1, self.num_features)
        alpha, beta = self._alpha_beta()
        diff = z - self.x0
        rho = diff.norm(dim=-1)
        p = alpha + beta - rho
        r = 0.5 * (-p + torch.sqrt(p**2 + 4 * rho * alpha))
        x = self.x0 + diff / (1 + beta / (alpha + r)).unsqueeze(-1)
        return x, self._ldj(r, alpha, beta)

    def inverse(self, z: Tensor) -> Tensor:
        return self.inverse_and_ldj(z)[0]
