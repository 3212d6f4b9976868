"""``survae reproduce images``: every image model on the digits, one table and one figure.

Trains ``realnvp``, ``glow``, ``augmented``, ``maxpool`` and ``baseline`` with the same budget
(steps, batch, learning-rate schedule, conditioner width) through ``survae train image``, then
writes ``table.md`` (test bits per dim: the dequantization ELBO and the IWBO, parameters, wall
time) and ``samples.png`` (the test images beside each model's samples) in ``--out``; with
``--docs`` also copies both into the documentation.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path
from typing import Any

from survae.data.vision import IMAGE_DATASETS
from survae.experiments.specs import ImageSpec
from survae.experiments.training import non_negative_int, positive_int
from survae.models.images import IMAGE_MODELS

DEFAULT_MODELS = ("realnvp", "glow", "augmented", "maxpool", "baseline")


def add_image_table_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``survae reproduce images``."""
    parser.add_argument("--models", nargs="+", default=list(DEFAULT_MODELS),
                        choices=sorted(IMAGE_MODELS))
    parser.add_argument("--dataset", default="digits", choices=IMAGE_DATASETS)
    parser.add_argument("--steps", type=positive_int, default=6000)
    parser.add_argument("--batch-size", type=positive_int, default=64)
    parser.add_argument("--hidden", type=positive_int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--iwbo-k", type=non_negative_int, default=64)
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument("--threads", type=non_negative_int, default=1)
    parser.add_argument("--out", default="runs/image-table")
    parser.add_argument("--docs", default=None, help="also copy table and figure to this folder")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the runs of an earlier table in --out")


def table_spec(args: argparse.Namespace, model: str) -> ImageSpec:
    """The spec of one run of the table (the image defaults, with the table's budget)."""
    return ImageSpec(model=model, dataset=args.dataset, steps=args.steps,
                     batch_size=args.batch_size, hidden=args.hidden, lr=args.lr,
                     iwbo_k=args.iwbo_k, seed=args.seed, threads=args.threads,
                     eval_every=max(args.steps // 4, 1), out=str(Path(args.out) / model),
                     num_samples=64, quiet=args.quiet, overwrite=args.overwrite)


def _figure(out: Path, models: list[str]) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("data (test)", out / models[0] / "data.png")]
    panels += [(name, out / name / "samples.png") for name in models]
    fig, axes = plt.subplots(1, len(panels), figsize=(3 * len(panels), 3.3))
    for ax, (title, path) in zip(axes, panels):
        ax.imshow(plt.imread(path), cmap="gray")
        ax.set_title(title)
        ax.axis("off")
    fig.tight_layout()
    path = out / "samples.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def reproduce_images(args: argparse.Namespace) -> dict[str, Any]:
    """Train every model of ``args.models``; write the table and the figure; return metrics."""
    from survae.experiments.images import train_image

    out = Path(args.out)
    start = time.perf_counter()
    rows = {}
    for model in args.models:
        metrics = train_image(table_spec(args, model))
        rows[model] = metrics
        print(f"{model:10s} test {metrics['test_bpd']:.3f} bpd (ELBO) "
              f"{metrics.get(f'test_iwbo{args.iwbo_k}_bpd', float('nan')):.3f} bpd "
              f"(IWBO {args.iwbo_k}); {metrics['seconds']:.0f} s", flush=True)
    lines = [
        f"Test bits per dim on `{args.dataset}` (1x8x8; the digits' 17 gray levels 0..16 as "
        "they are, dequantized in a 5-bit range, so the bound is on the likelihood of the "
        "17-level data: a uniform model scores log2(17) = 4.09 bpd; 1437 train / 360 test "
        f"images): {args.steps} steps of batch {args.batch_size}, Adam "
        f"{args.lr} with 100 warm-up steps and cosine decay, conditioners with {args.hidden} "
        f"channels, seed {args.seed}, one CPU thread per run. Lower is better.",
        "",
        f"| model | parameters | test bpd (ELBO) | test bpd (IWBO, k={args.iwbo_k}) | train bpd "
        "| minutes |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for model, m in rows.items():
        iw = m.get(f"test_iwbo{args.iwbo_k}_bpd")
        lines.append(
            f"| {model} | {m['parameters']:,} | {m['test_bpd']:.3f} | "
            f"{iw:.3f} | {m['train_bpd']:.3f} | {m['seconds'] / 60:.1f} |"
            if iw is not None else
            f"| {model} | {m['parameters']:,} | {m['test_bpd']:.3f} | - | {m['train_bpd']:.3f} "
            f"| {m['seconds'] / 60:.1f} |"
        )
    command = (f"survae reproduce images --steps {args.steps} --batch-size {args.batch_size} "
               f"--hidden {args.hidden} --iwbo-k {args.iwbo_k}")
    lines += ["", f"Command: `{command}`"]
    table = out / "table.md"
    table.write_text("\n".join(lines) + "\n")
    figure = _figure(out, list(rows))
    if args.docs:
        docs = Path(args.docs)
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(table, docs / "image-table.md")
        shutil.copyfile(figure, docs / "image-samples.png")
    return {
        **{f"{model}_test_bpd": m["test_bpd"] for model, m in rows.items()},
        "steps": args.steps,
        "seconds": round(time.perf_counter() - start, 1),
        "run_dir": str(out),
    }
