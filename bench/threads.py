"""How training throughput scales with worker threads.

Trains the same model on the same corpus with 1 and with N workers, in
alternating subprocesses (1 N 1 N ...), and reports raw corpus words per
second (vocabulary build excluded) and the speed-up of N workers over one.

Example::

    python bench/threads.py --max-words 5000000 --workers 2 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import default_corpus, machine, write_prefix

CONFIGS = {
    "sg-ns": {"sg": 1, "hs": 0, "negative": 5},
    "cbow-ns": {"sg": 0, "hs": 0, "negative": 5},
    "sg-hs": {"sg": 1, "hs": 1, "negative": 0},
}


def child(spec: dict) -> dict:
    import cw2v

    model = cw2v.Word2Vec(
        spec["corpus"],
        workers=spec["workers"],
        epochs=spec["epochs"],
        progress=False,
        **CONFIGS[spec["config"]],
    )
    model.build_vocab()
    start = time.perf_counter()
    model.train()
    seconds = time.perf_counter() - start
    words = sum(stats.raw_words for stats in model.training_loss)
    return {"words_per_second": words / seconds, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--max-words", type=int, default=5_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--config", default="sg-ns", choices=sorted(CONFIGS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    source = args.corpus or default_corpus()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.txt"
        words = write_prefix(source, args.max_words, corpus)
        runs: dict[int, list[float]] = {1: [], args.workers: []}
        for _ in range(args.repeat):
            for workers in runs:
                spec = {
                    "corpus": str(corpus),
                    "workers": workers,
                    "epochs": args.epochs,
                    "config": args.config,
                }
                out = subprocess.run(
                    [sys.executable, __file__, "--child", json.dumps(spec)],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                result = json.loads(out.stdout.strip().splitlines()[-1])
                runs[workers].append(result["words_per_second"])
                print(
                    f"{workers} worker(s): {result['words_per_second'] / 1e6:.3f} M words/s",
                    file=sys.stderr,
                    flush=True,
                )
    best = {workers: max(speeds) for workers, speeds in runs.items()}
    print(f"Corpus: {source.name}, first {words:,} words; {args.config}, {args.epochs} epoch(s)")
    print(f"Machine: {machine()}\n")
    print("| workers | best M words/s | all runs |\n|---|---|---|")
    for workers, speeds in runs.items():
        listed = ", ".join(f"{s / 1e6:.3f}" for s in speeds)
        print(f"| {workers} | {best[workers] / 1e6:.3f} | {listed} |")
    print(f"\nspeed-up of {args.workers} workers over 1: {best[args.workers] / best[1]:.2f}x")


if __name__ == "__main__":
    main()
