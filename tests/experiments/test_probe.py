"""The ``survae`` command line under bad input and faults, as a hostile user tries it (issue 17).

Every user error must end with one line ``survae: ...`` (or argparse's usage error) on stderr and
exit status 2, without a traceback; faults (a busy or non-empty run folder, a corrupt checkpoint,
a signal) must never lose or mis-score a run. The cases run ``main()`` in this process (so an
unexpected exception fails the test with its traceback) except where a second process is the
point (signals, locks, the one-line stderr of the real command).
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from survae.experiments.cli import main
from survae.experiments.run_files import LOCK, load_checkpoint

ROOT = Path(__file__).parents[2]
TOY = ["train", "toy", "--train-size", "256", "--test-size", "64", "--batch-size", "64",
       "--hidden-units", "8", "--no-plots", "--quiet", "--steps", "2"]
IMAGE = ["train", "image", "--model", "glow", "--steps-per-scale", "1", "--scales", "1",
         "--hidden", "4", "--batch-size", "16", "--num-samples", "2", "--quiet", "--steps", "2"]
VAE = ["train", "vae", "--hidden", "8", "--length", "1", "--iwbo-k", "0", "--batch-size", "16",
       "--quiet", "--steps", "2"]
CLOUD = ["train", "pointcloud", "--num-flows", "1", "--d-model", "8", "--nhead", "2",
         "--num-points", "10", "--batch-size", "16", "--quiet", "--steps", "2"]
TABULAR = ["train", "tabular", "--num-flows", "1", "--hidden-units", "8", "--batch-size", "16",
           "--quiet", "--steps", "2"]
ENERGY = ["train", "energy", "--num-blocks", "1", "--hidden-units", "8", "--batch-size", "16",
          "--eval-samples", "64", "--no-plots", "--quiet", "--steps", "2"]
COMMANDS = {"toy": TOY, "image": IMAGE, "vae": VAE, "pointcloud": CLOUD, "energy": ENERGY}


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """``(exit status, stdout, stderr)`` of ``survae argv`` run in this process."""
    try:
        main([str(a) for a in argv])
        code = 0
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_user_error(code: int, err: str, *expected: str) -> None:
    """Exit status 2, one line (ours, or argparse's usage + error), naming what is wrong."""
    lines = err.strip().splitlines()
    assert code == 2, err
    assert "Traceback" not in err
    last = lines[-1]
    assert last.startswith("survae: ") or "error:" in last, err
    if not last.startswith("survae: error:") and last.startswith("survae: "):
        assert len(lines) == 1, err
    assert "weights_only=False" not in err
    for text in expected:
        assert text in last, (text, last)


# ----------------------------------------------------------------------- bad option values
BAD_FLAGS = [
    ("gamma-negative", TOY + ["--gamma", "-1"], "gamma (--gamma): expected a number > 0"),
    ("clip-negative", TOY + ["--clip-grad-norm", "-1"], "clip_grad_norm (--clip-grad-norm)"),
    ("min-lr-ratio", TOY + ["--min-lr-ratio", "-5"], "min_lr_ratio (--min-lr-ratio)"),
    ("lr-zero", TOY + ["--lr", "0"], "lr (--lr): expected a number > 0"),
    ("lr-nan", TOY + ["--lr", "nan"], "lr (--lr): expected a finite number"),
    ("lr-text", TOY + ["--lr", "fast"], "--lr: expected a number, got 'fast'"),
    ("weight-decay", TOY + ["--weight-decay", "-0.1"], "weight_decay (--weight-decay)"),
    ("batch-zero", TOY + ["--batch-size", "0"], "expected an integer >= 1"),
    ("steps-float", TOY + ["--steps", "7.9"], "--steps: expected an integer, got '7.9'"),
    ("warmup-negative", TOY + ["--warmup", "-1"], "warmup (--warmup)"),
    ("seed-negative", TOY + ["--seed", "-3"], "seed (--seed)"),
    ("hidden-units-zero", TOY + ["--hidden-units", "8", "0"], "hidden_units (--hidden-units)"),
    ("dataset", TOY + ["--dataset", "nosuch"], "dataset (--dataset): expected one of"),
    ("decay", TOY + ["--decay", "linear"], "decay (--decay): expected one of"),
    ("device-unknown", TOY + ["--device", "nosuch"], "device (--device): not a torch device"),
    ("resume-and-overwrite", TOY + ["--resume", "--overwrite"], "resume and overwrite"),
    ("train-smaller-than-batch", TOY + ["--train-size", "10"], "fewer than one batch"),
    ("unknown-flag", TOY + ["--stepz", "3"], "unrecognized arguments: --stepz"),
    ("image-5-bits-mnist", IMAGE + ["--num-bits", "5", "--dataset", "mnist"],
     "only the digits can be used with 5 bits"),
    ("image-6-bits", IMAGE + ["--num-bits", "6"], "num_bits (--num-bits): expected one of 5, 8"),
    ("image-model", IMAGE + ["--model", "nosuch"], "model (--model): expected one of"),
    ("image-too-many-scales", IMAGE + ["--scales", "10"],
     "survae train image: the model options do not fit: glow: height and width must be"),
    ("pointcloud-nhead", CLOUD + ["--nhead", "3"], "nhead (--nhead): must divide d_model 8"),
    ("pointcloud-dropout", CLOUD + ["--dropout", "1"], "dropout (--dropout)"),
    ("vae-flow", VAE + ["--flow", "nosuch"], "flow (--flow): expected one of"),
    ("tabular-model", TABULAR + ["--model", "glow"], "model (--model): expected one of"),
    ("tabular-tail-bound", TABULAR + ["--tail-bound", "0"], "tail_bound (--tail-bound)"),
    ("vae-kl-warmup", VAE + ["--kl-warmup", "-1"], "kl_warmup (--kl-warmup)"),
    ("tabular-tail-bound", ["train", "tabular", "--tail-bound", "0"],
     "tail_bound (--tail-bound): expected a number > 0"),
    ("tabular-model", ["train", "tabular", "--model", "glow"], "model (--model): expected one of"),
    ("energy-target", ENERGY + ["--target", "nosuch"], "target (--target): expected one of"),
    ("energy-step-size", ENERGY + ["--step-size", "0"], "step_size (--step-size)"),
    ("energy-dim", ENERGY + ["--dim", "1"], "dim (--dim)"),
    ("demo-steps", ["demo", "--steps", "0"], "expected an integer >= 1"),
    ("reproduce-dataset", ["reproduce", "absflow", "--datasets", "nosuch"], "invalid choice"),
    ("eval-k", ["eval", "x.pt", "--k", "-1"], "expected an integer >= 0"),
]
if not torch.cuda.is_available():
    BAD_FLAGS.append(("device-cuda-absent", TOY + ["--device", "cuda"], "CUDA is not available"))


@pytest.mark.parametrize("argv, expected", [c[1:] for c in BAD_FLAGS],
                         ids=[c[0] for c in BAD_FLAGS])
def test_bad_option_values_are_one_line_errors(tmp_path, capsys, argv, expected):
    code, _, err = run(argv + (["--out", tmp_path / "run"] if argv[0] == "train" else []), capsys)
    assert_user_error(code, err, expected)
    assert not (tmp_path / "run" / "checkpoint.pt").exists()


# ----------------------------------------------------------------------- YAML configs
BAD_YAML = [
    ("resume-string", 'resume: "false"\n', "resume (--resume): expected true or false"),
    ("lr-list", "lr: [1, 2]\n", "lr (--lr): expected a number, got [1, 2]"),
    ("hidden-units-scalar", "hidden_units: 8\n", "hidden_units (--hidden-units): expected a list"),
    ("dataset-unknown", "dataset: nosuch\n", "dataset (--dataset): expected one of"),
    ("steps-float", "steps: 7.9\n", "steps (--steps): expected an integer, got 7.9"),
    ("steps-bool", "steps: true\n", "steps (--steps): expected an integer, got True"),
    ("unknown-key", "stepz: 5\n", "unknown settings ['stepz']"),
    ("malformed", "steps: [1,\n", "not valid YAML (line 2"),
    ("not-a-mapping", "- 1\n- 2\n", "expected a mapping of settings, got list"),
    ("null-steps", "steps:\n", "steps (--steps): a value is required"),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in BAD_YAML],
                         ids=[c[0] for c in BAD_YAML])
def test_yaml_values_are_checked_as_flags_are(tmp_path, capsys, text, expected):
    config = tmp_path / "run.yaml"
    config.write_text(text)
    code, _, err = run(["train", "toy", "--config", config, "--out", tmp_path / "run"], capsys)
    assert_user_error(code, err, expected)


def test_missing_config_file(tmp_path, capsys):
    code, _, err = run(TOY + ["--config", tmp_path / "none.yaml"], capsys)
    assert_user_error(code, err, "none.yaml: cannot read it")


def test_yaml_numbers_and_flags_over_yaml(tmp_path, capsys):
    config = tmp_path / "run.yaml"
    config.write_text("lr: 1e-3\nclip-grad-norm: null\nsteps: 50\nresume: false\n")
    argv = TOY + ["--config", config, "--steps", "3", "--out", tmp_path / "r"]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    assert json.loads(out.splitlines()[-1])["steps"] == 3
    assert load_checkpoint(tmp_path / "r" / "checkpoint.pt")["config"]["lr"] == 1e-3


# ----------------------------------------------------------------------- checkpoints
class _Evil:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def _checkpoints(tmp_path: Path) -> dict[str, Path]:
    files = {name: tmp_path / f"{name}.pt" for name in
             ("missing", "garbage", "truncated", "foreign", "malicious", "empty")}
    files["garbage"].write_bytes(os.urandom(1000))
    real = tmp_path / "real.pt"
    torch.save({"model": {"w": torch.ones(100)}}, real)
    files["truncated"].write_bytes(real.read_bytes()[:300])
    torch.save({"weights": torch.ones(3)}, files["foreign"])
    files["malicious"].write_bytes(pickle.dumps({"model": _Evil()}))
    files["empty"].write_bytes(b"")
    return files


@pytest.mark.parametrize("kind", ["missing", "garbage", "truncated", "foreign", "malicious",
                                  "empty"])
@pytest.mark.parametrize("command", ["eval", "sample"])
def test_bad_checkpoints_for_eval_and_sample(tmp_path, capsys, monkeypatch, kind, command):
    monkeypatch.chdir(tmp_path)
    path = _checkpoints(tmp_path)[kind]
    code, _, err = run([command, path], capsys)
    assert_user_error(code, err, str(path))
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("kind", ["garbage", "truncated", "foreign", "malicious"])
def test_resume_from_a_bad_checkpoint(tmp_path, capsys, kind):
    out = tmp_path / "run"
    out.mkdir()
    _checkpoints(tmp_path)[kind].rename(out / "checkpoint.pt")
    code, _, err = run(TOY + ["--out", out, "--resume"], capsys)
    assert_user_error(code, err, "checkpoint.pt")


def test_eval_of_a_toy_checkpoint(tmp_path, capsys):
    assert run(TOY + ["--out", tmp_path], capsys)[0] == 0
    code, _, err = run(["eval", tmp_path / "checkpoint.pt"], capsys)
    assert_user_error(code, err, "not a checkpoint of `survae train image`")


def test_sample_into_an_unwritable_path(tmp_path, capsys):
    assert run(IMAGE + ["--out", tmp_path / "run"], capsys)[0] == 0
    (tmp_path / "file").write_text("")
    code, _, err = run(["sample", tmp_path / "run" / "checkpoint.pt", "-n", "2",
                        "--out", tmp_path / "file" / "grid.png"], capsys)
    assert_user_error(code, err, "cannot write")


# ----------------------------------------------------------------------- resume
CHANGED = {"toy": ["--model", "absflow"], "image": ["--num-bits", "8"],
           "vae": ["--latent-dim", "3"], "pointcloud": ["--num-points", "12"],
           "energy": ["--target", "banana"]}
NAMED = {"toy": "model: 'flow' -> 'absflow'", "image": "num_bits: 5 -> 8",
         "vae": "latent_dim: 8 -> 3", "pointcloud": "num_points: 10 -> 12",
         "energy": "target: 'double_well' -> 'banana'"}


@pytest.mark.parametrize("experiment", list(COMMANDS))
def test_resume_refuses_other_model_or_data_options(tmp_path, capsys, experiment):
    argv = COMMANDS[experiment] + ["--out", tmp_path]
    assert run(argv, capsys)[0] == 0
    before = load_checkpoint(tmp_path / "checkpoint.pt")
    code, _, err = run(argv + ["--resume", "--steps", "4"] + CHANGED[experiment], capsys)
    assert_user_error(code, err, NAMED[experiment])
    after = load_checkpoint(tmp_path / "checkpoint.pt")
    assert after["step"] == before["step"] == 2
    assert run(argv + ["--resume", "--steps", "3"], capsys)[0] == 0  # the same run goes on
    assert load_checkpoint(tmp_path / "checkpoint.pt")["step"] == 3


def test_resume_refuses_a_checkpoint_of_another_experiment(tmp_path, capsys):
    assert run(VAE + ["--out", tmp_path], capsys)[0] == 0
    code, _, err = run(IMAGE + ["--out", tmp_path, "--resume"], capsys)
    assert_user_error(code, err, "checkpoint of `survae train vae`, not of `survae train image`")


def test_resume_applies_and_says_a_changed_learning_rate(tmp_path, capsys):
    argv = TOY + ["--out", tmp_path, "--decay", "cosine", "--steps", "4"]
    run(argv, capsys)
    code, _, err = run(argv + ["--resume", "--steps", "6", "--lr", "0.01"], capsys)
    assert code == 0
    assert "applying changed optimiser/schedule options from step 4: steps 4 -> 6, " \
           "lr 0.001 -> 0.01" in err
    state = load_checkpoint(tmp_path / "checkpoint.pt")
    assert state["config"]["lr"] == 0.01 and state["scheduler"]["base_lrs"] == [0.01]


# ----------------------------------------------------------------------- run folders
def test_a_run_folder_holding_a_run_is_refused_without_resume(tmp_path, capsys):
    assert run(TOY + ["--out", tmp_path], capsys)[0] == 0
    stamp = (tmp_path / "checkpoint.pt").stat().st_mtime_ns
    code, _, err = run(TOY + ["--out", tmp_path], capsys)
    assert_user_error(code, err, "is not empty", "--resume", "--overwrite")
    assert (tmp_path / "checkpoint.pt").stat().st_mtime_ns == stamp
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = run(TOY + ["--out", tmp_path, "--overwrite", "--steps", "3"], capsys)
    assert code == 0 and load_checkpoint(tmp_path / "checkpoint.pt")["step"] == 3
    assert (tmp_path / "notes.txt").read_text() == "mine"  # only the run's own files go


def test_locks_of_live_and_dead_processes_and_stale_temporaries(tmp_path, capsys):
    live = subprocess.Popen(["sleep", "30"])
    dead = subprocess.Popen(["true"])
    dead.wait()
    try:
        tmp_path.mkdir(exist_ok=True)
        (tmp_path / LOCK).write_text(f"{live.pid}\n")
        code, _, err = run(TOY + ["--out", tmp_path], capsys)
        assert_user_error(code, err, f"in use by process {live.pid}")
        assert (tmp_path / LOCK).read_text().strip() == str(live.pid)  # not ours to remove
        (tmp_path / LOCK).write_text(f"{dead.pid}\n")
        stale = tmp_path / f".checkpoint.pt.{dead.pid}.0123abcd.tmp"
        stale.write_bytes(b"half a checkpoint")
        code, _, err = run(TOY + ["--out", tmp_path], capsys)
        assert code == 0, err
        assert not stale.exists() and not (tmp_path / LOCK).exists()
    finally:
        live.kill()
        live.wait()


def test_unwritable_out(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    code, _, err = run(TOY + ["--out", tmp_path / "file" / "run"], capsys)
    assert_user_error(code, err, "cannot create the run folder")


@pytest.mark.parametrize("argv", [
    ["train", "image", "--dataset", "mnist", "--steps", "2"],
    ["train", "vae", "--dataset", "fashion_mnist", "--steps", "2"],
    ["train", "pointcloud", "--source", "mnist", "--steps", "2"],
    ["train", "tabular", "--dataset", "gas", "--steps", "2"],
], ids=["image", "vae", "pointcloud", "tabular"])
def test_missing_dataset_files_without_download(tmp_path, capsys, argv):
    pytest.importorskip("torchvision")
    code, _, err = run(argv + ["--data-root", tmp_path / "data", "--out", tmp_path / "r"], capsys)
    assert_user_error(code, err, "--download")


# ----------------------------------------------------------------------- the real command
def _survae(*argv: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "survae.experiments.cli", *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_one_line_without_traceback_unless_debug(tmp_path):
    plain = _survae(*TOY, "--gamma", "-1", "--out", str(tmp_path))
    out, err = plain.communicate(timeout=120)
    assert plain.returncode == 2 and err.strip().splitlines() == [
        "survae: gamma (--gamma): expected a number > 0 and <= 1, got -1.0"]
    debug = _survae(*TOY, "--gamma", "-1", "--debug", "--out", str(tmp_path))
    _, err = debug.communicate(timeout=120)
    assert debug.returncode == 1 and "Traceback" in err and "SpecError" in err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_writes_the_last_finished_step_and_a_second_run_is_locked_out(
        tmp_path, capsys, signum):
    argv = [a for a in TOY if a != "2"] + ["100000", "--log-every", "1", "--out", str(tmp_path)]
    first = _survae(*argv)
    try:
        deadline = time.time() + 120
        log = tmp_path / "log.csv"
        while not (log.exists() and len(log.read_text().splitlines()) > 3):
            assert first.poll() is None and time.time() < deadline, first.stderr.read()
            time.sleep(0.2)
        code, _, err = run(TOY + ["--out", tmp_path, "--resume"], capsys)
        assert_user_error(code, err, f"in use by process {first.pid}")
        first.send_signal(signum)
        out, err = first.communicate(timeout=60)
    finally:
        first.kill()
    lines = err.strip().splitlines()
    assert first.returncode == 130, err
    assert len(lines) == 1 and lines[0].startswith(f"survae: interrupted by {signum.name} at step")
    step = int(lines[0].split(" at step ")[1].split(":")[0])
    assert f"checkpoint of step {step} written" in lines[0]
    assert load_checkpoint(tmp_path / "checkpoint.pt")["step"] == step
    assert not (tmp_path / LOCK).exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
    code, out, err = run(TOY + ["--out", tmp_path, "--resume", "--steps", str(step + 2)], capsys)
    assert code == 0 and json.loads(out.splitlines()[-1])["steps"] == step + 2
