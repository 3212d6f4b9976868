"""Sampling from energies: a flow or a stochastic normalizing flow trained by reverse KL.

``train_energy(spec)`` trains a coupling flow (``model="flow"``) or a stochastic normalizing flow
(``"snf"``, Wu, Köhler & Noé 2020) on an unnormalised target of :mod:`survae.data.energies` by
minimising the reverse KL (:func:`survae.flows.vi.reverse_kl`; on path space for the SNF), then
reports importance-sampling estimates of ``log Z`` with their standard error and the effective
sample size, next to the exact ``log Z`` and to a trivial baseline: the base Gaussian alone as the
proposal.

The SNF interleaves the flow's coupling blocks with MCMC layers (generative direction): ``L``
segments of blocks, each followed by a kernel in detailed balance with the geometric
interpolation ``log rho_l(y) = (1 - l/L) log N(y; 0, I) + (l/L) log pi(y)`` between the base and
the target energies (``rho_L = pi``). Its importance weights are exact on the path space. By
default the kernels' end points are constants in backpropagation (``mcmc_gradient="stop"``), so
each segment of blocks learns to carry ``rho_{l-1}`` onto ``rho_l``. For evaluation each stage's
kernel is refined into a ladder of ``eval_rungs`` kernels annealed from the segment's pushforward
density to ``rho_l`` (the same parameters; smaller weight increments).

Which estimate of ``log Z`` the command reports: for a flow (exact ``log q``) the defensive
mixture ``0.9 q + 0.1 N(0, 3^2 I)`` (:func:`~survae.flows.vi.defensive_importance_log_z`), whose
standard error also sees the mass ``q`` misses (plain importance sampling is reported beside it as
``plain_log_z``); for an SNF, whose marginal density is not available, the path weights.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from torch.func import functional_call
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
    MCMC_GRADIENTS,
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
from survae.transforms.bijections.base import Bijection

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


class PushforwardLogDensity(nn.Module):
    """The log-density of ``x = f(y)`` for ``y`` distributed as ``density`` (a callable
    ``y -> log p(y)``, unnormalised allowed; a survae distribution works): ``log p(f^{-1}(x)) +
    log|det J_{f^{-1}}(x)|``, where ``transforms`` are bijections listed from data to latent (their
    ``forward`` is ``f^{-1}``), as in a ``Flow``.

    :meth:`log_prob` uses the parameters' current values as constants (no gradient reaches them):
    it serves as the moving reference of an annealing ladder, not as a training signal.

    Example:
        >>> from survae.transforms import AffineBijection
        >>> push = PushforwardLogDensity(lambda y: -0.5 * (y**2).sum(-1),
        ...                              [AffineBijection(scale=[0.5])])  # x = 2 y
        >>> push.log_prob(torch.tensor([[2.0]])).tolist()  # -0.5 * 1 + log(1/2)
        [-1.1931471824645996]
    """

    def __init__(self, density: Callable[[Tensor], Tensor], transforms: Sequence[nn.Module]):
        super().__init__()
        self.density = density
        self.transforms = nn.ModuleList(transforms)

    def forward(self, x: Tensor) -> Tensor:
        total = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
        for transform in self.transforms:
            x, ldj = transform(x)
            total = total + ldj
        return self.density(x) + total

    def log_prob(self, x: Tensor) -> Tensor:
        frozen = {name: value.detach() for name, value in self.named_parameters()}
        return functional_call(self, frozen, (x,))


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
    mcmc: str = "hmc",
    mcmc_layers: int = 3,
    mcmc_steps: int = 5,
    step_size: float = 0.2,
    mcmc_gradient: str = "stop",
    mcmc_rungs: int = 1,
) -> Flow:
    """A coupling flow (``model="flow"``) or the same blocks interleaved with MCMC layers
    (``"snf"``) on ``R^dim``; transforms listed from data to latent, as in every survae flow.

    The SNF (generative direction): base, then ``mcmc_layers`` segments of about
    ``num_blocks / mcmc_layers`` coupling blocks, each segment followed by ``mcmc_steps`` kernel
    steps targeting ``rho_l = N(0, I)^{1 - l/L} pi^{l/L}`` (:class:`AnnealedLogDensity`; the
    last one is ``pi``). Both models have the same parameters (the kernels have none).

    With ``mcmc_rungs = K > 1`` each stage is a ladder of ``K`` MCMC layers, rung ``k`` targeting
    ``p_l^{1 - k/K} rho_l^{k/K}``, where ``p_l`` is the density the segment's blocks give to
    ``rho_{l-1}``-distributed input (:class:`PushforwardLogDensity`, the base for ``l = 1``):
    annealed importance sampling from where the segment puts its samples to ``rho_l``, with
    smaller weight increments. The blocks' parameters are the same for any ``K``, so a model
    trained with ``K = 1`` can be evaluated with ``K > 1`` (:func:`copy_blocks`). Training with
    ``K > 1`` and ``mcmc_gradient="stop"`` scales each segment's gradient by ``1/K``.

    Args:
        model: ``"flow"`` or ``"snf"``.
        target: the unnormalised log-density ``log pi``.
        dim: dimension ``D``.
        num_blocks: coupling blocks (each: a coupling then a reversal of the coordinates).
        hidden_units: hidden layers of each coupling's MLP conditioner.
        coupling: ``"affine"`` (RealNVP, ``tanh_exp`` scale) or ``"spline"`` (rational quadratic,
            linear tails outside ``[-tail_bound, tail_bound]``).
        num_bins, tail_bound: the spline's settings.
        base: ``"normal"`` (``N(0, I)``) or ``"mixture"`` (a learned full-covariance
            :class:`~survae.distributions.GaussianMixture` of ``num_components``; the SNF's
            annealing path still starts from ``N(0, I)``).
        mcmc: the SNF's kernel: ``"mh"`` (random-walk Metropolis-Hastings), ``"hmc"`` or
            ``"langevin"`` (unadjusted).
        mcmc_layers: MCMC layers ``L`` of the SNF (annealing temperatures), at most
            ``num_blocks``.
        mcmc_steps: kernel steps per MCMC layer.
        step_size: the kernel's step size.
        mcmc_gradient: ``"stop"`` (the kernels' end points are constants in backpropagation) or
            ``"path"`` (through the kept samples, ignoring the accept/reject decision). Unadjusted
            Langevin is reparametrized: always ``"path"``.
        mcmc_rungs: MCMC layers per annealing stage (the ladder above).

    Example:
        >>> snf = build_energy_model("snf", lambda y: -(y**2).sum(-1), 2, num_blocks=2,
        ...                          mcmc_layers=2)
        >>> [type(t).__name__ for t in snf.transforms]  # doctest: +NORMALIZE_WHITESPACE
        ['HamiltonianMonteCarlo', 'Reverse', 'AffineCouplingBijection',
         'HamiltonianMonteCarlo', 'Reverse', 'AffineCouplingBijection']
    """
    for name, value, choices in (("model", model, ENERGY_MODELS),
                                 ("coupling", coupling, ENERGY_COUPLINGS),
                                 ("mcmc", mcmc, MCMC_KERNELS), ("base", base, ENERGY_BASES),
                                 ("mcmc_gradient", mcmc_gradient, MCMC_GRADIENTS)):
        if value not in choices:
            raise ValueError(f"build_energy_model: {name} must be one of {choices}, got {value!r}")
    if mcmc_rungs < 1:
        raise ValueError(f"build_energy_model: mcmc_rungs must be >= 1, got {mcmc_rungs}")
    if model == "snf" and not 1 <= mcmc_layers <= num_blocks:
        raise ValueError(f"build_energy_model: mcmc_layers must be in [1, num_blocks={num_blocks}]"
                         f" for the SNF, got {mcmc_layers}")
    base_dist = (StandardNormal((dim,)) if base == "normal"
                 else GaussianMixture(dim, num_components, covariance="full"))
    # Generative order: after block b (1-based) comes MCMC layer l when b = round(l B / L).
    after = ({math.floor(layer * num_blocks / mcmc_layers + 0.5): layer
              for layer in range(1, mcmc_layers + 1)} if model == "snf" else {})
    generative: list[nn.Module] = []
    segment: list[nn.Module] = []
    previous: Callable[[Tensor], Tensor] = base_dist  # what the segment's input follows
    for block in range(1, num_blocks + 1):
        pair = [_coupling(dim, hidden_units, coupling, num_bins, tail_bound), Reverse(dim)]
        generative += pair
        segment += pair
        if block in after:
            rho = AnnealedLogDensity(target, after[block] / mcmc_layers)
            rungs = [rho]
            if mcmc_rungs > 1:
                pushed = PushforwardLogDensity(previous, list(reversed(segment)))
                rungs = [AnnealedLogDensity(rho, k / mcmc_rungs, pushed)
                         for k in range(1, mcmc_rungs)] + rungs
            generative += [_kernel(mcmc, rung, dim, mcmc_steps, step_size, mcmc_gradient)
                           for rung in rungs]
            previous, segment = rho, []
    return Flow(base_dist, list(reversed(generative)))


def copy_blocks(source: Flow, destination: Flow) -> Flow:
    """Copy the base's and the bijections' parameters of ``source`` into ``destination`` (the
    same blocks, any MCMC layers in between, e.g. another ``mcmc_rungs``); returns
    ``destination``.

    Example:
        >>> target = lambda y: -(y**2).sum(-1)
        >>> one = build_energy_model("snf", target, 2, num_blocks=2, mcmc_layers=2)
        >>> four = copy_blocks(one, build_energy_model("snf", target, 2, num_blocks=2,
        ...                                            mcmc_layers=2, mcmc_rungs=4))
        >>> len(four.transforms), sum(p.numel() for p in four.parameters()) == sum(
        ...     p.numel() for p in one.parameters())
        (12, True)
    """
    blocks = [[t for t in flow.transforms if isinstance(t, Bijection)]
              for flow in (source, destination)]
    if [type(t) for t in blocks[0]] != [type(t) for t in blocks[1]]:
        raise ValueError("copy_blocks: the two flows have different bijections")
    for src, dst in zip(*blocks):
        dst.load_state_dict(src.state_dict())
    destination.base_dist.load_state_dict(source.base_dist.state_dict())
    return destination


def _kernel(mcmc: str, log_density: Callable[[Tensor], Tensor], dim: int, steps: int,
            step_size: float, gradient: str) -> nn.Module:
    stop = gradient == "stop"
    if mcmc == "mh":
        return MetropolisHastings(log_density, dim, step_size, steps, stop_gradient=stop)
    if mcmc == "hmc":
        return HamiltonianMonteCarlo(log_density, dim, step_size, num_steps=steps,
                                     stop_gradient=stop)
    return UnadjustedLangevin(log_density, dim, step_size, steps)


def _in_stderrs(error: float, stderr: float) -> float:
    return error / stderr if stderr > 0 else (0.0 if error == 0 else math.inf)


def _with_truth(estimate: dict[str, Any], truth: float | None) -> dict[str, Any]:
    """``estimate`` with the exact ``log Z``, the error and the error in standard errors."""
    if truth is None:
        return dict(estimate)
    error = estimate["log_z"] - truth
    return {**estimate, "log_z_true": truth, "log_z_error": error,
            "log_z_error_in_stderrs": _in_stderrs(error, estimate["log_z_stderr"])}


def evaluate_proposal(
    proposal, target: EnergyTarget, num_samples: int
) -> tuple[dict[str, Any], Tensor, Tensor]:
    """Importance-sampling summary of ``proposal`` on ``target`` (with the exact ``log Z`` and
    the error in standard errors), the samples and their log-weights."""
    x, log_w = importance_weights(proposal, target, num_samples)
    return _with_truth(summarize_log_weights(log_w).as_dict(), target.log_z), x, log_w


def train_energy(spec: EnergySpec) -> tuple[dict[str, Any], Flow]:
    """Train a flow or an SNF on an energy target by reverse KL; evaluate, plot, write metrics.

    Each step draws ``spec.batch_size`` samples of the model and minimises
    ``E[log q - log pi~]`` (path densities for the SNF) with the shared trainer (Adam, schedule,
    checkpoints, resume). Returns the metrics (also in ``metrics.json``) and the model: ``ess``
    and ``ess_fraction`` of the model as the proposal; ``log_z`` (with ``log_z_stderr``, the truth
    and the error in standard errors) from the estimator named in ``log_z_estimator`` (the
    defensive mixture for a flow, the path weights for an SNF); ``plain_log_z`` etc. from plain
    importance sampling with the model; ``baseline_*`` with ``N(0, I)`` as the proposal. An SNF is
    trained with one MCMC layer per annealing stage and evaluated with ``spec.eval_rungs`` per
    stage (see :func:`build_energy_model`); ``one_rung_*`` is its evaluation as trained.

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
                step_size=spec.step_size, mcmc_gradient=spec.mcmc_gradient,
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
            proposal, as_trained = flow, {}
            if spec.model == "snf" and spec.eval_rungs > 1:
                as_trained = evaluate_proposal(flow, energy, spec.eval_samples)[0]
                proposal = copy_blocks(flow, build_energy_model(
                    spec.model, energy, spec.dim, spec.num_blocks, spec.hidden_units,
                    spec.coupling, base=spec.base, num_components=spec.num_components,
                    mcmc=spec.mcmc, mcmc_layers=spec.mcmc_layers, mcmc_steps=spec.mcmc_steps,
                    step_size=spec.step_size, mcmc_rungs=spec.eval_rungs)).eval()
            plain, x, log_w = evaluate_proposal(proposal, energy, spec.eval_samples)
            baseline, _, _ = evaluate_proposal(StandardNormal((spec.dim,)), energy,
                                               spec.eval_samples)
            reported = {"log_z_estimator": "path importance weights"}
            if spec.model == "flow":  # exact log q: weigh by 0.9 q + 0.1 N(0, 3^2 I) too
                defensive = defensive_importance_log_z(flow, energy, spec.eval_samples).as_dict()
                reported = {"log_z_estimator": "defensive mixture 0.9 q + 0.1 N(0, 9 I)",
                            **_with_truth(defensive, energy.log_z)}
            else:
                reported.update(_with_truth(
                    {k: plain[k] for k in ("log_z", "log_z_stderr")}, energy.log_z))
            torch.set_rng_state(rng)
        flow.cpu()
        if not spec.no_plots:
            from survae.experiments.plots import plot_energy_run

            plot_energy_run(energy, x, log_w, run_dir / "samples.png",
                            title=f"{spec.target}: {spec.model} "
                                  f"(ESS {plain['ess_fraction']:.1%})")

        def rounded(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
            return {f"{prefix}{k}": round(v, 5) if isinstance(v, float) else v
                    for k, v in values.items() if not (prefix and k == "num_samples")}

        keep = ("log_z", "log_z_stderr", "log_z_true", "log_z_error", "log_z_error_in_stderrs")
        metrics = {
            "target": spec.target,
            "model": spec.model,
            "ess": round(plain["ess"], 1),
            "ess_fraction": round(plain["ess_fraction"], 5),
            "num_samples": plain["num_samples"],
            **rounded({k: v for k, v in reported.items() if k in keep + ("log_z_estimator",)}),
            **rounded({k: v for k, v in plain.items() if k in keep and k != "log_z_true"},
                      "plain_"),
            **({"defensive_ess_fraction": round(reported["ess_fraction"], 5)}
               if spec.model == "flow" else {}),
            **({"eval_rungs": spec.eval_rungs} if spec.model == "snf" else {}),
            **rounded({k: v for k, v in as_trained.items()
                       if k in keep + ("ess_fraction",) and k != "log_z_true"}, "one_rung_"),
            "baseline": "base N(0, I) as the proposal",
            **rounded(baseline, "baseline_"),
            "num_params": sum(p.numel() for p in flow.parameters()),
            "steps": fit["steps"],
            "train_minutes": round(train_seconds / 60, 2),
            "seconds": round(time.perf_counter() - start, 1),
            "skipped_batches": fit["skipped_batches"],
            "run_dir": str(run_dir),
        }
        write_metrics(metrics, run_dir)
    return metrics, flow
