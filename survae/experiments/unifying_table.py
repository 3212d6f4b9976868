"""``survae reproduce unifying``: Flow, AbsFlow, RAD, CIF and diffusion on the four toy densities.

Every model is trained by ``survae train toy`` at one budget (same steps, batch, learning-rate
schedule, data and seed) and its test NLL is set next to the entropy floor of each density (the
NLL of the true density) and of a trivial baseline, a Gaussian fitted to the same training set.
CIF and diffusion are bounds: their column is the negative ELBO on the whole test set, then the
negative ELBO and the negative IWBO (``--iwbo-k`` samples) on the first ``--iwbo-points`` test
points.

``--reuse`` reads back a run of an earlier invocation only if it was made with exactly the same
settings (every model, data and optimiser option of its ``ToySpec``, the test size, a
fingerprint of the built model and the IWBO settings, stored beside its row); a run in
``--out`` with other settings is an error naming them, never mixed into the table silently.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import multiprocessing
import os
import shutil
import textwrap
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import torch

from survae.data.toy import TOY_DATASETS, make_toy
from survae.experiments.config import DATA, MODEL, OPTIM
from survae.experiments.errors import RunFolderError
from survae.experiments.specs import ToySpec
from survae.experiments.toy import BOUND_MODELS, build_toy_model, train_toy
from survae.experiments.training import non_negative_int, positive_int, torch_threads
from survae.utils.loss import iwbo_batched

#: NLL of the true densities (nats): the floor no model can beat on average.
ENTROPY_FLOORS = {
    "checkerboard": 3.466,
    "corners": 2.947,
    "eight_gaussians": 2.833,
    "four_circles": 2.868,
}
MODELS = ("flow", "absflow", "rad", "cif", "diffusion")
#: Time per step relative to the flow (measured on this machine): slowest runs start first.
RELATIVE_COST = {"flow": 1.0, "absflow": 0.9, "rad": 1.1, "cif": 2.2, "diffusion": 2.7}
TITLES = {"flow": "Flow", "absflow": "AbsFlow", "rad": "RAD", "cif": "CIF",
          "diffusion": "Diffusion"}


class IWBODensity(torch.nn.Module):
    """``log_prob`` of a bound model replaced by its importance-weighted bound with ``k``
    samples (a steadier picture of its density than one ELBO sample), in small chunks."""

    def __init__(self, model: torch.nn.Module, k: int, chunk: int = 5000):
        super().__init__()
        self.model, self.k, self.chunk = model, k, chunk

    @torch.no_grad()
    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([iwbo_batched(self.model, part, self.k, kbs=1)
                          for part in x.split(self.chunk)])


def _toy_spec(args: argparse.Namespace, dataset: str, model: str) -> ToySpec:
    return ToySpec(dataset=dataset, model=model, steps=args.steps, train_size=args.train_size,
                   test_size=args.test_size, out=str(Path(args.out) / f"{dataset}-{model}"),
                   seed=args.seed, no_plots=True, decay="cosine", threads=1, quiet=args.quiet,
                   overwrite=args.overwrite)


def gaussian_baseline_nll(train: torch.Tensor, test: torch.Tensor) -> float:
    """Test NLL (nats) of the trivial baseline: the Gaussian of the training set's mean and
    (maximum-likelihood) covariance.

    Example:
        >>> x = torch.randn(100_000, 2, generator=torch.Generator().manual_seed(0))
        >>> nll = gaussian_baseline_nll(x, x)  # log(2 pi) + 1 = 2.838 for a standard normal
        >>> abs(nll - (torch.log(torch.tensor(2 * torch.pi)) + 1).item()) < 0.01
        True
    """
    train, test = train.double(), test.double()
    mean = train.mean(0)
    centred = train - mean
    covariance = centred.T @ centred / len(train)
    gaussian = torch.distributions.MultivariateNormal(mean, covariance_matrix=covariance)
    return float(-gaussian.log_prob(test).mean())


def _settings(run: ToySpec, iwbo_k: int, iwbo_points: int) -> dict[str, Any]:
    """Everything a row of the table depends on: the model, data and optimiser options of the
    run, its test size, a fingerprint of the model it builds (the hash of its ``repr``: layers,
    sizes and options, so a changed builder is not read back) and, for a bound, the IWBO
    settings."""
    run = run.resolved()
    model = build_toy_model(run.model, run.dataset, run.num_flows, tuple(run.hidden_units),
                            run.actnorm, run.scale_fn)
    settings = {**run.to_dict(MODEL, DATA, OPTIM), "test_size": run.test_size,
                "architecture": hashlib.sha256(repr(model).encode()).hexdigest()[:16]}
    if run.model in BOUND_MODELS:
        settings.update(iwbo_k=iwbo_k, iwbo_points=iwbo_points)
    return settings


def _bound_columns(model: torch.nn.Module, test: torch.Tensor, seed: int, iwbo_k: int,
                   iwbo_points: int) -> dict[str, float]:
    """The negative IWBO (``iwbo_k`` samples) and the negative ELBO (one sample, the IWBO with
    ``k = 1``) on the first ``iwbo_points`` test points: the gap between the two is the gain of
    importance weighting, on the same points."""
    points = test[:iwbo_points]
    torch.manual_seed(seed)
    with torch.no_grad(), torch_threads(1):
        iwbo = iwbo_batched(model, points, iwbo_k, kbs=8)
        elbo = iwbo_batched(model, points, 1, kbs=1)
    return {"iwbo_nll": round(float(-iwbo.mean()), 4),
            "elbo_nll_iwbo_points": round(float(-elbo.mean()), 4)}


def _train_one(run: ToySpec, iwbo_k: int, iwbo_points: int,
               reuse: bool = False) -> dict[str, Any]:
    """Train one model (in a worker process or here); its test NLL, and for a bound its IWBO.

    With ``reuse``, the row of a finished run in ``run.out`` is read back if it was made with the
    same settings (see :func:`_settings`); with other settings it is a
    :class:`~survae.experiments.errors.RunFolderError` unless ``run.overwrite`` (then the run
    is trained again). Without ``reuse``, a folder holding a run needs ``run.overwrite``."""
    row_path = Path(run.out) / "table_row.json"
    settings = _settings(run, iwbo_k, iwbo_points)
    if reuse and row_path.exists():
        stored = json.loads(row_path.read_text())
        old = stored.get("settings", {})
        if old == settings:
            return {**stored["row"], "reused": True}
        if not run.overwrite:
            changed = sorted(k for k in settings.keys() | old.keys()
                             if settings.get(k) != old.get(k))
            details = ", ".join(f"{k}: {old.get(k)!r} there, {settings.get(k)!r} now"
                                for k in changed)
            raise RunFolderError(f"reproduce unifying: {run.out} holds a run with other "
                                 f"settings ({details}); pass --overwrite to train it again, "
                                 f"or choose another --out")
    row_path.unlink(missing_ok=True)  # never left beside a checkpoint it does not describe
    metrics, model, test = train_toy(run)
    row: dict[str, Any] = {"nll": metrics["test_nll_nats"], "seconds": metrics["seconds"],
                           "steps": metrics["steps"],
                           "parameters": sum(p.numel() for p in model.parameters())}
    if run.model in BOUND_MODELS:
        start = time.perf_counter()
        row.update(_bound_columns(model, test, run.seed, iwbo_k, iwbo_points))
        row["seconds"] = round(row["seconds"] + time.perf_counter() - start, 1)
    row_path.write_text(json.dumps({"settings": settings, "row": row}))
    return {**row, "reused": False}


def _trained_model(run: ToySpec) -> torch.nn.Module:
    """The model of a finished run, rebuilt from its checkpoint (for the figure)."""
    model = build_toy_model(run.model, run.dataset, run.num_flows, tuple(run.hidden_units),
                            run.actnorm, run.scale_fn)
    state = torch.load(Path(run.out) / "checkpoint.pt", weights_only=True)
    model.load_state_dict(state["model"])
    return model.eval()


def _load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def reproduce_unifying(args: argparse.Namespace) -> dict[str, Any]:
    """Train every model of ``args.models`` on every dataset of ``args.datasets`` (``--jobs``
    runs at a time, one process and one torch thread each; every run is seeded alone, so the
    numbers do not depend on ``--jobs``); write ``table.md``, ``table.csv`` and
    ``densities.png`` into ``args.out`` (and, with ``args.docs``, the table and figure into that
    folder as ``unifying-table.md`` and ``unifying-densities.png``)."""
    with torch_threads(1):
        return _reproduce_unifying(args)


def _reproduce_unifying(args: argparse.Namespace) -> dict[str, Any]:
    from survae.experiments.plots import plot_density_grid

    start, load_start = time.perf_counter(), _load()
    out = Path(args.out)
    runs = {(d, m): _toy_spec(args, d, m) for d in args.datasets for m in args.models}
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def report(key: tuple[str, str]) -> None:
        row = rows[key]
        print(f"{key[0]:16s} {key[1]:10s} {row['nll']:.3f} nats ({row['seconds']:.0f} s"
              f"{', read back' if row['reused'] else ''}; load {_load()})", flush=True)

    if args.jobs > 1 and len(runs) > 1:
        order = sorted(runs, key=lambda key: RELATIVE_COST[key[1]], reverse=True)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(min(args.jobs, len(runs)), mp_context=context) as pool:
            futures = {key: pool.submit(_train_one, runs[key], args.iwbo_k, args.iwbo_points,
                                        args.reuse) for key in order}
            for key in order:
                rows[key] = futures[key].result()
                report(key)
    else:
        for key, run in runs.items():
            rows[key] = _train_one(run, args.iwbo_k, args.iwbo_points, args.reuse)
            report(key)
    train_seconds, load_trained = time.perf_counter() - start, _load()
    baselines, panels = {}, []
    for dataset in args.datasets:
        train = make_toy(dataset, args.train_size, torch.Generator().manual_seed(args.seed))
        test = make_toy(dataset, args.test_size, torch.Generator().manual_seed(args.seed + 1))
        baselines[dataset] = gaussian_baseline_nll(train, test)
        shown = []
        for name in args.models:
            model = _trained_model(runs[dataset, name])
            if name in BOUND_MODELS:
                model = IWBODensity(model, args.plot_k)
            shown.append((f"{TITLES[name]} {rows[dataset, name]['nll']:.3f}", model))
        panels.append((dataset, test[:50_000], shown))
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(args.seed)
    plot_density_grid(panels, out / "densities.png")
    header = ["dataset", "entropy_floor", "gaussian"]
    for name in args.models:
        header += [name] + ([f"{name}_elbo_first{args.iwbo_points}",
                              f"{name}_iwbo{args.iwbo_k}_first{args.iwbo_points}"]
                             if name in BOUND_MODELS else [])
    csv_rows, md_rows = [], []
    for dataset in args.datasets:
        floor = ENTROPY_FLOORS.get(dataset, float("nan"))
        values = [dataset, floor, round(baselines[dataset], 4)]
        cells = [dataset, f"{floor:.3f}", f"{baselines[dataset]:.3f}"]
        for name in args.models:
            row = rows[dataset, name]
            values.append(row["nll"])
            if name in BOUND_MODELS:
                values += [row["elbo_nll_iwbo_points"], row["iwbo_nll"]]
                cells.append(f"≤ {row['nll']:.3f} ({row['elbo_nll_iwbo_points']:.3f} → "
                             f"{row['iwbo_nll']:.3f})")
            else:
                cells.append(f"{row['nll']:.3f}")
        csv_rows.append(values)
        md_rows.append("| " + " | ".join(cells) + " |")
    with open(out / "table.csv", "w", newline="") as handle:
        csv.writer(handle).writerows([header, *csv_rows])
    titles = [TITLES[name] + (" (bound)" if name in BOUND_MODELS else "") for name in args.models]
    budget = [
        f"| {TITLES[name]} | " + " | ".join(
            f"{rows[d, name]['parameters'] / 1000:.1f}k, {rows[d, name]['seconds']:.0f} s"
            for d in args.datasets) + " |"
        for name in args.models
    ]
    reused = sum(row["reused"] for row in rows.values())
    seconds = time.perf_counter() - start
    lines = [
        "| data | entropy floor | Gaussian (baseline) | " + " | ".join(titles) + " |",
        "| --- " * (3 + len(titles)) + "|",
        *md_rows,
        "",
        f"Test NLL in nats (lower is better; the floor is the NLL of the true density, the "
        f"baseline a Gaussian fitted to the training set). Every model: {args.steps} steps of "
        f"batch 128 (Adam 1e-3, cosine decay), {args.train_size} training and {args.test_size} "
        f"test points, seed {args.seed}. Bounds (CIF, diffusion): the negative ELBO on the test "
        f"set (an upper bound on the NLL), then in brackets, on the first {args.iwbo_points} "
        f"test points, the negative ELBO → the negative IWBO with {args.iwbo_k} samples (the "
        f"gain of importance weighting).",
        "",
        "| model | " + " | ".join(args.datasets) + " |",
        "| --- " * (1 + len(args.datasets)) + "|",
        *budget,
        "",
        f"Parameters and wall time of each run (training, test NLL and IWBO; one CPU thread, "
        f"{min(args.jobs, len(runs))} run(s) at a time). {len(runs)} runs, "
        f"{reused} read back from an earlier invocation with the same settings; this command: "
        f"{train_seconds / 60:.1f} minutes of training, {seconds / 60:.1f} in all. Load average "
        f"(1/5/15 min) {load_start} at the start, {load_trained} after training.",
    ]
    (out / "table.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)
    if args.docs:
        docs = Path(args.docs)
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / "table.md", docs / "unifying-table.md")
        shutil.copyfile(out / "densities.png", docs / "unifying-densities.png")
    table = {d: {"gaussian": round(baselines[d], 4), **{m: rows[d, m] for m in args.models}}
             for d in args.datasets}
    return {"table": table, "steps": args.steps, "seconds": round(seconds, 1),
            "run_dir": str(out)}


def add_unifying_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``survae reproduce unifying``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.description = textwrap.fill(
        "Train Flow, AbsFlow, RAD, CIF and diffusion (survae train toy --model ...) on the four "
        "2-D toy densities at one budget, and write table.md, table.csv and densities.png into "
        "--out. Each row: the entropy floor of the data, a Gaussian fitted to the training set "
        "(the trivial baseline), the test NLL of each model; for the bounds (CIF, diffusion) the "
        "negative ELBO and the negative IWBO. One torch thread per run.")
    parser.epilog = (
        "The published table (docs/unifying.md, docs/unifying-densities.png):\n\n"
        "  survae reproduce unifying --jobs 1 --docs docs\n\n" + textwrap.fill(
        "Defaults: 2000 steps of batch 128, 128k train and test points; about 15 minutes on a "
        "free core, 24 minutes under a load average of 5-10 on 2 cores.") + "\n\n" + textwrap.fill(
        "--reuse resumes an interrupted table: runs finished with exactly the same settings are "
        "read back; a run in --out made with other settings (any model, data or optimiser "
        "option, test size or IWBO setting) is an error unless --overwrite, which trains it "
        "again."))
    parser.add_argument("--out", default="runs/reproduce-unifying")
    parser.add_argument("--datasets", nargs="+", default=list(ENTROPY_FLOORS),
                        choices=sorted(TOY_DATASETS))
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--steps", type=positive_int, default=2_000,
                        help="optimisation steps of every model (batch 128)")
    parser.add_argument("--train-size", type=positive_int, default=128_000)
    parser.add_argument("--test-size", type=positive_int, default=128_000)
    parser.add_argument("--iwbo-k", type=positive_int, default=50,
                        help="importance samples of the IWBO of a bound model")
    parser.add_argument("--iwbo-points", type=positive_int, default=500,
                        help="test points of the IWBO (the first ones)")
    parser.add_argument("--plot-k", type=positive_int, default=2,
                        help="IWBO samples per density pixel of a bound model")
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the runs of an earlier table in --out")
    parser.add_argument("--jobs", type=positive_int, default=2,
                        help="runs trained at a time, one process and one thread each")
    parser.add_argument("--reuse", action="store_true",
                        help="read back the runs finished in --out with exactly the same settings "
                        "(others are an error; with --overwrite they are trained again)")
    parser.add_argument("--docs", default=None, help="also copy the table and the figure to "
                        "this folder (unifying-table.md, unifying-densities.png)")
    parser.add_argument("--quiet", action="store_true")
