"""The shared training loop: schedule, exact resume, non-finite handling, YAML config, torchrun."""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from survae.distributions import StandardNormal
from survae.experiments.cli import parse_spec
from survae.experiments.errors import SpecError
from survae.experiments.run_files import load_checkpoint
from survae.experiments.specs import ToySpec
from survae.experiments.trainer import (
    TrainConfig,
    Trainer,
    default_optimizer,
    learning_rate_factor,
    seed_everything,
)
from survae.flows import Flow
from survae.nn.layers import ElementwiseParams
from survae.nn.nets import MLP
from survae.transforms import (
    ActNormBijection,
    AffineCouplingBijection,
    Reverse,
    UniformDequantization,
)

HERE = Path(__file__).parent


def _continuous_flow() -> Flow:
    seed_everything(0)
    net = nn.Sequential(MLP(1, 2, hidden_units=[8], activation="relu"), ElementwiseParams(2))
    transforms = [ActNormBijection(2), AffineCouplingBijection(net), Reverse(2)]
    return Flow(StandardNormal((2,)), transforms)


def _dequantized_flow() -> Flow:
    """A model that draws random numbers in every forward pass (the RNG state must resume)."""
    seed_everything(0)
    net = nn.Sequential(MLP(1, 2, hidden_units=[8], activation="relu"), ElementwiseParams(2))
    return Flow(
        StandardNormal((2,)),
        [UniformDequantization(num_bits=3), ActNormBijection(2), AffineCouplingBijection(net)],
    )


def _nll(model, batch):
    return -model.log_prob(batch[0]).mean()


def test_learning_rate_schedule():
    cfg = TrainConfig(steps=110, warmup=10, decay="cosine", min_lr_ratio=0.1)
    assert learning_rate_factor(0, cfg) == pytest.approx(0.1)
    assert learning_rate_factor(9, cfg) == pytest.approx(1.0)
    assert learning_rate_factor(10, cfg) == pytest.approx(1.0)
    assert learning_rate_factor(60, cfg) == pytest.approx(0.55)
    assert learning_rate_factor(110, cfg) == pytest.approx(0.1)
    exp = TrainConfig(decay="exponential", gamma=0.5)
    assert learning_rate_factor(3, exp) == pytest.approx(0.125)
    with pytest.raises(ValueError, match="decay"):
        TrainConfig(decay="linear")


def test_default_adam_is_fused_and_steps_like_the_loop(tmp_path):
    data = TensorDataset(torch.randn(256, 2) * 2 + 1)
    cfg = TrainConfig(out=str(tmp_path / "fused"), steps=20, batch_size=32, lr=1e-2,
                      weight_decay=1e-3, quiet=True)
    fused = _continuous_flow()
    trainer = Trainer(fused, data, _nll, cfg)
    assert trainer.optimizer.defaults["fused"] is True
    assert default_optimizer(_continuous_flow().double(), cfg).defaults["fused"] is True
    trainer.fit()
    looped = _continuous_flow()
    loop = torch.optim.Adam(looped.parameters(), lr=1e-2, weight_decay=1e-3, foreach=False)
    cfg = TrainConfig(out=str(tmp_path / "loop"), steps=20, batch_size=32, lr=1e-2, quiet=True)
    Trainer(looped, data, _nll, cfg, optimizer=loop).fit()
    for (name, a), b in zip(fused.state_dict().items(), looped.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5, msg=name)


def test_training_lowers_the_loss_and_writes_its_files(tmp_path):
    data = TensorDataset(torch.randn(512, 2) * torch.tensor([3.0, 0.5]) + 2)
    cfg = TrainConfig(out=str(tmp_path), steps=150, batch_size=64, lr=1e-2, log_every=10,
                      eval_every=50, quiet=True, clip_grad_norm=5.0, warmup=10)
    model = _continuous_flow()
    test = torch.randn(256, 2) * torch.tensor([3.0, 0.5]) + 2
    metrics = Trainer(model, data, _nll, cfg, num_dims=2,
                      eval_fn=lambda m: {"test_nll_nats": -m.log_prob(test).mean()}).fit()
    assert metrics["steps"] == 150 and metrics["skipped_batches"] == 0
    entropy = math.log(2 * math.pi * math.e) + math.log(3.0 * 0.5)  # the data's NLL: 3.243
    assert entropy - 0.1 < metrics["test_nll_nats"] < entropy + 0.05
    assert metrics["train_bpd"] == pytest.approx(metrics["train_loss_nats"] / (2 * math.log(2)))
    rows = list(csv.DictReader(open(tmp_path / "log.csv")))
    losses = [float(r["loss_nats"]) for r in rows if r["loss_nats"]]
    assert [int(r["step"]) for r in rows if r["loss_nats"]] == list(range(10, 151, 10))
    assert losses[-1] < losses[0] - 0.05
    assert {int(r["step"]) for r in rows if r.get("test_nll_nats")} == {50, 100, 150}
    assert (tmp_path / "loss.png").stat().st_size > 1000
    state = load_checkpoint(tmp_path / "checkpoint.pt")  # weights_only: plain tensors and values
    assert state["step"] == 150 and state["config"]["lr"] == 1e-2


@pytest.mark.parametrize("make_model", [_continuous_flow, _dequantized_flow])
def test_resume_is_bit_exact(tmp_path, make_model):
    g = torch.Generator().manual_seed(1)
    data = TensorDataset(torch.randint(0, 8, (300, 2), generator=g).double())
    common = dict(batch_size=32, lr=5e-3, quiet=True, log_every=5, warmup=3, decay="cosine")
    whole = make_model().double()
    Trainer(whole, data, _nll, TrainConfig(out=str(tmp_path / "a"), steps=24, **common)).fit()
    half = make_model().double()
    cfg = TrainConfig(out=str(tmp_path / "b"), steps=24, **common)
    Trainer(half, data, _nll, cfg).fit(stop_at=11)  # as if interrupted after step 11
    resumed = make_model().double()  # a new process would build the model afresh
    cfg = TrainConfig(out=str(tmp_path / "b"), steps=24, resume=True, **common)
    Trainer(resumed, data, _nll, cfg).fit()
    for (name, a), b in zip(whole.state_dict().items(), resumed.state_dict().values()):
        assert torch.equal(a, b), name
    rows = list(csv.DictReader(open(tmp_path / "b" / "log.csv")))
    assert [int(r["step"]) for r in rows] == [5, 10, 11, 15, 20, 24]


def test_non_finite_losses_are_skipped_then_stop_the_run(tmp_path):
    data = TensorDataset(torch.randn(128, 2))
    calls = {"n": 0}

    def sometimes_nan(model, batch):
        calls["n"] += 1
        loss = _nll(model, batch)
        return loss * float("nan") if calls["n"] in (3, 4) else loss

    cfg = TrainConfig(out=str(tmp_path / "ok"), steps=10, batch_size=16, quiet=True)
    with pytest.warns(UserWarning, match="non-finite loss"):
        metrics = Trainer(_continuous_flow(), data, sometimes_nan, cfg).fit()
    assert metrics["skipped_batches"] == 2 and metrics["steps"] == 10

    cfg = TrainConfig(out=str(tmp_path / "bad"), steps=50, batch_size=16, quiet=True,
                      max_nonfinite=3)
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="3 consecutive"):
        Trainer(_continuous_flow(), data, lambda m, b: _nll(m, b) * float("inf"), cfg).fit()
    assert not (tmp_path / "bad" / "checkpoint.pt").exists()


def test_bad_settings_are_named(tmp_path):
    data = TensorDataset(torch.randn(10, 2))
    with pytest.raises(ValueError, match="fewer than one batch"):
        Trainer(_continuous_flow(), data, _nll, TrainConfig(out=str(tmp_path), batch_size=64))
    with pytest.raises(ValueError, match="steps \\(--steps\\): expected an integer >= 1"):
        TrainConfig(steps=0)


def test_yaml_config_sits_between_defaults_and_flags(tmp_path):
    spec = parse_spec(["train", "toy"])
    assert (spec.steps, spec.lr, spec.hidden_units) == (10_000, 1e-3, (200, 100))
    path = tmp_path / "run.yaml"
    path.write_text("steps: 500\nbatch-size: 16\nhidden_units: [32]\ndecay: cosine\nlr: 1e-2\n")
    spec = parse_spec(["train", "toy", "--config", str(path), "--steps", "9"])
    assert (spec.steps, spec.batch_size, spec.decay, spec.hidden_units) == (9, 16, "cosine", (32,))
    assert spec.lr == 0.01  # 1e-2 is a number (YAML 1.2), not the string PyYAML makes of it
    assert ToySpec.from_yaml(path, steps=9) == spec
    path.write_text("stepz: 5\n")
    with pytest.raises(SpecError, match="unknown settings \\['stepz'\\]"):
        parse_spec(["train", "toy", "--config", str(path)])


def test_torchrun_two_processes_match_one_process(tmp_path):
    """DDP on 2 CPU processes (gloo): same parameters on both ranks, and equal to one process
    trained on the same global batches (ActNorm initialised on the whole first global batch)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(HERE.parent.parent)}
    script = str(HERE / "ddp_train.py")
    single, multi = tmp_path / "single", tmp_path / "multi"
    single.mkdir()
    multi.mkdir()
    subprocess.run([sys.executable, script, str(single)], check=True, env=env, timeout=300)
    run = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
         script, str(multi)],
        env=env, timeout=300, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    one = torch.load(single / "params.pt")
    two = torch.load(multi / "params.pt")
    state = load_checkpoint(multi / "checkpoint.pt")
    assert state["world_size"] == 2 and len(state["rng"]) == 2
    for name in one:
        assert torch.allclose(one[name], two[name], atol=1e-10), name


class _FirstReadsNaN(torch.utils.data.Dataset):
    """2-D points whose first ``bad`` reads are NaN (the first batch, then good data)."""

    def __init__(self, n: int, bad: int):
        self.x = torch.randn(n, 2, generator=torch.Generator().manual_seed(0)) * 3 + 1
        self.reads, self.bad = 0, bad

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        self.reads += 1
        return (self.x[i] * float("nan"),) if self.reads <= self.bad else (self.x[i],)


def test_a_non_finite_first_batch_is_skipped_before_actnorm_sees_it(tmp_path):
    model = _continuous_flow()
    cfg = TrainConfig(out=str(tmp_path), steps=6, batch_size=16, quiet=True)
    with pytest.warns(UserWarning, match="step 1: non-finite values in the batch; batch skipped"):
        metrics = Trainer(model, _FirstReadsNaN(64, bad=1), _nll, cfg).fit()
    assert metrics["skipped_batches"] == 1 and math.isfinite(metrics["train_loss_nats"])
    actnorm = model.transforms[0]
    assert float(actnorm.initialized) == 1.0
    assert torch.isfinite(actnorm.shift).all() and torch.isfinite(actnorm.log_scale).all()


def test_stop_message_names_the_last_checkpoint_only_when_one_exists(tmp_path):
    calls = {"n": 0}

    def fails_after_four(model, batch):
        calls["n"] += 1
        return _nll(model, batch) * (float("nan") if calls["n"] > 4 else 1.0)

    data = TensorDataset(torch.randn(128, 2))
    cfg = TrainConfig(out=str(tmp_path / "a"), steps=50, batch_size=16, quiet=True,
                      checkpoint_every=2, max_nonfinite=3)
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="the checkpoint of step 4 "
                                                  "holds the last finite weights"):
        Trainer(_continuous_flow(), data, fails_after_four, cfg).fit()
    calls["n"] = 0
    cfg = TrainConfig(out=str(tmp_path / "b"), steps=50, batch_size=16, quiet=True,
                      max_nonfinite=3)
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="no checkpoint was written"):
        Trainer(_continuous_flow(), data, fails_after_four, cfg).fit()


def test_resume_applies_changed_schedule_options(tmp_path, capsys):
    data = TensorDataset(torch.randn(256, 2))
    common = dict(out=str(tmp_path), batch_size=32, quiet=True, decay="cosine", warmup=2)
    Trainer(_continuous_flow(), data, _nll, TrainConfig(steps=10, **common)).fit(stop_at=5)
    capsys.readouterr()
    cfg = TrainConfig(steps=10, resume=True, lr=4e-3, weight_decay=0.1, **common)
    trainer = Trainer(_continuous_flow(), data, _nll, cfg)
    trainer.fit(stop_at=6)
    err = capsys.readouterr().err
    assert "applying changed optimiser/schedule options from step 5: lr 0.001 -> 0.004, " \
           "weight_decay 0.0 -> 0.1" in err
    group = trainer.optimizer.param_groups[0]
    assert group["weight_decay"] == 0.1
    assert group["lr"] == pytest.approx(4e-3 * learning_rate_factor(6, cfg))
    state = load_checkpoint(tmp_path / "checkpoint.pt")
    assert state["config"]["lr"] == 4e-3 and state["optimizer"]["param_groups"][0]["lr"] == \
        pytest.approx(4e-3 * learning_rate_factor(6, cfg))


def test_toy_spec_round_trips_through_yaml(tmp_path):
    spec = ToySpec(dataset="corners", hidden_units=(16, 8), clip_grad_norm=None, lr=3e-4)
    path = tmp_path / "spec.yaml"
    path.write_text(spec.to_yaml())
    assert ToySpec.from_yaml(path) == spec
    with pytest.raises(SpecError, match="resume \\(--resume\\): expected true or false"):
        ToySpec.from_dict({"resume": "false"})
