"""Behaviour of official names beyond their import paths (the paths: test_official_names.py)."""


import pytest
import torch


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
