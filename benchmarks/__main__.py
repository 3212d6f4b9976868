"""``python -m benchmarks``: median times of survae, zuko, nflows, normflows and the raw limit.

Libraries are interleaved within every repetition, so machine drift hits all of them alike.
Output: a markdown table (median ms, ratio to the fastest peer, ratio to the raw-network limit),
printed and written to ``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import importlib.util
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch

from benchmarks import models as M

PEERS = ("zuko", "nflows", "normflows")


def _machine() -> str:
    """CPU model (from /proc/cpuinfo where there is one) and number of cores."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores"


def _available(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


@dataclasses.dataclass(frozen=True)
class Setup:
    """Where and how the workloads run (the options a GPU user wants, all runnable on the CPU).

    Attributes:
        device: ``"cpu"`` or ``"cuda"`` (``"cuda:1"``...).
        autocast: ``"bf16"``: the loss under ``torch.autocast(dtype=torch.bfloat16)`` (the
            backward outside it, as torch recommends); ``"none"``: float32.
        channels_last: image workloads (D, E) with channels-last parameters and inputs.
        cuda_graphs: the compiled rows use ``torch.compile(mode="reduce-overhead")``, which
            replays the compiled step as a CUDA graph on a GPU (on the CPU the mode is accepted
            and has nothing to capture).
    """

    device: str = "cpu"
    autocast: str = "none"
    channels_last: bool = False
    cuda_graphs: bool = False

    @property
    def is_cuda(self) -> bool:
        return torch.device(self.device).type == "cuda"

    def context(self) -> contextlib.AbstractContextManager:
        if self.autocast == "bf16":
            return torch.autocast(torch.device(self.device).type, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def place(self, model: M.Model, image: bool) -> M.Model:
        model.module.to(self.device)
        if image and self.channels_last:
            model.module.to(memory_format=torch.channels_last)
        return model

    def data(self, shape: tuple[int, ...], batch: int) -> torch.Tensor:
        x = torch.randn(batch, *shape, device=self.device)
        if len(shape) == 3 and self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return x

    def timed(self, fn: Callable[[], None]) -> Callable[[], None]:
        if not self.is_cuda:
            return fn

        def run() -> None:  # the clock stops when the GPU is done
            fn()
            torch.cuda.synchronize(self.device)

        return run

    def describe(self) -> str:
        parts = [self.device]
        if self.autocast != "none":
            parts.append(f"{self.autocast} autocast")
        if self.channels_last:
            parts.append("channels_last images")
        if self.cuda_graphs:
            parts.append("compiled rows as CUDA graphs (reduce-overhead)")
        return ", ".join(parts)


def _train_step(model: M.Model, x: torch.Tensor, setup: Setup = Setup()) -> Callable[[], None]:
    optimizer = torch.optim.Adam(model.module.parameters(), lr=1e-4)

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        with setup.context():
            loss = model.loss(x)
        loss.float().backward()
        optimizer.step()

    return setup.timed(step)


def _log_prob(model: M.Model, x: torch.Tensor, setup: Setup = Setup()) -> Callable[[], None]:
    def run() -> None:
        with torch.no_grad(), setup.context():
            model.log_prob(x)

    return setup.timed(run)


def _sample(model: M.Model, n: int, setup: Setup = Setup()) -> Callable[[], None]:
    def run() -> None:
        with torch.no_grad(), setup.context():
            model.sample(n)

    return setup.timed(run)


WORKLOADS = {
    "A": (
        "2-D affine coupling x8, MLP 1-128-128-2",
        (2,),
        {
            "survae": M.survae_coupling,
            "survae+compile": M.compiled(M.survae_coupling),
            "zuko": M.zuko_coupling,
            "nflows": M.nflows_coupling,
            "normflows": M.normflows_coupling,
            "hand-written": M.handwritten_coupling,
            "limit": M.raw_coupling,
            "limit+dx": M.with_input_grads(M.raw_coupling),
        },
    ),
    "B": (
        "8-D MAF x5, MADE 128x2",
        (8,),
        {
            "survae": M.survae_maf,
            "survae+compile": M.compiled(M.survae_maf),
            "zuko": M.zuko_maf,
            "nflows": M.nflows_maf,
            "normflows": M.normflows_maf,
            "limit": M.raw_maf,
            "limit+dx": M.with_input_grads(M.raw_maf),
        },
    ),
    "B-iaf": (
        "the same MADE layers in the sampling direction (IAF: one pass per layer to sample)",
        (8,),
        {
            "survae": M.survae_iaf,
            "zuko": M.zuko_iaf,
            "nflows": M.nflows_iaf,
            "normflows": M.normflows_iaf,
        },
    ),
    "C": (
        "2-D RQ-spline coupling x4, 8 bins, B=4",
        (2,),
        {
            "survae": M.survae_spline,
            "survae+compile": M.compiled(M.survae_spline),
            "zuko": M.zuko_spline,
            "nflows": M.nflows_spline,
            "normflows": M.normflows_spline,
            "limit": lambda: M.raw_coupling(4, 23),
            "limit+dx": M.with_input_grads(lambda: M.raw_coupling(4, 23)),
        },
    ),
    "D": (
        "multi-scale image flow (3,16,16)",
        (3, 16, 16),
        {
            "survae": M.survae_multiscale,
            "survae+compile": M.compiled(M.survae_multiscale),
            "limit": M.raw_multiscale,
            "limit+dx": M.with_input_grads(M.raw_multiscale),
        },
    ),
    "E": (
        "Glow-style image flow (3,16,16), 2 levels x 4 steps, conv conditioners 64 hidden",
        (3, 16, 16),
        {
            "survae": M.survae_glow,
            "survae+compile": M.compiled(M.survae_glow),
            "normflows": M.normflows_glow,
            "hand-written": M.handwritten_glow,
            "limit": M.raw_glow,
            "limit+dx": M.with_input_grads(M.raw_glow),
        },
    ),
}

CASES = [  # (workload, operation, batch)
    ("A", "train", 1024),
    ("A", "train", 64),
    ("A", "log_prob", 1024),
    ("A", "sample", 1024),
    ("B", "train", 1024),
    ("B", "train", 64),
    ("B", "sample", 1024),
    ("B-iaf", "sample", 1024),
    ("C", "train", 1024),
    ("D", "train", 64),
    ("E", "train", 16),
    ("E", "train", 64),
]


def _build(workload: str, setup: Setup = Setup()) -> dict[str, M.Model]:
    _, shape, makers = WORKLOADS[workload]
    built = {}
    for name, make in makers.items():
        if name in PEERS and not _available(name):
            print(f"  {workload}: {name} not installed, skipped")
            continue
        torch.manual_seed(0)
        try:
            built[name] = setup.place(make(), image=len(shape) == 3)
        except Exception as error:  # a peer's API drift must not stop the whole run
            print(f"  {workload}: {name} could not be built ({type(error).__name__}: {error})")
    return built


LABELS = {"limit+dx": "raw limit + input grads"}

LEGEND = """
Rows: survae+compile is ``torch.compile(flow.log_prob)`` (compiled in the warm-up); raw limit is the
conditioner networks alone (forward, backward, Adam step) on the shapes the flow feeds them, with
leaf inputs; raw limit + input grads is the same with inputs that require gradients, so the
networks' backward also computes the input gradients any flow needs (each conditioner's input
depends on earlier layers); hand-written is workload A (or E) coded without a library as lean as
eager PyTorch allows (E's on the parameters of survae's flow: the same tensors for Adam). B-iaf runs
the same MADE layers in the sampling direction (one network pass per layer to sample): normflows'
own ``MaskedAffineAutoregressive`` is that, so in B it is wrapped in ``nf.flows.Reverse`` to make
the same MAF as the others.
"""

TIMERS = {"wall": time.perf_counter, "cpu": time.thread_time}


def run(
    repeats: int,
    out: Path,
    timer: str = "wall",
    only: list[str] | None = None,
    setup: Setup = Setup(),
) -> str:
    clock = TIMERS[timer]
    M.COMPILE_OPTIONS["mode"] = "reduce-overhead" if setup.cuda_graphs else None
    rows = []
    cache: dict[str, dict[str, M.Model]] = {}
    for workload, operation, batch in CASES:
        if only and workload not in only:
            continue
        if workload not in cache:
            cache[workload] = _build(workload, setup)
            counts = ", ".join(f"{k} {v.num_params}" for k, v in cache[workload].items())
            print(f"{workload}: {WORKLOADS[workload][0]}; parameters: {counts}", flush=True)
        shape = WORKLOADS[workload][1]
        x = setup.data(shape, batch)
        fns = {}
        for name, model in cache[workload].items():
            if operation == "train":
                fns[name] = _train_step(model, x, setup)
            elif operation == "log_prob" and model.log_prob is not None:
                fns[name] = _log_prob(model, x, setup)
            elif operation == "sample" and model.sample is not None:
                fns[name] = _sample(model, batch, setup)
        for fn in fns.values():  # warm up (and compile, for the compiled variants)
            for _ in range(3):
                fn()
        times = {name: [] for name in fns}
        for _ in range(repeats):
            for name, fn in fns.items():
                start = clock()
                fn()
                times[name].append(clock() - start)
        medians = {name: 1e3 * statistics.median(values) for name, values in times.items()}
        peers = [medians[p] for p in PEERS if p in medians]
        fastest_peer = min(peers) if peers else None
        limit = medians.get("limit")
        for name, value in medians.items():
            if name == "limit":
                continue
            rows.append(
                (
                    f"{workload} {operation} b{batch}",
                    LABELS.get(name, name),
                    value,
                    value / fastest_peer if fastest_peer else None,
                    value / limit if limit else None,
                )
            )
        if limit:
            rows.append((f"{workload} {operation} b{batch}", "raw limit", limit, None, 1.0))
        print(
            f"  {workload} {operation} b{batch}: "
            + ", ".join(f"{k} {v:.2f} ms" for k, v in medians.items()),
            flush=True,
        )

    def fmt(v):
        return "" if v is None else f"{v:.2f}"

    lines = [
        f"Benchmarks, {datetime.date.today()}, {_machine()}, "
        f"{torch.get_num_threads()} threads, torch {torch.__version__}; median of {repeats} "
        f"interleaved repetitions ({timer} time); {setup.describe()}.",
        "",
        "| case | library | median ms | / fastest peer | / raw limit |",
        "| --- | --- | --- | --- | --- |",
        *[f"| {c} | {lib} | {ms:.2f} | {fmt(rp)} | {fmt(rl)} |" for c, lib, ms, rp, rl in rows],
        LEGEND,
    ]
    table = "\n".join(lines) + "\n"
    out.write_text(table)
    print(table)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results.md")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's own choice)"
    )
    parser.add_argument(
        "--timer",
        choices=sorted(TIMERS),
        default="wall",
        help="wall clock, or the CPU time of the calling thread (with --threads 1 it is all the "
        "work, and time the process spends descheduled on a loaded machine is not counted)",
    )
    parser.add_argument(
        "--only", default=None, help="comma-separated workloads to run (e.g. 'D,E'); default all"
    )
    parser.add_argument("--device", default="cpu", help="cpu or cuda (cuda:1...)")
    parser.add_argument(
        "--autocast", choices=["none", "bf16"], default=None,
        help="bf16 autocast of the loss (default: bf16 on cuda, none on cpu)",
    )
    parser.add_argument(
        "--channels-last", action=argparse.BooleanOptionalAction, default=None,
        help="channels-last image workloads (default: on for cuda)",
    )
    parser.add_argument(
        "--cuda-graphs", action=argparse.BooleanOptionalAction, default=None,
        help="compiled rows with mode='reduce-overhead' (CUDA graphs; default: on for cuda)",
    )
    args = parser.parse_args()
    if args.timer == "cpu" and args.threads != 1:
        parser.error("--timer cpu measures one thread: use it with --threads 1")
    if args.threads:
        torch.set_num_threads(args.threads)
    # nflows' spline coupling warns about its own initialisation on every call.
    warnings.filterwarnings("ignore", message="Inputs to the softmax are not scaled down")
    cuda = torch.device(args.device).type == "cuda"
    if cuda and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA device is available")
    if cuda and args.timer == "cpu":
        parser.error("--timer cpu does not see GPU time: use the wall clock with --device cuda")
    setup = Setup(
        device=args.device,
        autocast=args.autocast or ("bf16" if cuda else "none"),
        channels_last=cuda if args.channels_last is None else args.channels_last,
        cuda_graphs=cuda if args.cuda_graphs is None else args.cuda_graphs,
    )
    only = args.only.split(",") if args.only else None
    unknown = sorted(set(only or ()) - set(WORKLOADS))
    if unknown:
        parser.error(f"--only: unknown workloads {unknown}; choose from {sorted(WORKLOADS)}")
    run(args.repeats, args.out, args.timer, only, setup)


if __name__ == "__main__":
    main()
