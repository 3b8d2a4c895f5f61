"""Smoke tests of the benchmark scripts: they run end to end on a tiny corpus.

Speed is never asserted here; the scripts measure it (see bench/).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
pytest.importorskip("gensim")
pytestmark = pytest.mark.skipif(not BENCH.is_dir(), reason="bench/ is not shipped")


def run(script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout


def tiny_corpus(tmp_path: Path) -> Path:
    from cw2v.datasets import sample_corpus

    path = tmp_path / "tiny.txt"
    path.write_text("\n".join(" ".join(s) for s in sample_corpus(max_lines=800)) + "\n")
    return path


def test_compare_reports_both_libraries(tmp_path):
    out = run(
        "compare.py",
        "--corpus",
        str(tiny_corpus(tmp_path)),
        "--epochs",
        "1",
        "--configs",
        "sg-ns,sg-hs,sg-softmax",
        "--out",
        str(tmp_path / "table.md"),
    )
    for config in ("sg-ns", "sg-hs"):
        assert f"| {config} | cw2v |" in out and f"| {config} | gensim |" in out
    # gensim has no full softmax: cw2v alone, without a ratio
    assert "| sg-softmax | cw2v | " in out and "| sg-softmax | gensim |" not in out
    softmax_row = next(line for line in out.splitlines() if line.startswith("| sg-softmax"))
    assert softmax_row.split(" | ")[3] == "-"
    assert (tmp_path / "table.md").read_text() in out


def test_threads_reports_the_speed_up(tmp_path):
    out = run("threads.py", "--corpus", str(tiny_corpus(tmp_path)), "--repeat", "1")
    assert "speed-up of 2 workers over 1" in out


def test_load_compares_readers(tmp_path):
    out = run("load.py", "--words", "2000", "--dim", "20", "--repeat", "1", "--out", str(tmp_path))
    assert "gensim" in out and "cw2v" in out
