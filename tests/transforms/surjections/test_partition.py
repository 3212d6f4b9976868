"""PartitionSurjection (RAD): what the shared harness does not cover."""

from __future__ import annotations

import math

import pytest
import torch

from survae.distributions import StandardNormal
from survae.flows import Flow
from survae.transforms import PartitionSurjection


def test_samples_follow_the_density():
    """Histogram of the generative process (z ~ N(0, 1), k ~ p(k|z), x = g_k^{-1}(z)) against the
    density integrated over each bin, within 5 Monte Carlo standard errors (1-D, three pieces,
    a classifier that prefers different pieces in different places)."""
    torch.manual_seed(0)
    classifier = torch.nn.Linear(1, 3).double()
    with torch.no_grad():
        classifier.weight.copy_(torch.tensor([[2.0], [-1.0], [0.5]]))
    model = Flow(StandardNormal((1,)).double(),
                 [PartitionSurjection([-1.0, 1.0], classifier).double()])
    n = 400_000
    with torch.no_grad():
        samples = model.sample(n)[:, 0]
        fine = torch.linspace(-4, 4, 32 * 200 + 1, dtype=torch.float64)
        mid = 0.5 * (fine[1:] + fine[:-1])
        density = model.log_prob(mid[:, None]).exp() * (fine[1] - fine[0])
    expected = density.reshape(32, 200).sum(1)
    observed = torch.histc(samples, bins=32, min=-4, max=4) / n
    se = torch.sqrt(expected * (1 - expected) / n)
    assert bool(((observed - expected).abs() <= 5 * se + 1e-4).all())


def test_elements_fold_only_the_chosen_entries():
    layer = PartitionSurjection([-2.0, 0.0, 2.0], torch.nn.Linear(2, 4), elements=[0])
    x = torch.tensor([[-3.0, -3.0], [1.5, 5.0]])
    z, ldj = layer(x)
    assert z.tolist() == [[1.0, -3.0], [0.5, 5.0]]
    back = layer.inverse(z)
    assert torch.equal(back[:, 1], x[:, 1])
    assert torch.allclose(layer(back)[0], z)


def test_uniform_choice_counts_the_preimages():
    layer = PartitionSurjection([-1.0, 1.0])  # z in (0, 2): three preimages; z > 2: one
    _, ldj = layer(torch.tensor([[0.0], [5.0]]))
    assert torch.allclose(ldj, torch.tensor([-math.log(3.0), 0.0]))


@pytest.mark.parametrize("boundaries", [[], [1.0, 0.0], [0.0, 0.0]])
def test_rejects_bad_boundaries(boundaries):
    with pytest.raises(ValueError, match="PartitionSurjection: boundaries"):
        PartitionSurjection(boundaries)


def test_rejects_a_classifier_of_the_wrong_size():
    layer = PartitionSurjection([0.0], torch.nn.Linear(2, 3))
    with pytest.raises(ValueError, match=r"PartitionSurjection\(boundaries=\[0.0\]\): classifier"):
        layer(torch.randn(4, 2))
