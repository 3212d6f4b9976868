"""PPCA: maximum likelihood recovers the data covariance; errors."""

from __future__ import annotations

import pytest
import torch

from survae.models.unifying import build_ppca
from survae.transforms import PPCA


def test_training_recovers_the_principal_subspace():
    torch.manual_seed(0)
    direction = torch.tensor([3.0, 1.0, 0.0])
    data = torch.randn(2000, 1) * direction + 0.3 * torch.randn(2000, 3) + 1.0
    model = build_ppca(3, 1, noise_std=1.0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        loss = -model.log_prob(data).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    layer = model.transforms[0]
    weight = layer.weight.detach()[:, 0]
    cosine = abs(float(weight @ direction)) / float(weight.norm() * direction.norm())
    assert cosine > 0.99
    assert abs(float(layer.log_std.detach().exp()) - 0.3) < 0.05
    torch.testing.assert_close(layer.bias.detach(), torch.ones(3), atol=0.15, rtol=0)


def test_rejects_bad_sizes_and_inputs():
    with pytest.raises(ValueError, match="PPCA: expected positive sizes"):
        PPCA(3, 0)
    with pytest.raises(ValueError, match=r"PPCA\(data_features=3, latent_features=1\): expected"):
        PPCA(3, 1)(torch.randn(4, 2))
