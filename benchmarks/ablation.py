"""``python -m benchmarks.ablation``: where workload E's eager training step spends its time.

survae's Glow-style flow of workload E (``benchmarks.models.survae_glow``) is timed as built and
with its ActNorms, its LU 1x1 convolutions, or both made the identity (their ``forward`` returns the
input and a zero log-det; their parameters then get no gradient and Adam skips them), next to the
same flow coded by hand as lean as eager PyTorch allows (``hand-written``: the floor of an eager
Glow with these parameters), the conditioner networks alone with and without input gradients (the
raw limit rows of ``python -m benchmarks``) and, when installed, normflows' Glow. All variants live
in one process and are interleaved within every repetition, so machine drift hits them alike;
medians of the CPU time of one thread (``time.thread_time``, one torch thread). What is left once
both layer kinds are gone (couplings, squeezes, the slice, the base density and the log-det sums)
shows how close to the networks alone an eager step of this flow can get.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch

from benchmarks import models as M


def _identity(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return x, x.new_zeros(x.shape[0])


def _without(*kinds: type) -> Callable[[], M.Model]:
    def build() -> M.Model:
        model = M.survae_glow()
        for module in model.module.modules():
            if isinstance(module, kinds):
                module.forward = _identity
        return model
    return build


def variants() -> dict[str, Callable[[], M.Model]]:
    from survae.transforms import ActNormBijection2d, Conv1x1LU

    rows = {
        "survae": M.survae_glow,
        "survae without ActNorm": _without(ActNormBijection2d),
        "survae without 1x1 conv": _without(Conv1x1LU),
        "survae without both": _without(ActNormBijection2d, Conv1x1LU),
        "hand-written": M.handwritten_glow,
        "raw limit + input grads": M.with_input_grads(M.raw_glow),
        "raw limit": M.raw_glow,
    }
    try:
        import normflows  # noqa: F401
    except ImportError:
        return rows
    return {**rows, "normflows": M.normflows_glow}


def run(batch: int, repeats: int) -> dict[str, float]:
    """Median step time in ms per variant at ``batch``."""
    x = torch.rand(batch, 3, 16, 16)
    steps = {}
    for name, make in variants().items():
        torch.manual_seed(0)
        model = make()
        optimizer = torch.optim.Adam(model.module.parameters(), lr=1e-4)

        def step(model=model, optimizer=optimizer) -> None:
            optimizer.zero_grad(set_to_none=True)
            model.loss(x).backward()
            optimizer.step()

        for _ in range(3):
            step()
        steps[name] = step
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.thread_time()
            step()
            times[name].append(time.thread_time() - start)
    return {name: 1e3 * statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    torch.set_num_threads(1)
    results = {batch: run(batch, args.repeats) for batch in args.batch}
    names = list(next(iter(results.values())))
    print("| variant | " + " | ".join(f"batch {b}: ms (/ raw limit)" for b in results) + " |")
    print("| --- |" + " --- |" * len(results))
    for name in names:
        cells = [f"{r[name]:.2f} ({r[name] / r['raw limit']:.2f}x)" for r in results.values()]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
