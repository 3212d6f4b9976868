"""The package as a user gets it: build the wheel and the sdist, install the wheel into a fresh
virtual environment and run it there (catches modules or files missing from the package)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(cmd)}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: the build backend (setuptools, pinned in the dev extra) is already here;
    # an isolated build would download it.
    _run([sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel",
          "--outdir", str(out), str(ROOT)])
    return {"wheel": next(out.glob("survae-*.whl")), "sdist": next(out.glob("survae-*.tar.gz"))}


def _package_modules() -> set[str]:
    return {str(p.relative_to(ROOT)) for p in (ROOT / "survae").rglob("*.py")}


def test_the_wheel_holds_every_module_the_license_and_the_metadata(dists):
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        names = set(wheel.namelist())
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = wheel.read(metadata).decode()
    missing = _package_modules() - names
    assert not missing, f"modules missing from the wheel: {sorted(missing)}"
    assert "survae/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "License-Expression: MIT" in text
    assert "Requires-Dist: torch>=2.1" in text
    assert "Provides-Extra: train" in text
    assert not any(n.startswith("tests/") for n in names)


def test_the_sdist_holds_the_sources_license_and_readme(dists):
    with tarfile.open(dists["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for required in ("LICENSE", "README.md", "pyproject.toml"):
        assert required in names
    missing = _package_modules() - names
    assert not missing, f"modules missing from the sdist: {sorted(missing)}"


def test_the_wheel_installs_and_runs_in_a_fresh_environment(dists, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(_run([str(python), "-c", purelib]).stdout.strip())
    # The pinned torch and numpy of this environment, seen through a path entry (installing a
    # second copy of torch would take gigabytes); survae itself is not on that path: this
    # environment has it as an editable install, whose finder a path entry does not load.
    (site / "pinned_runtime.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
          str(dists["wheel"])])
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    located = _run([str(python), "-c", "import survae, sys; print(survae.__file__)"],
                   cwd=tmp_path, env=env).stdout.strip()
    assert located.startswith(str(site)), located
    _run([str(python), "-c", "import survae.flows, survae.transforms, survae.distributions, "
          "survae.nn, survae.data, survae.experiments.cli"], cwd=tmp_path, env=env)
    help_text = _run([str(env_dir / "bin" / "survae"), "--help"], cwd=tmp_path, env=env).stdout
    assert "train" in help_text


def test_citation_file_points_to_the_paper():
    yaml = pytest.importorskip("yaml")
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    paper = citation["preferred-citation"]
    assert paper["title"].startswith("SurVAE Flows")
    assert [a["family-names"] for a in paper["authors"]][0] == "Nielsen"
