"""Affine-coupling flow on a 2-D toy density, next to a Gaussian baseline; writes a density plot."""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
import torch.nn as nn

from survae.data.toy import make_toy
from survae.distributions import StandardNormal
from survae.flows import Flow
from survae.nn.layers import ElementwiseParams
from survae.transforms import ActNormBijection, AffineCouplingBijection, Reverse


def build_flow(num_couplings: int = 4) -> Flow:
    layers: list[nn.Module] = []
    for _ in range(num_couplings):
        net = nn.Sequential(nn.Linear(1, 200), nn.ReLU(), nn.Linear(200, 100), nn.ReLU(),
                            nn.Linear(100, 2), ElementwiseParams(2))
        layers += [AffineCouplingBijection(net), ActNormBijection(2), Reverse(2)]
    return Flow(StandardNormal((2,)), layers[:-1])


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", default="checkerboard")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    train = make_toy(args.dataset, 20_000, torch.Generator().manual_seed(0))
    test = make_toy(args.dataset, 10_000, torch.Generator().manual_seed(1))

    model = build_flow()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(args.steps):
        x = train[torch.randint(len(train), (128,))]
        loss = -model.log_prob(x).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    gaussian = torch.distributions.MultivariateNormal(train.mean(0), torch.cov(train.T))
    with torch.no_grad():
        result = {"flow_test_nll_nats": -model.log_prob(test).mean().item(),
                  "gaussian_baseline_nats": -gaussian.log_prob(test).mean().item()}
        side = torch.linspace(-4, 4, 200)
        grid = torch.cartesian_prod(side, side)
        density = model.log_prob(grid).exp().reshape(200, 200).T
    print(f"{args.dataset}: flow {result['flow_test_nll_nats']:.3f} nats, "
          f"Gaussian baseline {result['gaussian_baseline_nats']:.3f} nats")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    args.out.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(1, 2, figsize=(8, 4))
    axes[0].hist2d(test[:, 0].numpy(), test[:, 1].numpy(), bins=100, range=[[-4, 4], [-4, 4]])
    axes[0].set_title("data")
    axes[1].imshow(density.numpy(), origin="lower", extent=(-4, 4, -4, 4))
    axes[1].set_title("flow density")
    for ax in axes:
        ax.set_axis_off()
    fig.savefig(args.out / "toy_flow.png", bbox_inches="tight")
    plt.close(fig)
    return result


if __name__ == "__main__":
    main()
