"""`survae train vae` and `survae reproduce vae` (tiny runs on the digits)."""

import json

from survae.experiments.cli import main
from survae.experiments.vae import table_runs

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
