"""Benchmark cw2v's word2vec-format reader and writer against gensim's.

Writes a random ``--words`` x ``--dim`` file with cw2v, then times loading it with
``cw2v.formats.load_word2vec_format`` and gensim's ``KeyedVectors.load_word2vec_format``
alternately (A B A B ...), checks both give identical words and vectors, and prints a
Markdown table; the same for the text format, and for writing both formats.

Usage::

    python bench/load.py                          # 300,000 x 300, 3 repeats
    python bench/load.py --words 2000 --dim 20    # smoke test, a few seconds
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import string
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cw2v.formats import load_word2vec_format, save_word2vec_format

try:
    from gensim.models import KeyedVectors
except ImportError:  # pragma: no cover - gensim is optional
    KeyedVectors = None


def make_data(n_words: int, dim: int, seed: int) -> tuple[list[str], np.ndarray]:
    """Unique random words (some non-ASCII) and N(0, 0.1) float32 vectors."""
    rnd = random.Random(seed)
    letters = string.ascii_lowercase + "éüß日本"
    keys = [
        "".join(
            rnd.choices(letters if i % 10 == 0 else string.ascii_lowercase, k=rnd.randint(2, 10))
        )
        + str(i)
        for i in range(n_words)
    ]
    vectors = (np.random.default_rng(seed).standard_normal((n_words, dim)) * 0.1).astype(np.float32)
    return keys, vectors


def warm_memory(nbytes: int) -> None:
    """Touch and free ``nbytes`` of memory so the next allocations find it ready.

    Some virtual machines hand freed memory back to the host after a moment; touching it
    again then costs far more than the parsing (about 1 s for 360 MB on the machine these
    figures came from, against 0.06 s when warm), whatever library runs. Both libraries
    get the same treatment; ``--cold`` skips it.
    """
    if nbytes:
        scratch = np.ones(nbytes // 8 + 1)
        del scratch


def timed(fn: Callable[[], object], warm: int) -> tuple[float, object]:
    gc.collect()
    warm_memory(warm)
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def alternate(
    runs: dict[str, Callable[[], object]], repeat: int, warm: int
) -> tuple[dict[str, list[float]], dict[str, object]]:
    """Run each callable ``repeat`` times, interleaved (A B A B); keep the last results."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    results: dict[str, object] = {}
    for _ in range(repeat):
        for name, fn in runs.items():
            results.pop(name, None)  # free the previous result before the next run
            seconds, results[name] = timed(fn, warm)
            times[name].append(seconds)
    return times, results


def table_rows(operation: str, times: dict[str, list[float]], sizes: dict[str, int]) -> list[str]:
    base = min(times["gensim"]) if "gensim" in times else None
    rows = []
    for name, values in times.items():
        best = min(values)
        ratio = f"{base / best:.1f}x" if base is not None else "-"
        rows.append(
            f"| {operation} | {name} | {best:.3f} | {statistics.median(values):.3f} | "
            f"{sizes[name] / best / 1e6:.0f} | {ratio} |"
        )
    return rows


def same(a: tuple[list[str], np.ndarray], b: tuple[list[str], np.ndarray]) -> bool:
    return a[0] == b[0] and a[1].shape == b[1].shape and np.array_equal(a[1], b[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=300_000, help="number of vectors")
    parser.add_argument("--dim", type=int, default=300, help="vector dimension")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per library")
    parser.add_argument("--out", type=Path, default=None, help="directory for the files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--cold", action="store_true", help="do not warm up memory before each timed run"
    )
    parser.add_argument(
        "--formats",
        default="binary,text",
        help="comma-separated formats to benchmark (binary, text); default both",
    )
    args = parser.parse_args(argv)
    if args.words < 1 or args.dim < 1 or args.repeat < 1:
        parser.error("--words, --dim and --repeat must be >= 1")
    formats = {f.strip() for f in args.formats.split(",") if f.strip()}
    if not formats or not formats <= {"binary", "text"}:
        parser.error("--formats takes binary, text or binary,text")
    if KeyedVectors is None:
        print("gensim is not installed: timing cw2v only", file=sys.stderr)

    with tempfile.TemporaryDirectory(dir=args.out) as tmp:
        out = Path(tmp)
        keys, vectors = make_data(args.words, args.dim, args.seed)
        expected = (keys, vectors)
        rows = []
        warm = 0 if args.cold else 2 * vectors.nbytes
        for binary in [b for b in (True, False) if ("binary" if b else "text") in formats]:
            fmt = "binary" if binary else "text"
            path = out / f"vectors.{'bin' if binary else 'txt'}"

            # Writing: each library writes its own file; both must load back exactly.
            ours, theirs = out / f"cw2v.{fmt}", out / f"gensim.{fmt}"
            writers: dict[str, Callable[[], object]] = {
                "cw2v": lambda b=binary, p=ours: save_word2vec_format(p, keys, vectors, binary=b)
            }
            if KeyedVectors is not None:
                kv = KeyedVectors(args.dim)
                kv.add_vectors(keys, vectors)
                writers["gensim"] = lambda b=binary, p=theirs, kv=kv: kv.save_word2vec_format(
                    str(p), binary=b
                )
            times, _ = alternate(writers, args.repeat, warm)
            for name, written in (("cw2v", ours), ("gensim", theirs)):
                if name in writers and not same(load_word2vec_format(written), expected):
                    raise SystemExit(f"{name}'s {fmt} file does not load back identically")
            sizes = {
                name: p.stat().st_size
                for name, p in (("cw2v", ours), ("gensim", theirs))
                if name in writers
            }
            rows += table_rows(f"write {fmt}", times, sizes)

            # Reading the same cw2v-written file with both libraries.
            save_word2vec_format(path, keys, vectors, binary=binary)
            readers: dict[str, Callable[[], object]] = {
                "cw2v": lambda b=binary, p=path: load_word2vec_format(p, binary=b)
            }
            if KeyedVectors is not None:
                readers["gensim"] = lambda b=binary, p=path: KeyedVectors.load_word2vec_format(
                    str(p), binary=b
                )
            times, results = alternate(readers, args.repeat, warm)
            if not same(results["cw2v"], expected):  # type: ignore[arg-type]
                raise SystemExit(f"cw2v's {fmt} load differs from what was written")
            if "gensim" in results:
                kv_loaded = results["gensim"]
                loaded = (kv_loaded.index_to_key, kv_loaded.vectors)  # type: ignore[attr-defined]
                if not same(loaded, expected):
                    raise SystemExit(f"gensim's {fmt} load differs from cw2v's")
            rows += table_rows(f"read {fmt}", times, dict.fromkeys(times, path.stat().st_size))
            for file in (path, ours, theirs):
                file.unlink(missing_ok=True)

    print(
        f"{args.words:,} words x {args.dim} dims, best and median of {args.repeat} "
        f"(alternating runs, memory {'cold' if args.cold else 'warmed up'} before each); "
        "MB/s from the best time and the file size\n"
    )
    print("| operation | library | best s | median s | MB/s | speed-up vs gensim |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
