r"""Invertible residual blocks :math:`z = x + g(x)` with :math:`\mathrm{Lip}(g) < 1` (i-ResNet,
Residual Flows)."""

from __future__ import annotations

import warnings

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.utils.autograd import batched_jacobian
from survae.utils.tensors import sum_except_batch
from survae.utils.validation import ShapeError

ESTIMATORS = ("exact", "series", "russian_roulette")
NOISES = ("gaussian", "rademacher")


def _vjp(out: Tensor, inp: Tensor, w: Tensor, create_graph: bool) -> Tensor:
    """``w^T d out / d inp`` per example (examples are independent), zeros if unused."""
    (grad,) = torch.autograd.grad(
        out, inp, w, create_graph=create_graph, retain_graph=True, allow_unused=True
    )
    return torch.zeros_like(inp) if grad is None else grad


def _noise(x: Tensor, kind: str) -> Tensor:
    if kind == "gaussian":
        return torch.randn_like(x)
    return torch.randint_like(x, 0, 2).mul_(2).sub_(1)


def _check_autograd_available(layer: Bijection) -> None:
    if torch.is_inference_mode_enabled():
        raise RuntimeError(
            f"{layer.layer_name}: the log-det needs autograd (Jacobian-vector products), which "
            "torch.inference_mode() disables; use torch.no_grad() instead"
        )


class ResidualBijection(Bijection):
    r"""Invertible residual block :math:`z = x + g(x)`, invertible because
    :math:`\mathrm{Lip}(g) < 1`.

    - forward: :math:`z = x + g(x)`;
    - inverse: the fixed point of :math:`x = z - g(x)`, by the iteration
      :math:`x_{k+1} = z - g(x_k)` from :math:`x_0 = z` (Banach: the error shrinks by
      :math:`\mathrm{Lip}(g)` per step), run on the whole batch until
      :math:`\max |x_{k+1} - x_k| \le \tau (1 + \max |x_{k+1}|)` (:math:`\tau` = ``inverse_tol``)
      or ``inverse_max_iter`` steps (a warning says if it did not converge; each step checks
      convergence, a host sync). The iteration is differentiable: autograd unrolls the steps
      taken (memory grows with them);
    - log-det: :math:`\log|\det(I + J_g(x))|`, by the ``estimator``:

      * ``'exact'``: the full Jacobian :math:`J_g` per example (one batched backward pass per
        event dimension, vectorized with ``is_grads_batched``), then ``slogdet``: exact, for
        small events (the harness checks it against autograd);
      * ``'series'``: the power series
        :math:`\sum_{k=1}^{n} (-1)^{k+1} \operatorname{tr}(J_g^k) / k` truncated at
        :math:`n` = ``n_terms``, each trace by the Hutchinson estimator :math:`v^\top J_g^k v`
        with one noise :math:`v` per example (biased by the truncation; the tail is
        :math:`O(\mathrm{Lip}(g)^n / n)` per dimension);
      * ``'russian_roulette'``: the unbiased estimator of Chen et al. (2019): the first
        :math:`n_0` = ``n_exact_terms`` terms always, then :math:`K \sim \mathrm{Geometric}(p)`
        more (:math:`p` = ``geom_p``, :math:`P(K \ge m) = (1 - p)^m`, one draw per call, on the
        host CPU generator), term :math:`n_0 + m` weighted by :math:`1 / P(K \ge m)`. Its
        variance is finite when :math:`\mathrm{Lip}(g)^2 < 1 - p`.

      With ``neumann_grad=True`` (stochastic estimators only), the value is computed without a
      graph and the gradient comes from the Neumann series
      :math:`d \log\det(I + J) = \operatorname{tr}\bigl((I + J)^{-1} dJ\bigr)`,
      :math:`(I + J)^{-1} = \sum_k (-J)^k`, truncated/weighted like the value: one
      differentiable vector-Jacobian product instead of :math:`n` (memory independent of
      :math:`n`).

    ``forward`` uses autograd internally (also under ``torch.no_grad()``, where it returns
    detached results), so it cannot run under ``torch.inference_mode()``; ``inverse`` can. In
    training mode, spectrally normalized layers in ``g`` refine their power iteration at every
    call, including every fixed-point step of the inverse: invert in eval mode for exactness.

    With a stochastic estimator, ``forward`` returns an unbiased (``'russian_roulette'``) or
    truncated (``'series'``) estimate of the log-det, drawn from the global torch RNG. The
    ``estimator`` can be switched at any time (e.g. exact evaluation after stochastic training).

    Args:
        net: the residual branch :math:`g`, mapping inputs to outputs of the same shape, each
            example independently, with :math:`\mathrm{Lip}(g) < 1` (e.g.
            :class:`~survae.nn.nets.LipschitzMLP`).
        estimator: ``'exact'``, ``'series'`` or ``'russian_roulette'``.
        n_terms: number of terms of the ``'series'`` estimator.
        n_exact_terms: terms always computed by ``'russian_roulette'``.
        geom_p: success probability of the geometric number of extra terms.
        noise: Hutchinson noise, ``'gaussian'`` or ``'rademacher'``.
        neumann_grad: use the Neumann-series gradient for the stochastic estimators.
        inverse_tol: relative tolerance of the fixed-point iteration (default ``100 * eps``
            of the input dtype).
        inverse_max_iter: maximum number of fixed-point steps.

    Example:
        >>> import torch
        >>> from survae.nn.nets.lipschitz_mlp import LipschitzMLP
        >>> layer = ResidualBijection(LipschitzMLP(2, [16], coeff=0.9)).double().eval()
        >>> x = torch.randn(5, 2, dtype=torch.float64)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x, atol=1e-10), ldj.shape
        (True, torch.Size([5]))

    References: Behrmann et al., 2019 (i-ResNet); Chen et al., 2019 (Residual Flows).
    """

    recompute_by_inverse = False  # iterative inverse: memory saving keeps the input

    def __init__(
        self,
        net: nn.Module,
        estimator: str = "exact",
        n_terms: int = 10,
        n_exact_terms: int = 2,
        geom_p: float = 0.5,
        noise: str = "gaussian",
        neumann_grad: bool = False,
        inverse_tol: float | None = None,
        inverse_max_iter: int = 500,
    ):
        super().__init__()
        self.net = net
        self.estimator = estimator
        if noise not in NOISES:
            raise ValueError(f"ResidualBijection: noise must be one of {NOISES}, got {noise!r}")
        if n_terms < 1 or n_exact_terms < 0:
            raise ValueError(
                f"ResidualBijection: need n_terms >= 1 and n_exact_terms >= 0, got {n_terms} "
                f"and {n_exact_terms}"
            )
        if not 0.0 < geom_p < 1.0:
            raise ValueError(f"ResidualBijection: geom_p must be in (0, 1), got {geom_p}")
        if inverse_max_iter < 1:
            raise ValueError(
                f"ResidualBijection: inverse_max_iter must be >= 1, got {inverse_max_iter}"
            )
        self.n_terms = int(n_terms)
        self.n_exact_terms = int(n_exact_terms)
        self.geom_p = float(geom_p)
        self.noise = noise
        self.neumann_grad = bool(neumann_grad)
        self.inverse_tol = inverse_tol
        self.inverse_max_iter = int(inverse_max_iter)

    @property
    def estimator(self) -> str:
        """The log-det estimator: ``'exact'``, ``'series'`` or ``'russian_roulette'``."""
        return self._estimator

    @estimator.setter
    def estimator(self, value: str) -> None:
        if value not in ESTIMATORS:
            raise ValueError(
                f"ResidualBijection: estimator must be one of {ESTIMATORS}, got {value!r}"
            )
        self._estimator = value

    def extra_repr(self) -> str:
        parts = [f"estimator={self.estimator!r}"]
        if self.estimator == "series":
            parts.append(f"n_terms={self.n_terms}")
        elif self.estimator == "russian_roulette":
            parts += [f"n_exact_terms={self.n_exact_terms}", f"geom_p={self.geom_p}"]
        if self.estimator != "exact":
            parts += [f"noise={self.noise!r}", f"neumann_grad={self.neumann_grad}"]
        return ", ".join(parts)

    def _branch(self, x: Tensor) -> Tensor:
        gx = self.net(x)
        if gx.shape != x.shape:
            raise ShapeError(
                f"{self.layer_name}: the residual branch must keep the shape: input of shape "
                f"{tuple(x.shape)} gave an output of shape {tuple(gx.shape)}"
            )
        return gx

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        _check_autograd_available(self)
        create_graph = torch.is_grad_enabled()
        with torch.enable_grad():
            xg = x if x.requires_grad else x.detach().requires_grad_(True)
            gx = self._branch(xg)
            z = xg + gx
            if not gx.requires_grad:  # g ignores x and has no parameters: J_g = 0
                ldj = x.new_zeros(x.shape[0])
            elif self.estimator == "exact":
                ldj = self._logdet_exact(gx, xg, create_graph)
            else:
                ldj = self._logdet_series(gx, xg, create_graph)
        if not create_graph:
            z, ldj = z.detach(), ldj.detach()
        return z, ldj

    def _logdet_exact(self, gx: Tensor, x: Tensor, create_graph: bool) -> Tensor:
        jac = batched_jacobian(gx, x, create_graph)
        if jac is None:
            return x.new_zeros(x.shape[0])
        return torch.linalg.slogdet(torch.eye(jac.shape[-1], dtype=x.dtype, device=x.device)
                                    + jac).logabsdet

    def _series_weights(self) -> list[float]:
        """Weights of the terms ``k = 1..N`` of the power series (N random for roulette)."""
        if self.estimator == "series":
            return [1.0] * self.n_terms
        # Host-side draw from the global CPU generator: no device synchronisation.
        extra = int(torch.empty((), dtype=torch.float64).geometric_(self.geom_p)) - 1
        q = 1.0 - self.geom_p
        return [1.0] * self.n_exact_terms + [q ** (-m) for m in range(1, extra + 1)]

    def _logdet_series(self, gx: Tensor, x: Tensor, create_graph: bool) -> Tensor:
        weights = self._series_weights()
        v = _noise(x, self.noise)
        ldj = x.new_zeros(x.shape[0])
        if not weights:
            return ldj
        w = v  # w_k = v^T J^k
        if self.neumann_grad and create_graph:
            neumann = torch.zeros_like(x)
            for k, weight in enumerate(weights, start=1):
                sign = 1.0 if k % 2 == 1 else -1.0
                neumann = neumann + (sign * weight) * w
                w = _vjp(gx, x, w, create_graph=False)
                ldj = ldj + (sign * weight / k) * sum_except_batch(w * v)
            surrogate = sum_except_batch(_vjp(gx, x, neumann, create_graph=True) * v)
            return ldj.detach() + (surrogate - surrogate.detach())
        for k, weight in enumerate(weights, start=1):
            sign = 1.0 if k % 2 == 1 else -1.0
            w = _vjp(gx, x, w, create_graph=create_graph)
            ldj = ldj + (sign * weight / k) * sum_except_batch(w * v)
        return ldj

    def inverse(self, z: Tensor) -> Tensor:
        tol = self.inverse_tol
        if tol is None:
            tol = 100 * torch.finfo(z.dtype).eps
        x = z
        for _ in range(self.inverse_max_iter):
            x_new = z - self._branch(x)
            delta = (x_new - x).detach().abs().amax()
            scale = 1 + x_new.detach().abs().amax()
            x = x_new
            if bool(delta <= tol * scale):
                return x
        warnings.warn(
            f"{self.layer_name}: the fixed-point inverse did not converge in "
            f"{self.inverse_max_iter} steps (last change {float(delta):.3g}); is Lip(g) < 1?",
            RuntimeWarning,
            stacklevel=2,
        )
        return x
