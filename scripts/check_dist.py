"""Check cw2v's distributions: what an sdist or a wheel holds, and where an
installed cw2v is imported from.

Usage::

    python scripts/check_dist.py sdist dist/cw2v-*.tar.gz
    python scripts/check_dist.py wheel dist/cw2v-*.whl
    python scripts/check_dist.py installed --not-under .

``sdist`` asserts the tarball holds everything needed to build and test
(``src/_core.pyx`` and every file it ``include``\\ s, the package with its
data, stub and ``py.typed``, README, LICENSE, the tests) and nothing
generated (C files, compiled modules, caches). ``wheel`` asserts the wheel
holds the compiled ``cw2v._core``, the stub, ``py.typed`` and the data, and no
sources. With ``--tree`` (default: the repository this script sits in, when
there is one) every source file of the tree must also be in the archive, so
a new module or data file cannot be left out silently.

``installed`` imports cw2v and fails if it comes from below the given
directory (the source tree) instead of site-packages, or if the installed
metadata's version is not ``cw2v.__version__``.

Exits 0 when every check passes, 1 otherwise, printing each problem.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import sys
import tarfile
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

PACKAGE = "cw2v"
HERE = Path(__file__).resolve().parent.parent

# Relative to the sdist's top directory.
SDIST_REQUIRED = [
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "README.md",
    "LICENSE",
    "PKG-INFO",
    "src/_core.pyx",
    "cw2v/__init__.py",
    "cw2v/_version.py",
    "cw2v/_core.pyi",
    "cw2v/py.typed",
    "cw2v/data/sample.txt.gz",
    "cw2v/data/questions-words.txt",
]
WHEEL_REQUIRED = [
    "cw2v/__init__.py",
    "cw2v/_version.py",
    "cw2v/_core.pyi",
    "cw2v/py.typed",
    "cw2v/data/sample.txt.gz",
    "cw2v/data/questions-words.txt",
]
# Generated or machine-specific files that must never ship.
GENERATED = ["*.c", "*.cpp", "*.so", "*.pyd", "*.dylib", "*.o", "*.obj", "*.pyc", "*.pyo"]
SDIST_FORBIDDEN_DIRS = {"__pycache__", ".git", "build", "dist", ".venv", "bench", ".github"}
SOURCE_ONLY = ["*.pyx", "*.pxi", "*.pxd", "*.c", "*.cpp"]
INCLUDE = re.compile(r'^\s*include\s+["\']([^"\']+)["\']', re.M)
VERSION = re.compile(r'^__version__\s*=\s*["\']([^"\']+)["\']', re.M)


def _matches(name: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(PurePosixPath(name).name, p) for p in patterns)


def tree_files(tree: Path) -> list[str]:
    """The source files of a checkout that every sdist must hold."""
    found = []
    for sub, patterns in (
        (PACKAGE, ["*.py", "*.pyi", "py.typed"]),
        (f"{PACKAGE}/data", ["*"]),
        ("src", ["*.pyx", "*.pxi", "*.pxd"]),
        ("tests", ["*.py"]),
    ):
        base = tree / sub
        if base.is_dir():
            found += [
                f"{sub}/{p.name}"
                for p in sorted(base.iterdir())
                if p.is_file() and _matches(p.name, patterns)
            ]
    return found


def check_sdist(path: Path, tree: Path | None) -> list[str]:
    """Problems with the sdist at ``path`` (an empty list when it is sound)."""
    problems = []
    with tarfile.open(path) as tar:
        members = {m.name: m for m in tar.getmembers()}
        tops = {PurePosixPath(n).parts[0] for n in members}
        if len(tops) != 1:
            return [f"{path.name}: expected one top-level directory, found {sorted(tops)}"]
        top = tops.pop()
        files = {
            str(PurePosixPath(*PurePosixPath(n).parts[1:])): m
            for n, m in members.items()
            if m.isfile()
        }

        def text(name: str) -> str:
            handle = tar.extractfile(files[name])
            assert handle is not None
            return handle.read().decode("utf-8")

        required = list(SDIST_REQUIRED)
        if "src/_core.pyx" in files:
            required += [f"src/{inc}" for inc in INCLUDE.findall(text("src/_core.pyx"))]
        if tree is not None:
            required += tree_files(tree)
        problems += [
            f"missing from the sdist: {name}" for name in sorted(set(required) - set(files))
        ]

        for name in files:
            parts = PurePosixPath(name).parts
            if _matches(name, GENERATED):
                problems.append(f"generated or compiled file in the sdist: {name}")
            elif SDIST_FORBIDDEN_DIRS.intersection(parts[:-1]) or parts[0].startswith(".venv"):
                problems.append(f"development-only file in the sdist: {name}")

        if "cw2v/_version.py" in files and "PKG-INFO" in files:
            problems += _version_problems(
                path.name, text("cw2v/_version.py"), text("PKG-INFO"), top.rsplit("-", 1)[-1]
            )
    return problems


def check_wheel(path: Path, tree: Path | None) -> list[str]:
    """Problems with the wheel at ``path`` (an empty list when it is sound)."""
    problems = []
    with zipfile.ZipFile(path) as whl:
        files = [n for n in whl.namelist() if not n.endswith("/")]
        required = list(WHEEL_REQUIRED)
        if tree is not None:
            required += [n for n in tree_files(tree) if n.startswith(f"{PACKAGE}/")]
        problems += [f"missing from the wheel: {n}" for n in sorted(set(required) - set(files))]
        compiled = [
            n for n in files if re.fullmatch(rf"{PACKAGE}/_core\.[^/]*(\.so|\.pyd)", n) is not None
        ]
        if len(compiled) != 1:
            problems.append(f"expected one compiled cw2v/_core module, found {compiled}")
        for name in files:
            top = PurePosixPath(name).parts[0]
            if not (top == PACKAGE or top.endswith((".dist-info", ".libs")) or top == "cw2v.libs"):
                problems.append(f"file outside the package in the wheel: {name}")
            elif _matches(name, SOURCE_ONLY) or "__pycache__" in name or name.endswith(".pyc"):
                problems.append(f"source or cache file in the wheel: {name}")
        metadata = [n for n in files if n.endswith(".dist-info/METADATA")]
        if f"{PACKAGE}/_version.py" in files and len(metadata) == 1:
            problems += _version_problems(
                path.name,
                whl.read(f"{PACKAGE}/_version.py").decode("utf-8"),
                whl.read(metadata[0]).decode("utf-8"),
                path.name.split("-")[1],
            )
    return problems


def _version_problems(where: str, version_py: str, metadata: str, in_name: str) -> list[str]:
    found = VERSION.search(version_py)
    meta = re.search(r"^Version:\s*(\S+)", metadata, re.M)
    if found is None or meta is None:
        return [f"{where}: cannot read the version from _version.py and the metadata"]
    versions = {found.group(1), meta.group(1), in_name}
    if len(versions) != 1:
        return [
            f"{where}: versions disagree: _version.py {found.group(1)}, "
            f"metadata {meta.group(1)}, file name {in_name}"
        ]
    return []


def check_installed(not_under: Path | None) -> list[str]:
    """Problems with the cw2v that ``import cw2v`` finds in this interpreter."""
    from importlib import metadata

    import cw2v
    import cw2v._core

    package = Path(cw2v.__file__).resolve().parent
    core = Path(cw2v._core.__file__ or "").resolve()
    print(f"cw2v {cw2v.__version__} imported from {package}")
    print(f"cw2v._core from {core.name}")
    problems = []
    if not_under is not None and not_under.resolve() in (package, *package.parents):
        problems.append(
            f"cw2v was imported from the source tree ({package}), not from the installed "
            "package: run the tests from another directory (or with --import-mode=importlib)"
        )
    if core.parent != package:
        problems.append(f"cw2v._core ({core}) is not inside the cw2v package ({package})")
    try:
        installed = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        problems.append("cw2v has no installed metadata: install it (pip install .) first")
    else:
        if installed != cw2v.__version__:
            problems.append(
                f"installed metadata says {installed}, cw2v.__version__ {cw2v.__version__}"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("sdist", "wheel"):
        archive = sub.add_parser(name, help=f"check a {name}")
        archive.add_argument("paths", nargs="+", type=Path)
        archive.add_argument(
            "--tree",
            type=Path,
            default=HERE if (HERE / PACKAGE / "__init__.py").is_file() else None,
            help="a checkout whose source files must all be in the archive "
            "(default: this script's repository)",
        )
        archive.add_argument("--no-tree", action="store_true", help="skip the tree comparison")
    installed = sub.add_parser("installed", help="check where cw2v is imported from")
    installed.add_argument("--not-under", type=Path, help="the source tree cw2v must not come from")
    args = parser.parse_args(argv)

    if args.command == "installed":
        problems = check_installed(args.not_under)
    else:
        tree = None if args.no_tree else args.tree
        check = check_sdist if args.command == "sdist" else check_wheel
        problems = []
        for path in args.paths:
            found = check(path, tree)
            print(f"{path.name}: {'OK' if not found else f'{len(found)} problem(s)'}")
            problems += found
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
