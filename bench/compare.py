"""Train cw2v and gensim on the same corpus with the same settings and compare.

Each training runs in its own subprocess (so peak RSS is per run), cw2v and
gensim alternate (A B A B) so drift on a noisy machine affects both, and both
sets of vectors are scored by the same evaluator (gensim's
``evaluate_word_analogies`` and ``evaluate_word_pairs``: questions-words
restricted to the 30,000 most frequent words, WordSim353 and SimLex-999
Spearman).

Examples
--------
Quick run on the first 5 M words, one epoch, every configuration::

    python bench/compare.py --max-words 5000000 --epochs 1

The full table on the dev corpus (slow: gensim trains at ~0.3 M words/s)::

    python bench/compare.py --epochs 1 --out bench/results/compare.md
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import default_corpus, eval_paths, machine, write_prefix

CONFIGS = {
    "sg-ns": {"sg": 1, "hs": 0, "negative": 5},
    "cbow-ns": {"sg": 0, "hs": 0, "negative": 5},
    "sg-hs": {"sg": 1, "hs": 1, "negative": 0},
    # cw2v only (gensim and word2vec.c have no full softmax); O(V d) per prediction, so a
    # small vocabulary, and a prefix of the corpus (--max-words)
    "sg-softmax": {"sg": 1, "hs": 0, "negative": 0, "softmax": True, "max_final_vocab": 2000},
}
CW2V_ONLY = {"sg-softmax"}
DEFAULT_CONFIGS = "sg-ns,cbow-ns,sg-hs"
QUALITY = ("analogy", "wordsim353", "simlex999")
COMMON = {"vector_size": 100, "window": 5, "min_count": 5, "sample": 1e-3, "alpha": 0.025}


def evaluate(keys: list[str], vectors) -> dict[str, float]:
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(keys, vectors)
    paths = eval_paths()
    analogy, _ = kv.evaluate_word_analogies(str(paths["analogies"]), restrict_vocab=30000)
    ws = kv.evaluate_word_pairs(str(paths["wordsim353"]), restrict_vocab=300000)
    sl = kv.evaluate_word_pairs(str(paths["simlex999"]), restrict_vocab=300000)
    return {"analogy": float(analogy), "wordsim353": float(ws[1][0]), "simlex999": float(sl[1][0])}


def child(spec: dict) -> dict:
    """Run one training (in a subprocess) and report timings and quality."""
    import numpy as np

    params = dict(COMMON, **CONFIGS[spec["config"]])
    corpus, workers, epochs = spec["corpus"], spec["workers"], spec["epochs"]
    seed = spec.get("seed", 1)
    if spec["lib"] == "word2vec.c":
        import cw2v

        config = CONFIGS[spec["config"]]
        out = Path(spec["workdir"]) / "word2vec-c.bin"
        command = [
            spec["binary"], "-train", corpus, "-output", str(out),
            "-size", str(params["vector_size"]), "-window", str(params["window"]),
            "-sample", str(params["sample"]), "-negative", str(config["negative"]),
            "-hs", str(config["hs"]), "-cbow", str(1 - config["sg"]),
            "-threads", str(workers), "-iter", str(epochs), "-min-count", str(params["min_count"]),
            "-alpha", str(params["alpha"]), "-binary", "1",
        ]  # fmt: skip
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        total = time.perf_counter() - start
        wv = cw2v.KeyedVectors.load_word2vec_format(out, binary=True)
        keys, vectors = list(wv.index_to_key), np.asarray(wv.vectors)
        corpus_words = sum(1 for line in open(corpus, "rb") for _ in line.split())
        vocab_seconds = float("nan")  # word2vec.c does not report it apart
        train_seconds = total
        raw_words = corpus_words * epochs
    elif spec["lib"] == "cw2v":
        import cw2v

        model = cw2v.Word2Vec(
            corpus, workers=workers, epochs=epochs, seed=seed, progress=False, **params
        )
        start = time.perf_counter()
        model.build_vocab()
        vocab_seconds = time.perf_counter() - start
        start = time.perf_counter()
        model.train()
        train_seconds = time.perf_counter() - start
        raw_words = sum(stats.raw_words for stats in model.training_loss)
        keys, vectors = list(model.wv.index_to_key), np.asarray(model.wv.vectors)
    else:
        from gensim.models import Word2Vec
        from gensim.models.word2vec import LineSentence

        model = Word2Vec(workers=workers, epochs=epochs, seed=seed, **params)
        sentences = LineSentence(corpus)
        start = time.perf_counter()
        model.build_vocab(sentences)
        vocab_seconds = time.perf_counter() - start
        start = time.perf_counter()
        model.train(sentences, total_examples=model.corpus_count, epochs=epochs)
        train_seconds = time.perf_counter() - start
        raw_words = model.corpus_total_words * epochs
        keys, vectors = list(model.wv.index_to_key), np.asarray(model.wv.vectors)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if spec["lib"] == "word2vec.c":  # it trained in a process of its own
        peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = {
        "vocab_seconds": vocab_seconds,
        "train_seconds": train_seconds,
        "words_per_second": raw_words / train_seconds,
        "wall_seconds": train_seconds + (0.0 if vocab_seconds != vocab_seconds else vocab_seconds),
        "peak_rss_mb": peak_rss_mb,
        "vocabulary": len(keys),
    }
    result.update(evaluate(keys, vectors))
    return result


def run_child(spec: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    head = (
        "| config | library | train words/s | ratio | vocab s | wall s | peak RSS MB "
        "| analogy | WS353 | SimLex | runs |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for row in rows:
        quality = " | ".join(
            f"{row[m]:.4f}" + (f" ±{row[m + '_spread'] / 2:.4f}" if row["runs"] > 1 else "")
            for m in QUALITY
        )
        ratio = f"{row['ratio']:.2f}" if "ratio" in row else "-"
        lines.append(
            f"| {row['config']} | {row['lib']} | {row['words_per_second'] / 1e6:.3f} M "
            f"| {ratio} | {row['vocab_seconds']:.1f} "
            f"| {row['wall_seconds']:.1f} | {row['peak_rss_mb']:.0f} | {quality} | {row['runs']} |"
        )
    return head + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--max-words", type=int, default=None, help="use a prefix of the corpus")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--configs",
        default=DEFAULT_CONFIGS,
        help=f"comma-separated, from {', '.join(CONFIGS)} (default: {DEFAULT_CONFIGS})",
    )
    parser.add_argument("--libs", default="cw2v,gensim")
    parser.add_argument(
        "--word2vec-bin",
        type=Path,
        default=None,
        help="also run this word2vec.c binary (its time includes its vocabulary scan)",
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="also write the table here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return

    corpus = args.corpus or default_corpus()
    with tempfile.TemporaryDirectory() as tmp:
        if args.max_words:
            prefix = Path(tmp) / "corpus.txt"
            words = write_prefix(corpus, args.max_words, prefix)
            corpus_label = f"{corpus.name}, first {words:,} words"
            corpus = prefix
        elif args.word2vec_bin and corpus.suffix == ".gz":
            # word2vec.c reads plain text only; every library reads the same copy
            plain = Path(tmp) / "corpus.txt"
            words = write_prefix(corpus, sys.maxsize, plain)
            corpus_label = f"{corpus.name} (decompressed, {words:,} words)"
            corpus = plain
        else:
            corpus_label = corpus.name
        rows = []
        for config in args.configs.split(","):
            libs = args.libs.split(",") + (["word2vec.c"] if args.word2vec_bin else [])
            if config in CW2V_ONLY:
                libs = [lib for lib in libs if lib == "cw2v"]
            results: dict[str, list[dict]] = {lib: [] for lib in libs}
            for repeat in range(args.repeat):
                for lib in results:
                    spec = {
                        "lib": lib,
                        "config": config,
                        "corpus": str(corpus),
                        "workers": args.workers,
                        "epochs": args.epochs,
                        "seed": 1 + repeat,
                        "binary": str(args.word2vec_bin),
                        "workdir": tmp,
                    }
                    result = run_child(spec)
                    print(f"{config} {lib}: {json.dumps(result)}", file=sys.stderr, flush=True)
                    results[lib].append(result)
            base = None
            for lib, runs in results.items():
                # speed: the best run (least disturbed); quality: the mean over seeds
                best = max(runs, key=lambda r: r["words_per_second"])
                row = dict(best, config=config, lib=lib, runs=len(runs))
                for metric in QUALITY:
                    values = [run[metric] for run in runs]
                    row[metric] = sum(values) / len(values)
                    row[metric + "_spread"] = max(values) - min(values)
                row["peak_rss_mb"] = max(run["peak_rss_mb"] for run in runs)
                if lib == "gensim":
                    base = row
                rows.append(row)
            if base is not None:
                for row in rows[-len(results) :]:
                    row["ratio"] = row["words_per_second"] / base["words_per_second"]
    report = (
        f"Corpus: {corpus_label}; {args.workers} workers, {args.epochs} epoch(s), "
        f"settings {COMMON}.\n\nMachine: {machine()}\n\n"
        f"Throughput: raw corpus words per second of training (vocabulary excluded), best of "
        f"the runs; quality: mean over the runs (seeds 1, 2, ...), ± half the spread.\n\n"
        f"{table(rows)}"
    )
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report)


if __name__ == "__main__":
    main()
