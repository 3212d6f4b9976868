"""The ``survae`` command line: ``survae train <experiment> ...``, ``sample``, ``eval``,
``reproduce`` and ``demo``.

Every ``survae train ...`` command ends by printing one JSON line of final metrics and writes the
same to ``metrics.json`` in its run folder. Its flags are generated from the experiment's spec
(:mod:`survae.experiments.specs`); this module only parses them into the spec and calls the
experiment's ``train_<name>(spec)``.

A user's mistake (a bad option, a missing or corrupt checkpoint, a busy run folder, a missing
dataset...) ends with one line ``survae: ...`` on stderr and exit status 2; a run stopped by
non-finite losses exits with 1, one interrupted by SIGINT/SIGTERM with 130 (after writing the
checkpoint of its last finished step). ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from survae.data.toy import TOY_DATASETS
from survae.experiments.config import Experiment, TrainConfig, add_spec_arguments
from survae.experiments.config import spec_from_args as _spec_from_args
from survae.experiments.errors import Interrupted, RunStopped, UserError
from survae.experiments.run_files import metrics_line, report_metrics
from survae.experiments.specs import EXPERIMENTS
from survae.experiments.training import non_negative_int, positive_int


def _demo(args: argparse.Namespace) -> dict[str, Any]:
    from survae.experiments import toy
    from survae.experiments.plots import plot_density_comparison
    from survae.experiments.specs import ToySpec

    start = time.perf_counter()
    out = Path(args.out)
    results = {}
    models = []
    test = None
    for model_name in ("flow", "absflow"):
        spec = ToySpec(dataset=args.dataset, model=model_name, steps=args.steps,
                       out=str(out / model_name), seed=args.seed, threads=args.threads,
                       device=args.device, quiet=args.quiet, overwrite=True)
        metrics, model, test = toy.train_toy(spec)
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


def _train(experiment: Experiment, args: argparse.Namespace) -> dict[str, Any]:
    """``survae train <experiment>``: flags -> spec -> ``train_<experiment>(spec)``."""
    result = experiment.train_function()(_spec_from_args(experiment.spec, args))
    metrics = result[0] if isinstance(result, tuple) else result
    if metrics.get("run_dir"):  # rank 0 (the other ranks of a distributed run stay quiet)
        print(metrics_line(metrics), flush=True)
    return metrics


def build_parser() -> argparse.ArgumentParser:
    """The ``survae`` parser: every command and its flags."""
    from survae.experiments import images, vae
    from survae.experiments.image_table import add_image_table_arguments, reproduce_images
    from survae.experiments.pointcloud import add_pointcloud_table_arguments, reproduce_pointcloud
    from survae.experiments.reproduce import add_reproduce_arguments, reproduce_absflow

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an error instead of one line")
    parser = argparse.ArgumentParser(prog="survae", description=__doc__.splitlines()[0],
                                     parents=[common])
    commands = parser.add_subparsers(dest="command", required=True)

    def command(group, name: str, help: str, func) -> argparse.ArgumentParser:
        sub = group.add_parser(name, help=help, parents=[common])
        sub.set_defaults(func=func)
        return sub

    train = commands.add_parser("train", help="train a model; ends with one JSON line of metrics")
    experiments = train.add_subparsers(dest="train_command", required=True)
    for name, experiment in EXPERIMENTS.items():
        sub = command(experiments, name, experiment.help,
                      lambda a, e=experiment: _train(e, a))
        add_spec_arguments(sub, experiment.spec)

    images.add_sample_arguments(command(commands, "sample", "write an image grid of a trained "
                                        "model", images.run_sample))
    images.add_eval_arguments(command(commands, "eval", "test bits/dim of a trained model "
                                      "(JSON line)", images.run_eval))

    reproduce = commands.add_parser("reproduce", help="reproduce a table of the paper")
    tables = reproduce.add_subparsers(dest="reproduce_command", required=True)
    for name, help, add, run in (
        ("absflow", "Flow vs AbsFlow on the four toy densities", add_reproduce_arguments,
         reproduce_absflow),
        ("vae", "flow-VAE comparison table on the digits", vae.add_vae_table_arguments,
         vae.reproduce_vae),
        ("pointcloud", "point-cloud flows on SpatialDigits", add_pointcloud_table_arguments,
         reproduce_pointcloud),
        ("images", "every image model on the digits: bpd table", add_image_table_arguments,
         reproduce_images),
    ):
        add(command(tables, name, help, lambda a, run=run: report_metrics(run(a), a.out)))

    demo = command(commands, "demo", "the default job: flow vs absflow on checkerboard "
                   "(replaces an earlier demo in --out)", lambda a: report_metrics(_demo(a), a.out))
    demo.add_argument("--out", default="runs/demo")
    demo.add_argument("--dataset", default="checkerboard", choices=sorted(TOY_DATASETS))
    demo.add_argument("--steps", type=positive_int, default=10_000)
    demo.add_argument("--seed", type=non_negative_int, default=0)
    demo.add_argument(
        "--threads", type=non_negative_int, default=1, help="torch CPU threads (0: default)"
    )
    demo.add_argument("--device", default="cpu")
    demo.add_argument("--quiet", action="store_true")
    return parser


def parse_spec(argv: Sequence[str]) -> TrainConfig:
    """The spec a ``survae train <experiment> ...`` command line describes (flags over
    ``--config`` YAML over the defaults), e.g. ``parse_spec(["train", "toy", "--steps", "5"])``."""
    args = build_parser().parse_args(argv)
    if args.command != "train":
        raise ValueError(f"parse_spec: expected a `train` command line, got {args.command!r}")
    return _spec_from_args(EXPERIMENTS[args.train_command].spec, args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``survae`` command line with ``argv`` (default: ``sys.argv[1:]``); return 0.

    Errors end with one line on stderr and ``SystemExit`` (see the module docstring).
    """
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (UserError, RunStopped, Interrupted, KeyboardInterrupt) as error:
        if getattr(args, "debug", False):
            raise
        print(f"survae: {error or 'interrupted'}", file=sys.stderr, flush=True)
        raise SystemExit(getattr(error, "exit_code", 130)) from None
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():  # launched by torchrun: leave together
        dist.barrier()
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
