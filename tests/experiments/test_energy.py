"""survae train energy: the command's outputs, and the SNF's annealed MCMC layers raising the
effective sample size of the same flow."""

from __future__ import annotations

import json

import torch

from survae.data.energies import make_energy
from survae.experiments.cli import main
from survae.experiments.energy import build_energy_model, evaluate_proposal, with_annealed_mcmc
from survae.flows.vi import reverse_kl


def test_command_writes_metrics_plots_and_a_json_line(tmp_path, capsys):
    for model in ("flow", "snf"):
        out = tmp_path / model
        main(["train", "energy", "--target", "mixture", "--model", model, "--steps", "3",
              "--batch-size", "16", "--num-blocks", "1", "--hidden-units", "8",
              "--eval-samples", "300", "--out", str(out), "--quiet"])
        line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert line == json.loads((out / "metrics.json").read_text())
        assert line["model"] == model
        assert line["log_z_true"] == round(make_energy("mixture").log_z, 5)
        for key in ("ess", "ess_fraction", "log_z", "log_z_stderr", "baseline_ess_fraction",
                    "baseline_log_z", "train_minutes"):
            assert key in line
        assert ("defensive_log_z" in line) == (model == "flow")
        assert (out / "samples.png").stat().st_size > 0 and (out / "checkpoint.pt").exists()


def test_snf_beats_the_same_flow_on_ess_on_the_mixture():
    torch.manual_seed(0)
    target = make_energy("mixture")
    flow = build_energy_model("flow", target, 2, num_blocks=4, hidden_units=(32, 32))
    optimizer = torch.optim.Adam(flow.parameters(), lr=2e-3)
    for _ in range(250):
        optimizer.zero_grad()
        reverse_kl(flow, target, 128).backward()
        optimizer.step()
    flow.eval()
    snf = with_annealed_mcmc(flow, target, "mh", mcmc_layers=4, mcmc_steps=4, step_size=0.3)
    assert sum(p.numel() for p in snf.parameters()) == sum(p.numel() for p in flow.parameters())
    torch.manual_seed(1)
    plain, _, _ = evaluate_proposal(flow, target, 4000)
    annealed, _, _ = evaluate_proposal(snf, target, 4000)
    assert annealed["ess_fraction"] > plain["ess_fraction"] + 0.05, (plain, annealed)
    assert abs(annealed["log_z_error_in_stderrs"]) < 4
