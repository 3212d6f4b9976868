"""Harness cases for the autoregressive bijections."""

from __future__ import annotations

from survae.nn.nets import MADE
from survae.transforms import AdditiveAutoregressiveBijection, AffineAutoregressiveBijection
from tests.transforms.harness import Case, normal_input

CASES = [
    Case(
        "AffineAutoregressiveBijection",
        lambda: AffineAutoregressiveBijection(MADE(4, 2, [16, 16])),
        normal_input((4,)),
    ),
    Case(
        "AffineAutoregressiveBijection-random-order-tanh_exp",
        lambda: AffineAutoregressiveBijection(
            MADE(5, 2, [12], random_order=True, random_mask=True, random_seed=3),
            scale_fn="tanh_exp",
        ),
        normal_input((5,)),
    ),
    Case(
        "AdditiveAutoregressiveBijection",
        lambda: AdditiveAutoregressiveBijection(MADE(3, 1, [8])),
        normal_input((3,)),
    ),
]
