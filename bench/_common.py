"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import gzip
import os
import platform
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "data"


def default_corpus() -> Path:
    dev = SHARED / "corpus-dev.txt.gz"
    if dev.exists():
        return dev
    from cw2v.datasets import sample_corpus_path

    return sample_corpus_path()


def eval_paths() -> dict[str, Path]:
    """The evaluation sets: the shared copies when present, else the bundled ones."""
    names = {
        "analogies": "questions-words.txt",
        "wordsim353": "wordsim353.tsv",
        "simlex999": "simlex999.txt",
    }
    paths = {}
    for key, name in names.items():
        shared = SHARED / "eval" / name
        bundled = HERE.parent / "cw2v" / "data" / name
        paths[key] = shared if shared.exists() else bundled
    return paths


def write_prefix(source: Path, max_words: int, target: Path) -> int:
    """Copy whole lines of ``source`` until ``max_words`` words are written."""
    opener = gzip.open if source.suffix == ".gz" else open
    words = 0
    with opener(source, "rt", encoding="utf-8") as src, open(target, "w", encoding="utf-8") as dst:
        for line in src:
            dst.write(line)
            words += len(line.split())
            if words >= max_words:
                break
    return words


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import cw2v

    try:
        import gensim

        peers = f", gensim {gensim.__version__}"
    except ImportError:
        peers = ""
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"cw2v {cw2v.__version__}{peers}"
    )
