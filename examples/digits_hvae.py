"""Two-layer hierarchical VAE on binarized 8x8 digits: two stacked VAE layers in one flow."""

from __future__ import annotations

import torch

from survae.distributions import ConditionalBernoulli, ConditionalNormal, StandardNormal
from survae.flows import Flow
from survae.nn.nets import MLP
from survae.transforms import VAE

try:
    from digits_vae import fit_and_report
except ImportError:  # run as a module from the repository root
    from examples.digits_vae import fit_and_report


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
    torch.manual_seed(0)
    return fit_and_report("digits_hvae", build_hvae(), argv, __doc__)


if __name__ == "__main__":
    main()
