"""Two-layer hierarchical VAE on binarized 8x8 digits: two stacked VAE layers in one flow."""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from survae.distributions import ConditionalBernoulli, ConditionalNormal, StandardNormal
from survae.flows import Flow
from survae.nn.nets import MLP
from survae.transforms import VAE
from survae.utils import elbo_nats, iwbo_nats

try:
    from _digits import digits, save_grid
    from digits_vae import factorized_bernoulli_nats
except ImportError:  # run as a module from the repository root
    from examples._digits import digits, save_grid
    from examples.digits_vae import factorized_bernoulli_nats


def build_hvae(latents: tuple[int, int] = (16, 8)) -> Flow:
    z1, z2 = latents
    encoder1 = ConditionalNormal(MLP(64, 2 * z1, hidden_units=[256, 128], activation="relu",
                                     in_lambda=lambda x: 2 * x.flatten(1) - 1))
    decoder1 = ConditionalBernoulli(MLP(z1, 64, hidden_units=[128, 256], activation="relu",
                                        out_lambda=lambda x: x.reshape(-1, 1, 8, 8)))
    encoder2 = ConditionalNormal(MLP(z1, 2 * z2, hidden_units=[128, 64], activation="relu"))
    decoder2 = ConditionalNormal(MLP(z2, 2 * z1, hidden_units=[64, 128], activation="relu"))
    return Flow(StandardNormal((z2,)), [VAE(encoder=encoder1, decoder=decoder1),
                                        VAE(encoder=encoder2, decoder=decoder2)])


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    train, test = digits("binary")
    model = build_hvae()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(args.steps):
        loss = elbo_nats(model, train[torch.randint(len(train), (128,))])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        result = {"test_elbo_nats": -elbo_nats(model, test).item(),
                  "test_iwbo_nats": -iwbo_nats(model, test, k=256, kbs=64).item(),
                  "factorized_baseline_nats": -factorized_bernoulli_nats(train, test)}
        save_grid(model.sample(64), args.out / "digits_hvae.png", max_value=1)
    print(f"hierarchical VAE: ELBO {result['test_elbo_nats']:.2f}, IWBO(256) "
          f"{result['test_iwbo_nats']:.2f} nats; factorized Bernoulli baseline "
          f"{result['factorized_baseline_nats']:.2f} nats")
    return result


if __name__ == "__main__":
    main()
