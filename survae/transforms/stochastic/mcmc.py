r"""MCMC kernels as stochastic layers: stochastic normalizing flows (Wu, Köhler & Noé, 2020).

Each layer runs a Markov kernel :math:`K` that leaves a target :math:`\pi` (given by its
unnormalized log-density ``log_target``) invariant, in both directions: the inference direction
samples :math:`z \sim K(z|x)` (:math:`q(z|x)`), the generative direction :math:`x \sim K(x|z)`
(:math:`p(x|z)`). The likelihood contribution is the log-ratio of the two path densities,

.. math:: \mathcal{V}(x, z) = \log p(x|z) - \log q(z|x),

which for a kernel in detailed balance with :math:`\pi` (Metropolis-Hastings, HMC) is
:math:`\log \pi(x) - \log \pi(z)`, and for unadjusted Langevin is computed from the Gaussian
transition densities step by step. Stacked after a flow, the layers move samples towards
:math:`\pi` while :func:`sample_with_log_weights` still gives exact importance weights
:math:`\log w = \log \pi(x) - [\log p(z_0) + \sum_t \mathcal{V}_t]` for self-normalized estimates
under :math:`\pi`.

Gradients. The reversible kernels (Metropolis-Hastings, HMC) accept or reject: the end point is a
discontinuous function of the start, and the pathwise gradient through the kept sample ignores how
the acceptance probability moves with the parameters (a biased estimate of the gradient of the path
KL). ``stop_gradient=True`` treats the kernel's end point as a constant: the contribution keeps its
value :math:`\log \pi(\text{end}) - \log \pi(\text{start})` with the gradient through
:math:`\log \pi(\text{start})` only. Between two such layers with targets :math:`\pi_{t-1}` and
:math:`\pi_t`, the reverse KL of the paths then trains the flow layers :math:`f` in between by
:math:`\mathbb{E}[-\log|\det J_f(y)| - \log \pi_t(f(y))]` over the previous layer's samples
:math:`y`: each flow segment learns to carry :math:`\pi_{t-1}` onto :math:`\pi_t` (as in annealed
flow transport, Arbel, Matthews & Doucet 2021). The values, samples and weights are the same
either way.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.transforms.stochastic.base import StochasticTransform
from survae.utils.validation import ShapeError, check_size

LogDensity = Callable[[Tensor], Tensor]


def _grad_log(log_target: LogDensity, y: Tensor, create_graph: bool) -> tuple[Tensor, Tensor]:
    r""":math:`\log \pi(y)` and its gradient in :math:`y` (works under ``no_grad`` too)."""
    with torch.enable_grad():
        y_ = y if y.requires_grad else y.detach().requires_grad_(True)
        logp = log_target(y_)
        (grad,) = torch.autograd.grad(logp.sum(), y_, create_graph=create_graph)
    return (logp if create_graph else logp.detach()), grad


class _MCMCLayer(StochasticTransform):
    """Shared parts: the target, the number of kernel steps, shape checks."""

    def __init__(self, log_target: LogDensity, num_features: int, num_steps: int,
                 stop_gradient: bool = False):
        super().__init__()
        if num_steps < 1:
            raise ValueError(f"{type(self).__name__}: num_steps must be >= 1, got {num_steps}")
        self.log_target = log_target
        self.num_features = int(num_features)
        self.num_steps = int(num_steps)
        self.stop_gradient = bool(stop_gradient)

    def _check(self, x: Tensor) -> None:
        check_size(self, x, 1, self.num_features)
        if x.dim() != 2:
            raise ShapeError(f"{self.layer_name}: expected input of shape (batch, "
                             f"{self.num_features}), got {tuple(x.shape)}")

    def _run(self, y: Tensor) -> tuple[Tensor, Tensor]:
        r"""Run the kernel from ``y``; return the end point and
        :math:`\sum [\log K(\text{back}) - \log K(\text{fwd})]` over the steps (the contribution
        with ``y`` as the data side)."""
        raise NotImplementedError

    def _run_from(self, y: Tensor) -> tuple[Tensor, Tensor]:
        """:meth:`_run`, or with ``stop_gradient`` (reversible kernels only: ``V = log pi(end) -
        log pi(start)``) the same chain from a detached start, its end point detached and
        ``log pi(start) - log pi(end)`` differentiable through the start."""
        if not self.stop_gradient:
            return self._run(y)
        end = self._run(y.detach())[0].detach()
        return end, self.log_target(y) - self.log_target(end)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        z, back_minus_fwd = self._run_from(x)
        return z, back_minus_fwd  # log p(x|z) - log q(z|x)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        r""":math:`x \sim K(x|z)` and the contribution :math:`\mathcal{V}(x, z)` the forward pass
        would assign."""
        self._check(z)
        x, back_minus_fwd = self._run_from(z)
        return x, -back_minus_fwd  # log K(x|z) - log K(z|x)

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}, num_steps={self.num_steps}" + (
            ", stop_gradient=True" if self.stop_gradient else "")

    def inverse(self, z: Tensor) -> Tensor:
        return self.inverse_and_ldj(z)[0]


class MetropolisHastings(_MCMCLayer):
    r"""Random-walk Metropolis-Hastings: ``num_steps`` steps of proposal
    :math:`y' = y + s \epsilon`, :math:`\epsilon \sim \mathcal{N}(0, I)`, accepted with probability
    :math:`\min(1, \pi(y') / \pi(y))`; detailed balance gives
    :math:`\mathcal{V}(x, z) = \log \pi(x) - \log \pi(z)`.

    Args:
        log_target: :math:`y \mapsto \log \pi(y)` (up to a constant), batched
            ``(B, D) -> (B,)``.
        num_features: :math:`D`.
        step_size: proposal standard deviation :math:`s`.
        num_steps: kernel steps per call.
        stop_gradient: treat the chain's end point as a constant in backpropagation (see the
            module's docstring); the values are unchanged.

    Example:
        >>> import torch
        >>> layer = MetropolisHastings(lambda y: -0.5 * (y**2).sum(-1), 2, step_size=0.5)
        >>> z, v = layer(torch.zeros(4, 2))
        >>> z.shape, v.shape
        (torch.Size([4, 2]), torch.Size([4]))
    """

    def __init__(self, log_target: LogDensity, num_features: int, step_size: float = 0.5,
                 num_steps: int = 1, stop_gradient: bool = False):
        super().__init__(log_target, num_features, num_steps, stop_gradient)
        self.step_size = float(step_size)

    def _run(self, y: Tensor) -> tuple[Tensor, Tensor]:
        logp_start = logp = self.log_target(y)
        for _ in range(self.num_steps):
            proposal = y + self.step_size * torch.randn_like(y)
            logp_new = self.log_target(proposal)
            accept = torch.log(torch.rand_like(logp)) < logp_new - logp
            y = torch.where(accept.unsqueeze(-1), proposal, y)
            logp = torch.where(accept, logp_new, logp)
        return y, logp_start - logp  # log pi(start) - log pi(end)


class HamiltonianMonteCarlo(_MCMCLayer):
    r"""HMC: fresh momentum :math:`p \sim \mathcal{N}(0, I)`, ``leapfrog_steps`` leapfrog steps of
    size :math:`\epsilon`, Metropolis correction on the Hamiltonian
    :math:`-\log \pi(y) + \|p\|^2 / 2`; reversible, so
    :math:`\mathcal{V}(x, z) = \log \pi(x) - \log \pi(z)`.

    Args:
        log_target: :math:`y \mapsto \log \pi(y)`, differentiable.
        num_features: :math:`D`.
        step_size: leapfrog step :math:`\epsilon`.
        leapfrog_steps: leapfrog steps per proposal.
        num_steps: HMC transitions per call.
        stop_gradient: treat the chain's end point as a constant in backpropagation.

    Example:
        >>> import torch
        >>> layer = HamiltonianMonteCarlo(lambda y: -0.5 * (y**2).sum(-1), 2, step_size=0.3)
        >>> x, v = layer.inverse_and_ldj(torch.zeros(3, 2))
        >>> x.shape
        torch.Size([3, 2])
    """

    def __init__(self, log_target: LogDensity, num_features: int, step_size: float = 0.2,
                 leapfrog_steps: int = 5, num_steps: int = 1, stop_gradient: bool = False):
        super().__init__(log_target, num_features, num_steps, stop_gradient)
        self.step_size = float(step_size)
        self.leapfrog_steps = int(leapfrog_steps)

    def _run(self, y: Tensor) -> tuple[Tensor, Tensor]:
        create = self.training and y.requires_grad
        logp_start, grad = _grad_log(self.log_target, y, create)
        logp = logp_start
        eps = self.step_size
        for _ in range(self.num_steps):
            p = torch.randn_like(y)
            h_start = -logp + 0.5 * (p**2).sum(-1)
            q, g = y, grad
            p = p + 0.5 * eps * g
            for step in range(self.leapfrog_steps):  # the integrator's steps, batched
                q = q + eps * p
                logq, g = _grad_log(self.log_target, q, create)
                p = p + (eps if step < self.leapfrog_steps - 1 else 0.5 * eps) * g
            h_end = -logq + 0.5 * (p**2).sum(-1)
            accept = torch.log(torch.rand_like(logp)) < h_start - h_end
            y = torch.where(accept.unsqueeze(-1), q, y)
            grad = torch.where(accept.unsqueeze(-1), g, grad)
            logp = torch.where(accept, logq, logp)
        return y, logp_start - logp


class UnadjustedLangevin(_MCMCLayer):
    r"""Unadjusted Langevin:
    :math:`y' = y + \epsilon \nabla \log \pi(y) + \sqrt{2 \epsilon}\, \xi`,
    :math:`\xi \sim \mathcal{N}(0, I)` (no rejection).

    Not reversible, so the contribution is the sum over steps of

    .. math:: \log \mathcal{N}\bigl(y_k; y_{k+1} + \epsilon \nabla \log \pi(y_{k+1}),
              2 \epsilon I\bigr) - \log \mathcal{N}\bigl(y_{k+1}; y_k + \epsilon \nabla \log
              \pi(y_k), 2 \epsilon I\bigr)

    (backward minus forward transition densities).

    Args:
        log_target: :math:`y \mapsto \log \pi(y)`, differentiable.
        num_features: :math:`D`.
        step_size: :math:`\epsilon`.
        num_steps: Langevin steps per call.

    Example:
        >>> import torch
        >>> layer = UnadjustedLangevin(lambda y: -0.5 * (y**2).sum(-1), 2, step_size=0.1)
        >>> z, v = layer(torch.randn(3, 2))
        >>> v.shape
        torch.Size([3])
    """

    def __init__(self, log_target: LogDensity, num_features: int, step_size: float = 0.05,
                 num_steps: int = 1):
        super().__init__(log_target, num_features, num_steps)
        self.step_size = float(step_size)

    def _log_transition(self, to: Tensor, frm: Tensor, grad_frm: Tensor) -> Tensor:
        var = 2 * self.step_size
        diff = to - frm - self.step_size * grad_frm
        return -0.5 * (diff**2).sum(-1) / var - 0.5 * to.shape[-1] * math.log(2 * math.pi * var)

    def _run(self, y: Tensor) -> tuple[Tensor, Tensor]:
        create = self.training and y.requires_grad
        _, grad = _grad_log(self.log_target, y, create)
        total = y.new_zeros(y.shape[0])
        for _ in range(self.num_steps):
            new = y + self.step_size * grad + math.sqrt(2 * self.step_size) * torch.randn_like(y)
            _, grad_new = _grad_log(self.log_target, new, create)
            total = total + self._log_transition(y, new, grad_new) - self._log_transition(
                new, y, grad)
            y, grad = new, grad_new
        return y, total


def sample_with_log_weights(
    flow: nn.Module, log_target: LogDensity, num_samples: int
) -> tuple[Tensor, Tensor]:
    r"""Samples of a flow with bijections and MCMC layers, and their log importance weights.

    Runs the generative direction from the base, collecting
    :math:`\log p(z_0) + \sum_t \mathcal{V}_t` (each layer's ``inverse_and_ldj``); returns
    :math:`x` and :math:`\log w = \log \pi(x) - \bigl(\log p(z_0) + \sum_t \mathcal{V}_t\bigr)`:
    :math:`\operatorname{softmax}(\log w)` weights give consistent self-normalized estimates of
    expectations under :math:`\pi` (exact importance weights on the extended path space).

    Example:
        >>> import torch
        >>> from survae.distributions import StandardNormal
        >>> from survae.flows import Flow
        >>> target = lambda y: -0.5 * ((y - 1) ** 2).sum(-1)
        >>> flow = Flow(StandardNormal((2,)), [MetropolisHastings(target, 2, num_steps=5)])
        >>> x, log_w = sample_with_log_weights(flow, target, 1000)
        >>> w = torch.softmax(log_w, 0)
        >>> bool(((w[:, None] * x).sum(0) - 1).abs().max() < 0.2)
        True
    """
    z, total = flow.base_dist.sample_with_log_prob(num_samples)
    for transform in reversed(flow.transforms):
        if not isinstance(transform, (Bijection, _MCMCLayer)):
            raise TypeError(
                f"sample_with_log_weights: {type(transform).__name__} has no generative "
                "likelihood contribution; use bijections and MCMC layers"
            )
        z, v = transform.inverse_and_ldj(z)
        total = total + v
    return z, log_target(z) - total
