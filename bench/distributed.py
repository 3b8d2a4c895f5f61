"""Distributed training on one machine: quality, throughput and the cost of a sync.

Runs on a prefix of the dev corpus (or the bundled sample), split into four
files of equal size:

* ``compare``: one process with N threads (``Word2Vec.train``) against
  ``train_on_ray`` with N actors of one thread each, at the same epochs:
  analogy accuracy (questions-words, first 30,000 words), WordSim353
  Spearman, and training throughput (raw words per second of the training
  rounds, vocabulary scan and start-up excluded; end-to-end time reported
  too). With several ``--seeds`` and ``--sync`` values it runs, for every
  seed and interval, one single-process run and then the Ray run (so machine
  drift hits both alike), and summarises every interval over the seeds: the
  mean difference to the mean of all single-process runs, half the spread,
  and the throughput ratio (best against best);
* ``throughput``: the same two, alternating, without evaluation, ``--repeat``
  times (best and median);
* ``sweep``: quality against the number of actors, the sync interval and the
  averaging mode;
* ``spark``: ``train_on_spark`` with N partitions, for the same figures;
* ``estimate``: words/s and time per epoch for 8, 32 and 128 machines on
  100 B words, from the measured per-actor throughput and sync cost (read
  from the JSON that ``compare`` or ``throughput`` writes).

Examples::

    python bench/distributed.py compare --max-words 10000000 --epochs 5 --sync 350000
    python bench/distributed.py compare --max-words 10000000 --epochs 5 \\
        --sync 250000 350000 500000 --seeds 1 2 --json compare.json
    python bench/distributed.py throughput --max-words 10000000 --epochs 2 --sync 350000 \\
        --json throughput.json
    python bench/distributed.py sweep --max-words 10000000 --actors 1 2 4 \\
        --sync 250000 1000000 4000000 --averaging sum adaptive weighted uniform
    python bench/distributed.py estimate --measured throughput.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import default_corpus, eval_paths, machine, write_prefix

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

PARAMS: dict[str, Any] = {
    "vector_size": 100,
    "window": 5,
    "negative": 5,
    "sg": 1,
    "min_count": 5,
    "sample": 1e-3,
    "seed": 1,
}


def split_corpus(source: Path, max_words: int, folder: Path, parts: int) -> tuple[Path, list[Path]]:
    """Write the prefix to ``folder/whole.txt`` and to ``parts`` files of about equal words."""
    whole = folder / "whole.txt"
    words = write_prefix(source, max_words, whole)
    paths = [folder / f"part-{k}.txt" for k in range(parts)]
    handles = [p.open("w", encoding="utf-8") for p in paths]
    done = 0
    with whole.open(encoding="utf-8") as lines:
        for line in lines:
            handles[min(parts - 1, done * parts // words)].write(line)
            done += len(line.split())
    for handle in handles:
        handle.close()
    return whole, paths


SKIP_QUALITY = False


def quality(wv: Any) -> dict[str, float]:
    if SKIP_QUALITY:
        return {"analogy": float("nan"), "wordsim353": float("nan")}
    from cw2v.evaluate import evaluate_word_analogies, evaluate_word_pairs

    paths = eval_paths()
    analogy = evaluate_word_analogies(wv, paths["analogies"], restrict_vocab=30000)
    pairs = evaluate_word_pairs(wv, paths["wordsim353"])
    return {"analogy": analogy.accuracy, "wordsim353": pairs.spearman}


def run_single(corpus: Path, workers: int, epochs: int, seed: int = 1) -> dict[str, Any]:
    import cw2v

    params = {**PARAMS, "seed": seed}
    model = cw2v.Word2Vec(corpus, workers=workers, epochs=epochs, progress=False, **params)
    model.build_vocab()
    started = time.perf_counter()
    model.train()
    seconds = time.perf_counter() - started
    words = sum(s.raw_words for s in model.training_loss)
    return {
        "kind": f"1 process x {workers} threads",
        "seed": seed,
        "words_per_second": words / seconds,
        "train_seconds": seconds,
        "vocabulary": len(model.wv),
        **quality(model.wv),
    }


def run_ray(
    parts: list[Path],
    actors: int,
    threads: int,
    sync: int,
    averaging: str,
    epochs: int,
    warmup: float = 0.0,
    seed: int = 1,
    hot_rows: int = 0,
    hot_sync: int | None = None,
) -> dict[str, Any]:
    from cw2v.distributed import train_on_ray

    infos: list[Any] = []
    started = time.perf_counter()
    model = train_on_ray(
        [str(p) for p in parts],
        num_actors=actors,
        threads_per_actor=threads,
        sync_every_words=sync,
        averaging=averaging,
        warmup=warmup,
        hot_rows=hot_rows if hot_sync else 0,
        hot_sync_every_words=hot_sync or None,
        epochs=epochs,
        on_sync=infos.append,
        actor_options={"num_cpus": 0.5 if actors > 2 else 1},
        **{**PARAMS, "seed": seed},
    )
    total = time.perf_counter() - started
    train = sum(i.train_seconds + i.sync_seconds for i in infos)
    sync_seconds = sum(i.sync_seconds for i in infos)
    words = infos[-1].words_done
    actor_words = sum(sum(i.shard_words) for i in infos)
    actor_seconds = sum(sum(i.shard_seconds) for i in infos)
    return {
        "kind": f"Ray {actors} actors x {threads} threads",
        "seed": seed,
        "actors": actors,
        "sync_every_words": sync,
        "hot": f"{hot_rows} rows every {hot_sync:,}" if hot_sync and hot_sync < sync else "",
        "averaging": averaging if not warmup else f"{averaging}, warm-up {warmup:g}",
        "rounds": len(infos),
        "full_rounds": sum(i.all_rows for i in infos),
        "words_per_second": words / train,
        "train_seconds": train,
        "end_to_end_seconds": total,
        "sync_seconds_total": sync_seconds,
        "sync_seconds_per_round": sync_seconds / len(infos),
        "bytes_sent_per_actor_round": sum(i.bytes_sent for i in infos) / len(infos) / actors,
        "rows_sent_per_actor_round": sum(i.rows_sent for i in infos) / len(infos) / actors,
        "bytes_received_per_round": sum(i.bytes_received for i in infos) / len(infos),
        "actor_words_per_second": actor_words / actor_seconds,
        "update_seconds_per_actor_round": sum(sum(i.shard_update_seconds) for i in infos)
        / len(infos)
        / actors,
        "scan_seconds_per_element": sum(sum(i.shard_update_seconds) for i in infos)
        / len(infos)
        / actors
        / (2 * len(model.wv) * model.vector_size),
        "vocabulary": len(model.wv),
        "vector_size": model.vector_size,
        **quality(model.wv),
    }


def run_spark(whole: Path, partitions: int, sync: int, averaging: str, epochs: int) -> dict:
    from pyspark.sql import SparkSession

    from cw2v.distributed import train_on_spark

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(f"local[{partitions}]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    infos: list[Any] = []
    started = time.perf_counter()
    model = train_on_spark(
        spark.sparkContext.textFile(str(whole), partitions),
        num_partitions=partitions,
        sync_every_words=sync,
        averaging=averaging,
        epochs=epochs,
        on_sync=infos.append,
        **PARAMS,
    )
    total = time.perf_counter() - started
    train = sum(i.train_seconds + i.sync_seconds for i in infos)
    spark.stop()
    return {
        "kind": f"Spark {partitions} partitions",
        "sync_every_words": sync,
        "averaging": averaging,
        "rounds": len(infos),
        "words_per_second": infos[-1].words_done / train,
        "train_seconds": train,
        "end_to_end_seconds": total,
        "sync_seconds_per_round": sum(i.sync_seconds for i in infos) / len(infos),
        **quality(model.wv),
    }


def row(result: dict[str, Any]) -> str:
    seed = f" (seed {result['seed']})" if "seed" in result else ""
    return (
        f"| {result['kind']}{seed} | {result.get('sync_every_words', '-')}"
        f"{'; hot ' + result['hot'] if result.get('hot') else ''} | "
        f"{result.get('averaging', '-')} | {result['analogy']:.4f} | {result['wordsim353']:.4f} | "
        f"{result['words_per_second'] / 1e6:.3f} | {result['train_seconds']:.1f} | "
        f"{result.get('end_to_end_seconds', result['train_seconds']):.1f} |"
    )


HEADER = (
    "| run | sync every (words/actor) | averaging | analogy (30k) | WordSim353 ρ | "
    "M words/s (training) | training s | end-to-end s |\n|---|---|---|---|---|---|---|---|"
)


def summary(singles: list[dict[str, Any]], ray_runs: list[dict[str, Any]]) -> str:
    """Every sync interval over the seeds, against the mean of the single-process runs."""
    base = {m: float(np.mean([s[m] for s in singles])) for m in ("analogy", "wordsim353")}
    spread = {m: (np.ptp([s[m] for s in singles]) / 2) for m in base}
    best_single = max(s["words_per_second"] for s in singles)
    lines = [
        f"\n1 process x {singles[0]['kind'].split(' x ')[1]} ({len(singles)} runs, seeds "
        f"{sorted({s['seed'] for s in singles})}): analogy {base['analogy']:.4f} "
        f"± {spread['analogy']:.4f}, WordSim353 {base['wordsim353']:.4f} "
        f"± {spread['wordsim353']:.4f}, best {best_single / 1e6:.3f} M words/s\n",
        "| sync every | seeds | analogy (mean ± half-spread) | Δ analogy | WordSim353 | "
        "Δ WordSim353 | best M words/s | vs best single | median of paired ratios | "
        "sync s/round | MB sent/actor/round |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    settings = sorted({(r["sync_every_words"], r.get("hot", "")) for r in ray_runs})
    for sync, hot in settings:
        runs = [r for r in ray_runs if (r["sync_every_words"], r.get("hot", "")) == (sync, hot)]
        pairs = [
            (s, r) for s, r in zip(singles, ray_runs, strict=True) if any(r is x for x in runs)
        ]
        cells = []
        for metric in ("analogy", "wordsim353"):
            values = [r[metric] for r in runs]
            mean = float(np.mean(values))
            cells.append(f"{mean:.4f} ± {np.ptp(values) / 2:.4f} | {mean - base[metric]:+.4f}")
        best = max(r["words_per_second"] for r in runs)
        paired = np.median([r["words_per_second"] / s["words_per_second"] for s, r in pairs])
        lines.append(
            f"| {sync:,}{'; hot ' + hot if hot else ''} | {len(runs)} | {cells[0]} | "
            f"{cells[1]} | {best / 1e6:.3f} | "
            f"{best / best_single:.2f}x | {paired:.2f}x | "
            f"{np.mean([r['sync_seconds_per_round'] for r in runs]):.3f} | "
            f"{np.mean([r['bytes_sent_per_actor_round'] for r in runs]) / 1e6:.1f} |"
        )
    return "\n".join(lines)


def start_ray(actors: int) -> None:
    import ray

    if not ray.is_initialized():
        ray.init(num_cpus=max(2, actors), include_dashboard=False, log_to_driver=False)


def estimate(measured: dict[str, Any], args: argparse.Namespace) -> str:
    """Words/s and time per epoch for a cluster, from one machine's measurements.

    A round on each machine: train ``S`` words at the machine's throughput,
    then synchronise: find the changed rows and pack them, a reduce-scatter
    and an all-gather of the changes over the machine's link, combine its
    share of the rows and add the combined changes. The words/s of the
    cluster is ``machines * S / (train + sync)``.
    """
    ray_run = measured.get("ray") or max(
        measured["ray_runs"], key=lambda run: run["words_per_second"]
    )
    d_measured = ray_run["vector_size"]
    per_thread = ray_run["actor_words_per_second"] * d_measured / args.vector_size
    per_machine = per_thread * args.threads_per_machine * args.thread_efficiency
    elements_measured = 2 * ray_run["vocabulary"] * d_measured
    compute_per_element = (
        ray_run["update_seconds_per_actor_round"] + ray_run["sync_seconds_per_round"]
    ) / elements_measured
    elements = 2 * args.vocabulary * args.vector_size
    model_bytes = elements * 4
    changed = model_bytes * args.changed_share
    # reduce-scatter + all-gather: each machine sends and receives about the
    # changed bytes once in each phase (full duplex links)
    network = 2 * changed / args.bandwidth
    compute = compute_per_element * elements
    lines = [
        "| machines | sync every (words/machine) | round: train s | round: sync s | "
        "sync share | M words/s | hours per epoch |",
        "|---|---|---|---|---|---|---|",
    ]
    for sync in args.estimate_sync:
        for machines in (8, 32, 128):
            latency = args.round_latency * (1 + np.log2(machines))
            round_train = sync / per_machine
            round_sync = network + compute + latency
            rate = machines * sync / (round_train + round_sync)
            lines.append(
                f"| {machines} | {sync / 1e6:,.0f} M | {round_train:.1f} | {round_sync:.1f} | "
                f"{round_sync / (round_train + round_sync):.0%} | {rate / 1e6:,.0f} | "
                f"{args.corpus_words / rate / 3600:.2f} |"
            )
    assumptions = f"""
Assumptions. Measured here (Ray, {ray_run["actors"]} actors x 1 thread, d = {d_measured}):
{ray_run["actor_words_per_second"] / 1e6:.2f} M words/s per thread, and
{compute_per_element * 1e9:.1f} ns per matrix element per round for finding, packing,
combining and applying the changes ({ray_run["update_seconds_per_actor_round"]:.3f} s +
{ray_run["sync_seconds_per_round"]:.3f} s per round for {elements_measured:,} elements).
Assumed for the cluster: vocabulary {args.vocabulary:,} words, d = {args.vector_size}
(throughput scaled by {d_measured}/{args.vector_size}: {per_thread / 1e6:.2f} M words/s
per thread); {args.threads_per_machine} threads per machine at
{args.thread_efficiency:.0%} efficiency ({per_machine / 1e6:.1f} M words/s per machine);
{args.changed_share:.0%} of the {model_bytes / 1e9:.1f} GB of weights change per round
(an upper bound: all rows, sent dense); links of {args.bandwidth * 8 / 1e9:.0f} Gbit/s full
duplex, the transfer not overlapped with training ({network:.1f} s per round);
{args.round_latency * 1e3:.0f} ms of scheduling per round times 1 + log2(machines);
corpus {args.corpus_words / 1e9:.0f} B words. The learning quality at such sync
intervals was not measured on this machine (see the sweep).
"""
    return "\n".join(lines) + "\n" + assumptions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["compare", "throughput", "sweep", "spark", "estimate"])
    parser.add_argument("--repeat", type=int, default=3, help="throughput: runs of each")
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--max-words", type=int, default=10_000_000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="threads / actors to compare")
    parser.add_argument("--actors", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--sync", type=int, nargs="+", default=[350_000])
    parser.add_argument("--averaging", nargs="+", default=["auto"])
    parser.add_argument("--warmup", type=float, nargs="+", default=[0.0])
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[1], help="compare: model seeds (sweep: the first)"
    )
    parser.add_argument("--hot-rows", type=int, default=4096, help="rows synced more often")
    parser.add_argument(
        "--hot-sync",
        type=int,
        nargs="+",
        default=[0],
        help="hot-row intervals (0: off; throughput: the first)",
    )
    parser.add_argument("--no-single", action="store_true", help="sweep: skip the baseline")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument("--measured", type=Path, default=None, help="compare's JSON")
    parser.add_argument("--threads-per-machine", type=int, default=32)
    parser.add_argument("--thread-efficiency", type=float, default=0.7)
    parser.add_argument("--estimate-sync", type=float, nargs="+", default=[10e6, 50e6, 200e6])
    parser.add_argument("--vocabulary", type=int, default=1_000_000)
    parser.add_argument("--vector-size", type=int, default=300)
    parser.add_argument("--changed-share", type=float, default=1.0)
    parser.add_argument("--bandwidth", type=float, default=1.25e9, help="bytes/s per link")
    parser.add_argument("--round-latency", type=float, default=0.05)
    parser.add_argument("--corpus-words", type=float, default=100e9)
    args = parser.parse_args()

    if args.what == "estimate":
        print(estimate(json.loads(args.measured.read_text()), args))
        return
    source = args.corpus or default_corpus()
    results: dict[str, Any] = {"machine": machine(), "source": source.name}
    with tempfile.TemporaryDirectory() as tmp:
        whole, parts = split_corpus(source, args.max_words, Path(tmp), 4)
        results["words"] = sum(len(line.split()) for line in whole.open(encoding="utf-8"))
        print(
            f"Corpus: {source.name}, first {results['words']:,} words in 4 files; "
            f"skip-gram NS, {args.epochs} epochs; {PARAMS}\nMachine: {results['machine']}\n"
        )
        print(HEADER)
        if args.what == "compare":
            start_ray(args.workers)
            singles: list[dict[str, Any]] = []
            ray_runs: list[dict[str, Any]] = []
            for seed in args.seeds:
                for sync in args.sync:
                    for hot_sync in args.hot_sync:
                        single = run_single(whole, args.workers, args.epochs, seed)
                        print(row(single), flush=True)
                        ray_run = run_ray(
                            parts,
                            args.workers,
                            1,
                            sync,
                            args.averaging[0],
                            args.epochs,
                            args.warmup[0],
                            seed,
                            args.hot_rows,
                            hot_sync,
                        )
                        print(row(ray_run), flush=True)
                        singles.append(single)
                        ray_runs.append(ray_run)
            results.update(single_runs=singles, ray_runs=ray_runs)
            if len(ray_runs) == 1:
                results.update(single=singles[0], ray=ray_runs[0])
            print(summary(singles, ray_runs))
        elif args.what == "throughput":
            global SKIP_QUALITY
            SKIP_QUALITY = True
            start_ray(args.workers)
            speeds: dict[str, list[float]] = {"single": [], "ray": []}
            for _ in range(args.repeat):
                single = run_single(whole, args.workers, args.epochs, args.seeds[0])
                ray_run = run_ray(
                    parts,
                    args.workers,
                    1,
                    args.sync[0],
                    args.averaging[0],
                    args.epochs,
                    args.warmup[0],
                    args.seeds[0],
                    args.hot_rows,
                    args.hot_sync[0],
                )
                print(row(single), flush=True)
                print(row(ray_run), flush=True)
                speeds["single"].append(single["words_per_second"])
                speeds["ray"].append(ray_run["words_per_second"])
                results.setdefault("ray_runs", []).append(ray_run)
            best = {kind: max(values) for kind, values in speeds.items()}
            results["speeds"] = speeds
            print(
                f"\nbest of {args.repeat}: single {best['single'] / 1e6:.3f} M words/s, Ray "
                f"{best['ray'] / 1e6:.3f} M words/s: {best['ray'] / best['single']:.2f}x; "
                f"median ratio {np.median(speeds['ray']) / np.median(speeds['single']):.2f}x"
            )
        elif args.what == "sweep":
            if not args.no_single:
                single = run_single(whole, args.workers, args.epochs, args.seeds[0])
                print(row(single), flush=True)
                results["single"] = single
            start_ray(max(args.actors))
            runs = []
            for actors in args.actors:
                for sync, hot_sync in itertools.product(args.sync, args.hot_sync):
                    for averaging in args.averaging:
                        for warmup in args.warmup if averaging == "sum" else [0.0]:
                            result = run_ray(
                                parts,
                                actors,
                                1,
                                sync,
                                averaging,
                                args.epochs,
                                warmup,
                                args.seeds[0],
                                args.hot_rows,
                                hot_sync,
                            )
                            runs.append(result)
                            print(row(result), flush=True)
            results["runs"] = runs
        else:
            result = run_spark(whole, args.workers, args.sync[0], args.averaging[0], args.epochs)
            print(row(result), flush=True)
            results["spark"] = result
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
