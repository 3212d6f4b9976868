"""The README's "Using survae with torch.distributions and Pyro" example runs and does what its
comments say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

pytest.importorskip("pyro")


def test_readme_example_runs(capsys):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Using survae with torch.distributions and Pyro", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    torch.manual_seed(0)
    import pyro

    pyro.set_rng_seed(0)
    pyro.clear_param_store()
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    out = capsys.readouterr().out
    assert "torch.Size([3, 4, 2])" in out and "torch.Size([5, 10, 2])" in out
    flow = namespace["flow"]
    with torch.no_grad():
        mean = flow().sample((20_000,)).mean(0)
    # Exact posterior mean 32/33 * (1, -1); 400 SVI steps of 4 particles get within 0.1.
    torch.testing.assert_close(mean, torch.tensor([1.0, -1.0]) * 32 / 33, atol=0.1, rtol=0)
