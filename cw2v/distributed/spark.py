"""Training on Spark: the algorithm of ``cw2v.distributed._sync`` as Spark jobs.

1. Counting: ``mapPartitionsWithIndex`` counts each partition with the
   compiled counter; ``treeReduce`` merges the counts on the executors; the
   driver builds the vocabulary and broadcasts it.
2. Encoding, once: each partition's text becomes int32 word ids, cut into
   rounds of ``sync_every_words`` words, and ``partitionBy`` files round ``r``
   of partition ``p`` under partition ``p * rounds + r`` of a persisted RDD.
3. Each round: the driver broadcasts the synchronised weights;
   ``SparkContext.runJob`` runs one task per original partition on that
   round's partitions; each task loads the weights into a replica (cached in
   the Python worker between rounds), trains, and returns its weighted rows;
   the driver averages them.

Spark tasks are stateless, so the whole model travels to every task each
round (a broadcast): fine for models of up to a few hundred MB; for larger
ones use :func:`cw2v.distributed.train_on_ray`, whose actors keep their
replica and exchange only the changed rows.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from pyspark import RDD, StorageLevel, TaskContext
from pyspark.sql import DataFrame

from cw2v.distributed._sync import (
    ChunkCursor,
    DistributedTrainingError,
    LinesCorpus,
    RoundOutcome,
    RoundResult,
    RoundTask,
    RowUpdate,
    RunLog,
    ShardTrainer,
    SyncInfo,
    VocabularyPayload,
    apply_updates,
    average_updates,
    build_model,
    build_vocabulary,
    check_params,
    drive,
    merge_counts,
    plan_rounds,
    replica_params,
    resolve_averaging,
)
from cw2v.model import Word2Vec
from cw2v.vocab import WordCounts

__all__ = ["train_on_spark"]

logger = logging.getLogger("cw2v")

#: Replicas kept by a Python worker between rounds, keyed by run.
_REPLICAS: dict[str, ShardTrainer] = {}


def _identity(key: int) -> int:
    return key


def _lines_rdd(data: Any, column: str | None) -> RDD:
    if isinstance(data, RDD):
        return data
    if isinstance(data, DataFrame):
        names = [name for name, kind in data.dtypes if kind == "string"]
        if column is None:
            if len(names) != 1 and "text" not in names and "value" not in names:
                raise ValueError(
                    f"the DataFrame has string columns {names}: name the text one with column="
                )
            column = names[0] if len(names) == 1 else "text" if "text" in names else "value"
        elif column not in data.columns:
            raise ValueError(f"the DataFrame has no column {column!r}; its columns: {data.columns}")
        return data.select(column).rdd.map(lambda row: row[0])
    raise TypeError(
        f"train_on_spark takes an RDD of str lines or a DataFrame, got {type(data).__name__}"
    )


def _count_partition(
    max_vocab_size: int | None,
) -> Callable[[int, Iterable[str]], Iterator[tuple[dict[int, int], WordCounts]]]:
    def count(index: int, lines: Iterable[str]) -> Iterator[tuple[dict[int, int], WordCounts]]:
        counts = LinesCorpus(lines).count(max_vocab_size=max_vocab_size)
        yield {index: counts.total_words}, counts

    return count


def _merge(
    a: tuple[dict[int, int], WordCounts], b: tuple[dict[int, int], WordCounts]
) -> tuple[dict[int, int], WordCounts]:
    return {**a[0], **b[0]}, merge_counts([a[1], b[1]])


def _encode_partition(
    vocab: Any, rounds: int, words_per_round: int
) -> Callable[[int, Iterable[str]], Iterator[tuple[int, tuple[int, np.ndarray, np.ndarray]]]]:
    def encode(
        index: int, lines: Iterable[str]
    ) -> Iterator[tuple[int, tuple[int, np.ndarray, np.ndarray]]]:
        words = vocab.value.unpack()
        cursor = ChunkCursor(
            LinesCorpus(lines).encoded_chunks(words.index_to_key, words.key_to_index, 10_000)
        )
        for r in range(rounds):
            for position, (ids, offsets) in enumerate(cursor.take(words_per_round)):
                yield index * rounds + r, (position, ids, offsets)

    return encode


def _train_partition(
    run: str,
    rounds: int,
    tasks: Sequence[RoundTask],
    vocab: Any,
    params: dict[str, Any],
    weights: Any,
    averaging: str,
) -> Callable[[Iterable[tuple[int, tuple[int, np.ndarray, np.ndarray]]]], list[Any]]:
    def train(items: Iterable[tuple[int, tuple[int, np.ndarray, np.ndarray]]]) -> list[Any]:
        context = TaskContext.get()
        assert context is not None
        shard = context.partitionId() // rounds
        trainer = _REPLICAS.get(run)
        if trainer is None:
            _REPLICAS.clear()  # one run at a time per worker
            model = build_model(params, vocab.value.unpack(), workers=1)
            trainer = _REPLICAS[run] = ShardTrainer(
                model, shard=shard, averaging=averaging, threads=1
            )
        trainer.set_shard(shard)
        trainer.load(*weights.value)
        chunks = [(ids, offsets) for _, (_, ids, offsets) in sorted(items, key=lambda i: i[1][0])]
        return [trainer.train_round(chunks, tasks[shard])]

    return train


def train_on_spark(
    data: Any,
    *,
    num_partitions: int,
    sync_every_words: int = 250_000,
    averaging: str = "auto",
    warmup: float = 0.0,
    column: str | None = None,
    on_sync: Callable[[SyncInfo], Any] | None = None,
    **word2vec_params: Any,
) -> Word2Vec:
    """Train word2vec on a Spark cluster, one task per partition per round.

    The same algorithm as :func:`cw2v.distributed.train_on_ray`: the
    vocabulary is counted per partition and merged; every task trains an
    identical replica on its partition's next ``sync_every_words`` words
    with cw2v's own kernels (one thread per task), then the driver combines
    the tasks' changes row by row (see ``averaging``); the learning rate
    falls with the progress of all partitions together.

    Parameters
    ----------
    data : pyspark.RDD of str, or pyspark.sql.DataFrame
        Text, one sentence per element (line). A DataFrame's text column is
        ``column``, or its only string column, or ``"text"``, or ``"value"``
        (as ``spark.read.text`` names it).
    num_partitions : int
        Partitions, and so tasks per round; ``data`` is repartitioned if it
        has another number.
    sync_every_words : int, default 250_000
        Raw words each partition trains between two synchronisations of
        every row. Shorter costs more exchanges (here each one broadcasts
        the whole model), longer loses quality: with two workers on 10 M
        words, 250k held single-machine quality (analogy −0.010, WordSim353
        −0.006), 500k lost 0.019 analogy and 1 M 0.031
        (``bench/results/distributed.md``). Spark tasks keep no state between
        rounds, so the hot rows of :func:`~cw2v.distributed.train_on_ray`
        (syncing frequent rows more often) are not available here.
    averaging : {"auto", "sum", "adaptive", "weighted", "uniform"}, default "auto"
        See :func:`cw2v.distributed.train_on_ray`.
    warmup : float, default 0.0
        With ``averaging="sum"``: the share of the run (in words) over which
        the combination moves linearly from the weighted mean to the sum,
        as a learning-rate warm-up does for large batches.
    column : str, optional
        The DataFrame's text column.
    on_sync : callable, optional
        Called on the driver after every synchronisation with a
        :class:`~cw2v.distributed.SyncInfo`.
    **word2vec_params
        Any argument of :class:`~cw2v.model.Word2Vec` except ``sentences``,
        ``workers``, ``callbacks`` and ``progress``.

    Returns
    -------
    Word2Vec
        An ordinary model (query, save, load, continue training).

    Raises
    ------
    DistributedTrainingError
        If a Spark job fails; the error's ``model`` is the model of the last
        completed synchronisation.

    Examples
    --------
    >>> from pyspark.sql import SparkSession
    >>> from cw2v.distributed import train_on_spark
    >>> spark = SparkSession.builder.master("local[2]").getOrCreate()  # doctest: +SKIP
    >>> lines = spark.read.text("corpus/*.txt")  # doctest: +SKIP
    >>> model = train_on_spark(lines, num_partitions=2, epochs=5)  # doctest: +SKIP
    """
    params = check_params(word2vec_params)
    for name, value in (("num_partitions", num_partitions), ("sync_every_words", sync_every_words)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    averaging = resolve_averaging(averaging, num_partitions)
    if not 0.0 <= warmup <= 1.0:
        raise ValueError(f"warmup must be a share of the run in [0, 1], got {warmup!r}")
    lines = _lines_rdd(data, column)
    if lines.getNumPartitions() != num_partitions:
        lines = lines.repartition(num_partitions)
    lines = lines.persist(StorageLevel.MEMORY_AND_DISK)
    sc = lines.context
    model: Word2Vec | None = None
    log: RunLog | None = None
    stage = "counting the vocabulary"
    broadcasts: list[Any] = []
    encoded = None
    try:
        per_partition, counts = lines.mapPartitionsWithIndex(
            _count_partition(params.get("max_vocab_size"))
        ).treeReduce(_merge)
        shard_words = [per_partition.get(p, 0) for p in range(num_partitions)]
        vocab = build_vocabulary(counts, params)
        payload = sc.broadcast(VocabularyPayload.pack(vocab))
        broadcasts.append(payload)
        model = build_model(params, vocab, workers=None)
        plan = plan_rounds(
            shard_words,
            sync_every_words=sync_every_words,
            epochs=model.epochs,
            alpha=model.alpha,
            min_alpha=model.min_alpha,
            warmup=warmup if averaging == "sum" else 0.0,
        )
        rounds = max(task.index for tasks in plan for task in tasks) + 1
        stage = "encoding the corpus"
        encoded = (
            lines.mapPartitionsWithIndex(_encode_partition(payload, rounds, sync_every_words))
            .partitionBy(num_partitions * rounds, _identity)
            .persist(StorageLevel.MEMORY_AND_DISK)
        )
        encoded.count()
        lines.unpersist()
        log = RunLog(model, sum(shard_words) * model.epochs)
        run = uuid.uuid4().hex
        replica = replica_params(params)
        driver_model = model

        def sync_round(tasks: Sequence[RoundTask]) -> RoundOutcome:
            nonlocal stage
            assert driver_model.wv is not None and driver_model.output_vectors is not None
            stage = f"training round {tasks[0].round} (epoch {tasks[0].epoch + 1})"
            started = time.perf_counter()
            weights = sc.broadcast((driver_model.wv.vectors, driver_model.output_vectors))
            index = tasks[0].index
            reports: list[tuple[RoundResult, RowUpdate]] = sc.runJob(
                encoded,
                _train_partition(run, rounds, tasks, payload, replica, weights, averaging),
                partitions=[p * rounds + index for p in range(num_partitions)],
            )
            weights.destroy()
            trained = time.perf_counter()
            reports.sort(key=lambda report: report[0].shard)
            alpha = (tasks[0].alpha_start + tasks[0].alpha_end) / 2
            updates = [update for _, update in reports]
            averaged = average_updates(updates, averaging, tasks[0].mix, alpha)
            apply_updates(driver_model.wv.vectors, driver_model.output_vectors, [averaged])
            model_bytes = driver_model.wv.vectors.nbytes + driver_model.output_vectors.nbytes
            return RoundOutcome(
                results=[result for result, _ in reports],
                train_seconds=trained - started,
                sync_seconds=time.perf_counter() - trained,
                bytes_sent=sum(result.bytes_sent for result, _ in reports),
                bytes_received=model_bytes * num_partitions,
                rows_sent=sum(result.rows_sent for result, _ in reports),
            )

        drive(plan, sync_round, log, on_sync)
    except Exception as exc:
        if isinstance(exc, (TypeError, ValueError)) and model is None:
            raise
        rounds_done = log.rounds if log is not None else 0
        raise DistributedTrainingError(
            f"Spark failed while {stage}: {type(exc).__name__}: {_first_line(exc)}. Training "
            f"stopped after {rounds_done} synchronised round(s); the error's .model holds the "
            f"model of the last synchronisation"
            + ("" if model is not None else " (none: training had not started)"),
            model=model,
            rounds_completed=rounds_done,
        ) from exc
    finally:
        if encoded is not None:
            encoded.unpersist()
        lines.unpersist()
        for broadcast in broadcasts:
            broadcast.destroy()
    return model


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""
