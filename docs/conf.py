"""Sphinx configuration of cw2v's documentation.

Build (warnings are errors, as in CI)::

    pip install -e ".[docs]"
    sphinx-build -W --keep-going -b html docs docs/_build/html

The API pages are generated from the numpydoc docstrings by autodoc, so cw2v
(with its compiled core) must be importable: install it first. The math is
rendered by MathJax in the reader's browser; the build itself needs no network.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docutils.nodes import Element
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

ROOT = Path(__file__).resolve().parents[1]


def _import_cw2v() -> None:
    """Import cw2v with its compiled core: installed, or built in place in this clone."""
    try:
        importlib.import_module("cw2v._core")
        return
    except ImportError:
        pass
    # The clone's sources without a compiled core may shadow an installed cw2v (when
    # the build runs from the repository root): try without them, then with them first
    # (an extension built in place by pip install -e . is next to its sources).
    in_root = [entry for entry in sys.path if Path(entry or ".").resolve() == ROOT]
    for attempt in ("installed", "in place"):
        for name in [m for m in sys.modules if m == "cw2v" or m.startswith("cw2v.")]:
            del sys.modules[name]
        if attempt == "installed":
            sys.path[:] = [entry for entry in sys.path if entry not in in_root]
        else:
            sys.path.insert(0, str(ROOT))
        try:
            importlib.import_module("cw2v._core")
            return
        except ImportError:
            continue
    raise RuntimeError(
        "the documentation is built from cw2v with its compiled core: install it first "
        '(pip install -e ".[docs]", which needs a C compiler), then run sphinx-build'
    )


_import_cw2v()

import cw2v  # noqa: E402

# -- Project -------------------------------------------------------------------

project = "cw2v"
author = "The cw2v developers"
copyright = "the cw2v developers"
release = cw2v.__version__
version = ".".join(release.split(".")[:2])

# -- General -------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinxarg.ext",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
templates_path: list[str] = []

# `name` in a docstring links to the object when there is one and is set in italics
# otherwise (a parameter name), as numpydoc's convention and numpy's own docs have it.
default_role = "autolink"

# Every cross-reference must resolve (see nitpick_ignore for the exceptions).
nitpicky = True
# Objects of Python, numpy and matplotlib that the docstrings name: their
# documentation is elsewhere and no inventory is fetched (no network at build).
nitpick_ignore = [
    ("py:meth", "bytes.decode"),
    ("py:class", "numpy.memmap"),
    ("py:class", "matplotlib.figure.Figure"),
]

# -- autodoc and numpydoc -----------------------------------------------------------

autodoc_default_options = {"members": True, "member-order": "bysource"}
# The engines of cw2v.distributed are optional extras (cw2v[ray], cw2v[spark]): the
# pages are built from mock modules, with or without them installed.
autodoc_mock_imports = ["ray", "pyspark"]
autodoc_typehints = "none"  # the numpydoc Parameters sections say the types
autodoc_class_signature = "mixed"

numpydoc_show_class_members = False  # autodoc lists the members
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_use_plots = False

# -- MyST (CHANGELOG.md) ------------------------------------------------------------

myst_heading_anchors = 2

# -- HTML --------------------------------------------------------------------------

html_theme = "furo"
html_title = f"cw2v {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
# sphinx.ext.mathjax loads MathJax from its CDN in the reader's browser.


# -- Instance attributes ----------------------------------------------------------------
# numpydoc lists a class's instance attributes (set in __init__) in its Attributes
# section, which makes no link target, so :attr:`name` would not resolve. Such a
# reference links to the class instead, where the section describes the attribute.


def _attribute_names(cls: type) -> set[str]:
    from numpydoc.docscrape import NumpyDocString

    names: set[str] = set()
    for entry in NumpyDocString(inspect.getdoc(cls) or "")["Attributes"]:
        names.update(name.strip() for name in entry.name.split(","))
    return names


def _owner(path: str) -> type | None:
    module_name, _, qualname = path.rpartition(".")
    while module_name:
        try:
            obj: object = importlib.import_module(module_name)
        except ImportError:
            module_name, _, head = module_name.rpartition(".")
            qualname = f"{head}.{qualname}"
            continue
        for part in qualname.split("."):
            obj = getattr(obj, part, None)
        return obj if isinstance(obj, type) else None
    return None


def _link_instance_attribute(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: Element
) -> Element | None:
    if node.get("refdomain") != "py" or node.get("reftype") != "attr":
        return None
    owner_name, _, attribute = node["reftarget"].rpartition(".")
    module, cls = node.get("py:module"), node.get("py:class")
    if owner_name:
        candidates = [owner_name, f"{module}.{owner_name}"]
    elif cls:
        candidates = [f"{module}.{cls}" if module else cls]
    else:
        return None
    for candidate in candidates:
        owner = _owner(candidate)
        if owner is not None and attribute in _attribute_names(owner):
            domain = env.get_domain("py")
            full = f"{owner.__module__}.{owner.__qualname__}"
            return domain.resolve_xref(
                env, node["refdoc"], app.builder, "class", full, node, contnode
            )
    return None


def setup(app: Sphinx) -> None:
    app.connect("missing-reference", _link_instance_attribute)
