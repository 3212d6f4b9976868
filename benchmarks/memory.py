"""``python -m benchmarks.memory``: peak memory and time of one Glow training step, standard
autograd vs memory-saving backpropagation (``Flow(memory_saving=True)``).

Each mode runs in a fresh subprocess, so its peak resident set size (``ru_maxrss``) is its own.
The model is survae's Glow (``survae.models.images.glow``) on 3x32x32 images, by default 3 levels
of 32 steps (the Glow paper's CIFAR-10 depth) with 64 hidden channels. Reported: the peak RSS of
the process, the RSS before the training step (torch, the model, its ActNorm initialisation and
the Adam state; importing torch alone is about 700 MiB) and their difference (what the
training step itself adds), and the CPU time of the step (``time.thread_time`` with one torch
thread, immune to other jobs on the machine).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def measure(memory_saving: bool, levels: int, steps: int, hidden: int, batch: int,
            repeats: int) -> dict:
    """One process: build, initialise, then ``repeats`` Adam steps; returns the figures."""
    import torch

    from survae.models.images import glow

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = glow((3, 32, 32), num_levels=levels, steps=steps, hidden=hidden)
    x = torch.randint(0, 256, (batch, 3, 32, 32))
    with torch.no_grad():  # ActNorm's data-dependent initialisation, on a few images so that
        model.log_prob(x[:4])  # the allocator's high-water mark before the step stays low
    model.memory_saving = memory_saving
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    for p in model.parameters():  # Adam's state exists before the measured steps
        p.grad = torch.zeros_like(p)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    before = _rss_mib()
    times, losses = [], []
    for _ in range(repeats):
        start = time.thread_time()
        loss = -model.log_prob(x).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        times.append(time.thread_time() - start)
        losses.append(float(loss))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "memory_saving": memory_saving,
        "params": sum(p.numel() for p in model.parameters()),
        "rss_before_mib": before,
        "peak_rss_mib": peak,
        "step_mib": peak - before,
        "step_s": min(times),
        "losses": losses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=3)
    parser.add_argument("--steps", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--child", choices=["standard", "memory_saving"], default=None)
    args = parser.parse_args()
    config = (args.levels, args.steps, args.hidden, args.batch, args.repeats)
    if args.child:
        print(json.dumps(measure(args.child == "memory_saving", *config)))
        return
    results = {}
    for mode in ("standard", "memory_saving"):
        command = [sys.executable, "-m", "benchmarks.memory", "--child", mode,
                   *[f"--{k}={v}" for k, v in zip(("levels", "steps", "hidden", "batch",
                                                   "repeats"), config)]]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results[mode] = json.loads(out.strip().splitlines()[-1])
        print(mode, results[mode], flush=True)
    std, ms = results["standard"], results["memory_saving"]
    print(
        f"\nGlow 3x32x32, {args.levels} levels x {args.steps} steps, hidden {args.hidden}, batch "
        f"{args.batch}, {std['params']} parameters, torch 1 thread, best of {args.repeats} steps:\n"
        "| mode | peak RSS MiB | RSS before the step MiB | step adds MiB | step CPU s |\n"
        "| --- | --- | --- | --- | --- |\n"
        + "".join(
            f"| {name} | {r['peak_rss_mib']:.0f} | {r['rss_before_mib']:.0f} | "
            f"{r['step_mib']:.0f} | {r['step_s']:.2f} |\n"
            for name, r in (("standard", std), ("memory-saving", ms))
        )
        + f"ratios: peak RSS {std['peak_rss_mib'] / ms['peak_rss_mib']:.2f}x less, step memory "
        f"{std['step_mib'] / ms['step_mib']:.2f}x less, time {ms['step_s'] / std['step_s']:.2f}x"
    )


if __name__ == "__main__":
    main()
