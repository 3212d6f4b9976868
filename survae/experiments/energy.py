"""Sampling from energies: a flow or a stochastic normalizing flow trained by reverse KL.

``train_energy(target=..., model="flow" | "snf", ...)`` trains a coupling flow (``flow``) or the
same flow followed by annealed MCMC layers (``snf``, Wu, Köhler & Noé 2020) on an unnormalised
target of :mod:`survae.data.energies` by minimising the reverse KL
(:func:`survae.flows.vi.reverse_kl`, on path space for the SNF), then reports importance-sampling
estimates of ``log Z`` with their standard error and the effective sample size, next to the exact
``log Z`` and to a trivial baseline: the base Gaussian alone as the proposal.

The SNF's MCMC layer ``l`` of ``L`` targets the geometric interpolation
``log rho_l(y) = (1 - l/L) log q(y) + (l/L) log pi(y)`` between the flow's own density ``q``
(the same layers) and the target: annealed importance sampling started from the flow, whose
importance weights are exact on the path space, trained end to end through the kernels (the
reverse KL of the paths). Both models have the same parameters.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from torch.utils.data import TensorDataset

from survae.data.energies import EnergyTarget, make_energy
from survae.distributions import GaussianMixture, StandardNormal
from survae.experiments.errors import model_option_errors
from survae.experiments.run_files import RunFolder, write_metrics
from survae.experiments.specs import (
    DATA,
    ENERGY_BASES,
    ENERGY_COUPLINGS,
    ENERGY_MODELS,
    MCMC_KERNELS,
    MODEL,
    EnergySpec,
)
from survae.experiments.trainer import Trainer, seed_everything
from survae.experiments.training import torch_threads
from survae.flows import Flow
from survae.flows.vi import (
    defensive_importance_log_z,
    importance_weights,
    reverse_kl,
    summarize_log_weights,
)
from survae.nn.layers import ElementwiseParams
from survae.nn.nets import MLP
from survae.transforms import (
    AffineCouplingBijection,
    HamiltonianMonteCarlo,
    MetropolisHastings,
    RationalQuadraticSplineCouplingBijection,
    Reverse,
    UnadjustedLangevin,
)

_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


class AnnealedLogDensity(nn.Module):
    """``log rho(y) = (1 - beta) log q(y) + beta log pi(y)``: the geometric path from a reference
    density ``q`` (a module with ``log_prob``; default ``N(0, I)``) to the target ``pi``.

    Example:
        >>> rho = AnnealedLogDensity(lambda y: -(y**2).sum(-1), beta=1.0)
        >>> rho(torch.ones(2, 3)).tolist()
        [-3.0, -3.0]
    """

    def __init__(self, log_target: Callable[[Tensor], Tensor], beta: float,
                 reference: nn.Module | None = None):
        super().__init__()
        self.log_target = log_target
        self.beta = float(beta)
        self.reference = reference

    def forward(self, y: Tensor) -> Tensor:
        if self.beta == 1.0:
            return self.log_target(y)
        if self.reference is None:
            log_q = -0.5 * (y**2).sum(-1) - y.shape[-1] * _HALF_LOG_TWO_PI
        else:
            log_q = self.reference.log_prob(y)
        return (1 - self.beta) * log_q + self.beta * self.log_target(y)

    def extra_repr(self) -> str:
        return f"beta={self.beta:.3f}"


def _coupling(dim: int, hidden_units: Sequence[int], coupling: str, num_bins: int,
              tail_bound: float) -> nn.Module:
    keep = dim // 2
    params = 2 if coupling == "affine" else 3 * num_bins - 1
    net = MLP(keep, (dim - keep) * params, hidden_units=list(hidden_units), activation="relu")
    last = net[-1]
    nn.init.zeros_(last.weight)  # every block starts as the identity map
    nn.init.zeros_(last.bias)
    net = nn.Sequential(net, ElementwiseParams(params))
    if coupling == "affine":
        return AffineCouplingBijection(net, num_condition=keep, scale_fn="tanh_exp")
    return RationalQuadraticSplineCouplingBijection(net, num_bins, num_condition=keep,
                                                    tail_bound=tail_bound)


def build_energy_model(
    model: str,
    target: Callable[[Tensor], Tensor],
    dim: int,
    num_blocks: int = 6,
    hidden_units: Sequence[int] = (64, 64),
    coupling: str = "affine",
    num_bins: int = 8,
    tail_bound: float = 6.0,
    base: str = "normal",
    num_components: int = 4,
    mcmc: str = "mh",
    mcmc_layers: int = 4,
    mcmc_steps: int = 2,
    step_size: float = 0.3,
) -> Flow:
    """A coupling flow (``model="flow"``) or the same flow followed by annealed MCMC layers
    (``"snf"``, see :func:`with_annealed_mcmc`) on ``R^dim``; transforms from data to latent.

    Args:
        model: ``"flow"`` or ``"snf"``.
        target: the unnormalised log-density the SNF's kernels anneal to.
        dim: dimension ``D``.
        num_blocks: coupling blocks (each: a coupling then a reversal of the coordinates).
        hidden_units: hidden layers of each coupling's MLP conditioner.
        coupling: ``"affine"`` (RealNVP, ``tanh_exp`` scale) or ``"spline"`` (rational quadratic,
            linear tails outside ``[-tail_bound, tail_bound]``).
        num_bins, tail_bound: the spline's settings.
        base: ``"normal"`` (``N(0, I)``) or ``"mixture"`` (a learned full-covariance
            :class:`~survae.distributions.GaussianMixture` of ``num_components``).
        mcmc: the SNF's kernel: ``"mh"`` (random-walk Metropolis-Hastings), ``"hmc"`` or
            ``"langevin"`` (unadjusted).
        mcmc_layers: MCMC layers of the SNF (annealing temperatures).
        mcmc_steps: kernel steps per MCMC layer.
        step_size: the kernel's step size.

    Example:
        >>> snf = build_energy_model("snf", lambda y: -(y**2).sum(-1), 2, num_blocks=2)
        >>> [type(t).__name__ for t in snf.transforms]  # doctest: +NORMALIZE_WHITESPACE
        ['MetropolisHastings', 'MetropolisHastings', 'MetropolisHastings', 'MetropolisHastings',
         'Reverse', 'AffineCouplingBijection', 'Reverse', 'AffineCouplingBijection']
    """
    for name, value, choices in (("model", model, ENERGY_MODELS),
                                 ("coupling", coupling, ENERGY_COUPLINGS),
                                 ("mcmc", mcmc, MCMC_KERNELS), ("base", base, ENERGY_BASES)):
        if value not in choices:
            raise ValueError(f"build_energy_model: {name} must be one of {choices}, got {value!r}")
    base_dist = (StandardNormal((dim,)) if base == "normal"
                 else GaussianMixture(dim, num_components, covariance="full"))
    transforms: list[nn.Module] = []  # from the data towards the base
    for _ in range(num_blocks):
        transforms += [Reverse(dim), _coupling(dim, hidden_units, coupling, num_bins, tail_bound)]
    flow = Flow(base_dist, transforms)
    if model == "flow":
        return flow
    return with_annealed_mcmc(flow, target, mcmc, mcmc_layers, mcmc_steps, step_size)


def with_annealed_mcmc(flow: Flow, target: Callable[[Tensor], Tensor], mcmc: str = "mh",
                       mcmc_layers: int = 4, mcmc_steps: int = 2, step_size: float = 0.3) -> Flow:
    """``flow`` followed (generative direction) by ``mcmc_layers`` MCMC layers whose targets go
    from the flow's own density to ``target``: ``beta = 1/L, 2/L, ..., 1``. The new flow shares
    ``flow``'s layers and base; its importance weights are annealed importance sampling weights
    started from the flow.

    Example:
        >>> flow = build_energy_model("flow", lambda y: -(y**2).sum(-1), 2, num_blocks=1)
        >>> snf = with_annealed_mcmc(flow, lambda y: -(y**2).sum(-1), mcmc_layers=2)
        >>> [type(t).__name__ for t in snf.transforms]
        ['MetropolisHastings', 'MetropolisHastings', 'Reverse', 'AffineCouplingBijection']
    """
    dim = flow.base_dist.shape[0]
    kernels = []
    for layer in range(1, mcmc_layers + 1):
        rho = AnnealedLogDensity(target, layer / mcmc_layers, flow)
        if mcmc == "mh":
            kernels.append(MetropolisHastings(rho, dim, step_size, mcmc_steps))
        elif mcmc == "hmc":
            kernels.append(HamiltonianMonteCarlo(rho, dim, step_size, num_steps=mcmc_steps))
        else:
            kernels.append(UnadjustedLangevin(rho, dim, step_size, mcmc_steps))
    return Flow(flow.base_dist, list(reversed(kernels)) + list(flow.transforms))


def _in_stderrs(error: float, stderr: float) -> float:
    return error / stderr if stderr > 0 else (0.0 if error == 0 else math.inf)


def evaluate_proposal(
    proposal, target: EnergyTarget, num_samples: int
) -> tuple[dict[str, Any], Tensor, Tensor]:
    """Importance-sampling summary of ``proposal`` on ``target`` (with the exact ``log Z`` and
    the error in standard errors), the samples and their log-weights."""
    x, log_w = importance_weights(proposal, target, num_samples)
    estimate = summarize_log_weights(log_w).as_dict()
    truth = target.log_z
    if truth is not None:
        estimate["log_z_true"] = truth
        estimate["log_z_error"] = estimate["log_z"] - truth
        estimate["log_z_error_in_stderrs"] = _in_stderrs(estimate["log_z_error"],
                                                         estimate["log_z_stderr"])
    return estimate, x, log_w


def train_energy(spec: EnergySpec) -> tuple[dict[str, Any], Flow]:
    """Train a flow or an SNF on an energy target by reverse KL; evaluate, plot, write metrics.

    Each step draws ``spec.batch_size`` samples of the model and minimises
    ``E[log q - log pi~]`` (path densities for the SNF) with the shared trainer (Adam, schedule,
    checkpoints, resume). Returns the metrics (also in ``metrics.json``) and the model.

    Example:
        >>> import tempfile
        >>> spec = EnergySpec(target="banana", num_blocks=1, steps=5, batch_size=16,
        ...                   eval_samples=256, no_plots=True, quiet=True, out=tempfile.mkdtemp())
        >>> metrics, _ = train_energy(spec)
        >>> sorted(k for k in metrics if k.startswith("log_z"))[:3]
        ['log_z', 'log_z_error', 'log_z_error_in_stderrs']
    """
    start = time.perf_counter()
    spec = spec.resolved()
    run_dir = Path(spec.out)
    with RunFolder(run_dir, spec.resume, spec.overwrite):
        seed_everything(spec.seed)
        energy = make_energy(spec.target, spec.dim)
        with model_option_errors("energy"):
            flow = build_energy_model(
                spec.model, energy, spec.dim, spec.num_blocks, spec.hidden_units, spec.coupling,
                base=spec.base, num_components=spec.num_components, mcmc=spec.mcmc,
                mcmc_layers=spec.mcmc_layers, mcmc_steps=spec.mcmc_steps,
                step_size=spec.step_size,
            )

        def loss_fn(m: nn.Module, batch: Any) -> Tensor:
            return reverse_kl(m, energy, batch[0].shape[0])

        # The "data" only sets how many samples a step draws: the loss samples the model itself.
        placeholder = TensorDataset(torch.zeros(spec.batch_size * 16, 1))
        metadata = {"kind": "energy", **spec.to_dict(MODEL, DATA)}
        fit = Trainer(flow, placeholder, loss_fn, spec, metadata=metadata).fit()
        train_seconds = time.perf_counter() - start
        flow.eval()
        with torch_threads(spec.threads):
            rng = torch.get_rng_state()
            torch.manual_seed(spec.seed + 1)
            estimate, x, log_w = evaluate_proposal(flow, energy, spec.eval_samples)
            baseline, _, _ = evaluate_proposal(StandardNormal((spec.dim,)), energy,
                                               spec.eval_samples)
            defensive = {}
            if spec.model == "flow":  # exact log q: also weigh by 0.9 q + 0.1 N(0, 3^2 I)
                defensive = defensive_importance_log_z(flow, energy, spec.eval_samples).as_dict()
                defensive["log_z_error_in_stderrs"] = _in_stderrs(
                    defensive["log_z"] - energy.log_z, defensive["log_z_stderr"])
            torch.set_rng_state(rng)
        flow.cpu()
        if not spec.no_plots:
            from survae.experiments.plots import plot_energy_run

            plot_energy_run(energy, x, log_w, run_dir / "samples.png",
                            title=f"{spec.target}: {spec.model} "
                                  f"(ESS {estimate['ess_fraction']:.1%})")

        def rounded(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
            return {f"{prefix}{k}": round(v, 5) if isinstance(v, float) else v
                    for k, v in values.items() if not (prefix and k == "num_samples")}

        metrics = {
            "target": spec.target,
            "model": spec.model,
            **rounded(estimate),
            "baseline": "base N(0, I) as the proposal",
            **rounded(baseline, "baseline_"),
            **rounded(defensive, "defensive_"),
            "num_params": sum(p.numel() for p in flow.parameters()),
            "steps": fit["steps"],
            "train_minutes": round(train_seconds / 60, 2),
            "seconds": round(time.perf_counter() - start, 1),
            "skipped_batches": fit["skipped_batches"],
            "run_dir": str(run_dir),
        }
        write_metrics(metrics, run_dir)
    return metrics, flow
