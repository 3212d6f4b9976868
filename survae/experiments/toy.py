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

import time
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import TensorDataset

from survae.data.toy import make_toy
from survae.distributions import StandardNormal, StandardUniform
from survae.experiments.errors import model_option_errors
from survae.experiments.evaluate import evaluate_bounds
from survae.experiments.run_files import RunFolder, write_metrics
from survae.experiments.specs import DATA, MODEL, ToySpec
from survae.experiments.trainer import Trainer, seed_everything
from survae.experiments.training import torch_threads
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

TOY_MODELS = ("flow", "absflow")
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
    """The toy ``flow`` or ``absflow`` of the paper's AbsFlow table for ``dataset`` (2-D data).

    Args:
        model: ``"flow"`` (the baseline) or ``"absflow"``.
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


@torch.no_grad()
def test_nll(model: Flow, data: torch.Tensor, batch_size: int = 10_000) -> float:
    """Mean negative log-likelihood (nats) of ``data`` under ``model``."""
    device = next(iter(model.parameters()), data).device
    return -evaluate_bounds(model, TensorDataset(data), batch_size, device=device,
                            exact=True)["loglik_nats"]


def train_toy(spec: ToySpec) -> tuple[dict[str, Any], Flow, torch.Tensor]:
    """Train one toy model with the shared trainer, write its checkpoint, plots and
    ``metrics.json``; return the metrics, the model (on the CPU) and the test data.

    Example:
        >>> import tempfile
        >>> spec = ToySpec(steps=5, train_size=256, test_size=64, batch_size=64,
        ...                hidden_units=(8,), no_plots=True, quiet=True, out=tempfile.mkdtemp())
        >>> metrics, model, test = train_toy(spec)
        >>> metrics["steps"], test.shape
        (5, torch.Size([64, 2]))
    """
    start = time.perf_counter()
    spec = spec.resolved()
    run_dir = Path(spec.out)
    with RunFolder(run_dir, spec.resume, spec.overwrite):
        seed_everything(spec.seed)
        train = make_toy(spec.dataset, spec.train_size, torch.Generator().manual_seed(spec.seed))
        test = make_toy(spec.dataset, spec.test_size,
                        torch.Generator().manual_seed(spec.seed + 1))
        with model_option_errors("toy"):
            model = build_toy_model(spec.model, spec.dataset, spec.num_flows,
                                    spec.hidden_units, spec.actnorm, spec.scale_fn)

        def loss_fn(m: nn.Module, batch: Any) -> torch.Tensor:
            return -m.log_prob(batch[0]).mean()

        metadata = {"kind": "toy", **spec.to_dict(MODEL, DATA)}  # how to rebuild the model
        fit = Trainer(model, TensorDataset(train), loss_fn, spec, metadata=metadata).fit()
        model.eval()
        with torch_threads(spec.threads):
            nll = test_nll(model, test)
        model.cpu()
        if not spec.no_plots:
            from survae.experiments.plots import plot_toy_run

            plot_toy_run(model, test, run_dir)
        metrics = {
            "test_nll_nats": round(nll, 4),
            "steps": fit["steps"],
            "seconds": round(time.perf_counter() - start, 1),
            "dataset": spec.dataset,
            "model": spec.model,
            "skipped_batches": fit["skipped_batches"],
            "run_dir": str(run_dir),
        }
        write_metrics(metrics, run_dir)
    return metrics, model, test
