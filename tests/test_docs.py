"""The generated documentation is up to date with the code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_transform_table_is_up_to_date():
    spec = importlib.util.spec_from_file_location(
        "transform_table", ROOT / "scripts" / "transform_table.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "transforms.md").read_text() == module.render(), (
        "docs/transforms.md is stale: run `python scripts/transform_table.py`"
    )
