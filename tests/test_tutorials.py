"""The documentation's tutorials run: every ``python`` block of each page, in order, in one
namespace (as a reader would paste them), in a scratch folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TUTORIALS = sorted((Path(__file__).resolve().parents[1] / "docs" / "tutorials").glob("*.md"))
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def code_blocks(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text())


def test_there_are_tutorials_and_each_has_code():
    assert len(TUTORIALS) >= 5
    for page in TUTORIALS:
        assert code_blocks(page), f"{page.name} has no python block"


@pytest.mark.parametrize("page", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs(page, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": f"tutorial_{page.stem}"}
    for i, block in enumerate(code_blocks(page)):
        code = compile(block, f"{page.name}[block {i}]", "exec")
        exec(code, namespace)  # noqa: S102 - running the documentation's own code is the test
