"""survae.models.tabular: the four flows and the Gaussian baseline."""

import pytest
import torch

from survae.models.tabular import TABULAR_MODELS, FullCovarianceGaussian, build_tabular_flow


@pytest.mark.parametrize("model", TABULAR_MODELS)
@pytest.mark.parametrize("features", [2, 5])
def test_flows_invert_and_score(model, features):
    torch.manual_seed(0)
    flow = build_tabular_flow(model, features, num_flows=2, hidden_units=(16,)).double().eval()
    x = torch.randn(7, features, dtype=torch.float64) * 2
    z = x
    for transform in flow.transforms:
        z, _ = transform(z)
    for transform in reversed(flow.transforms):
        z = transform.inverse(z)
    assert torch.allclose(z, x, atol=1e-8)
    assert flow.log_prob(x).shape == (7,) and torch.isfinite(flow.log_prob(x)).all()


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown model 'glow'"):
        build_tabular_flow("glow", 3)
    with pytest.raises(ValueError, match="at least 2 features"):
        build_tabular_flow("maf", 1)


def test_gaussian_baseline_is_the_mle_normal():
    torch.manual_seed(0)
    data = torch.randn(500, 3) @ torch.tensor([[1.0, 0.5, 0.0], [0.0, 2.0, 0.3], [0.0, 0.0, 0.7]])
    gauss = FullCovarianceGaussian(data)
    d = data.double()
    reference = torch.distributions.MultivariateNormal(
        d.mean(0), covariance_matrix=torch.cov(d.T, correction=0))
    x = torch.randn(10, 3, dtype=torch.float64)
    assert torch.allclose(gauss.log_prob(x), reference.log_prob(x), atol=1e-10)
