"""``survae reproduce unifying`` and the new toy models of ``survae train toy``."""

from __future__ import annotations

import dataclasses
import functools
import json
import math

import pytest

from survae.experiments.cli import main
from survae.experiments.errors import RunFolderError
from survae.experiments.specs import ToySpec
from survae.experiments.unifying_table import _train_one
from survae.models import unifying


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
          "--plot-k", "1", "--jobs", "1", "--quiet", "--out", str(tmp_path),
          "--docs", str(tmp_path / "docs")])
    table = (tmp_path / "table.md").read_text()
    assert "| checkerboard | 3.466 |" in table and "Diffusion (bound)" in table
    assert (tmp_path / "docs" / "unifying-table.md").read_text() == table
    assert (tmp_path / "docs" / "unifying-densities.png").exists()
    assert (tmp_path / "densities.png").stat().st_size > 1000
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(line["table"]["checkerboard"]) == {"gaussian", "flow", "absflow", "rad", "cif",
                                                 "diffusion"}


def _table(out, *extra):
    main(["reproduce", "unifying", "--datasets", "corners", "--models", "flow", "cif",
          "--train-size", "256", "--test-size", "128", "--iwbo-k", "3", "--iwbo-points", "8",
          "--plot-k", "1", "--jobs", "1", "--quiet", "--out", str(out), *extra])


def _last_line(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.slow
def test_reproduce_unifying_reuses_only_runs_of_the_same_settings(tmp_path, capsys):
    _table(tmp_path, "--steps", "2")
    first = _last_line(capsys)["table"]["corners"]
    assert math.isfinite(first["gaussian"]) and first["gaussian"] < 5
    table = (tmp_path / "table.md").read_text()
    assert "| data | entropy floor | Gaussian (baseline) | Flow | CIF (bound) |" in table
    assert "0 read back" in table

    _table(tmp_path, "--steps", "2", "--reuse")
    again = _last_line(capsys)["table"]["corners"]
    assert again["flow"]["reused"] and again["cif"]["reused"]
    assert again["cif"]["iwbo_nll"] == first["cif"]["iwbo_nll"]
    assert "2 read back" in (tmp_path / "table.md").read_text()

    # Another budget, or other IWBO settings for the bound: refused, naming what differs.
    with pytest.raises(SystemExit):
        _table(tmp_path, "--steps", "3", "--reuse")
    assert "steps: 2 there, 3 now" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _table(tmp_path, "--steps", "2", "--iwbo-k", "5", "--reuse")
    assert "iwbo_k: 3 there, 5 now" in capsys.readouterr().err

    # Without --reuse a folder holding runs is never trained over silently.
    with pytest.raises(SystemExit):
        _table(tmp_path, "--steps", "2")
    capsys.readouterr()

    _table(tmp_path, "--steps", "3", "--reuse", "--overwrite")
    retrained = _last_line(capsys)["table"]["corners"]
    assert not retrained["flow"]["reused"] and retrained["flow"]["steps"] == 3


def test_a_row_is_read_back_only_with_the_same_settings(tmp_path, monkeypatch):
    spec = ToySpec(dataset="corners", model="cif", steps=2, train_size=128, test_size=64,
                   batch_size=32, hidden_units=(8,), no_plots=True, quiet=True, threads=1,
                   out=str(tmp_path / "run"))
    row = _train_one(spec, iwbo_k=3, iwbo_points=8)
    assert not row["reused"] and math.isfinite(row["iwbo_nll"])
    assert math.isfinite(row["elbo_nll_iwbo_points"])
    assert _train_one(spec, 3, 8, reuse=True) == {**row, "reused": True}
    for changed, message in [(dict(lr=2e-3), "lr: 0.001 there, 0.002 now"),
                             (dict(test_size=32), "test_size: 64 there, 32 now")]:
        with pytest.raises(RunFolderError, match=message):
            _train_one(dataclasses.replace(spec, **changed), 3, 8, reuse=True)
    with pytest.raises(RunFolderError, match="iwbo_points: 8 there, 9 now"):
        _train_one(spec, 3, 9, reuse=True)
    with monkeypatch.context() as patch:  # the same options, but the builder changed
        patch.setattr(unifying, "build_cif_flow",
                      functools.partial(unifying.build_cif_flow, std_bound=3.0))
        with pytest.raises(RunFolderError, match="architecture"):
            _train_one(spec, 3, 8, reuse=True)
    with pytest.raises(RunFolderError):  # without reuse, never trained over silently
        _train_one(spec, 3, 8)
    again = _train_one(dataclasses.replace(spec, steps=3, overwrite=True), 3, 8, reuse=True)
    assert not again["reused"] and again["steps"] == 3
