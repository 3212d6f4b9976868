"""Shared training pieces: atomic saves, metrics line, non-finite guard, thread scoping."""

from __future__ import annotations

import json

import pytest
import torch

from survae.experiments.run_files import atomic_torch_save, load_checkpoint, report_metrics
from survae.experiments.training import NonFiniteGuard, rng_state, set_rng_state, torch_threads


def test_atomic_save_round_trips_with_weights_only_and_leaves_no_temp(tmp_path):
    path = tmp_path / "run" / "checkpoint.pt"
    atomic_torch_save({"w": torch.arange(3.0), "step": 7, "config": {"lr": 1e-3}}, path)
    atomic_torch_save({"w": torch.arange(4.0), "step": 8, "config": {"lr": 1e-3}}, path)
    state = load_checkpoint(path)
    assert state["step"] == 8 and torch.equal(state["w"], torch.arange(4.0))
    assert [p.name for p in path.parent.iterdir()] == ["checkpoint.pt"]


class _FailsToSave:
    def __reduce__(self):
        raise OSError("disk full")


def test_failed_save_keeps_the_old_checkpoint(tmp_path):
    path = tmp_path / "checkpoint.pt"
    atomic_torch_save({"step": 1}, path)
    with pytest.raises(OSError, match="disk full"):
        atomic_torch_save({"bad": _FailsToSave()}, path)  # dies halfway through the write
    assert load_checkpoint(path) == {"step": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]


def test_report_metrics_prints_one_json_line(tmp_path, capsys):
    report_metrics({"test_nll_nats": 3.5, "steps": 10}, tmp_path)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and json.loads(out) == {"test_nll_nats": 3.5, "steps": 10}
    assert json.loads((tmp_path / "metrics.json").read_text()) == json.loads(out)
    line = report_metrics({"test_nll_nats": float("nan"), "table": {"a": [float("inf")]}}, tmp_path)
    assert json.loads(line) == {"test_nll_nats": None, "table": {"a": [None]}}


def test_rng_state_round_trip():
    g = torch.Generator().manual_seed(1)
    state = rng_state(g)
    a, b = torch.rand(2), torch.rand(2, generator=g)
    set_rng_state(state, g)
    assert torch.equal(torch.rand(2), a) and torch.equal(torch.rand(2, generator=g), b)


def _model():
    w = torch.nn.Parameter(torch.ones(2))
    return w, torch.optim.Adam([w], lr=0.1)


def test_guard_skips_non_finite_loss_and_gradient_then_stops():
    w, opt = _model()
    guard = NonFiniteGuard(max_consecutive=3)
    with pytest.warns(UserWarning, match="non-finite loss"):
        assert not guard.step(w.sum() * float("inf"), opt, step=1)
    with pytest.warns(UserWarning, match="non-finite gradient"):
        assert not guard.step(torch.sqrt(w - 1).sum(), opt, step=2)  # finite loss, inf gradient
    assert torch.equal(w.detach(), torch.ones(2)) and w.grad is None
    assert guard.step((w**2).sum(), opt, step=3) and guard.consecutive == 0
    assert guard.skipped == 2
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="3 consecutive"):
        for step in range(4, 10):
            guard.step(w.sum() * float("nan"), opt, step)


def test_torch_threads_scopes_the_setting():
    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with torch_threads(0):
        assert torch.get_num_threads() == before
