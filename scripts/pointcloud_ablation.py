"""Ablations of `survae train pointcloud` that its flags cannot express (docs/pointcloud.md).

A plain training loop that does what the trainer does (batch 32 of resampled sets, Adam with
100 warm-up steps and cosine decay to 0 over the run or no decay, gradient norm clipped at 10,
one thread) and, at the end (and at ``--eval-at`` steps), prints the test ELBO per point of the
weights as trained and of exponential moving averages of them (decay
``min(d, (1 + n) / (10 + n))`` after ``n`` updates), with the seconds per step. ``--optim loop``
is torch's per-tensor Adam (its default on the CPU), ``fused`` the fused kernel (the trainer's
default). Example::

    python scripts/pointcloud_ablation.py --steps 1000 --optim loop --ema 0.99 0.995 0.999
"""

from __future__ import annotations

import argparse
import copy
import time

import torch
from torch.utils.data import DataLoader

from survae.data.spatial_mnist import SpatialDigits
from survae.experiments.pointcloud import evaluate_ppll, model_settings
from survae.experiments.specs import PointcloudSpec
from survae.experiments.trainer import learning_rate_factor
from survae.models.pointcloud import POINT_CONDITIONERS, POINTCLOUD_MODELS, build_pointcloud_flow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=POINTCLOUD_MODELS, default="permute")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--optim", choices=("loop", "fused"), default="fused")
    parser.add_argument("--decay", choices=("cosine", "none"), default="cosine")
    parser.add_argument("--ema", type=float, nargs="*", default=[])
    parser.add_argument("--eval-at", type=int, nargs="*", default=[])
    parser.add_argument("--point-conditioner", choices=POINT_CONDITIONERS, default="paired")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    # The model and schedule of `survae train pointcloud` (its spec), with this script's choices.
    spec = PointcloudSpec(model=args.model, point_conditioner=args.point_conditioner,
                          steps=args.steps, lr=args.lr, batch_size=args.batch_size,
                          decay=args.decay, seed=args.seed).resolved()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    train = SpatialDigits("train", spec.num_points, seed=args.seed, resample=True)
    test = SpatialDigits("test", spec.num_points, seed=args.seed)
    model = build_pointcloud_flow(args.model, **model_settings(spec))
    fused = {"fused": True} if args.optim == "fused" else {"foreach": False}
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, **fused)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: learning_rate_factor(step, spec))
    loader = DataLoader(train, batch_size=args.batch_size, shuffle=True, drop_last=True,
                        generator=torch.Generator().manual_seed(args.seed))
    averages: dict[float, list[torch.Tensor]] = {}

    def evaluate(weights: list[torch.Tensor] | None) -> float:
        net = model if weights is None else copy.deepcopy(model)
        if weights is not None:
            with torch.no_grad():
                for p, w in zip(net.parameters(), weights):
                    p.copy_(w)
        net.eval()
        torch.manual_seed(123)  # the same permutations for every evaluation
        with torch.no_grad():
            value = evaluate_ppll(net, test)["test_ppll_nats"]
        net.train()
        return value

    step, busy = 0, 0.0
    while step < args.steps:
        for x, _ in loader:
            start = time.perf_counter()
            loss = -model.log_prob(x).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), spec.clip_grad_norm)
            optimizer.step()
            scheduler.step()
            step += 1
            busy += time.perf_counter() - start
            with torch.no_grad():
                params = [p.detach() for p in model.parameters()]
                for decay in args.ema:
                    if decay not in averages:
                        averages[decay] = [p.clone() for p in params]
                    else:
                        weight = 1 - min(decay, (1 + step) / (10 + step))
                        for average, p in zip(averages[decay], params):
                            average.lerp_(p, weight)
            if step in args.eval_at or step == args.steps:
                results = {"trained": evaluate(None)}
                results.update({f"ema {d}": evaluate(w) for d, w in averages.items()})
                print(f"step {step}: " + ", ".join(f"{k} {v:.4f}" for k, v in results.items())
                      + f" ({1000 * busy / step:.1f} ms per step)", flush=True)
            if step == args.steps:
                break


if __name__ == "__main__":
    main()
