"""Every public class and function of the official SurVAE library imports from its official path.

The list (``tests/data_files/official_names.json``) was generated once from the official sources
by ``scripts/official_names.py``: each class or function with the module that defines it and each
package that re-exports it.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from pathlib import Path

import pytest

NAMES = json.loads((Path(__file__).parent / "data_files" / "official_names.json").read_text())
ENTRIES = [(row["module"], row["name"]) for row in NAMES["names"]]
CORE = [e for e in ENTRIES if not e[0].startswith("survae.data")]
DATA = [e for e in ENTRIES if e[0].startswith("survae.data")]


def _ids(entries):
    return [f"{module}:{name}" for module, name in entries]


def test_the_list_covers_the_official_packages():
    modules = {module for module, _ in ENTRIES}
    for package in ("survae.distributions", "survae.flows", "survae.nn.blocks",
                    "survae.transforms.bijections.coupling", "survae.utils.loss",
                    "survae.data.loaders"):
        assert package in modules
    assert len(CORE) > 500 and len(DATA) > 100


@pytest.mark.parametrize(("module", "name"), CORE, ids=_ids(CORE))
def test_official_name_imports_from_its_official_path(module, name):
    assert hasattr(importlib.import_module(module), name), f"from {module} import {name}"


@pytest.mark.skipif(importlib.util.find_spec("survae.data.path") is None,
                    reason="survae.data at the official paths is issue 16 (survae.data.path "
                           "does not exist yet)")
@pytest.mark.parametrize(("module", "name"), DATA, ids=_ids(DATA))
def test_official_data_name_imports_from_its_official_path(module, name):
    assert hasattr(importlib.import_module(module), name), f"from {module} import {name}"
