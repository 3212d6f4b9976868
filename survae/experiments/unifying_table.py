"""``survae reproduce unifying``: Flow, AbsFlow, RAD, CIF and diffusion on the four toy densities.

Every model is trained by ``survae train toy`` at one budget (same steps, batch, learning-rate
schedule, data and seed) and its test NLL is set next to the entropy floor of each density (the
NLL of the true density). CIF and diffusion are bounds: their column is the negative ELBO on the
whole test set, with the negative IWBO (``--iwbo-k`` samples, on the first ``--iwbo-points`` test
points) beside it.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import torch

from survae.data.toy import TOY_DATASETS, make_toy
from survae.experiments.specs import ToySpec
from survae.experiments.toy import BOUND_MODELS, build_toy_model, train_toy
from survae.experiments.training import non_negative_int, positive_int
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
RELATIVE_COST = {"flow": 1.0, "absflow": 1.0, "rad": 1.5, "cif": 3.6, "diffusion": 4.9}
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


def _finished(run: ToySpec) -> dict[str, Any] | None:
    """The metrics of a finished run of the same model, data and budget in ``run.out``."""
    path = Path(run.out) / "metrics.json"
    if not path.exists() or not (Path(run.out) / "checkpoint.pt").exists():
        return None
    metrics = json.loads(path.read_text())
    same = (metrics.get("steps"), metrics.get("model"), metrics.get("dataset"))
    return metrics if same == (run.steps, run.model, run.dataset) else None


def _train_one(run: ToySpec, iwbo_k: int, iwbo_points: int,
               reuse: bool = False) -> dict[str, float]:
    """Train one model (in a worker process or here); its test NLL, and for a bound its IWBO.
    With ``reuse``, a finished run of the same model, data and budget is read back instead."""
    row_path = Path(run.out) / "table_row.json"
    metrics = _finished(run) if reuse else None
    if metrics is not None and row_path.exists():
        return json.loads(row_path.read_text())
    if metrics is None:
        metrics, model, test = train_toy(run)
    else:
        model = _trained_model(run)
        test = make_toy(run.dataset, run.test_size, torch.Generator().manual_seed(run.seed + 1))
    row = {"nll": metrics["test_nll_nats"], "seconds": metrics["seconds"]}
    if run.model in BOUND_MODELS:
        torch.manual_seed(run.seed)
        with torch.no_grad():
            bound = iwbo_batched(model, test[:iwbo_points], iwbo_k, kbs=8)
        row["iwbo_nll"] = round(float(-bound.mean()), 4)
    row_path.write_text(json.dumps(row))
    return row


def _trained_model(run: ToySpec) -> torch.nn.Module:
    """The model of a finished run, rebuilt from its checkpoint (for the figure)."""
    model = build_toy_model(run.model, run.dataset, run.num_flows, tuple(run.hidden_units),
                            run.actnorm, run.scale_fn)
    state = torch.load(Path(run.out) / "checkpoint.pt", weights_only=True)
    model.load_state_dict(state["model"])
    return model.eval()


def reproduce_unifying(args: argparse.Namespace) -> dict[str, Any]:
    """Train every model of ``args.models`` on every dataset of ``args.datasets`` (``--jobs``
    runs at a time, one process and one torch thread each; every run is seeded alone, so the
    numbers do not depend on ``--jobs``); write ``table.md``, ``table.csv`` and
    ``densities.png`` into ``args.out``."""
    from survae.experiments.plots import plot_density_grid

    start = time.perf_counter()
    out = Path(args.out)
    runs = {(d, m): _toy_spec(args, d, m) for d in args.datasets for m in args.models}
    rows: dict[tuple[str, str], dict[str, float]] = {}

    def report(key: tuple[str, str]) -> None:
        print(f"{key[0]:16s} {key[1]:10s} {rows[key]['nll']:.3f} nats "
              f"({rows[key]['seconds']:.0f} s)", flush=True)

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
    train_seconds = time.perf_counter() - start
    panels = []
    for dataset in args.datasets:
        first = runs[dataset, args.models[0]]
        test = make_toy(dataset, args.test_size,
                        torch.Generator().manual_seed(first.seed + 1))[:50_000]
        shown = []
        for name in args.models:
            model = _trained_model(runs[dataset, name])
            if name in BOUND_MODELS:
                model = IWBODensity(model, args.plot_k)
            shown.append((f"{TITLES[name]} {rows[dataset, name]['nll']:.3f}", model))
        panels.append((dataset, test, shown))
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(args.seed)
    plot_density_grid(panels, out / "densities.png")
    header = ["dataset", "entropy_floor"]
    for name in args.models:
        header += [name] + ([f"{name}_iwbo{args.iwbo_k}"] if name in BOUND_MODELS else [])
    csv_rows, md_rows = [], []
    for dataset in args.datasets:
        floor = ENTROPY_FLOORS.get(dataset, float("nan"))
        values, cells = [dataset, floor], [dataset, f"{floor:.3f}"]
        for name in args.models:
            row = rows[dataset, name]
            values.append(row["nll"])
            if name in BOUND_MODELS:
                values.append(row["iwbo_nll"])
                cells.append(f"≤ {row['nll']:.3f} (IWBO {row['iwbo_nll']:.3f})")
            else:
                cells.append(f"{row['nll']:.3f}")
        csv_rows.append(values)
        md_rows.append("| " + " | ".join(cells) + " |")
    with open(out / "table.csv", "w", newline="") as handle:
        csv.writer(handle).writerows([header, *csv_rows])
    titles = [TITLES[name] + (" (bound)" if name in BOUND_MODELS else "") for name in args.models]
    seconds = time.perf_counter() - start
    lines = [
        "| data | entropy floor | " + " | ".join(titles) + " |",
        "| --- " * (2 + len(titles)) + "|",
        *md_rows,
        "",
        f"Test NLL in nats (lower is better; the floor is the NLL of the true density). "
        f"{args.steps} steps of batch 128 per model (Adam 1e-3, cosine decay), {args.train_size} "
        f"training and {args.test_size} test points, seed {args.seed}. Bounds: the negative ELBO "
        f"on the test set (an upper bound on the NLL) and the negative IWBO with {args.iwbo_k} "
        f"samples on the first {args.iwbo_points} test points. {len(runs)} runs of "
        f"{sum(row['seconds'] for row in rows.values()) / 60:.0f} minutes in all (one CPU "
        f"thread each, {min(args.jobs, len(runs))} at a time); this command: "
        f"{train_seconds / 60:.1f} minutes of training, {seconds / 60:.1f} in all.",
    ]
    (out / "table.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)
    table = {d: {m: rows[d, m] for m in args.models} for d in args.datasets}
    return {"table": table, "steps": args.steps, "seconds": round(seconds, 1),
            "run_dir": str(out)}


def add_unifying_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``survae reproduce unifying``."""
    parser.add_argument("--out", default="runs/reproduce-unifying")
    parser.add_argument("--datasets", nargs="+", default=list(ENTROPY_FLOORS),
                        choices=sorted(TOY_DATASETS))
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--steps", type=positive_int, default=2_000)
    parser.add_argument("--train-size", type=positive_int, default=128_000)
    parser.add_argument("--test-size", type=positive_int, default=128_000)
    parser.add_argument("--iwbo-k", type=positive_int, default=50)
    parser.add_argument("--iwbo-points", type=positive_int, default=500)
    parser.add_argument("--plot-k", type=positive_int, default=2,
                        help="IWBO samples per density pixel of a bound model")
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the runs of an earlier table in --out")
    parser.add_argument("--jobs", type=positive_int, default=2,
                        help="runs trained at a time, one process and one thread each")
    parser.add_argument("--reuse", action="store_true",
                        help="read back runs already finished in --out with the same budget")
    parser.add_argument("--quiet", action="store_true")
