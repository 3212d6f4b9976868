"""`survae train pointcloud` and `survae reproduce pointcloud` (tiny runs)."""

import dataclasses
import json
import math

from survae.experiments.cli import main

TINY = ["--steps", "4", "--batch-size", "16", "--num-flows", "1", "--d-model", "8",
        "--nhead", "2", "--num-points", "10", "--quiet"]


def test_train_pointcloud_end_to_end(tmp_path, capsys):
    out = tmp_path / "run"
    main(["train", "pointcloud", "--model", "permute", "--iwbo-k", "3", "--coupling", "spline",
          "--out", str(out), *TINY])
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["model"] == "permute" and line["steps"] == 4
    assert line["test_iwbo3_ppll_nats"] > line["test_ppll_nats"] - 0.5
    for name in ("samples.png", "checkpoint.pt", "log.csv", "metrics.json"):
        assert (out / name).stat().st_size > 0


def test_reproduce_pointcloud_table(tmp_path, capsys, monkeypatch):
    from survae.experiments import pointcloud

    original = pointcloud.table_spec

    def small(model, args):  # the table's runs, shrunk
        return dataclasses.replace(original(model, args), num_flows=1, d_model=8, nhead=2,
                                   num_points=10, batch_size=16)

    monkeypatch.setattr(pointcloud, "table_spec", small)
    results = {}
    for jobs in ("1", "2"):  # in this process, then in two spawned workers
        main(["reproduce", "pointcloud", "--models", "sort", "baseline", "--steps", "2",
              "--iwbo-k", "0", "--quiet", "--jobs", jobs, "--out", str(tmp_path / jobs),
              "--docs", str(tmp_path / "d")])
        results[jobs] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for name in ("sort", "baseline"):  # each run is seeded alone: the same with either --jobs
        key = f"{name}_test_ppll_nats"
        assert results["1"][key] == results["2"][key]
    table = (tmp_path / "d" / "pointcloud-table.md").read_text()
    assert "| sort | exact |" in table and "| baseline | no |" in table and "PermuteFlow" in table
    assert "2 run(s) at a time" in table and "steps of batch 16" in table
    assert "| *oracle*: the generating density, given the image | exact |" in table
    assert (tmp_path / "d" / "pointcloud-samples.png").stat().st_size > 0


def test_digits_reference_ppll_brackets_the_sets():
    from survae.experiments.pointcloud import digits_reference_ppll

    ref = digits_reference_ppll(num_points=20, seed=1)
    uniform = -math.log(28 * 28)  # every point uniform over the frame
    # the histogram beats uniform; the generating density (told the image) beats the histogram
    assert uniform < ref["iid_histogram"] < ref["generating"] < 0
