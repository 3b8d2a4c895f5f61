"""The hand-written parts of the documentation (docs/) against the code they describe.

The API and command-line pages are generated from the code by Sphinx (built with
warnings as errors in CI). These tests cover what is written by hand and could drift:
the parameter tables, the signature of the compiled kernel (which Cython does not
expose), the constants quoted from the compiled core, and that every public module has
a page. They read the reStructuredText files and need no Sphinx; they are skipped where
docs/ is absent (an unpacked source distribution).
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from cw2v import _core
from cw2v.cli import build_parser
from cw2v.model import Word2Vec

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PACKAGE = REPO / "cw2v"

pytestmark = pytest.mark.skipif(not DOCS.is_dir(), reason="docs/ is not in this tree")

# `* - ``name``` then `- default` then ... : the rows of a list-table
ROW = re.compile(r"^   \* - ``(\w+)``\n     - (.*)$", re.M)


def _parameter_rows() -> dict[str, str]:
    text = (DOCS / "guide" / "parameters.rst").read_text(encoding="utf-8")
    return dict(ROW.findall(text))


def _literal(cell: str) -> object:
    return ast.literal_eval(cell.strip().strip("`"))


def test_parameter_tables_list_every_parameter_with_its_default() -> None:
    rows = _parameter_rows()
    params = {
        name: p.default
        for name, p in inspect.signature(Word2Vec).parameters.items()
        if name != "sentences"
    }
    assert set(rows) == set(params)
    for name, default in params.items():
        if name == "workers":
            assert default is None and rows[name] == "all cores"
        else:
            assert _literal(rows[name]) == default, name


def test_command_line_options_named_in_the_parameter_tables_exist() -> None:
    text = (DOCS / "guide" / "parameters.rst").read_text(encoding="utf-8")
    named = set(re.findall(r"``(--[a-z-]+)``", text))
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert isinstance(sub.choices, dict)
    train = sub.choices["train"]
    options = {s for action in train._actions for s in action.option_strings}
    assert named and named <= options


def _signature_of(params: str) -> ast.arguments:
    return ast.parse(f"def f({params}): pass").body[0].args  # type: ignore[attr-defined]


def _describe(args: ast.arguments, skip_self: bool) -> list[tuple[str, str, object]]:
    positional = args.args[1:] if skip_self else args.args
    described: list[tuple[str, str, object]] = []
    defaults = [None] * (len(args.args) - len(args.defaults)) + list(args.defaults)
    defaults = defaults[1:] if skip_self else defaults
    for arg, default in zip(positional, defaults, strict=True):
        value = ast.literal_eval(default) if default is not None else inspect.Parameter.empty
        described.append(("positional", arg.arg, value))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        value = ast.literal_eval(default) if default is not None else inspect.Parameter.empty
        described.append(("keyword", arg.arg, value))
    return described


def test_kernel_signature_on_the_core_page_matches_the_stub() -> None:
    page = (DOCS / "api" / "core.rst").read_text(encoding="utf-8")
    written = re.search(r"^\.\. autoclass:: Kernel\((.*)\)$", page, re.M)
    assert written is not None
    stub = ast.parse((PACKAGE / "_core.pyi").read_text(encoding="utf-8"))
    kernel = next(n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == "Kernel")
    init = next(n for n in kernel.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    assert _describe(_signature_of(written.group(1)), False) == _describe(init.args, True)


def test_core_constants_quoted_in_the_docs_are_the_compiled_ones() -> None:
    page = (DOCS / "api" / "core.rst").read_text(encoding="utf-8")
    quoted = dict(re.findall(r"^\.\. data:: (\w+)\n   :type: \w+\n   :value: (\S+)$", page, re.M))
    assert quoted == {"SIGMOID_TABLE_SIZE": "2048", "MAX_SIGMOID": "8.0"}
    assert _core.SIGMOID_TABLE_SIZE == int(quoted["SIGMOID_TABLE_SIZE"])
    assert float(quoted["MAX_SIGMOID"]) == _core.MAX_SIGMOID
    math = (DOCS / "math.rst").read_text(encoding="utf-8")
    assert f"= {_core.SIGMOID_TABLE_SIZE} intervals" in math
    assert f"(:data:`~cw2v._core.MAX_SIGMOID` = {_core.MAX_SIGMOID:g})" in math


def test_every_public_module_has_an_api_page() -> None:
    documented = set()
    for page in (DOCS / "api").glob("*.rst"):
        text = page.read_text(encoding="utf-8")
        documented.update(re.findall(r"^\.\. (?:automodule|module):: ([\w.]+)$", text, re.M))
    public = {f"cw2v.{p.stem}" for p in PACKAGE.glob("*.py") if not p.stem.startswith("_")}
    assert public | {"cw2v", "cw2v._core"} <= documented
