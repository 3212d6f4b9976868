"""``survae reproduce unifying`` and the new toy models of ``survae train toy``."""

from __future__ import annotations

import json
import math

import pytest

from survae.experiments.cli import main


@pytest.mark.parametrize("model", ["rad", "cif", "diffusion"])
def test_train_toy_new_models(tmp_path, capsys, model):
    out = tmp_path / model
    main(["train", "toy", "--model", model, "--dataset", "corners", "--steps", "5",
          "--train-size", "512", "--test-size", "256", "--batch-size", "64", "--no-plots",
          "--quiet", "--out", str(out)])
    metrics = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert metrics["model"] == model and math.isfinite(metrics["test_nll_nats"])
    assert metrics["bound"] == (model in ("cif", "diffusion"))
    assert (out / "checkpoint.pt").exists()


@pytest.mark.slow
def test_reproduce_unifying_writes_its_table(tmp_path, capsys):
    main(["reproduce", "unifying", "--datasets", "checkerboard", "--steps", "3",
          "--train-size", "512", "--test-size", "256", "--iwbo-k", "4", "--iwbo-points", "16",
          "--plot-k", "1", "--jobs", "1", "--quiet", "--out", str(tmp_path)])
    table = (tmp_path / "table.md").read_text()
    assert "| checkerboard | 3.466 |" in table and "Diffusion (bound)" in table
    assert (tmp_path / "densities.png").stat().st_size > 1000
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(line["table"]["checkerboard"]) == {"flow", "absflow", "rad", "cif", "diffusion"}
