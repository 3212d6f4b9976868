"""``python -m benchmarks``: median times of survae, zuko, nflows, normflows and the raw limit.

Libraries are interleaved within every repetition, so machine drift hits all of them alike.
Output: a markdown table (median ms, ratio to the fastest peer, ratio to the raw-network limit),
printed and written to ``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch

from benchmarks import models as M

PEERS = ("zuko", "nflows", "normflows")


def _available(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _train_step(model: M.Model, x: torch.Tensor) -> Callable[[], None]:
    optimizer = torch.optim.Adam(model.module.parameters(), lr=1e-4)

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        model.loss(x).backward()
        optimizer.step()

    return step


def _log_prob(model: M.Model, x: torch.Tensor) -> Callable[[], None]:
    def run() -> None:
        with torch.no_grad():
            model.log_prob(x)

    return run


def _sample(model: M.Model, n: int) -> Callable[[], None]:
    def run() -> None:
        with torch.no_grad():
            model.sample(n)

    return run


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
            "limit": M.raw_coupling,
        },
    ),
    "B": (
        "8-D MAF x5, MADE 128x2",
        (8,),
        {
            "survae": M.survae_maf,
            "survae+compile": M.compiled(M.survae_maf),
            "survae-iaf": M.survae_iaf,
            "zuko": M.zuko_maf,
            "nflows": M.nflows_maf,
            "normflows": M.normflows_maf,
            "limit": M.raw_maf,
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
        },
    ),
    "D": (
        "multi-scale image flow (3,16,16)",
        (3, 16, 16),
        {
            "survae": M.survae_multiscale,
            "survae+compile": M.compiled(M.survae_multiscale),
            "limit": M.raw_multiscale,
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
    ("C", "train", 1024),
    ("D", "train", 64),
]


def _build(workload: str) -> dict[str, M.Model]:
    _, _, makers = WORKLOADS[workload]
    built = {}
    for name, make in makers.items():
        if name in PEERS and not _available(name):
            print(f"  {workload}: {name} not installed, skipped")
            continue
        torch.manual_seed(0)
        try:
            built[name] = make()
        except Exception as error:  # a peer's API drift must not stop the whole run
            print(f"  {workload}: {name} could not be built ({type(error).__name__}: {error})")
    return built


def run(repeats: int, out: Path) -> str:
    rows = []
    cache: dict[str, dict[str, M.Model]] = {}
    for workload, operation, batch in CASES:
        if workload not in cache:
            cache[workload] = _build(workload)
            counts = ", ".join(f"{k} {v.num_params}" for k, v in cache[workload].items())
            print(f"{workload}: {WORKLOADS[workload][0]}; parameters: {counts}", flush=True)
        shape = WORKLOADS[workload][1]
        x = torch.randn(batch, *shape)
        fns = {}
        for name, model in cache[workload].items():
            if operation == "train":
                fns[name] = _train_step(model, x)
            elif operation == "log_prob" and model.log_prob is not None and name != "limit":
                fns[name] = _log_prob(model, x)
            elif operation == "sample" and model.sample is not None and name != "limit":
                fns[name] = _sample(model, batch)
        for fn in fns.values():  # warm up (and compile, for the compiled variants)
            for _ in range(3):
                fn()
        times = {name: [] for name in fns}
        for _ in range(repeats):
            for name, fn in fns.items():
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
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
                    name,
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
        f"Benchmarks, {datetime.date.today()}, {platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} threads, torch {torch.__version__}; median of {repeats} "
        "interleaved repetitions.",
        "",
        "| case | library | median ms | / fastest peer | / raw limit |",
        "| --- | --- | --- | --- | --- |",
        *[f"| {c} | {lib} | {ms:.2f} | {fmt(rp)} | {fmt(rl)} |" for c, lib, ms, rp, rl in rows],
    ]
    table = "\n".join(lines) + "\n"
    out.write_text(table)
    print(table)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results.md")
    args = parser.parse_args()
    run(args.repeats, args.out)


if __name__ == "__main__":
    main()
