"""DiscretelyIndexedAffineTransform and ContinuouslyIndexedTransform: what the harness does not
cover (sampling, training signal, errors)."""

from __future__ import annotations

import pytest
import torch

from survae.distributions import ConditionalNormal, StandardNormal
from survae.flows import Flow
from survae.transforms import (
    ConditionalAffineBijection,
    ContinuouslyIndexedTransform,
    DiscretelyIndexedAffineTransform,
)


def test_gmm_samples_have_the_mixture_moments():
    torch.manual_seed(0)
    layer = DiscretelyIndexedAffineTransform(1, 2).double()
    with torch.no_grad():
        layer.loc.copy_(torch.tensor([[-2.0], [3.0]]))
        layer.log_scale.copy_(torch.tensor([[0.0], [-1.0]]))
        layer.weight_logits.copy_(torch.tensor([0.0, 1.0]))
    model = Flow(StandardNormal((1,)).double(), [layer])
    with torch.no_grad():
        x = model.sample(200_000)[:, 0]
    w = torch.softmax(torch.tensor([0.0, 1.0], dtype=torch.float64), 0)
    mean = w[0] * -2 + w[1] * 3
    assert abs(float(x.mean() - mean)) < 0.02


def test_fitting_a_gmm_moves_the_components_to_the_data():
    torch.manual_seed(0)
    data = torch.cat([torch.randn(512, 2) * 0.3 - 2, torch.randn(512, 2) * 0.3 + 2])
    layer = DiscretelyIndexedAffineTransform(2, 2)
    model = Flow(StandardNormal((2,)), [layer])
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    start = float(-model.log_prob(data).mean().detach())
    for _ in range(400):  # a plateau (one component between the clusters), then the split
        loss = -model.log_prob(data).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert float(loss.detach()) < start - 1.0
    centres = layer.loc.detach().sort(0).values
    torch.testing.assert_close(centres, torch.tensor([[-2.0, -2.0], [2.0, 2.0]]), atol=0.2,
                               rtol=0)


def test_indexed_rejects_the_wrong_event_size():
    with pytest.raises(ValueError, match=r"DiscretelyIndexedAffineTransform.*\(batch, 2\)"):
        DiscretelyIndexedAffineTransform(2, 3)(torch.randn(4, 3))


def test_cif_rejects_what_is_not_a_conditional_bijection():
    with pytest.raises(ValueError, match="ContinuouslyIndexedTransform: bijection"):
        ContinuouslyIndexedTransform(torch.nn.Linear(2, 2),
                                     encoder=ConditionalNormal(torch.nn.Linear(2, 2)),
                                     decoder=ConditionalNormal(torch.nn.Linear(2, 2)))
    with pytest.raises(ValueError, match="ContinuouslyIndexedTransform: decoder"):
        ContinuouslyIndexedTransform(ConditionalAffineBijection(torch.nn.Linear(1, 4)),
                                     encoder=ConditionalNormal(torch.nn.Linear(2, 2)),
                                     decoder=StandardNormal((1,)))


def test_cif_gradients_reach_encoder_decoder_and_bijection():
    cif = ContinuouslyIndexedTransform(ConditionalAffineBijection(torch.nn.Linear(1, 4)),
                                       encoder=ConditionalNormal(torch.nn.Linear(2, 2)),
                                       decoder=ConditionalNormal(torch.nn.Linear(2, 2)))
    model = Flow(StandardNormal((2,)), [cif])
    model.log_prob(torch.randn(8, 2)).mean().backward()
    for part in (cif.bijection, cif.encoder, cif.decoder):
        assert all(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in part.parameters())
