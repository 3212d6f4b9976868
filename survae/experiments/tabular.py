"""``survae train tabular``: density estimation on the MAF paper's five tabular datasets.

POWER, GAS, HEPMASS, MINIBOONE and BSDS300, preprocessed and split as in the MAF paper
(:mod:`survae.data.datasets.tabular.uci_maf`), with MAF, RealNVP or a neural spline flow
(:mod:`survae.models.tabular`). The run ends with the test negative log-likelihood in nats (the
papers report the log-likelihood, its negative) and its standard error over the test examples,
next to the trivial baseline: the full-covariance Gaussian fitted to the same training split.

Example (Python)::

    from survae.experiments.tabular import TabularSpec, train_tabular
    metrics = train_tabular(TabularSpec(dataset="miniboone", model="maf", steps=20000))
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import time
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from survae.data.datasets.tabular import uci_maf
from survae.experiments.trainer import (
    TrainConfig,
    Trainer,
    add_training_arguments,
    config_from_args,
    seed_everything,
)
from survae.experiments.training import positive_int, report_metrics, torch_threads, write_metrics
from survae.models.tabular import TABULAR_MODELS, FullCovarianceGaussian, build_tabular_flow

TABULAR_DATASETS: dict[str, type[uci_maf.UCI_MAF_Dataset]] = {
    "power": uci_maf.PowerDataset,
    "gas": uci_maf.GasDataset,
    "hepmass": uci_maf.HEPMASSDataset,
    "miniboone": uci_maf.MiniBooNEDataset,
    "bsds300": uci_maf.BSDS300Dataset,
}

# Options that must match for ``--resume`` to continue the same run.
RESUME_KEYS = ("dataset", "model", "num_flows", "hidden_units", "num_bins", "tail_bound",
               "batch_norm", "seed", "batch_size")


@dataclasses.dataclass
class TabularSpec(TrainConfig):
    """One tabular run: the data and model options, plus the shared training settings.

    Attributes:
        dataset: ``power``, ``gas``, ``hepmass``, ``miniboone`` or ``bsds300``.
        model: ``maf``, ``realnvp``, ``nsf-coupling`` or ``nsf-ar``.
        root: data folder holding ``uci_maf/`` (None: the survae data folder).
        download: fetch the MAF archive (about 1 GB) when the files are missing.
        num_flows: flow steps.
        hidden_units: hidden sizes of each MADE / coupling MLP.
        num_bins: spline bins (NSF models).
        tail_bound: spline interval ``[-B, B]`` (NSF models).
        batch_norm: batch norm between MAF / RealNVP steps.
    """

    dataset: str = "miniboone"
    model: str = "maf"
    root: str | None = None
    download: bool = False
    num_flows: int = 5
    hidden_units: tuple[int, ...] = (128, 128)
    num_bins: int = 8
    tail_bound: float = 3.0
    batch_norm: bool = True

    def __post_init__(self):
        super().__post_init__()
        if self.dataset not in TABULAR_DATASETS:
            raise ValueError(f"TabularSpec: unknown dataset {self.dataset!r}; choose one of "
                             f"{sorted(TABULAR_DATASETS)}")
        if self.model not in TABULAR_MODELS:
            raise ValueError(f"TabularSpec: unknown model {self.model!r}; choose one of "
                             f"{TABULAR_MODELS}")
        self.hidden_units = tuple(int(h) for h in self.hidden_units)
        if self.num_flows < 1 or self.num_bins < 1 or self.tail_bound <= 0:
            raise ValueError("TabularSpec: num_flows and num_bins must be >= 1, tail_bound > 0")


def load_tabular(dataset: str, root: str | None = None, download: bool = False):
    """``(train, valid, test)`` datasets of ``dataset`` (float32 vectors)."""
    cls = TABULAR_DATASETS[dataset]
    return tuple(cls(root, split=s, download=download) for s in uci_maf.SPLITS)


@torch.no_grad()
def nll_and_stderr(log_prob, data: Tensor, batch_size: int = 4096,
                   device: torch.device | str = "cpu") -> tuple[float, float]:
    """Mean negative log-likelihood of the rows of ``data`` (nats) and its standard error
    ``std / sqrt(N)`` over the rows; ``log_prob`` maps a batch to per-row log-densities."""
    values = torch.cat([log_prob(chunk.to(device)).double().cpu()
                        for chunk in data.split(batch_size)])
    nll = -values
    return float(nll.mean()), float(nll.std() / math.sqrt(len(nll))) if len(nll) > 1 else math.nan


def train_tabular(spec: TabularSpec) -> dict[str, Any]:
    """Train ``spec.model`` on ``spec.dataset``; write the run folder; return the final metrics
    (test NLL and standard error of the flow and of the Gaussian baseline, sizes, time)."""
    start = time.perf_counter()
    if not spec.out:
        spec = dataclasses.replace(spec, out=f"runs/tabular-{spec.dataset}-{spec.model}")
    run_dir = Path(spec.out)
    train, valid, test = load_tabular(spec.dataset, spec.root, spec.download)
    features = train.x.shape[1]
    seed_everything(spec.seed)
    model = build_tabular_flow(spec.model, features, spec.num_flows, spec.hidden_units,
                               spec.num_bins, spec.tail_bound, spec.batch_norm)
    settings = {k: getattr(spec, k) for k in RESUME_KEYS}
    settings["hidden_units"] = list(settings["hidden_units"])
    metadata = {"kind": "tabular", "features": features, **settings}

    def loss_fn(m: nn.Module, batch: Tensor) -> Tensor:
        return -m.log_prob(batch).mean()

    def eval_fn(m: nn.Module) -> dict[str, float]:
        device = next(m.parameters()).device
        nll, _ = nll_and_stderr(m.log_prob, valid.x, spec.eval_batch_size, device)
        return {"valid_nll_nats": nll}

    trainer = Trainer(model, train, loss_fn, spec, eval_fn=eval_fn, metadata=metadata,
                      resume_keys=RESUME_KEYS)
    fit = trainer.fit()
    model.eval()
    device = next(model.parameters()).device
    with torch_threads(spec.threads):
        test_nll, test_se = nll_and_stderr(model.log_prob, test.x, spec.eval_batch_size, device)
        valid_nll, _ = nll_and_stderr(model.log_prob, valid.x, spec.eval_batch_size, device)
        gaussian = FullCovarianceGaussian(train.x)
        gauss_nll, gauss_se = nll_and_stderr(gaussian.log_prob, test.x, spec.eval_batch_size)
    metrics = {
        "dataset": spec.dataset,
        "model": spec.model,
        "test_nll_nats": round(test_nll, 4),
        "test_nll_stderr": round(test_se, 4),
        "valid_nll_nats": round(valid_nll, 4),
        "gaussian_test_nll_nats": round(gauss_nll, 4),
        "gaussian_test_nll_stderr": round(gauss_se, 4),
        "features": features,
        "sizes": [len(train), len(valid), len(test)],
        "steps": fit["steps"],
        "skipped_batches": fit["skipped_batches"],
        "seconds": round(time.perf_counter() - start, 1),
        "run_dir": str(run_dir),
    }
    write_metrics(metrics, run_dir)
    return metrics


def add_tabular_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", default="miniboone", choices=sorted(TABULAR_DATASETS))
    parser.add_argument("--model", default="maf", choices=TABULAR_MODELS)
    parser.add_argument("--root", default=None,
                        help="data folder holding uci_maf/ (default: the survae data folder)")
    parser.add_argument("--download", action="store_true",
                        help="fetch the MAF archive (about 1 GB) if the files are missing")
    parser.add_argument("--num-flows", type=positive_int, default=5)
    parser.add_argument("--hidden-units", type=positive_int, nargs="+", default=[128, 128])
    parser.add_argument("--num-bins", type=positive_int, default=8)
    parser.add_argument("--tail-bound", type=float, default=3.0)
    parser.add_argument("--no-batch-norm", dest="batch_norm", action="store_false")
    add_training_arguments(parser, steps=5000, batch_size=512, lr=5e-4, decay="cosine",
                           eval_every=1000, checkpoint_every=1000, log_every=50, out="")


def spec_from_args(args: argparse.Namespace) -> TabularSpec:
    """The :class:`TabularSpec` of parsed ``survae train tabular`` flags."""
    names = {f.name for f in dataclasses.fields(TabularSpec)} - {
        f.name for f in dataclasses.fields(TrainConfig)}
    values = {k: getattr(args, k) for k in names}
    values["hidden_units"] = tuple(values["hidden_units"])
    return TabularSpec(**dataclasses.asdict(config_from_args(args)), **values)


def run_train_tabular(args: argparse.Namespace) -> dict[str, Any]:
    """``survae train tabular``: train, then print and write the final metrics."""
    metrics = train_tabular(spec_from_args(args))
    report_metrics(metrics, metrics["run_dir"])
    return metrics
