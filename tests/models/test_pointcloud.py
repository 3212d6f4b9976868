"""Point-cloud flows: permutation invariance exactly (sort, equivariant), in expectation
(stochastic permutation), and not at all for the order-aware baseline."""

import pytest
import torch

from survae.models.pointcloud import POINTCLOUD_MODELS, build_pointcloud_flow

SMALL = {"num_points": 8, "num_flows": 2, "d_model": 8, "nhead": 2, "num_layers": 1}


def _trained_like(model: str, coupling: str = "affine"):
    """A flow whose conditioners are not zero, so order-dependence would show."""
    torch.manual_seed(0)
    flow = build_pointcloud_flow(model, coupling=coupling, **SMALL).double()
    with torch.no_grad():
        for p in flow.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return flow.eval()


@pytest.mark.parametrize("coupling", ["affine", "spline"])
@pytest.mark.parametrize("model", ["sort", "equivariant"])
def test_exactly_invariant_models(model, coupling):
    flow = _trained_like(model, coupling)
    x = torch.rand(5, 8, 2, dtype=torch.float64) * 28
    reference = flow.log_prob(x)
    for _ in range(3):
        perm = torch.randperm(8)
        torch.testing.assert_close(flow.log_prob(x[:, perm]), reference, atol=1e-8, rtol=1e-8)
    assert flow.exact


def test_stochastic_permutation_is_invariant_in_expectation_and_baseline_is_not():
    permute, baseline = _trained_like("permute"), _trained_like("baseline")
    assert permute.lower_bound and baseline.exact
    x = torch.rand(1, 8, 2, dtype=torch.float64) * 28
    perm = torch.randperm(8)
    n = 4000
    torch.manual_seed(1)
    with torch.no_grad():
        a = permute.log_prob(x.expand(n, 8, 2))
        b = permute.log_prob(x[:, perm].expand(n, 8, 2))
    # the same distribution of ELBO values for both orders: equal means within noise
    se = ((a.var() + b.var()) / n).sqrt()
    assert (a.mean() - b.mean()).abs() < 4 * se
    with torch.no_grad():
        gap = (baseline.log_prob(x) - baseline.log_prob(x[:, perm])).abs()
    assert gap > 1e-3  # the baseline's density depends on the order of the points


def test_sampling_shapes_and_bad_settings():
    for model in POINTCLOUD_MODELS:
        for coupling in ("affine", "spline"):
            flow = build_pointcloud_flow(model, coupling=coupling, **SMALL)
            with torch.no_grad():
                assert flow.sample(3).shape == (3, 8, 2)
    with pytest.raises(ValueError, match="unknown point-cloud model"):
        build_pointcloud_flow("octree")
    with pytest.raises(ValueError, match="unknown coupling"):
        build_pointcloud_flow("sort", coupling="cubic")
    with pytest.raises(ValueError, match="num_points must be even"):
        build_pointcloud_flow("sort", num_points=7)
