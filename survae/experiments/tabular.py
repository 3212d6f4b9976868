"""``survae train tabular``: density estimation on the MAF paper's five tabular datasets.

POWER, GAS, HEPMASS, MINIBOONE and BSDS300, preprocessed and split as in the MAF paper
(:mod:`survae.data.datasets.tabular.uci_maf`), with MAF, RealNVP or a neural spline flow
(:mod:`survae.models.tabular`). The run ends with the test negative log-likelihood in nats (the
papers report the log-likelihood, its negative) and its standard error over the test examples,
next to the trivial baseline: the full-covariance Gaussian fitted to the same training split.

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

from survae.data.datasets.tabular import uci_maf
from survae.experiments.config import DATA, MODEL
from survae.experiments.errors import dataset_errors, model_option_errors
from survae.experiments.run_files import RunFolder, write_metrics
from survae.experiments.specs import TabularSpec
from survae.experiments.trainer import Trainer, seed_everything
from survae.experiments.training import torch_threads
from survae.models.tabular import FullCovarianceGaussian, build_tabular_flow

TABULAR_DATASETS: dict[str, type[uci_maf.UCI_MAF_Dataset]] = {
    "power": uci_maf.PowerDataset,
    "gas": uci_maf.GasDataset,
    "hepmass": uci_maf.HEPMASSDataset,
    "miniboone": uci_maf.MiniBooNEDataset,
    "bsds300": uci_maf.BSDS300Dataset,
}

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
    spec = spec.resolved()
    run_dir = Path(spec.out)
    with RunFolder(run_dir, spec.resume, spec.overwrite):
        with dataset_errors(spec.dataset, spec.root or "the survae data folder", "--root"):
            train, valid, test = load_tabular(spec.dataset, spec.root, spec.download)
        features = train.x.shape[1]
        seed_everything(spec.seed)
        with model_option_errors("tabular"):
            model = build_tabular_flow(spec.model, features, spec.num_flows, spec.hidden_units,
                                       spec.num_bins, spec.tail_bound, spec.batch_norm)
        metadata = {"kind": "tabular", "features": features, **spec.to_dict(MODEL, DATA)}

        def loss_fn(m: nn.Module, batch: Tensor) -> Tensor:
            return -m.log_prob(batch).mean()

        def eval_fn(m: nn.Module) -> dict[str, float]:
            device = next(m.parameters()).device
            nll, _ = nll_and_stderr(m.log_prob, valid.x, spec.eval_batch_size, device)
            return {"valid_nll_nats": nll}

        fit = Trainer(model, train, loss_fn, spec, eval_fn=eval_fn, metadata=metadata).fit()
        model.eval()
        device = next(model.parameters()).device
        with torch_threads(spec.threads):
            test_nll, test_se = nll_and_stderr(model.log_prob, test.x, spec.eval_batch_size,
                                               device)
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
