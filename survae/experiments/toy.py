"""The 2-D toy experiment of the SurVAE paper: a coupling flow vs an AbsFlow on symmetric densities.

``build_toy_model("flow", dataset)`` is the baseline (affine couplings, MLP conditioners, reverse
permutations, standard normal base). ``build_toy_model('absflow', dataset)`` follows the official
AbsFlow runs of the paper's table:

- ``checkerboard`` (symmetric under ``x -> -x`` but not under one sign flip): fold ``x_1`` with a
  learned sign classifier ``p(sign x_1 | |x_1|, x_2)`` (``ElementAbsSurjection``), map
  ``[0, 4] x [-4, 4]`` to the unit square and use a uniform base;
- the others (symmetric under every sign flip): ``SimpleAbsSurjection`` (``p(x) = p(|x|) / 4``),
  ``|x| / 4`` then a logit onto the plane, then the same couplings as the baseline.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import TensorDataset

from survae.data.toy import TOY_DATASETS, make_toy
from survae.distributions import StandardNormal, StandardUniform
from survae.experiments.trainer import (
    Trainer,
    add_training_arguments,
    config_from_args,
    seed_everything,
)
from survae.experiments.training import (
    positive_int,
    report_metrics,
    torch_threads,
    write_metrics,
)
from survae.flows import Flow
from survae.nn.layers import ElementwiseParams
from survae.nn.nets import MLP
from survae.transforms import (
    ActNormBijection,
    AffineBijection,
    AffineCouplingBijection,
    ElementAbsSurjection,
    Logit,
    Reverse,
    ScalarAffineBijection,
    SimpleAbsSurjection,
)

TOY_MODELS = ("flow", "absflow", "rad", "cif", "diffusion")
#: Models whose ``log_prob`` is a lower bound: their test NLL is the negative ELBO (an upper bound).
BOUND_MODELS = ("cif", "diffusion")
BOUNDS = 4.0
# The scale function of the official runs: exp for checkerboard, softplus for the others.
OFFICIAL_SCALE_FN = {"checkerboard": "exp"}


def default_scale_fn(dataset: str) -> str:
    return OFFICIAL_SCALE_FN.get(dataset, "softplus")


def _couplings(num_flows: int, hidden_units: tuple[int, ...], actnorm: bool, scale_fn: str):
    transforms: list[nn.Module] = []
    for _ in range(num_flows):
        net = nn.Sequential(
            MLP(1, 2, hidden_units=list(hidden_units), activation="relu"), ElementwiseParams(2)
        )
        transforms.append(AffineCouplingBijection(net, scale_fn=scale_fn))
        if actnorm:
            transforms.append(ActNormBijection(2))
        transforms.append(Reverse(2))
    transforms.pop()
    return transforms


def build_toy_model(
    model: str,
    dataset: str = "checkerboard",
    num_flows: int = 4,
    hidden_units: tuple[int, ...] = (200, 100),
    actnorm: bool = False,
    scale_fn: str | None = None,
) -> Flow:
    """The toy ``flow`` or ``absflow`` of the paper's AbsFlow table for ``dataset`` (2-D data),
    or a model of the unifying table (``rad``, ``cif``, ``diffusion``: see
    :mod:`survae.models.unifying`; they use ``num_flows``, ``hidden_units`` and ``scale_fn``).

    Args:
        model: ``"flow"`` (the baseline), ``"absflow"``, ``"rad"``, ``"cif"`` or ``"diffusion"``.
        dataset: the toy dataset; picks the AbsFlow variant and the default coupling scale.
        num_flows: affine coupling layers (the baseline, and the AbsFlow after its abs layer).
        hidden_units: hidden layers of each MLP conditioner (and of the sign classifier).
        actnorm: an ``ActNormBijection`` after each coupling (off in the official runs).
        scale_fn: coupling scale function; ``None`` uses the official run's choice.

    Example:
        >>> import torch
        >>> flow = build_toy_model("absflow", "corners")
        >>> flow.log_prob(torch.randn(3, 2)).shape
        torch.Size([3])
    """
    if model not in TOY_MODELS:
        raise ValueError(f"unknown toy model {model!r}; choose one of {TOY_MODELS}")
    scale_fn = scale_fn or default_scale_fn(dataset)
    if model in ("rad", "cif", "diffusion"):
        from survae.models import unifying

        if model == "rad":
            return unifying.build_rad_flow(dataset, num_flows, hidden_units, scale_fn)
        if model == "cif":
            return unifying.build_cif_flow(num_flows, hidden_units, scale_fn)
        return unifying.build_diffusion(hidden_units=hidden_units)
    if model == "absflow" and dataset == "checkerboard":
        classifier = MLP(
            2,
            1,
            hidden_units=list(hidden_units),
            activation="relu",
            out_lambda=lambda t: t.reshape(-1),
        )
        return Flow(
            StandardUniform((2,)),
            [
                ElementAbsSurjection(classifier, element=0),
                AffineBijection(shift=[0.0, 0.5], scale=[1 / BOUNDS, 1 / (2 * BOUNDS)]),
            ],
        )
    transforms: list[nn.Module] = []
    if model == "absflow":
        transforms += [SimpleAbsSurjection(), ScalarAffineBijection(scale=1 / BOUNDS), Logit()]
    transforms += _couplings(num_flows, hidden_units, actnorm, scale_fn)
    return Flow(StandardNormal((2,)), transforms)


def add_toy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", default="checkerboard", choices=sorted(TOY_DATASETS))
    parser.add_argument("--model", default="flow", choices=TOY_MODELS)
    parser.add_argument("--train-size", type=positive_int, default=128_000)
    parser.add_argument("--test-size", type=positive_int, default=50_000)
    parser.add_argument("--num-flows", type=positive_int, default=4)
    parser.add_argument("--hidden-units", type=positive_int, nargs="+", default=[200, 100])
    parser.add_argument("--actnorm", action="store_true")
    parser.add_argument(
        "--scale-fn",
        default=None,
        choices=["exp", "softplus", "sigmoid", "tanh_exp"],
        help="coupling scale (default: as the official run for the dataset)",
    )
    parser.add_argument("--no-plots", action="store_true")
    add_training_arguments(
        parser, steps=10_000, batch_size=128, lr=1e-3, threads=1, checkpoint_every=1000,
        log_every=50, out="",
    )


# Options that must match for ``--resume`` to continue the same run (the rest may change).
RESUME_KEYS = (
    "dataset",
    "model",
    "num_flows",
    "hidden_units",
    "actnorm",
    "scale_fn",
    "seed",
    "train_size",
    "batch_size",
)


@torch.no_grad()
def test_nll(model: Flow, data: torch.Tensor, batch_size: int = 10_000) -> float:
    """Mean negative log-likelihood (nats) of ``data`` under ``model``."""
    device = next(iter(model.parameters()), data).device
    total = 0.0
    for chunk in data.split(batch_size):
        total += float(-model.log_prob(chunk.to(device)).double().sum())
    return total / data.shape[0]


def train_toy(args: argparse.Namespace) -> tuple[dict[str, Any], Flow, torch.Tensor]:
    """Train one toy model with the shared trainer, write its checkpoint and plots; return the
    metrics, the model (on the CPU) and the test data."""
    start = time.perf_counter()
    if not args.out:
        args.out = f"runs/toy-{args.dataset}-{args.model}"
    config = config_from_args(args)
    run_dir = Path(config.out)
    scale_fn = args.scale_fn or default_scale_fn(args.dataset)
    seed_everything(config.seed)
    train = make_toy(args.dataset, args.train_size, torch.Generator().manual_seed(config.seed))
    test = make_toy(args.dataset, args.test_size, torch.Generator().manual_seed(config.seed + 1))
    model = build_toy_model(
        args.model, args.dataset, args.num_flows, tuple(args.hidden_units), args.actnorm, scale_fn
    )
    settings = {**{k: getattr(args, k) for k in RESUME_KEYS}, "scale_fn": scale_fn}
    settings["hidden_units"] = list(settings["hidden_units"])
    metadata = {"kind": "toy", **settings}

    def loss_fn(m: nn.Module, batch: Any) -> torch.Tensor:
        return -m.log_prob(batch[0]).mean()

    trainer = Trainer(model, TensorDataset(train), loss_fn, config, metadata=metadata,
                      resume_keys=RESUME_KEYS)
    fit = trainer.fit()
    model.eval()
    with torch_threads(config.threads):
        nll = test_nll(model, test)
    model.cpu()
    if not args.no_plots:
        from survae.experiments.plots import plot_toy_run

        plot_toy_run(model, test, run_dir)
    metrics = {
        "test_nll_nats": round(nll, 4),
        "steps": fit["steps"],
        "seconds": round(time.perf_counter() - start, 1),
        "dataset": args.dataset,
        "model": args.model,
        "bound": args.model in BOUND_MODELS,
        "skipped_batches": fit["skipped_batches"],
        "run_dir": str(run_dir),
    }
    write_metrics(metrics, run_dir)
    return metrics, model, test


def run_train_toy(args: argparse.Namespace) -> dict[str, Any]:
    """``survae train toy``: train, then print and write the final metrics."""
    metrics, _, _ = train_toy(args)
    report_metrics(metrics, metrics["run_dir"])
    return metrics
