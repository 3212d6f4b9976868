"""List every public class and function of the official SurVAE library, by reading its sources.

Writes ``tests/data_files/official_names.json``: one entry per (module, name) that a user of the
official library can import — the module where a class or function is defined, and each package
whose ``__init__.py`` re-exports it (``from .x import *`` or ``from .x import A``). Nothing of the
official code is imported or executed: the sources are parsed with :mod:`ast` from the git mirror.

    python scripts/official_names.py [--repo /work/.mirror/didriknielsen+survae_flows/repo]

Run once (the file is kept in the repository as data); ``tests/test_official_names.py`` imports
every entry from our package.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
from pathlib import Path

DEFAULT_REPO = "/work/.mirror/didriknielsen+survae_flows/repo"
OUT = Path(__file__).resolve().parent.parent / "tests" / "data_files" / "official_names.json"


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True,
                          text=True).stdout


def module_name(path: str) -> str:
    parts = path[:-len(".py")].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def defined(tree: ast.Module) -> dict[str, str]:
    """Public top-level classes and functions of a module: name -> 'class' | 'function'."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef) and not node.name.startswith("_"):
            out[node.name] = "class" if isinstance(node, ast.ClassDef) else "function"
    return out


def collect(repo: str, commit: str) -> list[dict[str, str]]:
    files = [f for f in git(repo, "ls-tree", "-r", "--name-only", commit).split()
             if f.startswith("survae/") and f.endswith(".py") and not f.startswith("survae/tests/")]
    trees = {module_name(f): ast.parse(git(repo, "show", f"{commit}:{f}")) for f in files}
    packages = {module_name(f) for f in files if f.endswith("__init__.py")}

    def resolve(package: str, level: int, target: str | None) -> str:
        base = package.split(".")
        base = base[:len(base) - (level - 1)] if level > 1 else base
        return ".".join(base + ([target] if target else []))

    exports: dict[str, dict[str, tuple[str, str]]] = {}

    def exported(mod: str) -> dict[str, tuple[str, str]]:
        """Public classes/functions visible in `mod`: name -> (kind, defining module)."""
        if mod in exports:
            return exports[mod]
        out = {name: (kind, mod) for name, kind in defined(trees[mod]).items()}
        if mod in packages:
            for node in trees[mod].body:
                if not isinstance(node, ast.ImportFrom) or not node.level:
                    continue
                src = resolve(mod, node.level, node.module)
                if src not in trees:
                    continue
                names = exported(src)
                if node.names[0].name == "*":
                    out.update(names)
                else:
                    out.update({a.asname or a.name: names[a.name] for a in node.names
                                if a.name in names})
        exports[mod] = out
        return out

    rows = []
    for mod in sorted(trees):
        for name, (kind, home) in sorted(exported(mod).items()):
            rows.append({"module": mod, "name": name, "kind": kind, "defined_in": home})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", default=DEFAULT_REPO)
    parser.add_argument("--commit", default="HEAD")
    args = parser.parse_args()
    commit = git(args.repo, "rev-parse", args.commit).strip()
    rows = collect(args.repo, commit)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "source": "github.com/didriknielsen/survae_flows",
        "commit": commit,
        "generated_by": "scripts/official_names.py",
        "names": rows,
    }, indent=1) + "\n")
    print(f"{len(rows)} names ({sum(r['module'] == r['defined_in'] for r in rows)} definitions) "
          f"-> {OUT}")


if __name__ == "__main__":
    main()
