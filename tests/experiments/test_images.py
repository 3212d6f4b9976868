"""`survae train image`, `survae sample` and `survae eval` end to end on the digits (tiny runs)."""

import json
from pathlib import Path

import pytest
import torch

from survae.experiments.cli import main, parse_spec
from survae.experiments.images import model_settings
from survae.experiments.run_files import load_checkpoint
from survae.experiments.specs import ImageSpec
from survae.models.images import build_image_model


@pytest.mark.parametrize("model", ["realnvp", "glow", "augmented", "maxpool", "baseline"])
def test_train_image_end_to_end(tmp_path, capsys, model):
    out = tmp_path / model
    main(["train", "image", "--model", model, "--steps", "6", "--batch-size", "16",
          "--hidden", "8", "--eval-every", "3", "--num-samples", "4", "--quiet",
          "--out", str(out)])
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["steps"] == 6 and line["model"] == model and 1.0 < line["test_bpd"] < 12
    assert json.loads((out / "metrics.json").read_text()) == line
    for name in ("checkpoint.pt", "log.csv", "loss.png", "samples.png", "data.png"):
        assert (out / name).stat().st_size > 0, name


def test_sample_eval_and_resume(tmp_path, capsys):
    out = tmp_path / "run"
    common = ["train", "image", "--model", "glow", "--batch-size", "16", "--hidden", "8",
              "--steps-per-scale", "1", "--num-samples", "4", "--quiet", "--out", str(out)]
    main(common + ["--steps", "4"])
    main(common + ["--steps", "8", "--resume"])
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 8
    capsys.readouterr()
    main(["sample", str(out / "checkpoint.pt"), "-n", "9", "--nrow", "3"])
    assert (out / "samples_grid.png").stat().st_size > 0
    main(["eval", str(out / "checkpoint.pt"), "--k", "3"])
    metrics = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert metrics["exact"] is False and metrics["model"] == "glow"
    assert abs(metrics["test_iwbo3_bpd"] - metrics["test_bpd"]) < 0.05


def test_yaml_config_drives_a_run(tmp_path, capsys):
    config = tmp_path / "run.yaml"
    config.write_text(f"model: baseline\nsteps: 3\nbatch-size: 8\nhidden: 8\nquiet: true\n"
                      f"out: {tmp_path / 'yaml'}\n")
    main(["train", "image", "--config", str(config)])
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["model"] == "baseline" and line["steps"] == 3


def test_reproduce_images_table(tmp_path, capsys):
    main(["reproduce", "images", "--models", "glow", "maxpool", "baseline", "--steps", "3",
          "--batch-size", "8", "--hidden", "8", "--iwbo-k", "2", "--quiet",
          "--out", str(tmp_path / "table"), "--docs", str(tmp_path / "docs")])
    table = (tmp_path / "docs" / "image-table.md").read_text()
    assert "| glow | uniform | 0.003 |" in table and "| maxpool | flow | 0.003 |" in table
    assert "| baseline | flow | 0.003 |" in table and "IWBO, k=2" in table
    assert "| *baseline*: factorized categorical (exact) | - | - | 1,024 | 2.424 |" in table
    assert "| *baseline*: uniform over the 17 levels (exact) | - | - | 0 | 4.087 |" in table
    widths = {line.count("|") for line in table.splitlines() if line.startswith("| ")}
    assert widths == {10, 5}  # every row of the digits table has its 9 cells, the paper's 4
    assert "- ELBO: maxpool - baseline = " in table and "- IWBO k=2: maxpool - baseline" in table
    assert "| CIFAR-10 | 3.09 | 3.08 | +0.01 |" in table and "different data" in table
    assert "--models glow maxpool baseline --steps 3" in table and "wall time" in table
    assert "load (start / end)" in table
    assert (tmp_path / "docs" / "image-samples.png").stat().st_size > 0
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(line) >= {"glow_test_bpd", "maxpool_test_bpd", "steps", "seconds"}


def test_pool_flow_defaults_on_the_digits():
    """The pool flows get the paper's flow dequantization, their own learning rate and, on the
    digits' 17 levels, the stretch onto [-0.5, 0.5); the other models keep their layers."""
    pool = ImageSpec(model="maxpool-learned").resolved()
    assert (pool.dequant, pool.lr, pool.num_bits) == ("flow", 3e-3, 5)
    assert model_settings(pool)["levels"] == 17 and model_settings(pool)["dequant"] == "flow"
    assert "levels" not in model_settings(ImageSpec(model="maxpool", num_bits=8))
    glow = ImageSpec(model="glow").resolved()
    assert (glow.dequant, glow.lr) == (None, 3e-3)  # every model learns the digits faster at 3e-3
    assert ImageSpec(model="glow", dataset="cifar10").resolved().lr == 1e-3
    assert "levels" not in model_settings(glow) and "dequant" not in model_settings(glow)
    assert ImageSpec(model="baseline", lr=1e-3, dequant="uniform").resolved().lr == 1e-3


@pytest.mark.parametrize("path", sorted(Path(__file__).parents[2].glob("configs/*.yaml")))
def test_shipped_configs_parse_and_build(path):
    """Every ready-to-run config names only real flags and builds its model (small here)."""
    args = parse_spec(["train", "image", "--config", str(path), "--hidden", "4",
                       "--steps-per-scale", "1"])
    assert args.dataset == "cifar10" and args.steps >= 100_000 and args.hidden == 4
    model = build_image_model(args.model, (3, 32, 32), **model_settings(args))
    assert model.log_prob(torch.randint(0, 256, (1, 3, 32, 32))).shape == (1,)
