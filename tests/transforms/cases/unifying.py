"""Harness cases for the layers of the paper's unifying table (RAD, CIFs, discretely indexed
flows, diffusion, PPCA) and the tutorial's OT-Flow and autodiff bijections.

Exact layers are checked against brute force (mass on a grid, enumeration, closed forms); bounds
against the exact log-likelihood (the ELBO never exceeds it, the IWBO converges to it and
tightens with the number of samples).
"""

from __future__ import annotations

import importlib.util
import math

import pytest
import torch
from torch import nn

from survae.distributions import ConditionalNormal, StandardHalfNormal, StandardNormal
from survae.flows import Flow
from survae.transforms import (
    PPCA,
    AutodiffBijection,
    ConditionalAffineBijection,
    ContinuouslyIndexedTransform,
    DiffusionStep,
    DiscretelyIndexedAffineTransform,
    GaussianDiffusion,
    OTFlowBijection,
    PartitionSurjection,
    SimpleAbsSurjection,
)
from tests.transforms.cases.stochastic import assert_iwbo_tightens
from tests.transforms.exactness import (
    assert_bound_calibrated,
    assert_integrates_to_one_midpoint,
    gauss_legendre,
)
from tests.transforms.harness import Case, normal_input

_NO_TORCHDIFFEQ = pytest.mark.skipif(
    importlib.util.find_spec("torchdiffeq") is None,
    reason="needs the optional dependency torchdiffeq (pip install 'survae[ode]')",
)


def _normal_logpdf(x: torch.Tensor) -> torch.Tensor:
    return (-0.5 * x**2 - 0.5 * math.log(2 * math.pi)).sum(1)


def _soften(module: nn.Module, factor: float) -> None:
    with torch.no_grad():
        for p in module.parameters():
            p.mul_(factor)


# --- RAD ---------------------------------------------------------------------------------------


def _partition_abs_exact(layer: PartitionSurjection) -> None:
    """Two pieces cut at 0 without a classifier is the abs surjection with symmetric signs."""
    model = Flow(StandardHalfNormal((2,)).double(), [layer])
    reference = Flow(StandardHalfNormal((2,)).double(), [SimpleAbsSurjection()])
    x = torch.randn(64, 2, dtype=torch.float64)
    torch.testing.assert_close(model.log_prob(x), reference.log_prob(x))
    torch.testing.assert_close(model.log_prob(x), _normal_logpdf(x))


def _partition_exact(layer: PartitionSurjection) -> None:
    """Three pieces, a learned p(k|z): the density integrates to one (cells aligned with the
    cuts), and it is the sum over pieces of the generative process x = g_k^{-1}(z)."""
    model = Flow(StandardNormal((2,)).double(), [layer])
    assert_integrates_to_one_midpoint(model, -10.0, 10.0, num=1000)
    # Brute force: p(x) = sum_{k in pieces^2} 1[x in piece k] N(g_k(x)) p(k | g_k(x)), evaluated
    # for every piece assignment (including the wrong ones, which the indicator removes).
    x = 3 * torch.randn(256, 2, dtype=torch.float64)
    total = torch.zeros(x.shape[0], dtype=torch.float64)
    cuts = layer.boundaries
    for k0 in range(layer.num_pieces):
        for k1 in range(layer.num_pieces):
            k = torch.tensor([k0, k1])
            lo = torch.cat([cuts.new_tensor([-math.inf]), cuts])[k]
            hi = torch.cat([cuts, cuts.new_tensor([math.inf])])[k]
            inside = ((x >= lo) & (x < hi)).all(1)
            z = layer.heights[k] + layer.slopes[k] * (x - layer.anchors[k])
            log_pk = layer._logits(z).gather(-1, k.expand(x.shape[0], 2)[..., None])[..., 0]
            total = total + inside * torch.exp(_normal_logpdf(z) + log_pk.sum(1))
    torch.testing.assert_close(model.log_prob(x).exp(), total)


# --- discretely indexed flows / deep GMMs ------------------------------------------------------


def _indexed_gmm_exact(layer: DiscretelyIndexedAffineTransform) -> None:
    """Unconditional weights on a standard normal base: a Gaussian mixture, and the default
    proposal is its posterior, so every sample gives the exact log-likelihood."""
    model = Flow(StandardNormal((2,)).double(), [layer])
    mixture = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(logits=layer.weight_logits.detach()),
        torch.distributions.Independent(
            torch.distributions.Normal(layer.loc.detach(), layer.log_scale.detach().exp()), 1
        ),
    )
    x = mixture.sample((32,))
    for _ in range(3):
        torch.testing.assert_close(model.log_prob(x), mixture.log_prob(x))


def _indexed_conditional_exact(layer: DiscretelyIndexedAffineTransform) -> None:
    """p(k|z) and q(k|x) from networks: the enumerated marginal integrates to one, and the bound
    is calibrated against it."""
    _soften(layer.encoder, 0.5)
    model = Flow(StandardNormal((2,)).double(), [layer])
    with torch.no_grad():
        points = torch.linspace(-12, 12, 600, dtype=torch.float64)
        grid = torch.stack(torch.meshgrid(points, points, indexing="ij"), -1).reshape(-1, 2)
        cell = float(points[1] - points[0]) ** 2
        mass = float(layer.log_marginal(grid, _normal_logpdf).exp().sum() * cell)
    assert abs(mass - 1) < 1e-4, f"enumerated marginal integrates to {mass}"
    x = torch.randn(4, 2, dtype=torch.float64) * 2
    with torch.no_grad():
        exact = layer.log_marginal(x, _normal_logpdf)
    assert_bound_calibrated(model, x, exact)
    assert_iwbo_tightens(model, x, exact, min_gain=1e-3)


def _make_indexed_conditional() -> DiscretelyIndexedAffineTransform:
    layer = DiscretelyIndexedAffineTransform(
        2, 3, decoder=nn.Linear(2, 3), encoder=nn.Linear(2, 3)
    )
    with torch.no_grad():
        layer.log_scale.uniform_(-0.3, 0.3)
    return layer


# --- CIF ---------------------------------------------------------------------------------------


def _make_cif() -> ContinuouslyIndexedTransform:
    bijection = ConditionalAffineBijection(nn.Linear(1, 4))
    encoder, decoder = ConditionalNormal(nn.Linear(2, 2)), ConditionalNormal(nn.Linear(2, 2))
    for module in (bijection, encoder, decoder):
        _soften(module, 0.4)
    return ContinuouslyIndexedTransform(bijection, encoder=encoder, decoder=decoder)


def _cif_exact(layer: ContinuouslyIndexedTransform) -> None:
    """p(x) = int N(f(x; u)) p(u | f(x; u)) |det df/dx| du by Gauss-Legendre quadrature over the
    one-dimensional index."""
    with torch.no_grad():  # a proposal wider than the posterior: bounded importance weights
        layer.encoder.net.bias[1] = math.log(1.5)
    model = Flow(StandardNormal((2,)).double(), [layer])
    x = torch.randn(4, 2, dtype=torch.float64)
    nodes, weights = gauss_legendre(-14.0, 14.0, 400)
    with torch.no_grad():
        u = nodes.repeat(x.shape[0])[:, None]
        xs = x.repeat_interleave(nodes.numel(), 0)
        z, log_det = layer.bijection(xs, u)
        log_joint = _normal_logpdf(z) + layer.decoder.log_prob(u, context=z) + log_det
        log_joint = log_joint.reshape(x.shape[0], -1)
        exact = torch.logsumexp(log_joint + weights.log(), -1)
    assert_bound_calibrated(model, x, exact)
    assert_iwbo_tightens(model, x, exact, min_gain=1e-3)


# --- diffusion ---------------------------------------------------------------------------------


def _linear_chain_exact(model: Flow, steps: list[DiffusionStep]) -> None:
    """Reverse means linear in x_t: the generative chain from N(0, I) is Gaussian, with mean and
    covariance propagated step by step (last step first)."""
    dim = 2
    mean = torch.zeros(dim, dtype=torch.float64)
    cov = torch.eye(dim, dtype=torch.float64)
    with torch.no_grad():
        for step in reversed(steps):
            reverse = step.reverse
            offset = reverse.mean(torch.zeros(1, dim, dtype=torch.float64))[0]
            matrix = (reverse.mean(torch.eye(dim, dtype=torch.float64)) - offset).T
            std = reverse.mean_stddev(torch.zeros(1, dim, dtype=torch.float64))[1][0]
            mean = matrix @ mean + offset
            cov = matrix @ cov @ matrix.T + torch.diag(std**2)
    marginal = torch.distributions.MultivariateNormal(mean, covariance_matrix=cov)
    x = marginal.sample((4,))
    exact = marginal.log_prob(x)
    assert_bound_calibrated(model, x, exact)
    assert_iwbo_tightens(model, x, exact, min_gain=1e-3)


def _make_diffusion_step() -> DiffusionStep:
    from survae.distributions import ConditionalMeanStdNormal

    net = nn.Linear(2, 2)
    reverse = ConditionalMeanStdNormal(net, scale_shape=(2,))
    with torch.no_grad():  # near the exact reverse of N(0, I) data: sqrt(1 - beta) z, beta I
        net.weight.mul_(0.2).add_(math.sqrt(0.5) * torch.eye(2))
        net.bias.mul_(0.2)
        reverse.log_scale.fill_(0.5 * math.log(0.6))
    return DiffusionStep(reverse, beta=0.5)


def _diffusion_step_exact(layer: DiffusionStep) -> None:
    _linear_chain_exact(Flow(StandardNormal((2,)).double(), [layer]), [layer])


def _make_gaussian_diffusion() -> GaussianDiffusion:
    net = nn.Linear(2 + 2, 2)
    _soften(net, 0.3)
    return GaussianDiffusion(2, net, betas=[0.4, 0.6], time_features=2)


def _gaussian_diffusion_exact(layer: GaussianDiffusion) -> None:
    _linear_chain_exact(Flow(StandardNormal((2,)).double(), [layer]), list(layer.transforms))


# --- PPCA --------------------------------------------------------------------------------------


def _ppca_exact(layer: PPCA) -> None:
    """On a standard normal base every sample of the bound is the exact log-likelihood
    ``N(x; b, W W^T + sigma^2 I)``."""
    with torch.no_grad():
        layer.bias.normal_()
        layer.log_std.fill_(math.log(0.6))
    model = Flow(StandardNormal((2,)).double(), [layer])
    cov = layer.weight @ layer.weight.T + 0.36 * torch.eye(3, dtype=torch.float64)
    marginal = torch.distributions.MultivariateNormal(layer.bias, covariance_matrix=cov)
    with torch.no_grad():
        x = marginal.sample((16,))
        for _ in range(3):
            torch.testing.assert_close(model.log_prob(x), marginal.log_prob(x))
        torch.testing.assert_close(layer.marginal_log_prob(x), marginal.log_prob(x))


# --- OT-Flow and autodiff bijections -----------------------------------------------------------


class _QuadraticPotential(nn.Module):
    """``Phi(x, t) = c/2 |x|^2``: ``x(t) = x e^{-ct}``, log-det ``-c D T`` and transport cost
    ``c/4 |x|^2 (1 - e^{-2cT})`` in closed form."""

    def __init__(self, c: float = 0.8):
        super().__init__()
        self.c = nn.Parameter(torch.tensor(c))

    def forward(self, xt: torch.Tensor) -> torch.Tensor:
        return 0.5 * self.c * (xt[:, :-1] ** 2).sum(1)


def _ot_quadratic_exact(layer: OTFlowBijection) -> None:
    x = torch.randn(6, 2, dtype=torch.float64)
    c, T = float(layer.dynamics.potential.c.detach()), float(layer.T)
    z, ldj = layer(x)
    torch.testing.assert_close(z, x * math.exp(-c * T), atol=1e-7, rtol=0)
    torch.testing.assert_close(ldj, torch.full((6,), -2 * c * T, dtype=torch.float64))
    expected = 0.25 * c * (x**2).sum(1) * (1 - math.exp(-2 * c * T))
    torch.testing.assert_close(layer.transport_cost, expected, atol=1e-7, rtol=0)


def _smooth_potential() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))


_RK4 = dict(method="rk4", options={"step_size": 0.05})


class _MonotoneMix(nn.Module):
    """``z = A x + 0.3 tanh(B x)`` with ``A`` near the identity: invertible, dense Jacobian."""

    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.eye(3) + 0.1 * torch.randn(3, 3))
        self.b = nn.Parameter(0.5 * torch.randn(3, 3))

    def forward(self, x):
        return x @ self.a.T + 0.3 * torch.tanh(x @ self.b.T)


def _make_autodiff_newton() -> AutodiffBijection:
    net = _MonotoneMix()
    return AutodiffBijection(net, module=net, newton_steps=40)


def _make_autodiff_exp() -> AutodiffBijection:
    return AutodiffBijection(torch.exp, inverse=torch.log)


CASES = [
    Case("PartitionSurjection-abs", lambda: PartitionSurjection([0.0]), normal_input((2,)),
         exact=_partition_abs_exact),
    Case("PartitionSurjection-3-pieces",
         lambda: PartitionSurjection([-1.0, 1.0], classifier=nn.Linear(2, 6)),
         lambda n: 2 * torch.randn(n, 2, dtype=torch.float64), exact=_partition_exact),
    Case("DiscretelyIndexedAffineTransform-gmm", lambda: DiscretelyIndexedAffineTransform(2, 3),
         normal_input((2,)), exact=_indexed_gmm_exact),
    Case("DiscretelyIndexedAffineTransform-conditional", _make_indexed_conditional,
         normal_input((2,)), exact=_indexed_conditional_exact),
    Case("ContinuouslyIndexedTransform-affine", _make_cif, normal_input((2,)), exact=_cif_exact),
    Case("DiffusionStep-linear-gaussian", _make_diffusion_step, normal_input((2,)),
         exact=_diffusion_step_exact),
    Case("GaussianDiffusion-linear-2-steps", _make_gaussian_diffusion, normal_input((2,)),
         exact=_gaussian_diffusion_exact),
    Case("PPCA", lambda: PPCA(3, 2), normal_input((3,)), exact=_ppca_exact),
    Case("OTFlowBijection-rk4", lambda: OTFlowBijection(_smooth_potential(), 2, **_RK4),
         normal_input((2,)), atol=1e-7, marks=[_NO_TORCHDIFFEQ]),
    Case("OTFlowBijection-quadratic-potential",
         lambda: OTFlowBijection(_QuadraticPotential(), 2, T=0.7, rank=0, method="dopri5",
                                 rtol=1e-10, atol=1e-10),
         normal_input((2,)), atol=1e-7, exact=_ot_quadratic_exact, marks=[_NO_TORCHDIFFEQ]),
    Case("AutodiffBijection-newton", _make_autodiff_newton, normal_input((3,)), atol=1e-7),
    Case("AutodiffBijection-exp-log", _make_autodiff_exp, normal_input((2,))),
]
