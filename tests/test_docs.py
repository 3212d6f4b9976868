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


def _apigen():
    import sys

    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    try:
        import apigen
    finally:
        sys.path.pop(0)
    return apigen


def test_every_public_name_is_in_the_api_reference(tmp_path):
    apigen = _apigen()
    exported, documented = apigen.collect()
    pages = apigen.render(tmp_path)
    text = {page: (tmp_path / f"{page}.rst").read_text() for page in pages}
    missing = []
    for module, names in exported.items():
        for name in names:
            entry = documented.get((module, name))
            if entry is None:  # a submodule listed in __all__: documented by its own members
                continue
            page = apigen.area_of(entry.module)[1]
            section = text[page].split(f".. automodule:: {entry.module}\n", 1)
            if len(section) != 2 or f":: {entry.name}\n" not in section[1].split(
                    ".. automodule::", 1)[0]:
                missing.append(f"{module}.{name}")
    assert not missing, f"public names missing from the API reference: {missing[:20]}"
    assert sum(len(names) for names in exported.values()) > 300


def test_site_pages_are_all_in_a_table_of_contents():
    index = (ROOT / "docs" / "index.md").read_text()
    for folder in ("guide", "tutorials"):
        for page in (ROOT / "docs" / folder).glob("*.md"):
            assert f"{folder}/{page.stem}\n" in index, f"{folder}/{page.name} is in no toctree"
