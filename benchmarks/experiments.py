"""``python -m benchmarks.experiments``: throughput of every ``survae train`` experiment.

Each row is the model a ``survae train ...`` command builds with its default settings (toy: the
checkerboard flow and AbsFlow; image: the five models on the default ``digits`` data, 1x8x8, 5
bits, 64 hidden channels; vae: the planar flow-VAE on digits; pointcloud: the four point-cloud
flows with the settings of ``survae train pointcloud --model NAME``), on a synthetic batch of
the command's default batch size. Columns: the training step (``loss.backward()`` and a step of
the trainer's Adam, fused on the CPU) eager, with ``memory_saving=True`` (flows with a
deterministic stack to recompute), and with the trainer's compiled step (``CompiledStep``, only
with ``--compile``: compiling every model takes minutes on a small CPU) and its speed-up (eager
ms / compiled ms); sampling (samples/s of ``model.sample(batch)``); and the IWBO evaluation with
``k = 16`` importance samples of one batch, for models whose likelihood is a bound; with
``--memory``, the peak tensor memory of one training step eager and memory-saving (torch
profiler allocation timeline, parameters, gradients and Adam state included; see
``benchmarks.memory``). Medians of ``--repeats`` interleaved repetitions, timed by
``time.thread_time`` with one torch thread.
Written to ``benchmarks/experiments.md`` and printed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn


def _models() -> dict[str, tuple[Callable[[], nn.Module], Callable[[int], torch.Tensor], int]]:
    from survae.experiments.pointcloud import model_settings
    from survae.experiments.specs import PointcloudSpec
    from survae.experiments.toy import build_toy_model
    from survae.models.images import build_image_model
    from survae.models.pointcloud import build_pointcloud_flow
    from survae.models.vae import build_flow_vae

    def images(name):
        return (lambda: build_image_model(name, (1, 8, 8), num_bits=5, hidden=64),
                lambda n: torch.randint(0, 17, (n, 1, 8, 8)), 64)

    def points(name):
        spec = PointcloudSpec(model=name).resolved()
        return (lambda: build_pointcloud_flow(name, **model_settings(spec)),
                lambda n: 28 * torch.rand(n, spec.num_points, 2), spec.batch_size)

    return {
        "toy flow": (lambda: build_toy_model("flow", "checkerboard"),
                     lambda n: 2 * torch.randn(n, 2), 128),
        "toy absflow": (lambda: build_toy_model("absflow", "checkerboard"),
                        lambda n: 2 * torch.rand(n, 2) - 1, 128),
        **{f"image {name}": images(name)
           for name in ("realnvp", "glow", "augmented", "maxpool", "baseline")},
        "vae planar": (lambda: build_flow_vae((1, 8, 8), 8, "planar", 16, "static", "dense", 256),
                       lambda n: torch.bernoulli(torch.full((n, 1, 8, 8), 0.3)), 64),
        **{f"pointcloud {name}": points(name)
           for name in ("sort", "permute", "baseline", "equivariant")},
    }


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.thread_time()
        fn()
        times.append(time.thread_time() - start)
    return 1e3 * statistics.median(times)


def _train_step(model: nn.Module, step: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor):
    from survae.experiments.config import TrainConfig
    from survae.experiments.trainer import default_optimizer

    optimizer = default_optimizer(model, TrainConfig(lr=1e-5))  # the trainer's Adam (fused)

    def run() -> None:
        optimizer.zero_grad(set_to_none=True)
        step(x).backward()
        optimizer.step()

    return run


def _peak_tensor_mib(run: Callable[[], None]) -> float:
    from benchmarks.memory import peak_tensor_bytes

    return peak_tensor_bytes(run) / 2**20


def measure(name: str, repeats: int, compile_step: bool,
            memory: bool = False) -> dict[str, float | None]:
    from survae.experiments.compiled_step import CompiledStep
    from survae.experiments.trainer import _LossModule
    from survae.utils.loss import iwbo_nats

    make, data, batch = _models()[name]
    torch.manual_seed(0)
    model = make()
    x = data(batch)
    loss_module = _LossModule(model, lambda m, b: -m.log_prob(b).mean())
    model.train()
    with torch.no_grad():
        loss_module(x)  # data-dependent initialisation outside the timings
    row: dict[str, float | None] = {"batch": batch,
                                    "params": sum(p.numel() for p in model.parameters())}
    row["eager ms"] = _median_ms(_train_step(model, loss_module, x), repeats)
    row["eager peak MiB"] = (_peak_tensor_mib(_train_step(model, loss_module, x))
                             if memory else None)
    row["memory-saving peak MiB"] = row["memory-saving ms"] = None
    if any(not t.stochastic_forward for t in getattr(model, "transforms", [])):
        model.memory_saving = True
        row["memory-saving ms"] = _median_ms(_train_step(model, loss_module, x), repeats)
        if memory:
            row["memory-saving peak MiB"] = _peak_tensor_mib(_train_step(model, loss_module, x))
        model.memory_saving = False
    row["compiled ms"] = None
    if compile_step:
        torch._dynamo.reset()
        compiled = CompiledStep(loss_module)
        run = _train_step(model, compiled, x)
        run()  # compile
        row["compiled ms"] = _median_ms(run, repeats) if compiled.compiled else None
    row["compiled speed-up"] = (row["eager ms"] / row["compiled ms"]
                                if row["compiled ms"] else None)
    model.eval()
    with torch.no_grad():
        sample_ms = _median_ms(lambda: model.sample(batch), max(3, repeats // 3))
        row["samples/s"] = 1e3 * batch / sample_ms
        row["iwbo k=16 ms"] = (_median_ms(lambda: iwbo_nats(model, x, 16), max(3, repeats // 3))
                               if model.lower_bound else None)
    return row


COLUMNS = ("batch", "params", "eager ms", "memory-saving ms", "compiled ms", "compiled speed-up",
           "samples/s", "iwbo k=16 ms")
MEMORY_COLUMNS = ("eager peak MiB", "memory-saving peak MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--compile", action="store_true",
                        help="also time the trainer's compiled step (minutes per model)")
    parser.add_argument("--memory", action="store_true",
                        help="also the peak tensor memory of one training step, eager and "
                             "memory-saving (torch profiler, see benchmarks.memory)")
    parser.add_argument("--only", default=None, help="comma-separated row names")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "experiments.md")
    args = parser.parse_args()
    torch.set_num_threads(1)
    names = args.only.split(",") if args.only else list(_models())

    def fmt(v):
        if v is None:
            return ""
        return f"{v:.0f}" if isinstance(v, int) or v >= 1000 else f"{v:.2f}"

    columns = COLUMNS + (MEMORY_COLUMNS if args.memory else ())
    lines = ["| experiment | " + " | ".join(columns) + " |",
             "| --- |" + " --- |" * len(columns)]
    for name in names:
        row = measure(name, args.repeats, args.compile, args.memory)
        lines.append(f"| {name} | " + " | ".join(fmt(row[c]) for c in columns) + " |")
        print(lines[-1], flush=True)
    table = "\n".join(lines) + "\n"
    args.out.write_text(table)
    print(table)


if __name__ == "__main__":
    main()
