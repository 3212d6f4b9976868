"""Sphinx configuration of the survae documentation site (``make docs`` builds ``site/``)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import survae  # noqa: E402

project = "survae"
author = "The survae contributors"
copyright = "2026, The survae contributors"
release = survae.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_copybutton",
    "myst_parser",
    "sphinx-mathjax-offline",  # MathJax served from the site itself: no CDN at view time
    "apigen",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# The generated tables are included by the pages that show them, not built as pages.
exclude_patterns = ["_build", "_ext", "*-table.md", "*-table-*.md"]
suppress_warnings = ["myst.header"]

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"exclude-members": "training, dump_patches, call_super_init"}
autodoc_inherit_docstrings = False
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

html_theme = "furo"
html_title = f"survae {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
nitpicky = False
