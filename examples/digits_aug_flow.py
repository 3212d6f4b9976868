"""Multi-scale augmented flow on 8x8 digits (17 levels in a 5-bit range): uniform
dequantization, ``Augment`` to twice the channels, Glow steps, squeeze and slice; test bits per
dimension next to the exact factorized categorical baseline."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import torch
import torch.nn as nn

from survae.distributions import StandardNormal, StandardUniform
from survae.flows import Flow
from survae.nn.layers import ElementwiseParams2d
from survae.nn.nets import DenseNet
from survae.transforms import (
    ActNormBijection2d,
    AffineCouplingBijection,
    Augment,
    Conv1x1,
    Slice,
    Squeeze2d,
    UniformDequantization,
)
from survae.utils import loglik_bpd

try:
    from _digits import digits, save_grid
except ImportError:  # run as a module from the repository root
    from examples._digits import digits, save_grid

NUM_BITS = 5


def net(channels: int) -> nn.Module:
    return nn.Sequential(DenseNet(in_channels=channels // 2, out_channels=channels, num_blocks=1,
                                  mid_channels=32, depth=4, growth=8, dropout=0.0,
                                  gated_conv=True, zero_init=True),
                         ElementwiseParams2d(2))


def steps(channels: int, n: int) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for _ in range(n):
        layers += [AffineCouplingBijection(net(channels)), ActNormBijection2d(channels),
                   Conv1x1(channels)]
    return layers


def build_aug_flow() -> Flow:
    return Flow(StandardNormal((8, 2, 2)), [
        UniformDequantization(num_bits=NUM_BITS),
        Augment(StandardUniform((1, 8, 8)), x_size=1),       # (2, 8, 8)
        *steps(2, 2),
        Squeeze2d(), Slice(StandardNormal((4, 4, 4)), num_keep=4),   # (4, 4, 4)
        *steps(4, 2),
        Squeeze2d(), Slice(StandardNormal((8, 2, 2)), num_keep=8),   # (8, 2, 2)
        *steps(8, 2),
    ])


def factorized_categorical_bpd(train: torch.Tensor, test: torch.Tensor, levels: int) -> float:
    counts = nn.functional.one_hot(train.flatten(1), levels).sum(0).double() + 0.5
    log_probs = (counts / counts.sum(-1, keepdim=True)).log()
    nats = -log_probs.gather(1, test.flatten(1).T).sum(0).mean().item()
    return nats / (test[0].numel() * math.log(2))


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--out", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    train, test = digits("levels")
    model = build_aug_flow()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(args.steps):
        loss = loglik_bpd(model, train[torch.randint(len(train), (64,))])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        result = {"test_bpd_elbo": loglik_bpd(model, test).item(),
                  "factorized_baseline_bpd": factorized_categorical_bpd(train, test, 17)}
        save_grid(model.sample(64), args.out / "digits_aug_flow.png", max_value=16)
    print(f"augmented flow: {result['test_bpd_elbo']:.3f} bpd (upper bound); factorized "
          f"categorical baseline {result['factorized_baseline_bpd']:.3f} bpd")
    return result


if __name__ == "__main__":
    main()
