"""``survae train tabular``: density estimation on the MAF paper's five tabular datasets.

POWER, GAS, HEPMASS, MINIBOONE and BSDS300, preprocessed and split as in the MAF paper
(:mod:`survae.data.datasets.tabular.uci_maf`), with MAF, RealNVP or a neural spline flow
(:mod:`survae.models.tabular`). The run ends with the test negative log-likelihood in nats (the
papers report the log-likelihood, its negative) and its standard error over the test examples,
next to the trivial baseline: the full-covariance Gaussian fitted to the same training split.
The options are the fields of :class:`~survae.experiments.specs.TabularSpec`.

Example (Python)::

    from survae.experiments import TabularSpec, train_tabular
    metrics = train_tabular(TabularSpec(dataset="miniboone", model="maf", steps=20000))
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from survae.data.datasets.tabular.uci_maf import MAF_DATASETS, SPLITS
from survae.data.path import resolve_root
from survae.experiments.errors import dataset_errors, model_option_errors
from survae.experiments.run_files import RunFolder, write_metrics
from survae.experiments.specs import DATA, MODEL, TabularSpec
from survae.experiments.trainer import Trainer, seed_everything
from survae.experiments.training import torch_threads
from survae.models.tabular import FullCovarianceGaussian, build_tabular_flow

__all__ = ["load_tabular", "nll_and_stderr", "train_tabular"]


def load_tabular(dataset: str, root: str | None = None, download: bool = False):
    """``(train, valid, test)`` datasets of ``dataset`` (float32 vectors; see ``MAF_DATASETS``)."""
    cls = MAF_DATASETS[dataset]
    return tuple(cls(root, split=s, download=download) for s in SPLITS)


@torch.no_grad()
def nll_and_stderr(log_prob, data: Tensor, batch_size: int = 4096,
                   device: torch.device | str = "cpu") -> tuple[float, float]:
    """Mean negative log-likelihood of the rows of ``data`` (nats) and its standard error
    ``std / sqrt(N)`` over the rows; ``log_prob`` maps a batch to per-row log-densities.

    Example:
        >>> nll_and_stderr(lambda x: -x, torch.tensor([1.0, 2.0, 3.0, 4.0]))
        (2.5, 0.6454972243679028)
    """
    values = torch.cat([log_prob(chunk.to(device)).double().cpu()
                        for chunk in data.split(batch_size)])
    nll = -values
    stderr = float(nll.std() / math.sqrt(len(nll))) if len(nll) > 1 else math.nan
    return float(nll.mean()), stderr


def train_tabular(spec: TabularSpec) -> dict[str, Any]:
    """Train ``spec.model`` on ``spec.dataset``; write the run folder; return the final metrics
    (test NLL and standard error of the flow and of the Gaussian baseline, sizes, time)."""
    start = time.perf_counter()
    spec = spec.resolved()
    run_dir = Path(spec.out)
    with RunFolder(run_dir, spec.resume, spec.overwrite):
        with dataset_errors(spec.dataset, resolve_root(spec.data_root)):
            train, valid, test = load_tabular(spec.dataset, spec.data_root, spec.download)
        features = train.x.shape[1]
        seed_everything(spec.seed)
        with model_option_errors("tabular"):
            model = build_tabular_flow(spec.model, features, spec.num_flows, spec.hidden_units,
                                       spec.num_bins, spec.tail_bound, not spec.no_batch_norm)

        def loss_fn(m: nn.Module, batch: Tensor) -> Tensor:
            return -m.log_prob(batch).mean()

        def eval_fn(m: nn.Module) -> dict[str, float]:
            device = next(m.parameters()).device
            nll, _ = nll_and_stderr(m.log_prob, valid.x, spec.eval_batch_size, device)
            return {"valid_nll_nats": nll}

        metadata = {"kind": "tabular", "features": features, **spec.to_dict(MODEL, DATA)}
        fit = Trainer(model, train, loss_fn, spec, eval_fn=eval_fn, metadata=metadata).fit()
        model.eval()
        device = next(model.parameters()).device
        with torch_threads(spec.threads):
            batch = spec.eval_batch_size
            test_nll, test_se = nll_and_stderr(model.log_prob, test.x, batch, device)
            valid_nll, _ = nll_and_stderr(model.log_prob, valid.x, batch, device)
            gaussian = FullCovarianceGaussian(train.x)
            gauss_nll, gauss_se = nll_and_stderr(gaussian.log_prob, test.x, batch)
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
