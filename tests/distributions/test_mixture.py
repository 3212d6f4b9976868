"""Gaussian mixtures against torch.distributions; the conditional one row by row; fitting."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.distributions import Categorical, MixtureSameFamily, MultivariateNormal

from survae.distributions import ConditionalGaussianMixture, GaussianMixture
from survae.distributions.mixture import _scale_tril
from survae.flows import Flow, FlowDistribution
from survae.transforms import ActNormBijection


def _torch_mixture(logits, loc, scale_tril) -> MixtureSameFamily:
    components = MultivariateNormal(loc, scale_tril=scale_tril)
    return MixtureSameFamily(Categorical(logits=logits), components)


@pytest.mark.parametrize("covariance", ["diagonal", "full"])
def test_log_prob_matches_torch(covariance):
    torch.manual_seed(0)
    dist = GaussianMixture(3, num_components=4, covariance=covariance).double()
    with torch.no_grad():
        for p in dist.parameters():
            p.add_(0.4 * torch.randn_like(p))
    tril = dist._scale() if covariance == "full" else torch.diag_embed(dist.scale_raw.exp())
    reference = _torch_mixture(dist.logits, dist.loc, tril)
    x = torch.randn(10, 3, dtype=torch.float64) * 2
    torch.testing.assert_close(dist.log_prob(x), reference.log_prob(x))


@pytest.mark.parametrize("covariance", ["diagonal", "full"])
def test_samples_follow_the_mixture(covariance):
    torch.manual_seed(1)
    dist = GaussianMixture(2, num_components=3, covariance=covariance).double()
    with torch.no_grad():
        dist.logits.copy_(torch.tensor([0.0, 1.0, -1.0]))
        dist.scale_raw.add_(0.3 * torch.randn_like(dist.scale_raw))
    tril = dist._scale() if covariance == "full" else torch.diag_embed(dist.scale_raw.exp())
    x = dist.sample(40_000)
    weights = torch.softmax(dist.logits, 0)
    mean = (weights[:, None] * dist.loc).sum(0)
    second = (weights[:, None, None] * (tril @ tril.transpose(-1, -2)
                                        + dist.loc[:, :, None] * dist.loc[:, None, :])).sum(0)
    # Mean and covariance of 40k samples within a few standard errors of the exact ones.
    torch.testing.assert_close(x.mean(0), mean, atol=0.04, rtol=0)
    torch.testing.assert_close(torch.cov(x.T), second - mean[:, None] * mean, atol=0.08, rtol=0)


def test_full_covariance_is_not_diagonal():
    torch.manual_seed(2)
    dist = GaussianMixture(2, num_components=1, covariance="full").double()
    with torch.no_grad():
        dist.scale_raw.copy_(torch.tensor([[[0.0, 0.0], [1.5, -0.5]]]))
        dist.loc.zero_()
    x = dist.sample(20_000)
    expected = _scale_tril(dist.scale_raw)[0] @ _scale_tril(dist.scale_raw)[0].T
    torch.testing.assert_close(torch.cov(x.T), expected, atol=0.06, rtol=0.05)


def test_maximum_likelihood_fit_finds_two_modes():
    torch.manual_seed(3)
    data = torch.cat([torch.randn(2000, 1) * 0.3 - 2, torch.randn(2000, 1) * 0.3 + 2])
    dist = GaussianMixture(1, num_components=2)
    optimizer = torch.optim.Adam(dist.parameters(), lr=0.05)
    for _ in range(300):
        optimizer.zero_grad()
        loss = -dist.log_prob(data).mean()
        loss.backward()
        optimizer.step()
    # Entropy of the data-generating mixture: log 2 + 0.5 log(2 pi e 0.09) = 0.908 nats; one
    # Gaussian fitted to the data would give 0.5 log(2 pi e 4.09) = 2.12.
    assert float(loss.detach()) < 0.95
    assert sorted(dist.loc.detach().flatten().round().tolist()) == [-2.0, 2.0]


def test_mixture_base_in_a_flow_and_as_torch_distribution():
    flow = Flow(GaussianMixture(2, num_components=3, covariance="full"), [ActNormBijection(2)])
    flow.log_prob(torch.randn(8, 2))  # ActNorm's data-dependent initialization
    dist = flow()
    assert dist.support.check(torch.zeros(2))
    x, log_prob = dist.rsample_and_log_prob((5,))
    torch.testing.assert_close(log_prob, flow.log_prob(x))


@pytest.mark.parametrize("covariance", ["diagonal", "full"])
def test_conditional_mixture_row_by_row(covariance):
    torch.manual_seed(4)
    size = ConditionalGaussianMixture.num_params(2, 3, covariance)
    dist = ConditionalGaussianMixture(nn.Linear(4, size), 2, 3, covariance).double()
    context = torch.randn(5, 4, dtype=torch.float64)
    x, log_prob = dist.sample_with_log_prob(context)
    assert x.shape == (5, 2)
    logits, loc, scale = dist.params(context)
    tril = scale if covariance == "full" else torch.diag_embed(scale.exp())
    torch.testing.assert_close(log_prob, _torch_mixture(logits, loc, tril).log_prob(x))
    log_prob.sum().backward()
    assert dist.net.weight.grad is not None
    assert FlowDistribution(dist, context).sample((3,)).shape == (3, 5, 2)


def test_errors_name_the_distribution():
    with pytest.raises(ValueError, match="GaussianMixture: covariance"):
        GaussianMixture(2, 3, covariance="spherical")
    with pytest.raises(ValueError, match=r"GaussianMixture: expected a vector event shape"):
        GaussianMixture((2, 2), 3)
    dist = ConditionalGaussianMixture(nn.Linear(4, 7), 2, 3)
    with pytest.raises(ValueError, match=r"ConditionalGaussianMixture\(.*\(batch, 15\)"):
        dist.log_prob(torch.zeros(5, 2), torch.zeros(5, 4))
