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


@pytest.mark.parametrize("frame_bound", [0.5, 4.0])
def test_sort_flow_is_finite_on_float32_sets_with_tied_coordinates(frame_bound):
    torch.manual_seed(0)
    flow = build_pointcloud_flow("sort", frame_bound=frame_bound, **SMALL)
    x = torch.rand(3, 8, 2) * 28
    x[:, 1, 0] = x[:, 0, 0]  # two points with the same first coordinate, as float32 data has
    x[2, 3] = x[2, 4]  # and a point drawn twice
    assert torch.isfinite(flow.log_prob(x)).all()


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


@pytest.mark.parametrize("spacings", [True, False])
def test_sort_flow_with_and_without_log_spacings_is_exactly_invariant(spacings):
    torch.manual_seed(0)
    flow = build_pointcloud_flow("sort", coupling="spline", spacings=spacings, **SMALL).double()
    with torch.no_grad():
        for p in flow.parameters():
            p.add_(0.3 * torch.randn_like(p))
    flow.eval()
    kinds = [type(t).__name__ for t in flow.transforms]
    assert ("LogSpacingsBijection" in kinds) == spacings
    assert kinds.index("SortSurjection") == 2
    x = torch.rand(4, 8, 2, dtype=torch.float64) * 28
    reference = flow.log_prob(x)
    assert bool(torch.isfinite(reference).all())
    torch.testing.assert_close(flow.log_prob(x[:, torch.randperm(8)]), reference)
    with torch.no_grad():
        samples = flow.sample(5)
    assert samples.shape == (5, 8, 2) and bool(torch.isfinite(samples).all())


def test_official_block_structure():
    """Each block: coordinate coupling, Reverse, point coupling, then StochasticPermutation
    (permute: a set transformer without positions) or Shuffle (sort, baseline), ActNorm."""
    from survae.nn.nets import PositionalTransformer, SetTransformer

    permute = build_pointcloud_flow("permute", **SMALL)
    kinds = [type(t).__name__ for t in permute.transforms]
    assert kinds.count("StochasticPermutation") == 1 + SMALL["num_flows"]
    point_nets = [t.coupling_net[0] for t in permute.transforms
                  if type(t).__name__ == "AffineCouplingBijection"]
    assert point_nets and all(type(n) is SetTransformer for n in point_nets)
    baseline = build_pointcloud_flow("baseline", **SMALL)
    kinds = [type(t).__name__ for t in baseline.transforms]
    assert "StochasticPermutation" not in kinds and kinds.count("Shuffle") == SMALL["num_flows"]
    point_nets = [t.coupling_net[0] for t in baseline.transforms
                  if type(t).__name__ == "AffineCouplingBijection"]
    assert all(isinstance(n, PositionalTransformer) for n in point_nets)


@pytest.mark.parametrize("frame_bound", [0.5, 4.0])
def test_frame_bound_scales_the_frame_and_counts_its_log_det(frame_bound):
    """At initialisation (couplings are the identity, ActNorm not yet initialised in eval mode)
    the equivariant flow is the scaling alone: log p(x) = log N(2w x / 28 - w) + 2L log(2w / 28)."""
    flow = build_pointcloud_flow("equivariant", coupling="spline", frame_bound=frame_bound,
                                 **SMALL).double().eval()
    x = torch.rand(3, 8, 2, dtype=torch.float64) * 28
    z = 2 * frame_bound * x / 28 - frame_bound
    assert float(z.min()) >= -frame_bound and float(z.max()) < frame_bound
    expected = (torch.distributions.Normal(0.0, 1.0).log_prob(z).sum((1, 2))
                + 16 * torch.log(torch.tensor(2 * frame_bound / 28, dtype=torch.float64)))
    torch.testing.assert_close(flow.log_prob(x), expected)


@pytest.mark.parametrize("model", ["sort", "permute", "baseline"])
def test_spline_point_couplings_start_as_identity_and_keep_invariance(model):
    torch.manual_seed(0)
    flow = build_pointcloud_flow(model, coupling="spline", point_coupling="spline",
                                 frame_bound=4.0, **SMALL).double()
    point = [t for t in flow.transforms
             if type(t).__name__ == "RationalQuadraticSplineCouplingBijection"]
    assert len(point) == SMALL["num_flows"] and all(t.split_dim == 2 for t in point)
    x = torch.randn(4, 2, 8, dtype=torch.float64)
    z, ldj = point[0](x)  # zero output weights: the identity spline
    torch.testing.assert_close(z, x)
    torch.testing.assert_close(ldj, torch.zeros(4, dtype=torch.float64))
    with torch.no_grad():
        for p in flow.parameters():
            p.add_(0.3 * torch.randn_like(p))
    flow.eval()
    sets = torch.rand(4, 8, 2, dtype=torch.float64) * 28
    with torch.no_grad():
        z, ldj = point[0](torch.randn(4, 2, 8, dtype=torch.float64))
    assert float(ldj.abs().max()) > 1e-3  # the trained-like spline is not the identity
    if model == "sort":  # exactly invariant behind the sort, whatever the couplings
        torch.testing.assert_close(flow.log_prob(sets[:, torch.randperm(8)]),
                                   flow.log_prob(sets))
    with torch.no_grad():
        samples = flow.sample(3)
    assert samples.shape == (3, 8, 2) and bool(torch.isfinite(samples).all())


@pytest.mark.parametrize("point_coupling", ["affine", "spline"])
def test_pooled_point_couplings_treat_the_second_half_alike(point_coupling):
    torch.manual_seed(0)
    flow = build_pointcloud_flow("permute", coupling="spline", point_coupling=point_coupling,
                                 point_conditioner="pooled", **SMALL).double()
    with torch.no_grad():
        for p in flow.parameters():
            p.add_(0.3 * torch.randn_like(p))
    layer = next(t for t in flow.transforms if getattr(t, "split_dim", None) == 2)
    x = torch.randn(3, 2, 8, dtype=torch.float64)
    z, ldj = layer(x)
    for perm in (torch.randperm(4), torch.randperm(4) + 4):  # within the first or second half
        order = torch.cat([perm, torch.arange(4, 8)]) if perm.max() < 4 else \
            torch.cat([torch.arange(4), perm])
        z_p, ldj_p = layer(x[:, :, order])
        torch.testing.assert_close(z_p, z[:, :, order])
        torch.testing.assert_close(ldj_p, ldj)
    paired = build_pointcloud_flow("permute", point_coupling=point_coupling, **SMALL).double()
    layer = next(t for t in paired.transforms if getattr(t, "split_dim", None) == 2)
    layer.load_state_dict(next(t for t in flow.transforms
                               if getattr(t, "split_dim", None) == 2).state_dict())
    order = torch.cat([torch.randperm(4), torch.arange(4, 8)])
    assert not torch.allclose(layer(x[:, :, order])[0][:, :, 4:], layer(x)[0][:, :, 4:])


def test_bad_point_coupling_and_frame_bound():
    with pytest.raises(ValueError, match="unknown point_coupling"):
        build_pointcloud_flow("permute", point_coupling="cubic", **SMALL)
    with pytest.raises(ValueError, match="unknown point_conditioner"):
        build_pointcloud_flow("permute", point_conditioner="mean", **SMALL)
    with pytest.raises(ValueError, match="frame_bound must be > 0"):
        build_pointcloud_flow("permute", frame_bound=0.0, **SMALL)
