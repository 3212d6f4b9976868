"""`survae train vae` and `survae reproduce vae` (tiny runs on the digits)."""

import json
import math

import numpy as np
import pytest
import torch

from survae.experiments.cli import main
from survae.experiments.specs import VaeSpec
from survae.experiments.vae import _datasets, table_runs
from tests.data.files import write_idx

TINY = ["--steps", "5", "--batch-size", "16", "--hidden", "16", "--length", "2", "--quiet"]


def test_train_vae_with_kl_warmup_and_2d_latent(tmp_path, capsys):
    out = tmp_path / "run"
    main(["train", "vae", "--flow", "sylvester", "--mode", "dynamic", "--latent-dim", "2",
          "--kl-warmup", "3", "--iwbo-k", "20", "--iwbo-kbs", "7", "--out", str(out), *TINY])
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["flow"] == "sylvester" and line["steps"] == 5
    assert line["test_iwbo20_nats"] >= line["test_elbo_nats"] - 1.0
    for name in ("samples.png", "reconstructions.png", "latent.png", "checkpoint.pt"):
        assert (out / name).stat().st_size > 0


def test_conv_arch(tmp_path, capsys):
    main(["train", "vae", "--flow", "iaf", "--arch", "conv", "--iwbo-k", "0",
          "--out", str(tmp_path), *TINY])
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["arch"] == "conv" and "test_iwbo0_nats" not in line


def test_table_runs_and_command(tmp_path, capsys):
    assert table_runs(["none", "planar", "iaf"]) == [
        ("none", "static"), ("planar", "static"), ("planar", "dynamic"), ("iaf", "static"),
        ("iaf", "dynamic")]
    main(["reproduce", "vae", "--flows", "none", "householder", "--steps", "3", "--hidden", "16",
          "--length", "2", "--iwbo-k", "5", "--quiet", "--out", str(tmp_path / "t"),
          "--docs", str(tmp_path / "d")])
    table = (tmp_path / "d" / "vae-table.md").read_text()
    assert "| householder | dynamic |" in table and "IWBO (K=5)" in table
    assert (tmp_path / "d" / "vae-samples.png").exists()
    assert (tmp_path / "d" / "vae-table.png").stat().st_size > 0
    assert "![test bounds of every run](vae-table.png)" in table


def test_digits_training_images_are_binarized_afresh():
    train, test = _datasets(VaeSpec())
    torch.manual_seed(0)
    draws = torch.stack([train[5][0] for _ in range(20)])
    assert set(draws.unique().tolist()) <= {0.0, 1.0}
    assert bool((draws != draws[0]).any())  # dynamic binarization for training
    assert torch.equal(test[5][0], test[5][0]) and len(train) == 1437 and len(test) == 360


def test_mnist_files_in_torchvision_format(tmp_path, capsys):
    pytest.importorskip("torchvision")
    raw = tmp_path / "data" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 32), ("t10k", 6)):
        write_idx(raw / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)))
        write_idx(raw / f"{prefix}-labels-idx1-ubyte", np.arange(n) % 10)
    out = tmp_path / "run"
    main(["train", "vae", "--dataset", "mnist", "--data-root", str(tmp_path / "data"),
          "--arch", "conv", "--flow", "householder", "--mode", "dynamic", "--latent-dim", "2",
          "--iwbo-k", "4", "--out", str(out), *TINY])
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["arch"] == "conv" and math.isfinite(line["test_iwbo4_nats"])
    assert line["test_elbo_bpd"] == pytest.approx(-line["test_elbo_nats"] / (784 * math.log(2)))
    for name in ("samples.png", "latent.png"):
        assert (out / name).stat().st_size > 0
