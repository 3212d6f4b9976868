"""The ``survae`` command line: toy training, metrics line, checkpoints, resume, bad losses."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
import torch

from survae.experiments import toy as toy_module
from survae.experiments.cli import main

FAST = ["--train-size", "2000", "--test-size", "500", "--batch-size", "64", "--quiet"]


def _last_json(capsys) -> dict:
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    return json.loads(lines[-1])


@pytest.mark.parametrize("model", ["flow", "absflow"])
def test_train_toy_writes_metrics_plots_and_checkpoint(tmp_path, capsys, model):
    out = tmp_path / model
    main(["train", "toy", "--model", model, "--steps", "30", "--out", str(out), *FAST])
    metrics = _last_json(capsys)
    assert metrics["steps"] == 30 and metrics["model"] == model
    assert math.isfinite(metrics["test_nll_nats"]) and metrics["skipped_batches"] == 0
    assert json.loads((out / "metrics.json").read_text()) == metrics
    for name in ("data.png", "density.png", "samples.png"):
        assert (out / name).stat().st_size > 1000
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    assert state["step"] == 30
    assert state["metadata"]["model"] == model and state["metadata"]["dataset"] == "checkerboard"
    assert all(isinstance(t, torch.Tensor) for t in state["rng"][0].values())
    assert "state" in state["optimizer"]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []  # no temp files
    rebuilt = toy_module.build_toy_model(model, "checkerboard")
    rebuilt.load_state_dict(state["model"])


def test_resume_continues_exactly(tmp_path, capsys):
    common = ["train", "toy", "--model", "flow", "--no-plots", "--checkpoint-every", "10", *FAST]
    main([*common, "--steps", "20", "--out", str(tmp_path / "full")])
    main([*common, "--steps", "10", "--out", str(tmp_path / "part")])
    main([*common, "--steps", "20", "--out", str(tmp_path / "part"), "--resume"])
    full = torch.load(tmp_path / "full" / "checkpoint.pt", weights_only=True)
    part = torch.load(tmp_path / "part" / "checkpoint.pt", weights_only=True)
    assert part["step"] == 20
    for key, value in full["model"].items():
        torch.testing.assert_close(part["model"][key], value, atol=0, rtol=0)
    capsys.readouterr()


def test_non_finite_losses_are_skipped_then_stop(tmp_path, monkeypatch, capsys):
    original = toy_module.build_toy_model

    def broken(*args, **kwargs):
        model = original(*args, **kwargs)
        model.log_prob = lambda x: torch.full((x.shape[0],), float("nan"), requires_grad=True)
        return model

    monkeypatch.setattr(toy_module, "build_toy_model", broken)
    with pytest.warns(UserWarning, match="non-finite loss"):
        with pytest.raises(SystemExit) as stop:
            main(["train", "toy", "--steps", "50", "--no-plots", "--out", str(tmp_path), *FAST])
    assert stop.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert "consecutive non-finite" in err[-1] and "no checkpoint was written" in err[-1]
    assert not (tmp_path / "checkpoint.pt").exists()


def test_unknown_dataset_is_rejected(capsys):
    with pytest.raises(SystemExit):
        main(["train", "toy", "--dataset", "nope"])


def test_resume_refuses_a_different_run_and_starts_fresh_without_checkpoint(tmp_path, capsys):
    common = ["train", "toy", "--no-plots", "--steps", "5", "--out", str(tmp_path), *FAST]
    main([*common, "--resume"])  # nothing to resume: starts at step 0
    assert "no checkpoint" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:
        main([*common, "--resume", "--model", "absflow"])
    assert refused.value.code == 2
    assert "model: 'flow' -> 'absflow'" in capsys.readouterr().err


def test_threads_are_restored_after_a_run(tmp_path, capsys):
    before = torch.get_num_threads()
    main(["train", "toy", "--no-plots", "--steps", "2", "--out", str(tmp_path), *FAST])
    assert torch.get_num_threads() == before
    capsys.readouterr()


def test_demo_trains_both_and_compares(tmp_path, capsys, monkeypatch):
    original = toy_module.train_toy

    def small(spec):  # the demo with a small data set, to keep the test fast
        return original(dataclasses.replace(spec, train_size=2000, test_size=500))

    monkeypatch.setattr(toy_module, "train_toy", small)
    main(["demo", "--out", str(tmp_path), "--steps", "20", "--quiet"])
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip()]
    assert "flow" in lines[0] and "nats" in lines[0] and "absflow" in lines[1]
    metrics = json.loads(lines[-1])
    assert set(metrics) >= {"flow_test_nll_nats", "absflow_test_nll_nats", "seconds"}
    assert json.loads((tmp_path / "metrics.json").read_text()) == metrics
    assert (tmp_path / "comparison.png").stat().st_size > 1000
    for model in ("flow", "absflow"):
        assert (tmp_path / model / "density.png").exists()
        assert (tmp_path / model / "checkpoint.pt").exists()
        assert json.loads((tmp_path / model / "metrics.json").read_text())["model"] == model


def test_bad_numbers_are_usage_errors(capsys):
    with pytest.raises(SystemExit):
        main(["train", "toy", "--batch-size", "0"])
    assert "expected an integer >= 1" in capsys.readouterr().err


def test_reproduce_absflow_writes_its_table(tmp_path, capsys):
    main(["reproduce", "absflow", "--datasets", "checkerboard", "corners", "--steps", "3",
          "--train-size", "512", "--test-size", "256", "--quiet", "--out", str(tmp_path)])
    table = (tmp_path / "table.md").read_text()
    assert "| checkerboard |" in table and "| corners |" in table and "cosine decay" in table
    assert (tmp_path / "densities.png").stat().st_size > 1000
    line = _last_json(capsys)
    assert set(line["table"]) == {"checkerboard", "corners"}
