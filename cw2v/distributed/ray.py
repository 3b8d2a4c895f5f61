"""Training on a Ray cluster: one actor per shard, averaging through the object store.

Each round, every actor trains its shard's next words with cw2v's own
dispatcher and kernels (``hot_sync_every_words`` of them; a round that ends
``sync_every_words`` words since the last full synchronisation, or ends an
epoch, synchronises every row, the others only the rows of the ``hot_rows``
most frequent words), then returns its update cut into ``num_actors`` row
shards (consecutive row ranges, as ``RowUpdate.split`` cuts them), one Ray
object each. Actor ``k`` then combines row shard ``k``
of every actor's update (a reduce-scatter), and every actor and the driver
read all the combined shards (an all-gather). The driver only hands object
references around: no matrix passes through it except the copy it keeps of
the synchronised model, so a failed actor leaves the driver with the model of
the last completed round.
"""

from __future__ import annotations

import glob
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import ray

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
    default_sync_every_words,
    drive,
    files_corpus,
    merge_counts,
    plan_rounds,
    replica_params,
    resolve_averaging,
)
from cw2v.model import Word2Vec
from cw2v.vocab import WordCounts

__all__ = ["train_on_ray"]

logger = logging.getLogger("cw2v")

_BATCH_LINES = 4096


class _DatasetLines:
    """The text lines of a Ray Dataset, re-iterable (one pass per epoch)."""

    def __init__(self, dataset: Any, column: str):
        self.dataset = dataset
        self.column = column

    def __iter__(self) -> Iterator[str]:
        for batch in self.dataset.iter_batches(batch_size=_BATCH_LINES, batch_format="numpy"):
            yield from batch[self.column].tolist()


class ShardActor:
    """A Ray actor holding one replica of the model and one shard of the corpus.

    Parameters
    ----------
    shard : int
        Its index.
    files : list of str, optional
        The shard's text files (read on the actor's node).
    dataset : ray.data.Dataset, optional
        Or the shard's lines.
    column : str
        The dataset's text column.
    """

    def __init__(
        self,
        shard: int,
        files: list[str] | None = None,
        dataset: Any = None,
        column: str = "text",
    ):
        self.shard = shard
        if files is not None:
            self.corpus: Any = files_corpus(files)
        else:
            self.corpus = LinesCorpus(_DatasetLines(dataset, column))
        self.trainer: ShardTrainer | None = None
        self.cursor: ChunkCursor | None = None

    def pid(self) -> int:
        """The actor's process id."""
        return os.getpid()

    def count(self, max_vocab_size: int | None) -> WordCounts:
        """Count the shard's words with the single-machine counting code."""
        return self.corpus.count(max_vocab_size=max_vocab_size)

    def setup(
        self, vocab: VocabularyPayload, params: dict[str, Any], threads: int, averaging: str
    ) -> None:
        """Build the replica (identical on every actor)."""
        model = build_model(params, vocab.unpack(), workers=threads)
        self.trainer = ShardTrainer(model, shard=self.shard, averaging=averaging, threads=threads)

    def train_round(self, task: RoundTask, parts: int) -> tuple[Any, ...]:
        """Train one round; return the report and the update in ``parts`` row shards."""
        assert self.trainer is not None, "setup() first"
        model = self.trainer.model
        if task.index == 0:
            assert model.wv is not None
            self.cursor = ChunkCursor(
                self.corpus.encoded_chunks(model.wv.index_to_key, model.wv.key_to_index, 10_000)
            )
        assert self.cursor is not None
        result, update = self.trainer.train_round(self.cursor.take(task.words), task)
        return (result, *update.split(parts))

    def reduce(self, mode: str, mix: float, alpha: float, *parts: RowUpdate) -> RowUpdate:
        """Combine one row shard of every actor's update (this actor's share of the reduction)."""
        return average_updates(parts, mode, mix, alpha)

    def apply(self, *updates: RowUpdate) -> None:
        """Write the averaged rows into the replica."""
        assert self.trainer is not None
        self.trainer.apply(updates)


class _Failure(Exception):
    def __init__(self, shard: int | None, what: str, cause: BaseException):
        self.shard, self.what, self.cause = shard, what, cause


def _wait_all(refs: Sequence[Any], what: str, owners: Sequence[int | None]) -> list[Any]:
    """``ray.get`` every ref, raising the first failure as soon as it is known."""
    values: list[Any] = [None] * len(refs)
    pending = {ref: position for position, ref in enumerate(refs)}
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        for ref in ready:
            position = pending.pop(ref)
            try:
                values[position] = ray.get(ref)
            except ray.exceptions.RayError as exc:
                raise _Failure(owners[position], what, exc) from exc
    return values


def _expand_sources(sources: Any) -> list[Path]:
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    files: list[Path] = []
    for source in sources:
        text = os.fspath(source)
        matches = sorted(glob.glob(text)) if glob.has_magic(text) else [text]
        if not matches:
            raise FileNotFoundError(f"no file matches {text!r}")
        for match in matches:
            path = Path(match)
            if path.is_dir():
                files.extend(p for p in sorted(path.iterdir()) if p.is_file() and p.name[0] != ".")
            elif path.is_file():
                files.append(path)
            else:
                raise FileNotFoundError(f"corpus file {match!r} does not exist")
    return files


def _assign_files(files: list[Path], num_actors: int) -> list[list[str]]:
    """Give each actor about the same number of bytes (largest files first)."""
    if len(files) < num_actors:
        raise ValueError(
            f"{len(files)} file(s) for {num_actors} actors: each actor reads whole files, so "
            f"split the corpus into at least {num_actors} files (e.g. `split -n l/{num_actors}`) "
            f"or pass a Ray Dataset (ray.data.read_text(...))"
        )
    loads = [0] * num_actors
    shards: list[list[Path]] = [[] for _ in range(num_actors)]
    for path in sorted(files, key=lambda p: -p.stat().st_size):
        lightest = loads.index(min(loads))
        shards[lightest].append(path)
        loads[lightest] += path.stat().st_size
    order = {path: position for position, path in enumerate(files)}
    return [[str(p) for p in sorted(shard, key=order.__getitem__)] for shard in shards]


def _is_dataset(sources: Any) -> bool:
    try:
        from ray.data import Dataset
    except ImportError:  # Ray without its data library: no Dataset can have been made
        return False
    return isinstance(sources, Dataset)


def _text_column(dataset: Any, column: str | None) -> str:
    names = list(dataset.schema().names)
    if column is not None:
        if column not in names:
            raise ValueError(f"the dataset has no column {column!r}; its columns: {names}")
        return column
    if "text" in names:
        return "text"
    if len(names) == 1:
        return str(names[0])
    raise ValueError(f"the dataset has several columns {names}: name the text one with column=")


def _split_dataset(dataset: Any, num_actors: int) -> list[Any]:
    rows = dataset.count()
    if rows < num_actors:
        raise ValueError(f"the dataset has {rows} rows, fewer than num_actors ({num_actors})")
    cuts = [rows * k // num_actors for k in range(1, num_actors)]
    return list(dataset.split_at_indices(cuts))


def train_on_ray(
    sources: Any,
    *,
    num_actors: int,
    threads_per_actor: int = 1,
    sync_every_words: int | None = None,
    averaging: str = "auto",
    warmup: float = 0.0,
    hot_rows: int = 4096,
    hot_sync_every_words: int | None = 250_000,
    column: str | None = None,
    actor_options: dict[str, Any] | None = None,
    on_sync: Callable[[SyncInfo], Any] | None = None,
    **word2vec_params: Any,
) -> Word2Vec:
    """Train word2vec on a Ray cluster, one actor per shard of the corpus.

    Every actor counts its shard; the driver merges the counts into the one
    vocabulary, which reaches every actor through the object store. Every
    actor then builds the same initial model (same seed) and trains its shard
    with cw2v's dispatcher and kernels (``threads_per_actor`` threads). Every
    ``sync_every_words`` words per actor the replicas are synchronised row
    by row: each row receives the changes the actors made to it (see
    ``averaging``); rows no actor changed are not sent and stay as they
    are. The learning rate falls with the progress of all actors together,
    as in one process reading the whole corpus.

    Parameters
    ----------
    sources : str, os.PathLike, sequence of them, or ray.data.Dataset
        Text files (one sentence per line; ``.gz``, ``.bz2``, ``.xz``), glob
        patterns or directories, at least one file per actor; files are
        given to actors by size. Every actor's node must see its files (a
        shared file system). Or a Ray Dataset of text lines (as
        ``ray.data.read_text`` makes), split into ``num_actors`` equal parts.
    num_actors : int
        Actors, one shard each.
    threads_per_actor : int, default 1
        Training threads per actor (and the CPUs each actor asks Ray for).
    sync_every_words : int, optional
        Raw words each actor trains between two synchronisations of every
        row (and at the end of every epoch). Longer intervals cost fewer
        exchanges but let the replicas drift apart; the hot rows (below)
        drift first. Default: 2,000,000 when the combination is ``"sum"``
        (``averaging="auto"`` with up to two actors), whose hot rows keep
        the quality; 250,000 otherwise, as longer intervals lost quality
        with ``"adaptive"`` even with hot rows.
    hot_rows : int, default 4096
        The rows of this many most frequent words (their input vectors, and
        the output rows they use most: their own with negative sampling,
        the inner nodes nearest the root with hierarchical softmax) are also
        synchronised every ``hot_sync_every_words`` words, as Intel's
        pWord2Vec does. Every actor updates them all the time, so they
        drift apart first; the other rows keep their changes until the
        next synchronisation of every row. 0 turns this off.
    hot_sync_every_words : int or None, default 250_000
        Raw words each actor trains between two synchronisations of the hot
        rows. None, or an interval no shorter than ``sync_every_words``:
        every synchronisation is of every row. Measured with two actors on
        10 M words (``bench/results/distributed.md``), against one process
        with as many threads: syncing every row every 250k words lost 0.010
        analogy at 0.71× its speed, every 500k lost 0.019 at 0.82×, every
        1 M lost 0.031 at 0.88×; the defaults (every row every 2 M words,
        4,096 hot rows every 250k) lost 0.006 analogy and 0.002 WordSim353
        at 0.86×. On a cluster, keep a round of the hot interval several
        times longer than an exchange takes (``on_sync`` reports both) and
        check the quality on a sample.
    averaging : {"auto", "sum", "adaptive", "weighted", "uniform"}, default "auto"
        How the replicas' changes since the last synchronisation are
        combined, row by row. Rows no actor changed stay as they are; a row
        one actor changed keeps its change (except with ``"uniform"``).
        ``"sum"``: every row receives the changes of every actor, as one
        process making all their updates would (matches single-machine
        quality with two actors; with more, rows that every actor updates
        often overshoot and training diverges). ``"adaptive"``: the
        weighted mean of the changes times a factor from 1 (rows updated so
        often that they settled) to the number of actors that changed the
        row (rarely updated rows: the sum); stable with more actors, but
        learns more slowly per epoch. ``"weighted"``: the mean weighted by
        each actor's expected number of updates of the row (frequent words
        learn ``num_actors`` times slower). ``"uniform"``: plain model
        averaging of every row. ``"auto"``: ``"sum"`` for up to two actors,
        ``"adaptive"`` beyond. Measurements: ``bench/results/distributed.md``.
    warmup : float, default 0.0
        With ``averaging="sum"``: the share of the run (in words) over which
        the combination moves linearly from the weighted mean to the sum,
        as a learning-rate warm-up does for large batches.
    column : str, optional
        The text column of a Dataset (default: ``"text"`` or the only column).
    actor_options : dict, optional
        Passed to ``ShardActor.options`` (e.g. ``{"num_cpus": 4}`` or a
        ``scheduling_strategy``).
    on_sync : callable, optional
        Called on the driver after every synchronisation (of every row or of
        the hot rows: ``SyncInfo.all_rows`` says which) with a
        :class:`~cw2v.distributed.SyncInfo` (progress, timings, bytes moved).
    **word2vec_params
        Any argument of :class:`~cw2v.model.Word2Vec` except ``sentences``,
        ``workers``, ``callbacks`` and ``progress``. ``max_vocab_size`` bounds
        each actor's counting table.

    Returns
    -------
    Word2Vec
        An ordinary model: query, save, load and continue training it as one
        trained on one machine. Its ``training_loss`` has one entry per
        epoch, summed over the actors.

    Raises
    ------
    DistributedTrainingError
        If an actor fails or dies. The run is stopped and every actor killed;
        the error's ``model`` is the model of the last completed
        synchronisation (after a synchronisation of the hot rows only, the
        other rows hold their values of the last synchronisation of every
        row).
    TypeError, ValueError, FileNotFoundError
        For wrong arguments, before any actor starts.

    Examples
    --------
    >>> import ray
    >>> from cw2v.distributed import train_on_ray
    >>> ray.init(num_cpus=2)  # doctest: +SKIP
    >>> model = train_on_ray(["part-0.txt", "part-1.txt"], num_actors=2,
    ...                      vector_size=100, epochs=5)  # doctest: +SKIP
    >>> model.wv.most_similar("king")  # doctest: +SKIP
    """
    params = check_params(word2vec_params)
    for name, value in (
        ("num_actors", num_actors),
        ("threads_per_actor", threads_per_actor),
        ("sync_every_words", sync_every_words),
    ):
        if value is None and name == "sync_every_words":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    averaging = resolve_averaging(averaging, num_actors)
    if sync_every_words is None:
        sync_every_words = default_sync_every_words(averaging)
    if not 0.0 <= warmup <= 1.0:
        raise ValueError(f"warmup must be a share of the run in [0, 1], got {warmup!r}")
    if isinstance(hot_rows, bool) or not isinstance(hot_rows, int) or hot_rows < 0:
        raise ValueError(f"hot_rows must be an int >= 0, got {hot_rows!r}")
    if hot_sync_every_words is not None and (
        isinstance(hot_sync_every_words, bool)
        or not isinstance(hot_sync_every_words, int)
        or hot_sync_every_words < 1
    ):
        raise ValueError(
            f"hot_sync_every_words must be an int >= 1 or None, got {hot_sync_every_words!r}"
        )

    if not ray.is_initialized():
        ray.init()
    if _is_dataset(sources):
        text = _text_column(sources, column)
        shard_args: list[dict[str, Any]] = [
            {"dataset": part, "column": text} for part in _split_dataset(sources, num_actors)
        ]
        described = [f"dataset part {k}" for k in range(num_actors)]
    else:
        assigned = _assign_files(_expand_sources(sources), num_actors)
        shard_args = [{"files": files} for files in assigned]
        described = [", ".join(Path(f).name for f in files) for files in assigned]

    options = {"num_cpus": threads_per_actor, "max_restarts": 0, **(actor_options or {})}
    actor_class = ray.remote(ShardActor)
    actors: list[Any] = [
        actor_class.options(**options).remote(k, **args) for k, args in enumerate(shard_args)
    ]
    owners = list(range(num_actors))
    model: Word2Vec | None = None
    log: RunLog | None = None
    pids: list[int] = []
    try:
        pids = _wait_all([a.pid.remote() for a in actors], "starting", owners)
        counts = _wait_all(
            [a.count.remote(params.get("max_vocab_size")) for a in actors], "counting", owners
        )
        shard_words = [c.total_words for c in counts]
        for shard, words in enumerate(shard_words):
            if words == 0:
                logger.warning("shard %d (%s) holds no words", shard, described[shard])
        vocab = build_vocabulary(merge_counts(counts), params)
        payload = ray.put(VocabularyPayload.pack(vocab))
        replica = replica_params(params)
        _wait_all(
            [a.setup.remote(payload, replica, threads_per_actor, averaging) for a in actors],
            "building its replica",
            owners,
        )
        model = build_model(params, vocab, workers=None)
        plan = plan_rounds(
            shard_words,
            sync_every_words=sync_every_words,
            epochs=model.epochs,
            alpha=model.alpha,
            min_alpha=model.min_alpha,
            warmup=warmup if averaging == "sum" else 0.0,
            hot_rows=hot_rows,
            hot_sync_every_words=hot_sync_every_words,
        )
        log = RunLog(model, sum(shard_words) * model.epochs)
        driver_model = model

        # The combined changes of the last round, not yet in the driver's
        # model: the driver adds them while the actors train the next round.
        pending: list[RowUpdate] = []

        def catch_up() -> None:
            assert driver_model.wv is not None and driver_model.output_vectors is not None
            apply_updates(driver_model.wv.vectors, driver_model.output_vectors, pending)
            driver_model.wv.mark_changed()
            pending.clear()

        def sync_round(tasks: Sequence[RoundTask]) -> RoundOutcome:
            started = time.perf_counter()
            outs = [
                a.train_round.options(num_returns=num_actors + 1).remote(task, num_actors)
                for a, task in zip(actors, tasks, strict=True)
            ]
            catch_up()
            what = f"training round {tasks[0].round} (epoch {tasks[0].epoch + 1})"
            results: list[RoundResult] = _wait_all([o[0] for o in outs], what, owners)
            trained = time.perf_counter()
            mix, alpha = tasks[0].mix, (tasks[0].alpha_start + tasks[0].alpha_end) / 2
            averaged = [
                a.reduce.remote(averaging, mix, alpha, *[o[1 + k] for o in outs])
                for k, a in enumerate(actors)
            ]
            applied = [a.apply.remote(*averaged) for a in actors]
            _wait_all(applied, "receiving the average", owners)
            pending.extend(_wait_all(averaged, "averaging", owners))  # mapped, not copied
            received = sum(u.nbytes for u in pending)
            return RoundOutcome(
                results=results,
                train_seconds=trained - started,
                sync_seconds=time.perf_counter() - trained,
                bytes_sent=sum(r.bytes_sent for r in results),
                bytes_received=received * (num_actors + 1),
                rows_sent=sum(r.rows_sent for r in results),
                worker_pids=tuple(pids),
            )

        try:
            drive(plan, sync_round, log, on_sync)
        finally:
            catch_up()  # the driver's model is the last synchronised one
    except _Failure as failure:
        cause = failure.cause
        original = getattr(cause, "cause", None) or cause
        where = (
            f"actor {failure.shard} (pid {pids[failure.shard]}; {described[failure.shard]})"
            if failure.shard is not None and pids
            else f"actor {failure.shard} ({described[failure.shard]})"
            if failure.shard is not None
            else "a reduction task"
        )
        rounds = log.rounds if log is not None else 0
        raise DistributedTrainingError(
            f"{where} failed while {failure.what}: {type(original).__name__}: {original}. "
            f"Training stopped after {rounds} synchronised round(s); the error's .model holds "
            f"the model of the last synchronisation"
            + ("" if model is not None else " (none: training had not started)"),
            model=model,
            shard=failure.shard,
            rounds_completed=rounds,
        ) from cause
    finally:
        for actor in actors:
            ray.kill(actor)
    return model
