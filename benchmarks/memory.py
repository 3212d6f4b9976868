"""``python -m benchmarks.memory``: peak memory and time of one Glow training step, standard
autograd vs memory-saving backpropagation (``Flow(memory_saving=True)``).

Each mode runs in a fresh subprocess, so its peak resident set size (``ru_maxrss``) is its own.
The model is survae's Glow (``survae.models.images.glow``) on 3x32x32 images, by default 3 levels
of 32 steps (the Glow paper's CIFAR-10 depth) with 64 hidden channels. Reported: the peak RSS of
the process, the RSS before the training step (torch, the model, its ActNorm initialisation and
the Adam state; importing torch alone is about 700 MiB) and their difference (what the
training step itself adds), and the CPU time of the step (``time.thread_time`` with one torch
thread, immune to other jobs on the machine).

Next to the RSS figures, one more step runs under the torch profiler's memory profiling
(``profile_memory=True``; after the RSS peak is taken, so the profiler's own memory does not
count): the peak of the bytes held by live tensors during that step, from the profiler's
allocation timeline (every tensor allocation and free of the CPU allocator, including the
parameters, gradients and Adam state the step touches). This is the training memory without the
process's fixed costs (the torch libraries, the Python heap, allocator slack); the parameters
plus Adam's state (``static``) are reported apart, so ``peak tensors - static`` is what the step
itself holds at its peak: activations kept for the backward pass, gradients and temporaries.
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


def peak_tensor_bytes(step) -> int:
    """Peak bytes of live CPU tensors while ``step()`` runs, from the torch profiler's memory
    timeline (tensors that existed before and are used in the step count from the start)."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True, record_shapes=True,
                 with_stack=True) as prof:  # the memory timeline needs shapes and stacks
        step()
    live = peak = 0
    for _, action, _, size in prof._memory_profile().timeline:
        if action.name in ("PREEXISTING", "CREATE"):
            live += size
        elif action.name == "DESTROY":
            live -= size
        peak = max(peak, live)
    return peak


def measure(memory_saving: bool, levels: int, steps: int, hidden: int, batch: int,
            repeats: int, tensor_memory: bool = True) -> dict:
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

    def step() -> None:
        loss = -model.log_prob(x).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(float(loss.detach()))

    for _ in range(repeats):
        start = time.thread_time()
        step()
        times.append(time.thread_time() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    static = sum(t.numel() * t.element_size() for t in (
        *model.parameters(),
        *(v for state in optimizer.state.values() for v in state.values() if torch.is_tensor(v)),
    ))
    tensors = peak_tensor_bytes(step) if tensor_memory else None
    return {
        "memory_saving": memory_saving,
        "params": sum(p.numel() for p in model.parameters()),
        "rss_before_mib": before,
        "peak_rss_mib": peak,
        "step_mib": peak - before,
        "step_s": min(times),
        "static_tensor_mib": static / 2**20,
        "peak_tensor_mib": None if tensors is None else tensors / 2**20,
        "losses": losses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=3)
    parser.add_argument("--steps", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--no-tensor-memory", action="store_true",
                        help="skip the profiled step (peak tensor memory)")
    parser.add_argument("--child", choices=["standard", "memory_saving"], default=None)
    args = parser.parse_args()
    config = (args.levels, args.steps, args.hidden, args.batch, args.repeats)
    if args.child:
        print(json.dumps(measure(args.child == "memory_saving", *config,
                                 tensor_memory=not args.no_tensor_memory)))
        return
    results = {}
    for mode in ("standard", "memory_saving"):
        command = [sys.executable, "-m", "benchmarks.memory", "--child", mode,
                   *[f"--{k}={v}" for k, v in zip(("levels", "steps", "hidden", "batch",
                                                   "repeats"), config)],
                   *(["--no-tensor-memory"] if args.no_tensor_memory else [])]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results[mode] = json.loads(out.strip().splitlines()[-1])
        print(mode, results[mode], flush=True)
    std, ms = results["standard"], results["memory_saving"]

    def tensors(r: dict, key: str) -> str:
        return "" if r["peak_tensor_mib"] is None else f"{r[key]:.0f}"

    ratios = (f"ratios: peak RSS {std['peak_rss_mib'] / ms['peak_rss_mib']:.2f}x less, step RSS "
              f"{std['step_mib'] / ms['step_mib']:.2f}x less")
    if std["peak_tensor_mib"] is not None:
        own = [r["peak_tensor_mib"] - r["static_tensor_mib"] for r in (std, ms)]
        ratios += (f", peak tensor memory {std['peak_tensor_mib'] / ms['peak_tensor_mib']:.2f}x "
                   f"less, the step's own tensors {own[0] / own[1]:.2f}x less")
    print(
        f"\nGlow 3x32x32, {args.levels} levels x {args.steps} steps, hidden {args.hidden}, batch "
        f"{args.batch}, {std['params']} parameters, torch 1 thread, best of {args.repeats} steps:\n"
        "| mode | peak RSS MiB | RSS before the step MiB | step adds (RSS) MiB | peak tensors MiB "
        "| of which parameters + Adam state MiB | step CPU s |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n"
        + "".join(
            f"| {name} | {r['peak_rss_mib']:.0f} | {r['rss_before_mib']:.0f} | "
            f"{r['step_mib']:.0f} | {tensors(r, 'peak_tensor_mib')} | "
            f"{tensors(r, 'static_tensor_mib')} | {r['step_s']:.2f} |\n"
            for name, r in (("standard", std), ("memory-saving", ms))
        )
        + ratios + f", time {ms['step_s'] / std['step_s']:.2f}x"
    )

if __name__ == "__main__":
    main()
