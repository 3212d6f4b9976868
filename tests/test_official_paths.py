"""Official module paths and names that users of the official library import."""

import importlib

import pytest
import torch


@pytest.mark.parametrize(("module", "names"), [
    ("survae.transforms.bijections.conditional", ["ConditionalBijection",
                                                  "ConditionalAffineBijection",
                                                  "ConditionalAdditiveBijection",
                                                  "ConditionalAffineCouplingBijection"]),
    ("survae.transforms.bijections.conditional.coupling",
     ["ConditionalAdditiveCouplingBijection",
      "ConditionalRationalQuadraticSplineCouplingBijection"]),
    ("survae.transforms.bijections.conditional.elementwise_linear",
     ["ConditionalAffineBijection"]),
    ("survae.transforms.bijections.conditional.autoregressive",
     ["ConditionalAffineAutoregressiveBijection2d", "ConditionalAutoregressiveBijection2d"]),
    ("survae.nn.nets", ["PixelCNN", "MADE", "MultiscaleDenseNet", "DenseNet"]),
    ("survae.nn.layers.autoregressive", ["MaskedConv2d", "MaskedLinear"]),
    ("survae.optim.schedulers", ["LinearWarmupScheduler"]),
    ("survae.transforms", ["LinearLowRank", "Rotate", "LinearLU", "SneakyReLU", "Softplus"]),
])
def test_official_imports(module, names):
    mod = importlib.import_module(module)
    for name in names:
        assert hasattr(mod, name), f"{module}.{name}"


def test_linear_warmup_scheduler_matches_the_official_rule():
    from survae.optim.schedulers import LinearWarmupScheduler

    opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(2))], lr=2e-3)
    sched = LinearWarmupScheduler(opt, total_epoch=10)
    rates = []
    for _ in range(12):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert rates[0] == 0 and rates[5] == pytest.approx(1e-3) and rates[10:] == [2e-3, 2e-3]
    with pytest.raises(ValueError, match="total_epoch"):
        LinearWarmupScheduler(opt, total_epoch=0)


def test_rotate_and_low_rank_bad_arguments():
    from survae.transforms import LinearLowRank, Rotate

    with pytest.raises(ValueError, match="degrees"):
        Rotate(45, 1, 2)
    with pytest.raises(AssertionError, match="has no dimensions 1 and 3"):
        Rotate(90, 1, 3)(torch.randn(2, 3, 4))
    z, _ = Rotate(90, 1, 2)(torch.randn(2, 3, 4))  # non-square planes rotate, as official
    assert z.shape == (2, 4, 3)
    with pytest.raises(ValueError, match="rank"):
        LinearLowRank(3, rank=4)
