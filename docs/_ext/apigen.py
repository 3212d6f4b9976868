"""Generate the API reference pages from the package itself (Sphinx extension).

Every public name of every ``survae`` module is documented once, at the module that defines it,
on the page of its area (bijections by family, surjections, stochastic layers, distributions,
flows, nn, data, utils, ...). Public names are a module's ``__all__``, or, for a module without
one, the classes and functions it defines whose names do not start with ``_``.
The pages are written into ``docs/api/`` when the build starts, so they follow the code.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import survae

# Area pages, most specific prefix first: (module prefix, page name, title, introduction).
AREAS: list[tuple[str, str, str, str]] = [
    ("survae.transforms.bijections", "bijections", "Bijections",
     "Invertible layers with an exact log-det: ``forward(x) -> (z, log|det dz/dx|)``, "
     "``inverse(z) -> x``. Grouped by family (the module that defines them)."),
    ("survae.transforms.surjections", "surjections", "Surjections",
     "Layers that are deterministic in one direction and stochastic in the other (the paper's "
     "tables of generative and inference surjections): their likelihood contribution is exact "
     "when the inference direction is deterministic, a bound otherwise."),
    ("survae.transforms.stochastic", "stochastic", "Stochastic layers",
     "Layers stochastic in both directions (VAE layers, MCMC kernels, permutations): their "
     "likelihood contribution is a variational bound."),
    ("survae.transforms", "transforms", "Transforms: base classes and composition",
     "The contracts every layer implements and the containers that compose them."),
    ("survae.distributions", "distributions", "Distributions",
     "Base distributions and conditional distributions (decoders, encoders, priors)."),
    ("survae.flows", "flows", "Flows",
     "Models: a base distribution and a list of transforms; ``log_prob`` runs Algorithm 1."),
    ("survae.nn", "nn", "Networks",
     "Layers, blocks and networks used as conditioners, encoders and decoders."),
    ("survae.data", "data", "Data", "Datasets and loaders."),
    ("survae.models", "models", "Ready-made models",
     "Builders of the image, VAE and point-cloud models used by the command line."),
    ("survae.optim", "optim", "Optimisation", "Learning-rate schedulers."),
    ("survae.utils", "utils", "Utilities",
     "Metrics (ELBO, IWBO, bits per dim), validation, tensor helpers."),
    ("survae.experiments", "experiments", "Experiments and command line",
     "The ``survae`` command, its run specs and the shared trainer, callable from Python."),
    ("survae", "package", "The package", "Top-level switches."),
]


@dataclass(frozen=True)
class Entry:
    module: str  # where the object is defined (its canonical path)
    name: str
    kind: str  # "class" or "function" or "data"


def iter_modules() -> list[str]:
    names = ["survae"]
    for info in pkgutil.walk_packages(survae.__path__, prefix="survae."):
        names.append(info.name)
    return sorted(names)


def public_names(module) -> list[str]:
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [
        name for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and getattr(obj, "__module__", None) == module.__name__
    ]


def collect() -> tuple[dict[str, list[str]], dict[tuple[str, str], Entry]]:
    """Returns {module: its public names} and {(module, name): the documented entry}."""
    exported: dict[str, list[str]] = {}
    documented: dict[tuple[str, str], Entry] = {}
    seen: dict[int, Entry] = {}
    for module_name in iter_modules():
        module = importlib.import_module(module_name)
        names = public_names(module)
        exported[module_name] = names
        for name in names:
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                continue
            if id(obj) in seen:
                documented[(module_name, name)] = seen[id(obj)]
                continue
            home = getattr(obj, "__module__", None) if (
                inspect.isclass(obj) or inspect.isfunction(obj)) else None
            if home is None or not home.startswith("survae"):
                home = module_name
            kind = "class" if inspect.isclass(obj) else (
                "function" if callable(obj) else "data")
            entry = Entry(home, getattr(obj, "__name__", name) if kind != "data" else name, kind)
            seen[id(obj)] = entry
            documented[(module_name, name)] = entry
    return exported, documented


def area_of(module: str) -> tuple[str, str, str, str]:
    for area in AREAS:
        if module == area[0] or module.startswith(area[0] + "."):
            return area
    raise ValueError(f"no API page for module {module}")


def render(out: Path) -> list[str]:
    """Writes one page per area into ``out``; returns the page names in AREAS order."""
    _, documented = collect()
    by_page: dict[str, dict[str, set[Entry]]] = defaultdict(lambda: defaultdict(set))
    for entry in set(documented.values()):
        by_page[area_of(entry.module)[1]][entry.module].add(entry)
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for _prefix, page, title, intro in AREAS:
        if page not in by_page:
            continue
        pages.append(page)
        lines = [title, "=" * len(title), "", intro, ""]
        for module in sorted(by_page[page]):
            heading = f"``{module}``"
            lines += [heading, "-" * len(heading), "", f".. automodule:: {module}", ""]
            entries = sorted(by_page[page][module], key=lambda e: e.name.lower())
            role = {"class": "class", "function": "func", "data": "data"}
            lines.append(", ".join(f":py:{role[e.kind]}:`{e.name}`" for e in entries))
            lines.append("")
            for e in entries:
                directive = {"class": "autoclass", "function": "autofunction",
                             "data": "autodata"}[e.kind]
                lines += [f".. {directive}:: {e.name}"]
                if e.kind == "class":
                    lines += ["   :members:", "   :show-inheritance:"]
                lines.append("")
        text = "\n".join(lines)
        path = out / f"{page}.rst"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    index = ["API reference", "=============", "",
             "Every public name of the package, documented at the module that defines it.", "",
             ".. toctree::", "   :maxdepth: 1", ""] + [f"   {p}" for p in pages] + [""]
    (out / "index.rst").write_text("\n".join(index))
    return pages


def _on_builder_inited(app) -> None:
    render(Path(app.srcdir) / "api")


def setup(app):
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True, "version": "1"}
