"""Packaging: one version number, the data and the stub ship and are reachable,
the distribution checker works, nothing CPU-specific goes into a build.

These run against whatever ``import cw2v`` finds: the source tree in
development, the installed wheel in the wheel builds (cibuildwheel runs the
suite from a temporary directory). Tests that read the repository itself
(pyproject.toml, setup.py, scripts/) skip when it is not there.
"""

from __future__ import annotations

import ast
import gzip
import importlib.util
import io
import re
import tarfile
import zipfile
from importlib import metadata, resources
from pathlib import Path
from types import ModuleType

import pytest

import cw2v
from cw2v import evaluate

REPO = Path(__file__).resolve().parents[1]
BUNDLED = ["sample.txt.gz", *evaluate.DATASETS.values()]


# ------------------------------------------------------------------ version


def test_installed_metadata_version_is_the_package_version() -> None:
    try:
        installed = metadata.version("cw2v")
    except metadata.PackageNotFoundError:
        pytest.skip("cw2v is imported from a source tree that was never installed")
    assert installed == cw2v.__version__


def test_the_version_is_written_in_one_place() -> None:
    tomllib = pytest.importorskip("tomllib")
    pyproject = REPO / "pyproject.toml"
    if not pyproject.is_file():
        pytest.skip("not run from a source tree")
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    assert "version" not in project["project"], "the version belongs in cw2v/_version.py only"
    assert "version" in project["project"]["dynamic"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "cw2v._version.__version__"}
    assignments = [
        path.name
        for path in sorted((REPO / "cw2v").glob("*.py"))
        if re.search(r"^__version__\s*=", path.read_text(encoding="utf-8"), re.M)
    ]
    assert assignments == ["_version.py"]


# ------------------------------------------------------------------ package data


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_data_is_reachable_through_importlib_resources(name: str) -> None:
    resource = resources.files("cw2v") / "data" / name
    assert resource.is_file(), f"cw2v/data/{name} did not ship"
    with resource.open("rb") as handle:
        head = handle.read(4096)
    if name.endswith(".gz"):
        assert head[:2] == b"\x1f\x8b"
        with gzip.open(io.BytesIO(resource.read_bytes())) as text:
            assert len(text.readline().split()) > 1
    else:
        assert len(head.decode("utf-8").splitlines()[0].split()) >= 2


@pytest.mark.parametrize("name", ["py.typed", "_core.pyi"])
def test_typing_files_ship_with_the_package(name: str) -> None:
    assert (resources.files("cw2v") / name).is_file()


# ------------------------------------------------------------------ the stub


def _stub_names() -> tuple[set[str], dict[str, set[str]]]:
    tree = ast.parse((resources.files("cw2v") / "_core.pyi").read_text(encoding="utf-8"))
    names: set[str] = set()
    members: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            members[node.name] = {
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("_")
            }
            names.add(node.name)
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if not n.startswith("_")}, members


def test_the_stub_declares_every_public_name_of_the_compiled_module() -> None:
    """A quick stand-in for ``mypy.stubtest`` (which CI also runs)."""
    from cw2v import _core

    stub, members = _stub_names()
    runtime = {n for n in dir(_core) if not n.startswith("_")}
    assert stub == runtime, "update cw2v/_core.pyi to match src/_core.pyx"
    for cls in sorted(n for n in runtime if isinstance(getattr(_core, n), type)):
        public = {n for n in vars(getattr(_core, cls)) if not n.startswith("_")}
        assert members[cls] == public, f"_core.{cls}: update cw2v/_core.pyi"


# ------------------------------------------------------------------ scripts/check_dist.py


@pytest.fixture(scope="module")
def check_dist() -> ModuleType:
    path = REPO / "scripts" / "check_dist.py"
    if not path.is_file():
        pytest.skip("not run from a source tree")
    spec = importlib.util.spec_from_file_location("check_dist", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sdist_files(version: str = "1.2.3", meta_version: str = "1.2.3") -> dict[str, bytes]:
    files = {name: b"x" for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "LICENSE")}
    files |= {name: b"x" for name in ("README.md", "cw2v/__init__.py", "cw2v/_core.pyi")}
    files |= {"cw2v/py.typed": b"", "cw2v/data/sample.txt.gz": b"x"}
    files["cw2v/data/questions-words.txt"] = b": x\n"
    files["cw2v/_version.py"] = f'__version__ = "{version}"\n'.encode()
    files["PKG-INFO"] = f"Metadata-Version: 2.4\nName: cw2v\nVersion: {meta_version}\n".encode()
    files["src/_core.pyx"] = b'include "_extra.pxi"\n\ndef f():\n    pass\n'
    files["src/_extra.pxi"] = b"# included\n"
    return files


def _tarball(path: Path, files: dict[str, bytes], top: str = "cw2v-1.2.3") -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_check_dist_accepts_a_complete_sdist(check_dist: ModuleType, tmp_path: Path) -> None:
    sdist = _tarball(tmp_path / "cw2v-1.2.3.tar.gz", _sdist_files())
    assert check_dist.check_sdist(sdist, None) == []
    assert check_dist.main(["sdist", str(sdist), "--no-tree"]) == 0


def test_check_dist_rejects_generated_missing_and_inconsistent_files(
    check_dist: ModuleType, tmp_path: Path
) -> None:
    files = _sdist_files(meta_version="1.2.4")
    del files["src/_extra.pxi"]
    files["src/_core.c"] = b"/* generated */"
    files["cw2v/_core.cpython-311-x86_64-linux-gnu.so"] = b"\x7fELF"
    sdist = _tarball(tmp_path / "cw2v-1.2.3.tar.gz", files)
    tree = tmp_path / "tree"
    (tree / "cw2v").mkdir(parents=True)
    (tree / "cw2v" / "__init__.py").write_text("")
    (tree / "cw2v" / "new_module.py").write_text("")
    problems = "\n".join(check_dist.check_sdist(sdist, tree))
    assert "missing from the sdist: src/_extra.pxi" in problems
    assert "missing from the sdist: cw2v/new_module.py" in problems
    assert "generated or compiled file in the sdist: src/_core.c" in problems
    assert "cw2v/_core.cpython-311-x86_64-linux-gnu.so" in problems
    assert "versions disagree" in problems
    assert check_dist.main(["sdist", str(sdist), "--tree", str(tree)]) == 1


def _wheel(path: Path, extra: dict[str, bytes], drop: tuple[str, ...] = ()) -> Path:
    files = {n: d for n, d in _sdist_files().items() if n.startswith("cw2v/")}
    files["cw2v/_core.cpython-311-x86_64-linux-gnu.so"] = b"\x7fELF"
    files["cw2v-1.2.3.dist-info/METADATA"] = b"Metadata-Version: 2.4\nName: cw2v\nVersion: 1.2.3\n"
    files |= extra
    with zipfile.ZipFile(path, "w") as whl:
        for name, data in files.items():
            if name not in drop:
                whl.writestr(name, data)
    return path


def test_check_dist_checks_a_wheel(check_dist: ModuleType, tmp_path: Path) -> None:
    good = _wheel(tmp_path / "cw2v-1.2.3-cp311-cp311-linux_x86_64.whl", {})
    assert check_dist.check_wheel(good, None) == []
    bad = _wheel(
        tmp_path / "cw2v-1.2.3-cp312-cp312-linux_x86_64.whl",
        {"src/_core.pyx": b"", "cw2v/_core.pyx": b""},
        drop=("cw2v/_core.cpython-311-x86_64-linux-gnu.so", "cw2v/py.typed"),
    )
    problems = "\n".join(check_dist.check_wheel(bad, None))
    assert "missing from the wheel: cw2v/py.typed" in problems
    assert "expected one compiled cw2v/_core module, found []" in problems
    assert "file outside the package in the wheel: src/_core.pyx" in problems
    assert "source or cache file in the wheel: cw2v/_core.pyx" in problems


def test_check_dist_knows_where_cw2v_was_imported_from(
    check_dist: ModuleType, tmp_path: Path
) -> None:
    here = Path(cw2v.__file__).resolve().parent
    assert any("source tree" in p for p in check_dist.check_installed(here.parent))
    assert not any("source tree" in p for p in check_dist.check_installed(tmp_path))


# ------------------------------------------------------------------ portable builds

CPU_SPECIFIC = re.compile(r"-march=|-mtune=native|-mcpu=native|-mavx|-mfma|-msse4|/arch:")


def test_no_cpu_specific_compiler_flags_in_the_build() -> None:
    sources = [REPO / "setup.py", *sorted((REPO / "src").glob("*.p[yx][xi]"))]
    if not sources[0].is_file():
        pytest.skip("not run from a source tree")
    for path in sources:
        found = CPU_SPECIFIC.findall(path.read_text(encoding="utf-8"))
        assert not found, f"{path.name} sets {found}: wheels must run on every CPU"
