"""The ``survae`` command line: toy training, metrics line, checkpoints, resume, bad losses."""

from __future__ import annotations

import json

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
    main(["train", "toy", "--dataset", "checkerboard", "--model", model, "--steps", "30",
          "--out", str(out), *FAST])
    metrics = _last_json(capsys)
    assert metrics["steps"] == 30 and metrics["model"] == model
    assert metrics["test_nll_nats"] == pytest.approx(metrics["test_nll_nats"])  # a number
    assert json.loads((out / "metrics.json").read_text()) == metrics
    for name in ("data.png", "density.png", "samples.png"):
        assert (out / name).stat().st_size > 1000
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    assert state["step"] == 30
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


def test_non_finite_losses_are_skipped_then_stop(tmp_path, monkeypatch):
    original = toy_module.build_toy_model

    def broken(*args, **kwargs):
        model = original(*args, **kwargs)
        model.log_prob = lambda x: torch.full((x.shape[0],), float("nan"), requires_grad=True)
        return model

    monkeypatch.setattr(toy_module, "build_toy_model", broken)
    with pytest.warns(UserWarning, match="non-finite loss"):
        with pytest.raises(RuntimeError, match="consecutive non-finite"):
            main(["train", "toy", "--steps", "50", "--no-plots", "--out", str(tmp_path), *FAST])
    assert not (tmp_path / "checkpoint.pt").exists()


def test_unknown_dataset_is_rejected(capsys):
    with pytest.raises(SystemExit):
        main(["train", "toy", "--dataset", "nope"])
