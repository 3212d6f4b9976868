"""``survae train pointcloud``: SortFlow, PermuteFlow and baselines on SpatialMNIST-style sets.

Trains a flow of :mod:`survae.models.pointcloud` with the shared trainer on point sets from
:mod:`survae.data.spatial_mnist` (default: the bundled digits, 50 points per digit, in the
28x28 frame of SpatialMNIST) and reports the per-point test log-likelihood in nats
(``test_ppll_nats``; an ELBO for ``permute``, with ``--iwbo-k`` also the IWBO). Writes
``samples.png``: real point clouds above sampled ones.

``survae reproduce pointcloud`` trains the four models with one budget (``--jobs`` of them at a
time, one thread each) and writes the table and the figure.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from torch.utils.data import Dataset

from survae.data.digits import load_digits_tensors
from survae.data.spatial_mnist import FRAME, SpatialDigits
from survae.experiments.errors import dataset_errors, model_option_errors
from survae.experiments.evaluate import evaluate_bounds
from survae.experiments.run_files import RunFolder, write_metrics
from survae.experiments.specs import PointcloudSpec
from survae.experiments.trainer import Trainer, seed_everything
from survae.experiments.training import non_negative_int, positive_int
from survae.models.pointcloud import POINTCLOUD_MODELS, build_pointcloud_flow


def evaluate_ppll(model: nn.Module, data: Dataset, batch_size: int = 256, k: int = 0,
                  device: str | torch.device = "cpu") -> dict[str, float]:
    """Per-point test log-likelihood (nats): exact, or the ELBO (and IWBO for ``k > 1``)."""
    bounds = evaluate_bounds(model, data, batch_size, k, 16, device,
                             exact=getattr(model, "exact", True))
    points = data[0][0].shape[0]
    metrics = {"test_ppll_nats": bounds["loglik_nats"] / points}
    if "iwbo_nats" in bounds:
        metrics[f"test_iwbo{k}_ppll_nats"] = bounds["iwbo_nats"] / points
    return metrics


def digits_reference_ppll(num_points: int = 50, seed: int = 0) -> dict[str, float]:
    """Yardsticks for the digits' point sets: per-point test log-likelihoods in nats.

    All are densities that are uniform inside the 8x8 pixel cells (the cell structure the sets
    are drawn with), built from the training split only, except the oracle:

    - ``iid_histogram``: every point drawn i.i.d. from the histogram of all training points over
      the cells (add-one smoothing): the best a model that ignores the other points of the set
      does with this cell structure;
    - ``class_mixture``: a mixture over the ten classes of per-class cell histograms (weights:
      the class frequencies), the points i.i.d. given the class: what knowing the class is worth;
    - ``image_mixture``: a mixture over the 1437 training images, each the image's own cell
      weights smoothed with 5% of the histogram, the points i.i.d. given the image: a
      non-parametric model of the sets that uses their dependence;
    - ``generating``: the density the test points were drawn from, given each set's own image
      (cells weighted by intensity): an oracle, out of reach of a model of the sets alone (it is
      told the digit).
    """
    train_sets = SpatialDigits("train", num_points, seed=seed)
    train, train_labels = train_sets.points.double(), train_sets.labels
    test = SpatialDigits("test", num_points, seed=seed).points.double()
    train_images = load_digits_tensors("train", "levels")[0][:, 0].double()
    images = load_digits_tensors("test", "levels")[0][:, 0].double()
    grid = images.shape[-1]
    size = FRAME / grid

    def cells(points: Tensor) -> Tensor:  # row-major image index; rows count from the top
        col = (points[..., 0] / size).floor().long().clamp(0, grid - 1)
        row = grid - 1 - (points[..., 1] / size).floor().long().clamp(0, grid - 1)
        return row * grid + col

    def histogram(points: Tensor) -> Tensor:
        counts = torch.bincount(cells(points).flatten(), minlength=grid * grid).double() + 1
        return counts / counts.sum()

    def mixture(log_cells: Tensor, log_weights: Tensor) -> float:
        # log sum_m w_m prod_i p_m(c_i), per test set, averaged per point
        per_set = log_cells[:, test_cells].sum(-1) + log_weights[:, None]
        return float(torch.logsumexp(per_set, 0).mean() / num_points)

    log_area = 2 * math.log(size)
    test_cells = cells(test)
    marginal = histogram(train)
    iid = marginal.log()[test_cells].mean() - log_area
    classes = torch.stack([histogram(train[train_labels == k]) for k in range(10)])
    class_weights = torch.bincount(train_labels, minlength=10).double() / len(train_labels)
    per_image = train_images.reshape(len(train_images), -1)
    per_image = 0.95 * per_image / per_image.sum(1, keepdim=True) + 0.05 * marginal
    weights = images.reshape(len(images), -1)
    weights = weights / weights.sum(1, keepdim=True)
    generating = weights.gather(1, test_cells).log().mean() - log_area
    return {
        "iid_histogram": float(iid),
        "class_mixture": mixture(classes.log(), class_weights.log()) - log_area,
        "image_mixture": mixture(per_image.log(), torch.full((len(per_image),),
                                                             -math.log(len(per_image)))) - log_area,
        "generating": float(generating),
    }


def plot_point_clouds(real: Tensor, samples: Tensor, path: str | Path, columns: int = 8) -> Path:
    """Two rows blocks of scatter plots: ``real`` sets above ``samples`` (``(N, L, 2)``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = 2
    fig, axes = plt.subplots(rows, columns, figsize=(1.4 * columns, 1.5 * rows))
    for row, (sets, name) in enumerate(((real, "data"), (samples, "samples"))):
        for col in range(columns):
            ax = axes[row, col]
            if col < len(sets):
                pts = sets[col].detach().cpu()
                ax.scatter(pts[:, 0], pts[:, 1], s=4, c="k")
            ax.set_xlim(0, 28)
            ax.set_ylim(0, 28)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_aspect("equal")
        axes[row, 0].set_ylabel(name)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def model_settings(spec: PointcloudSpec) -> dict[str, Any]:
    """The keyword arguments of ``build_pointcloud_flow(spec.model, ...)`` for a resolved spec.

    Example:
        >>> from survae.experiments.specs import PointcloudSpec
        >>> model_settings(PointcloudSpec(model="permute").resolved())["point_conditioner"]
        'pooled'
    """
    return {"num_points": spec.num_points, "num_flows": spec.num_flows,
            "d_model": spec.d_model, "nhead": spec.nhead, "num_layers": spec.num_layers,
            "dropout": spec.dropout, "coupling": spec.coupling, "num_bins": spec.num_bins,
            "spacings": not spec.no_spacings, "point_coupling": spec.point_coupling,
            "frame_bound": spec.frame_bound, "point_conditioner": spec.point_conditioner}


def train_pointcloud(spec: PointcloudSpec) -> dict[str, Any]:
    """Train per ``spec``; write the run folder (with ``metrics.json``); return the metrics."""
    spec = spec.resolved()
    out = Path(spec.out)
    with RunFolder(out, spec.resume, spec.overwrite):
        seed_everything(spec.seed)
        with dataset_errors(f"SpatialDigits ({spec.source})", spec.data_root):
            train = SpatialDigits("train", spec.num_points, spec.source, spec.data_root,
                                  seed=spec.seed, resample=spec.resample)
            test = SpatialDigits("test", spec.num_points, spec.source, spec.data_root,
                                 seed=spec.seed)
        settings = model_settings(spec)
        with model_option_errors("pointcloud"):
            model = build_pointcloud_flow(spec.model, **settings)

        def loss_fn(m: nn.Module, batch: Any) -> Tensor:
            return -m.log_prob(batch[0]).mean()

        def eval_fn(m: nn.Module) -> dict[str, float]:
            return evaluate_ppll(m, test, spec.eval_batch_size, device=spec.device)

        metadata = {"kind": "pointcloud", "model": spec.model, "model_kwargs": settings,
                    "source": spec.source}
        trainer = Trainer(model, train, loss_fn, spec, eval_fn=eval_fn, metadata=metadata)
        metrics = trainer.fit()
        if trainer.rank != 0:
            return metrics
        model.eval()
        if spec.iwbo_k > 1:
            torch.manual_seed(spec.seed)
            metrics.update(evaluate_ppll(model, test, spec.eval_batch_size, k=spec.iwbo_k,
                                         device=spec.device))
        torch.manual_seed(spec.seed)
        with torch.no_grad():
            samples = model.sample(8)
        plot_point_clouds(test.points[:8], samples, out / "samples.png")
        metrics.update({"model": spec.model, "source": spec.source,
                        "train_ppll_nats": -metrics["train_loss_nats"] / spec.num_points,
                        "parameters": sum(p.numel() for p in model.parameters()),
                        "run_dir": str(out)})
        write_metrics(metrics, out)
    return metrics


# ----------------------------------------------------------------------------- the table
# Per-point test log-likelihoods on SpatialMNIST (28x28 MNIST digits, 50 points; higher is
# better). SortFlow and PermuteFlow: the SurVAE paper's point-cloud table, as recalled (no stored
# copy of the table was found to re-check them). The set models the paper compares with: as listed
# in the FlowScan repository's README (github.com/lupalab/flowscan).
PAPER_SPATIAL_MNIST = {"SortFlow": -5.53, "PermuteFlow": -5.19}
PRIOR_SPATIAL_MNIST = {"BRUNO": -5.68, "Neural Statistician": -5.37, "FlowScan": -5.26}


# Training time per step relative to ``baseline`` (measured): the slowest runs start first.
_RELATIVE_COST = {"sort": 0.8, "permute": 1.0, "baseline": 1.0, "equivariant": 0.7}


def add_pointcloud_table_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``survae reproduce pointcloud``."""
    parser.add_argument("--models", nargs="+", default=list(POINTCLOUD_MODELS),
                        choices=POINTCLOUD_MODELS)
    parser.add_argument("--steps", type=positive_int, default=PointcloudSpec.steps)
    parser.add_argument("--iwbo-k", type=non_negative_int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=positive_int, default=2,
                        help="runs trained at a time, one process each")
    parser.add_argument("--threads", type=positive_int, default=1,
                        help="torch threads per run")
    parser.add_argument("--out", default="runs/pointcloud-table")
    parser.add_argument("--docs", default=None, help="also copy table and figure here")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the runs of an earlier table in --out")


def table_spec(model: str, args: argparse.Namespace) -> PointcloudSpec:
    """The spec of one run of the table (its defaults, with the table's budget)."""
    return PointcloudSpec(model=model, steps=args.steps, seed=args.seed, iwbo_k=args.iwbo_k,
                          out=str(Path(args.out) / model), threads=args.threads,
                          quiet=args.quiet,
                          overwrite=args.overwrite)


def _report_row(name: str, metrics: dict[str, Any]) -> None:
    print(f"{name:12s} test {metrics['test_ppll_nats']:.3f} nats per point "
          f"({metrics['seconds']:.0f} s)", flush=True)


def reproduce_pointcloud(args: argparse.Namespace) -> dict[str, Any]:
    """Train every model with one budget; write ``table.md`` and ``samples.png``.

    With ``--jobs`` above 1 the runs go to that many worker processes (spawned, one torch
    thread each), slowest models first; each run is seeded alone, so the results do not depend
    on ``--jobs``.
    """
    start = time.perf_counter()
    out = Path(args.out)
    run_args = {name: table_spec(name, args) for name in args.models}
    rows: dict[str, dict[str, Any]] = {}
    if args.jobs > 1 and len(run_args) > 1:
        order = sorted(run_args, key=lambda n: _RELATIVE_COST.get(n, 1.0), reverse=True)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(min(args.jobs, len(order)), mp_context=context) as pool:
            futures = {name: pool.submit(train_pointcloud, run_args[name]) for name in order}
            for name in order:
                rows[name] = futures[name].result()
                _report_row(name, rows[name])
        rows = {name: rows[name] for name in args.models}
    else:
        for name, run in run_args.items():
            rows[name] = train_pointcloud(run)
            _report_row(name, rows[name])
    wall = time.perf_counter() - start
    first, spec = rows[args.models[0]], run_args[args.models[0]]
    kinds = {"spline": "rational-quadratic spline", "affine": "affine"}
    conditioners = "conditioners: " + ", ".join(
        f"{name} {run.resolved().point_conditioner}" for name, run in run_args.items()
        if name != "equivariant")
    lines = [
        "Per-point test log-likelihood (nats, higher is better) of point sets built from the "
        "bundled 8x8 digits (50 points per digit, sampled by intensity with sub-pixel noise, in "
        "the 28x28 frame of SpatialMNIST; 1437 train / 360 test sets), "
        f"{spec.num_flows} blocks with {kinds[spec.coupling]} couplings over the coordinates "
        f"and {kinds[spec.point_coupling]} couplings over the points ({conditioners}; "
        f"{spec.num_bins} bins, "
        f"transformers of d_model {spec.d_model}, {spec.nhead} heads, {spec.num_layers} "
        f"layer(s)), the frame mapped onto [-{spec.frame_bound:g}, {spec.frame_bound:g}), "
        f"{args.steps} steps of batch {spec.batch_size}, Adam {spec.lr:g} with "
        f"{spec.warmup} warm-up steps and {spec.decay} decay, "
        f"{first['parameters']:,} parameters ({args.models[0]}); {args.threads} CPU thread(s) "
        "per run, "
        f"{min(args.jobs, len(rows))} run(s) at a time.",
        "",
        f"| model | invariant | test ppll (nats) | test IWBO ppll (k={args.iwbo_k}) "
        "| train ppll | parameters | minutes |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    invariant = {"sort": "exact", "permute": "in expectation", "baseline": "no",
                 "equivariant": "exact"}
    for name, m in rows.items():
        iw = m.get(f"test_iwbo{args.iwbo_k}_ppll_nats")
        lines.append(
            f"| {name} | {invariant[name]} | {m['test_ppll_nats']:.3f} | "
            f"{'-' if iw is None else f'{iw:.3f}'} | {m['train_ppll_nats']:.3f} | "
            f"{m['parameters']:,} | {m['seconds'] / 60:.1f} |"
        )
    ref = digits_reference_ppll(run_args[args.models[0]].num_points, args.seed)
    lines += [
        f"| *reference*: i.i.d. histogram of the points | exact | {ref['iid_histogram']:.3f} "
        "| - | - | 63 | - |",
        f"| *reference*: mixture of 10 class histograms | exact | {ref['class_mixture']:.3f} "
        "| - | - | 639 | - |",
        f"| *reference*: mixture of the 1437 training images | exact | "
        f"{ref['image_mixture']:.3f} | - | - | 91,968 | - |",
        f"| *oracle*: the generating density, given the image | exact | {ref['generating']:.3f} "
        "| - | - | - | - |",
    ]
    paper = ", ".join(f"{k} {v}" for k, v in PAPER_SPATIAL_MNIST.items())
    prior = ", ".join(f"{k} {v}" for k, v in PRIOR_SPATIAL_MNIST.items())
    lines += [
        "",
        "The last four rows are computed from the data, without training, all uniform inside "
        "the 8x8 pixel cells the sets are drawn from: every point i.i.d. from the histogram of "
        "the training points (what ignoring the rest of the set gives); a mixture over the "
        "classes of per-class histograms (what knowing the class is worth); a mixture over the "
        "training images (a non-parametric model of the sets); and the density each test set was "
        "drawn from, given its own image (an oracle: it is told the digit).",
        "",
        f"The paper (SpatialMNIST from 28x28 MNIST, 32 flow blocks, 500 epochs on a GPU): {paper} "
        "nats per point (as recalled from its point-cloud table; no stored copy of the table was "
        f"found to re-check them); the set models it compares with: {prior} (as listed in the "
        "FlowScan repository, github.com/lupalab/flowscan). The digits' sets come from 8x8 images "
        "stretched to the same frame, so the numbers share units but not data: compare the "
        "ordering, not the values.",
        "",
        f"Command: `survae reproduce pointcloud --models {' '.join(args.models)} "
        f"--steps {args.steps} --iwbo-k {args.iwbo_k} --jobs {args.jobs} "
        f"--threads {args.threads}`; wall time {wall / 60:.1f} minutes for the {len(rows)} runs.",
    ]
    (out / "table.md").write_text("\n".join(lines) + "\n")
    _figure(out, list(rows))
    if args.docs:
        docs = Path(args.docs)
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / "table.md", docs / "pointcloud-table.md")
        shutil.copyfile(out / "samples.png", docs / "pointcloud-samples.png")
    return {**{f"{n}_test_ppll_nats": m["test_ppll_nats"] for n, m in rows.items()},
            "steps": args.steps, "seconds": round(wall, 1),
            "run_dir": str(out)}


def _figure(out: Path, models: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(models), 1, figsize=(11, 3.2 * len(models)))
    for ax, name in zip(list(axes) if len(models) > 1 else [axes], models):
        ax.imshow(plt.imread(out / name / "samples.png"))
        ax.set_title(name)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(out / "samples.png", dpi=90)
    plt.close(fig)
