"""Harness cases for stochastic transforms, with exact marginal likelihoods where tractable."""

from __future__ import annotations

import math

import torch
from torch import nn

from survae.distributions import ConditionalMeanNormal, ConditionalNormal, StandardNormal
from survae.flows import Flow
from survae.transforms import (
    VAE,
    HamiltonianMonteCarlo,
    MetropolisHastings,
    UnadjustedLangevin,
)
from tests.transforms.exactness import assert_bound_calibrated
from tests.transforms.harness import Case, normal_input


def _make_linear_vae() -> VAE:
    # Linear-Gaussian decoder (probabilistic PCA): x | z ~ N(Wz + b, 0.5^2 I).
    decoder = ConditionalMeanNormal(nn.Linear(2, 3), scale=0.5)
    encoder = ConditionalNormal(nn.Linear(3, 4))
    return VAE(decoder=decoder, encoder=encoder)


def _ppca_exact(layer: VAE) -> None:
    linear = layer.decoder.net
    weight, bias = linear.weight.detach(), linear.bias.detach()
    cov = weight @ weight.T + 0.25 * torch.eye(3, dtype=torch.float64)
    # A proposal close to the true posterior N(A (x - b), 0.25 M^-1), M = W^T W + 0.25 I, with
    # a widened diagonal covariance, so the importance-weighted estimate has a small variance.
    precision = weight.T @ weight + 0.25 * torch.eye(2, dtype=torch.float64)
    gain = torch.linalg.solve(precision, weight.T)
    post_std = (0.25 * torch.linalg.inv(precision)).diagonal().sqrt()
    with torch.no_grad():
        encoder = layer.encoder.net
        encoder.weight.zero_()
        encoder.weight[:2] = gain
        encoder.bias[:2] = -gain @ bias
        encoder.bias[2:] = torch.log(1.3 * post_std)
    marginal = torch.distributions.MultivariateNormal(bias, covariance_matrix=cov)
    model = Flow(StandardNormal((2,)).double(), [layer])
    x = marginal.sample((4,))
    assert_bound_calibrated(model, x, marginal.log_prob(x))
    assert_iwbo_tightens(model, x, marginal.log_prob(x), min_gain=1e-3)


def assert_iwbo_tightens(model, x: torch.Tensor, exact: torch.Tensor, total: int = 20000,
                         ks: tuple[int, ...] = (1, 10, 100, 1000), sigmas: float = 5.0,
                         min_gain: float = 0.0) -> None:
    """``IWBO_k = E log mean_{j<=k} w_j``, estimated from ``total // k`` groups of ``k`` weights
    each, does not decrease with ``k`` and never exceeds ``log p(x)`` (within ``sigmas`` Monte
    Carlo standard errors); with ``min_gain > 0`` it also rises by at least that much from the
    first ``k`` to the last (the check has teeth when the proposal is not the posterior)."""
    with torch.no_grad():
        logw = model.log_prob(x.repeat_interleave(total, dim=0)).reshape(x.shape[0], total)
    bounds, errors = [], []
    for k in ks:
        groups = logw[:, : total // k * k].reshape(x.shape[0], -1, k)
        per_group = torch.logsumexp(groups, dim=-1) - math.log(k)
        bounds.append(per_group.mean(1))
        errors.append(per_group.std(1) / math.sqrt(per_group.shape[1]))
    for k, bound, se in zip(ks, bounds, errors):
        assert bool((bound <= exact + sigmas * se + 1e-9).all()), (
            f"IWBO_{k} {bound} exceeds log p(x) {exact} (standard errors {se})")
    for i in range(1, len(ks)):
        slack = sigmas * torch.sqrt(errors[i] ** 2 + errors[i - 1] ** 2)
        assert bool((bounds[i] >= bounds[i - 1] - slack - 1e-9).all()), (
            f"IWBO_{ks[i]} {bounds[i]} < IWBO_{ks[i - 1]} {bounds[i - 1]}")
    gain = bounds[-1] - bounds[0]
    assert bool((gain >= min_gain).all()), f"IWBO gain {gain} from k={ks[0]} to k={ks[-1]}"


def _std_normal_log(y):
    return -0.5 * (y**2).sum(-1)


_TARGET_MEAN, _TARGET_STD = (0.5, -0.3), 0.7


def _gauss_target_log(y):
    mean = torch.tensor(_TARGET_MEAN, dtype=y.dtype, device=y.device)
    return -0.5 * (((y - mean) / _TARGET_STD) ** 2).sum(-1)


def _normal_log_density(y: torch.Tensor, mean, var: float) -> torch.Tensor:
    mean = torch.as_tensor(mean, dtype=y.dtype)
    return -0.5 * ((y - mean) ** 2).sum(-1) / var - 0.5 * y.shape[-1] * math.log(2 * math.pi * var)


def _mh_exact(layer) -> None:
    """One random-walk MH step from ``N(0, I)`` towards a different Gaussian target: the exact
    marginal ``p(x) = N(x) r(x) + int N(z) g(x - z) a(z, x) dz`` (``g`` the proposal density,
    ``a`` the acceptance probability, ``r`` the rejection probability at ``x``) by a fine
    midpoint rule on [-8, 8]^2."""
    s = layer.step_size
    num, bound = 801, 8.0
    h = 2 * bound / num
    nodes = torch.linspace(-bound + h / 2, bound - h / 2, num, dtype=torch.float64)
    grid = torch.stack(torch.meshgrid(nodes, nodes, indexing="ij"), -1).reshape(-1, 2)
    x = torch.tensor([[0.0, 0.0], [1.0, -1.0], [-1.5, 0.5], [0.4, 2.0]], dtype=torch.float64)
    log_pi_grid = _gauss_target_log(grid)
    exact = []
    for xi in x:
        log_pi_x = _gauss_target_log(xi[None])
        log_g = _normal_log_density(grid - xi, (0.0, 0.0), s**2)
        accept_from_x = torch.clamp(log_pi_grid - log_pi_x, max=0.0).exp()
        reject = 1 - (log_g.exp() * accept_from_x).sum() * h * h
        accept_into_x = torch.clamp(log_pi_x - log_pi_grid, max=0.0).exp()
        moved_in = (_normal_log_density(grid, (0.0, 0.0), 1.0).exp() * log_g.exp()
                    * accept_into_x).sum() * h * h
        stay = _normal_log_density(xi[None], (0.0, 0.0), 1.0).exp() * reject
        exact.append(torch.log(stay + moved_in))
    model = Flow(StandardNormal((2,)).double(), [layer])
    exact = torch.cat(exact)
    assert_bound_calibrated(model, x, exact)
    assert_iwbo_tightens(model, x, exact, min_gain=1e-3)


def _ula_exact(layer) -> None:
    """Unadjusted Langevin towards a Gaussian target is a linear-Gaussian chain: from
    ``N(m_0, v_0 I)`` each step gives ``N(a m + b, (a^2 v + 2 eps) I)`` with
    ``a = 1 - eps / s^2``, ``b = eps mu / s^2``: the exact marginal after the steps."""
    eps = layer.step_size
    a = 1 - eps / _TARGET_STD**2
    b = eps * torch.tensor(_TARGET_MEAN, dtype=torch.float64) / _TARGET_STD**2
    mean, var = torch.zeros(2, dtype=torch.float64), 1.0
    for _ in range(layer.num_steps):
        mean, var = a * mean + b, a * a * var + 2 * eps
    model = Flow(StandardNormal((2,)).double(), [layer])
    offsets = torch.tensor([[0.0, 0.0], [0.6, -0.4], [-0.8, 0.3], [0.2, 0.9]],
                           dtype=torch.float64)
    x = mean + math.sqrt(var) * offsets
    exact = _normal_log_density(x, mean, var)
    assert_bound_calibrated(model, x, exact)
    assert_iwbo_tightens(model, x, exact, min_gain=1e-3)


def _invariant_base_exact(layer) -> None:
    """With the kernel's target equal to the base, the generative chain leaves the base
    distribution unchanged, so the exact marginal is the base density itself."""
    model = Flow(StandardNormal((2,)).double(), [layer])
    x = torch.randn(4, 2, dtype=torch.float64)
    exact = torch.distributions.Normal(0.0, 1.0).log_prob(x).sum(-1)
    assert_bound_calibrated(model, x, exact)


CASES = [
    Case("VAE-linear-gaussian", _make_linear_vae, normal_input((3,)), exact=_ppca_exact),
    Case("MetropolisHastings", lambda: MetropolisHastings(_std_normal_log, 2, num_steps=3),
         normal_input((2,)), exact=_invariant_base_exact),
    Case("HamiltonianMonteCarlo",
         lambda: HamiltonianMonteCarlo(_std_normal_log, 2, step_size=0.3, leapfrog_steps=3),
         normal_input((2,)), exact=_invariant_base_exact),
    Case("UnadjustedLangevin", lambda: UnadjustedLangevin(_std_normal_log, 2, num_steps=2),
         normal_input((2,))),
    Case("MetropolisHastings-gaussian-target",
         lambda: MetropolisHastings(_gauss_target_log, 2, step_size=0.8, num_steps=1),
         normal_input((2,)), exact=_mh_exact),
    Case("UnadjustedLangevin-gaussian-target",
         lambda: UnadjustedLangevin(_gauss_target_log, 2, step_size=0.1, num_steps=2),
         normal_input((2,)), exact=_ula_exact),
]
