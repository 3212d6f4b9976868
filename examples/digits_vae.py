"""VAE on binarized 8x8 digits: ELBO and IWBO next to the factorized-Bernoulli baseline."""

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
except ImportError:  # run as a module from the repository root
    from examples._digits import digits, save_grid


def build_vae(latent: int = 8) -> Flow:
    encoder = ConditionalNormal(MLP(64, 2 * latent, hidden_units=[256, 128], activation="relu",
                                    in_lambda=lambda x: 2 * x.flatten(1) - 1))
    decoder = ConditionalBernoulli(MLP(latent, 64, hidden_units=[128, 256], activation="relu",
                                       out_lambda=lambda x: x.reshape(-1, 1, 8, 8)))
    return Flow(StandardNormal((latent,)), [VAE(encoder=encoder, decoder=decoder)])


def factorized_bernoulli_nats(train: torch.Tensor, test: torch.Tensor) -> float:
    p = train.mean(0).clamp(1e-3, 1 - 1e-3)
    return -(test * p.log() + (1 - test) * (1 - p).log()).flatten(1).sum(1).mean().item()


def fit_and_report(name: str, model: Flow, argv: list[str] | None,
                   description: str = __doc__) -> dict[str, float]:
    """Train ``model`` on the binarized digits' ELBO, then report test ELBO and IWBO next to the
    factorized-Bernoulli baseline and write a grid of samples to ``OUT/<script>.png``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)
    train, test = digits("binary")
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
        save_grid(model.sample(64), args.out / f"{name}.png", max_value=1)
    print(f"{name}: ELBO {result['test_elbo_nats']:.2f}, IWBO(256) "
          f"{result['test_iwbo_nats']:.2f} nats; factorized Bernoulli baseline "
          f"{result['factorized_baseline_nats']:.2f} nats")
    return result


def main(argv: list[str] | None = None) -> dict[str, float]:
    torch.manual_seed(0)
    return fit_and_report("digits_vae", build_vae(), argv)


if __name__ == "__main__":
    main()
