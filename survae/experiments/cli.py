"""The ``survae`` command line: ``survae train <experiment> ...`` and ``survae demo``.

Every ``survae train ...`` command ends by printing one JSON line of final metrics and writes the
same to ``metrics.json`` in its run folder.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from survae.data.toy import TOY_DATASETS
from survae.experiments.training import non_negative_int, report_metrics


def _demo(args: argparse.Namespace) -> dict[str, Any]:
    from survae.experiments.plots import plot_density_comparison
    from survae.experiments.toy import add_toy_arguments, train_toy

    start = time.perf_counter()
    out = Path(args.out)
    results = {}
    models = []
    test = None
    for model_name in ("flow", "absflow"):
        parser = argparse.ArgumentParser()
        add_toy_arguments(parser)
        toy_args = parser.parse_args(
            [
                "--dataset",
                args.dataset,
                "--model",
                model_name,
                "--steps",
                str(args.steps),
                "--out",
                str(out / model_name),
                "--seed",
                str(args.seed),
                "--threads",
                str(args.threads),
                "--device",
                args.device,
            ]
            + (["--quiet"] if args.quiet else [])
        )
        metrics, model, test = train_toy(toy_args)
        results[model_name] = metrics
        models.append((f"{model_name}: {metrics['test_nll_nats']:.3f} nats", model))
        print(
            f"{model_name:8s} test NLL on {args.dataset}: {metrics['test_nll_nats']:.3f} nats "
            f"({metrics['steps']} steps, {metrics['seconds']:.0f} s); plots in {out / model_name}",
            flush=True,
        )
    plot_density_comparison(test, models, out / "comparison.png")
    print(f"side-by-side densities: {out / 'comparison.png'}", flush=True)
    return {
        "dataset": args.dataset,
        "flow_test_nll_nats": results["flow"]["test_nll_nats"],
        "absflow_test_nll_nats": results["absflow"]["test_nll_nats"],
        "steps": args.steps,
        "seconds": round(time.perf_counter() - start, 1),
        "run_dir": str(out),
    }


def build_parser() -> argparse.ArgumentParser:
    from survae.experiments.reproduce import add_reproduce_arguments, reproduce_absflow
    from survae.experiments.toy import add_toy_arguments, run_train_toy

    parser = argparse.ArgumentParser(prog="survae", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a model; ends with one JSON line of metrics")
    experiments = train.add_subparsers(dest="train_command", required=True)
    toy = experiments.add_parser("toy", help="2-D toy densities: flow vs absflow")
    add_toy_arguments(toy)
    toy.set_defaults(func=run_train_toy)

    from survae.experiments import images

    image = experiments.add_parser("image", help="image flows (RealNVP, Glow, MaxPoolFlow...)")
    images.add_image_arguments(image)
    image.set_defaults(func=images.run_train_image)
    from survae.experiments import vae

    vae_command = experiments.add_parser("vae", help="VAEs with flow posteriors (flow-VAE)")
    vae.add_vae_arguments(vae_command)
    vae_command.set_defaults(func=vae.run_train_vae)
    from survae.experiments import pointcloud

    cloud = experiments.add_parser("pointcloud", help="SortFlow / PermuteFlow on point sets")
    pointcloud.add_pointcloud_arguments(cloud)
    cloud.set_defaults(func=pointcloud.run_train_pointcloud)
    from survae.experiments import energy

    energy_command = experiments.add_parser(
        "energy", help="sample an energy: flow or stochastic normalizing flow (reverse KL)"
    )
    energy.add_energy_arguments(energy_command)
    energy_command.set_defaults(func=energy.run_train_energy)
    sample = commands.add_parser("sample", help="write an image grid of a trained model")
    images.add_sample_arguments(sample)
    sample.set_defaults(func=images.run_sample)
    evaluate = commands.add_parser("eval", help="test bits/dim of a trained model (JSON line)")
    images.add_eval_arguments(evaluate)
    evaluate.set_defaults(func=images.run_eval)

    reproduce = commands.add_parser("reproduce", help="reproduce a table of the paper")
    tables = reproduce.add_subparsers(dest="reproduce_command", required=True)
    absflow = tables.add_parser("absflow", help="Flow vs AbsFlow on the four toy densities")
    add_reproduce_arguments(absflow)
    absflow.set_defaults(func=lambda a: report_metrics(reproduce_absflow(a), a.out))

    from survae.experiments.image_table import add_image_table_arguments, reproduce_images
    from survae.experiments.pointcloud import (
        add_pointcloud_table_arguments,
        reproduce_pointcloud,
    )

    vae_table = tables.add_parser("vae", help="flow-VAE comparison table on the digits")
    vae.add_vae_table_arguments(vae_table)
    vae_table.set_defaults(func=lambda a: report_metrics(vae.reproduce_vae(a), a.out))
    cloud_table = tables.add_parser("pointcloud", help="point-cloud flows on SpatialDigits")
    add_pointcloud_table_arguments(cloud_table)
    cloud_table.set_defaults(func=lambda a: report_metrics(reproduce_pointcloud(a), a.out))

    image_table = tables.add_parser("images", help="every image model on the digits: bpd table")
    add_image_table_arguments(image_table)
    image_table.set_defaults(func=lambda a: report_metrics(reproduce_images(a), a.out))

    demo = commands.add_parser("demo", help="the default job: flow vs absflow on checkerboard")
    demo.add_argument("--out", default="runs/demo")
    demo.add_argument("--dataset", default="checkerboard", choices=sorted(TOY_DATASETS))
    demo.add_argument("--steps", type=non_negative_int, default=10_000)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument(
        "--threads", type=non_negative_int, default=1, help="torch CPU threads (0: default)"
    )
    demo.add_argument("--device", default="cpu")
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(func=lambda a: report_metrics(_demo(a), a.out))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``survae`` command line with ``argv`` (default: ``sys.argv[1:]``); return 0."""
    from survae.experiments.trainer import ResumeMismatch, parse_with_config

    args = parse_with_config(build_parser(), argv)
    try:
        args.func(args)
    except ResumeMismatch as error:
        raise SystemExit(f"survae: {error}") from None
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():  # launched by torchrun: leave together
        dist.barrier()
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
