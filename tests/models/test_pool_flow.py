"""The paper's MaxPoolFlow and baseline (official structure), and the learned-decoder variant."""

import math

import pytest
import torch

from survae.distributions import ConvNormal2d, StandardHalfNormal, StandardNormal
from survae.models.pool_flow import pool_flow
from survae.transforms import (
    AffineCouplingBijection,
    MaxPoolSurjection2d,
    ScalarAffineBijection,
    SimpleMaxPoolSurjection2d,
    Slice,
    UniformDequantization,
    VariationalDequantization,
)

SMALL = {"num_bits": 5, "steps": 1, "hidden": 8, "depth": 1, "growth": 4}


def _kinds(model) -> list[str]:
    return [type(t).__name__ for t in model.transforms]


def test_paper_configurations():
    maxpool = pool_flow((1, 8, 8), pooling="max", **SMALL)
    baseline = pool_flow((1, 8, 8), pooling="none", **SMALL)
    for model in (maxpool, baseline):
        assert isinstance(model.base_dist, ConvNormal2d)
        assert model.base_dist.shape == torch.Size((4, 2, 2))
        couplings = [t for t in model.transforms if isinstance(t, AffineCouplingBijection)]
        assert len(couplings) == 2
        u = torch.linspace(-20, 20, 9)  # the official log-scale 2 tanh(u / 2), bounded by 2
        torch.testing.assert_close(couplings[0].scale_fn(u).log(), 2 * torch.tanh(u / 2))
    pool = [t for t in maxpool.transforms if isinstance(t, SimpleMaxPoolSurjection2d)]
    assert len(pool) == 1 and isinstance(pool[0].decoder, StandardHalfNormal)
    assert "Slice" not in _kinds(maxpool)
    sliced = [t for t in baseline.transforms if isinstance(t, Slice)]
    assert len(sliced) == 1 and isinstance(sliced[0].decoder, StandardNormal)
    assert _kinds(baseline)[_kinds(baseline).index("Slice") - 1] == "Squeeze2d"


def test_learned_variant_starts_as_the_paper_maxpoolflow():
    torch.manual_seed(0)
    paper = pool_flow((1, 8, 8), pooling="max", **SMALL).double()
    learned = pool_flow((1, 8, 8), pooling="max-learned", **SMALL).double()
    missing, unexpected = learned.load_state_dict(paper.state_dict(), strict=False)
    assert all(".decoder." in key or ".index_decoder." in key for key in missing + unexpected)
    pool = [t for t in learned.transforms if isinstance(t, MaxPoolSurjection2d)]
    assert len(pool) == 1 and not isinstance(pool[0], SimpleMaxPoolSurjection2d)
    x = torch.randint(0, 17, (6, 1, 8, 8))
    torch.manual_seed(1)
    a = paper.log_prob(x)
    torch.manual_seed(1)
    b = learned.log_prob(x)
    torch.testing.assert_close(a, b)
    with torch.no_grad():  # the decoders are used: moving them changes the likelihood
        for p in pool[0].decoder.parameters():
            p.add_(0.1 * torch.randn_like(p))
    torch.manual_seed(1)
    assert not torch.allclose(learned.log_prob(x), a)


@pytest.mark.parametrize("pooling", ["max", "none", "max-learned"])
def test_flow_dequantization(pooling):
    torch.manual_seed(0)
    model = pool_flow((1, 8, 8), pooling=pooling, dequant="flow", dequant_steps=1,
                      dequant_context=4, **SMALL)
    assert isinstance(model.transforms[0], VariationalDequantization) and model.lower_bound
    x = torch.randint(0, 17, (3, 1, 8, 8))
    log_prob = model.log_prob(x)
    assert log_prob.shape == (3,) and bool(torch.isfinite(log_prob).all())
    bpd = -float(log_prob.detach().mean()) / (64 * math.log(2))
    assert 3.0 < bpd < 10.0
    log_prob.mean().backward()
    with torch.no_grad():
        samples = model.sample(2)
    assert samples.dtype == torch.long and samples.shape == (2, 1, 8, 8)


def test_default_is_the_papers_flow_dequantization():
    model = pool_flow((1, 8, 8), **SMALL)
    assert isinstance(model.transforms[0], VariationalDequantization)
    uniform = pool_flow((1, 8, 8), dequant="uniform", **SMALL)
    assert isinstance(uniform.transforms[0], UniformDequantization) and not uniform.exact


@pytest.mark.parametrize("dequant", ["uniform", "flow"])
def test_levels_fill_the_papers_range_and_count_the_stretch(dequant):
    """17 levels in a 5-bit range are stretched onto [-0.5, 0.5), the stretch's log-det counted;
    with every level of the range in use the layer is the paper's plain shift."""
    torch.manual_seed(0)
    paper = pool_flow((1, 8, 8), dequant=dequant, **SMALL)
    assert paper.transforms[1].scale == 1.0 and paper.transforms[1].shift == -0.5
    model = pool_flow((1, 8, 8), levels=17, dequant=dequant, **SMALL).double()
    stretch = model.transforms[1]
    assert isinstance(stretch, ScalarAffineBijection) and stretch.scale == 32 / 17
    x = torch.tensor([0, 16]).repeat(32).view(1, 1, 8, 8).expand(50, -1, -1, -1)
    with torch.no_grad():
        u, ldj_dequant = model.transforms[0](x)
        y, ldj = stretch(u)
    assert float(y.min()) >= -0.5 and float(y.max()) < 0.5
    assert float(y.max()) > 0.4 and float(y.min()) < -0.4  # both ends of the range are used
    torch.testing.assert_close(ldj, torch.full((50,), 64 * math.log(32 / 17), dtype=ldj.dtype))
    # the bound is on the 17-level data: log-dets of dequantization and stretch add up to the
    # density of the bins of width 1/17 (uniform: exactly -64 log 17)
    if dequant == "uniform":
        torch.testing.assert_close(ldj_dequant + ldj, torch.full_like(ldj, -64 * math.log(17)))
    samples = model.sample(20)
    assert samples.dtype == torch.long and int(samples.min()) >= 0 and int(samples.max()) <= 31


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="pooling must be one of"):
        pool_flow((1, 8, 8), pooling="avg")
    with pytest.raises(ValueError, match="dequant must be one of"):
        pool_flow((1, 8, 8), dequant="variational")
    with pytest.raises(ValueError, match="divisible by 2\\*\\*3"):
        pool_flow((1, 8, 12), num_scales=3)
    with pytest.raises(ValueError, match="levels must be in \\[2, 2\\*\\*num_bits = 32\\]"):
        pool_flow((1, 8, 8), num_bits=5, levels=33)
