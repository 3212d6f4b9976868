"""``survae train tabular`` on MAF-format files written here: JSON line, metrics, baseline."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from survae.experiments.cli import main
from survae.experiments.tabular import TabularSpec, nll_and_stderr, train_tabular
from tests.data import files


def _banana(n: int, seed: int) -> np.ndarray:
    """A curved density a Gaussian fits badly: x2 = x1^2 + noise (and two free columns)."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    return np.column_stack([x1, x1**2 + 0.2 * rng.normal(size=n), rng.normal(size=(n, 2))])


def test_command_ends_with_the_json_line(tmp_path, capsys):
    files.write_power(tmp_path / "data", np.random.default_rng(0).normal(size=(1500, 8)))
    out = tmp_path / "run"
    main(["train", "tabular", "--dataset", "power", "--model", "nsf-coupling", "--root",
          str(tmp_path / "data"), "--steps", "20", "--batch-size", "64", "--num-flows", "2",
          "--hidden-units", "16", "--quiet", "--out", str(out)])
    line = [s for s in capsys.readouterr().out.splitlines() if s.strip()][-1]
    metrics = json.loads(line)
    assert metrics == json.loads((out / "metrics.json").read_text())
    assert metrics["dataset"] == "power" and metrics["features"] == 6
    assert metrics["sizes"] == [1215, 135, 150] and metrics["steps"] == 20
    for key in ("test_nll_nats", "test_nll_stderr", "gaussian_test_nll_nats",
                "gaussian_test_nll_stderr", "valid_nll_nats"):
        assert math.isfinite(metrics[key])
    assert (out / "checkpoint.pt").exists()


def test_missing_files_stop_with_the_expected_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["train", "tabular", "--dataset", "bsds300", "--root", str(tmp_path), "--quiet",
              "--out", str(tmp_path / "run")])
    assert stop.value.code == 2
    assert "uci_maf/data/BSDS300/BSDS300.hdf5" in capsys.readouterr().err


@pytest.mark.parametrize("model", ["maf", "realnvp", "nsf-ar"])
def test_flows_beat_the_gaussian_on_a_curved_density(tmp_path, model):
    files.write_miniboone(tmp_path, _banana(4000, 1))
    spec = TabularSpec(dataset="miniboone", model=model, root=str(tmp_path), steps=400,
                       batch_size=128, lr=3e-3, num_flows=3, hidden_units=(32, 32),
                       out=str(tmp_path / model), quiet=True, checkpoint_every=0,
                       eval_every=0, seed=0)
    metrics = train_tabular(spec)
    margin = 3 * math.hypot(metrics["test_nll_stderr"], metrics["gaussian_test_nll_stderr"])
    assert metrics["test_nll_nats"] < metrics["gaussian_test_nll_nats"] - margin, metrics


def test_nll_and_stderr():
    values = torch.tensor([1.0, 2.0, 3.0, 4.0])
    nll, se = nll_and_stderr(lambda x: -x, values, batch_size=3)
    assert nll == pytest.approx(2.5) and se == pytest.approx(values.std().item() / 2)
    with pytest.raises(ValueError, match=r"model \(--model\): expected one of"):
        TabularSpec(model="glow")
