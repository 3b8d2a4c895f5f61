"""Synchronous data-parallel training, independent of the engine that runs it.

The algorithm that :func:`cw2v.distributed.train_on_ray` and
:func:`cw2v.distributed.train_on_spark` run, written once:

1. **Vocabulary as map-reduce.** Every shard is counted with the
   single-machine counting code (:meth:`cw2v.corpus.FileCorpus.count`), the
   counts are merged (:func:`merge_counts`) and one
   :class:`~cw2v.vocab.Vocabulary` is built from them exactly as
   :meth:`cw2v.Word2Vec.build_vocab` builds it from one corpus
   (:func:`build_vocabulary`).
2. **Identical replicas.** Every shard trainer builds the same model from that
   vocabulary and the same seed (:func:`build_model`).
3. **Rounds.** :func:`plan_rounds` cuts each epoch into rounds of at most
   ``sync_every_words`` raw words per shard and gives every round the learning
   rates of the *global* progress at its start and its end (the words of all
   shards before it, and after it), so the rate falls as in one process
   reading the whole corpus. Within a round a shard's rate falls linearly
   between the two over its own words. With hot rows (as Intel's pWord2Vec
   does), the rounds are ``hot_sync_every_words`` long; about every
   ``sync_every_words`` words, and at the end of every epoch, a round
   synchronises every row, the others only the rows of the ``hot_rows`` most
   frequent words, which every shard updates all the time and which drift
   apart first.
4. **Synchronisation.** After a round each shard sends the change of every
   row that changed since the last synchronisation (found by comparing with
   the synchronised copy it keeps), with a weight per row: the expected
   number of updates the row received (:meth:`ShardTrainer.train_round`).
   The changes are combined row by row (:func:`average_updates`) and added
   to the synchronised weights everywhere; rows no shard changed are not
   sent and stay as they are. ``"sum"`` adds the changes, so every row
   keeps every update any shard made, as in one process; ``"weighted"``
   takes their mean weighted by the updates (a row one shard changed keeps
   that change; a row every shard changed moves by the mean, so frequent
   words learn ``num_shards`` times slower); ``"adaptive"`` multiplies that
   mean by the factor by which one process would have moved the row further
   (the sum for rarely updated rows, the mean for rows that settled within
   the round); ``"uniform"`` is plain model averaging. A block of rows
   travels dense (no indices) when most of its rows changed
   (:class:`Block`). The weight of a row not sent in a round of hot rows
   keeps growing until the row is sent.

Nothing here imports Ray or Spark; the engines move :class:`RowUpdate`
objects (numpy arrays) between the trainers and the driver.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cw2v.corpus import FileCorpus
from cw2v.dispatcher import EpochStats, Schedule, iter_jobs, job_seed, run_epoch
from cw2v.model import Word2Vec
from cw2v.vocab import Vocabulary, WordCounts

__all__ = [
    "AVERAGING_MODES",
    "Block",
    "ChunkCursor",
    "DistributedTrainingError",
    "LinesCorpus",
    "RoundTask",
    "RowUpdate",
    "ShardTrainer",
    "SyncInfo",
    "VocabularyPayload",
    "average_updates",
    "build_model",
    "build_vocabulary",
    "check_params",
    "combine_blocks",
    "default_sync_every_words",
    "merge_counts",
    "plan_rounds",
    "resolve_averaging",
]

logger = logging.getLogger("cw2v")

AVERAGING_MODES = ("auto", "sum", "adaptive", "weighted", "uniform")

#: The curvature assumed by the ``"adaptive"`` combination (see
#: :func:`_sequential_factor`).
CURVATURE = 1.0

#: Raw words per worker between two synchronisations of every row, by
#: default: with ``"sum"`` (up to two workers) the rows of frequent words are
#: synchronised more often (``hot_rows``) and the rest can wait this long;
#: with the other combinations a long interval lost quality even with hot
#: rows (``bench/results/distributed.md``), so they synchronise every row
#: every :data:`SYNC_EVERY_WORDS` words.
SYNC_EVERY_WORDS_SUM = 2_000_000
#: See :data:`SYNC_EVERY_WORDS_SUM`.
SYNC_EVERY_WORDS = 250_000

#: Word2Vec arguments that make no sense for a distributed run.
_REFUSED_PARAMS = {
    "sentences": "pass the corpus as the first argument of train_on_ray / train_on_spark",
    "workers": "use threads_per_actor (Ray); a Spark task uses one thread",
    "callbacks": "use on_sync, called on the driver after every synchronisation",
    "progress": "use on_sync to report progress",
}
#: Lines gathered into one block of text for the compiled counter and encoder.
_BLOCK_BYTES = 1 << 20
#: Added to the model seed to derive the job seeds of a shard.
_SHARD_SEED_EPOCH = 1 << 20


class DistributedTrainingError(RuntimeError):
    """A shard trainer (a Ray actor or a Spark task) failed; the run was stopped.

    Attributes
    ----------
    model : Word2Vec or None
        The model as of the last completed synchronisation (None when the
        failure came before training started). Its ``training_loss`` holds the
        completed epochs only.
    shard : int or None
        The index of the shard whose trainer failed, when known.
    rounds_completed : int
        Synchronisation rounds completed before the failure.
    """

    def __init__(
        self,
        message: str,
        *,
        model: Word2Vec | None = None,
        shard: int | None = None,
        rounds_completed: int = 0,
    ):
        super().__init__(message)
        self.model = model
        self.shard = shard
        self.rounds_completed = rounds_completed


@dataclass(frozen=True)
class SyncInfo:
    """What the driver passes to ``on_sync`` after every synchronisation.

    Attributes
    ----------
    epoch : int
        The epoch of this run (0-based).
    round : int
        The round number over the whole run (0-based).
    words_done : int
        Raw words trained by all shards together since the run started.
    total_words : int
        Raw words the run will train (all shards, all epochs).
    alpha : float
        The learning rate reached at the end of the round.
    train_seconds : float
        Wall time from the start of the round until every shard had trained.
    sync_seconds : float
        Wall time of the averaging: from every shard having trained until
        every shard (and the driver) holds the averaged model.
    bytes_sent : int
        Bytes of the updates the shards sent (the rows and their weights).
    bytes_received : int
        Bytes of the averaged rows, summed over every receiver (the shards and
        the driver).
    rows_sent : int
        Rows (input and output) sent by all shards.
    shard_words : tuple of int
        Raw words each shard trained in the round.
    shard_seconds : tuple of float
        Seconds each shard spent in the round (training and preparing its
        update).
    shard_update_seconds : tuple of float
        Of which, seconds spent finding the changed rows and packing them.
    loss : float
        Training loss of the round summed over the shards.
    effective_words : int
        Words trained after subsampling, summed over the shards.
    worker_pids : tuple of int
        Process ids of the Ray actors (empty on Spark).
    all_rows : bool
        Whether every row was synchronised (False after a round that
        synchronised the hot rows only).
    """

    epoch: int
    round: int
    words_done: int
    total_words: int
    alpha: float
    train_seconds: float
    sync_seconds: float
    bytes_sent: int
    bytes_received: int
    rows_sent: int
    shard_words: tuple[int, ...]
    shard_seconds: tuple[float, ...]
    shard_update_seconds: tuple[float, ...]
    loss: float
    effective_words: int
    worker_pids: tuple[int, ...] = ()
    all_rows: bool = True


# ---------------------------------------------------------------------------
# parameters, vocabulary and the identical replicas
# ---------------------------------------------------------------------------


def check_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Validate Word2Vec keyword arguments for a distributed run.

    Parameters
    ----------
    params : mapping
        Keyword arguments of :class:`cw2v.Word2Vec`.

    Returns
    -------
    dict
        The same arguments.

    Raises
    ------
    TypeError, ValueError
        For an argument that Word2Vec rejects, or one that a distributed run
        sets itself (``sentences``, ``workers``, ``callbacks``, ``progress``).
    """
    for name, advice in _REFUSED_PARAMS.items():
        if name in params:
            raise TypeError(f"{name} is not a parameter of a distributed run: {advice}")
    Word2Vec(**params, workers=1, progress=False)  # raises early for anything wrong
    return dict(params)


def merge_counts(parts: Iterable[WordCounts]) -> WordCounts:
    """Sum the word counts of several shards.

    Parameters
    ----------
    parts : iterable of WordCounts
        One per shard, from :meth:`cw2v.corpus.FileCorpus.count`.

    Returns
    -------
    WordCounts
        Counts and totals summed; ``min_reduce`` and ``peak_distinct`` are the
        largest of the shards' (pruning under ``max_vocab_size`` happens per
        shard).
    """
    merged = WordCounts(Counter())
    for part in parts:
        merged.counts.update(part.counts)
        merged.total_words += part.total_words
        merged.total_blocks += part.total_blocks
        merged.min_reduce = max(merged.min_reduce, part.min_reduce)
        merged.peak_distinct = max(merged.peak_distinct, part.peak_distinct)
    return merged


def resolve_averaging(averaging: str, workers: int) -> str:
    """The combination ``averaging`` names for ``workers`` shards.

    ``"auto"`` is ``"sum"`` for up to two shards and ``"adaptive"`` beyond:
    a row that every shard updated so often that it settled is moved by the
    sum ``workers`` times as far as one process would, which overshoots by
    ``workers - 1`` times the distance: harmless for two, divergent beyond
    (measured in ``bench/results/distributed.md``).
    """
    if averaging not in AVERAGING_MODES:
        raise ValueError(f"averaging must be one of {AVERAGING_MODES}, got {averaging!r}")
    if averaging == "auto":
        return "sum" if workers <= 2 else "adaptive"
    return averaging


def default_sync_every_words(averaging: str) -> int:
    """The default interval between synchronisations of every row for a resolved combination.

    Parameters
    ----------
    averaging : {"sum", "adaptive", "weighted", "uniform"}
        From :func:`resolve_averaging`.

    Returns
    -------
    int
        :data:`SYNC_EVERY_WORDS_SUM` for ``"sum"``, :data:`SYNC_EVERY_WORDS`
        otherwise.
    """
    return SYNC_EVERY_WORDS_SUM if averaging == "sum" else SYNC_EVERY_WORDS


def build_vocabulary(counts: WordCounts, params: Mapping[str, Any]) -> Vocabulary:
    """The vocabulary :meth:`cw2v.Word2Vec.build_vocab` would build from ``counts``.

    Parameters
    ----------
    counts : WordCounts
        The merged counts of every shard.
    params : mapping
        Word2Vec arguments (``min_count``, ``max_final_vocab``, ``trim_rule``).

    Returns
    -------
    Vocabulary
    """
    return Vocabulary.from_counts(
        counts,
        min_count=params.get("min_count", 5),
        max_final_vocab=params.get("max_final_vocab"),
        trim_rule=params.get("trim_rule"),
    )


@dataclass(frozen=True)
class VocabularyPayload:
    """A vocabulary packed as two buffers (words joined by line feeds, and counts)
    to travel through an object store or a broadcast."""

    words: bytes
    counts: np.ndarray
    total_words: int
    min_count: int
    effective_min_count: int
    min_reduce: int

    @classmethod
    def pack(cls, vocab: Vocabulary) -> VocabularyPayload:
        """Pack ``vocab`` (words never hold a line feed: they are split on whitespace)."""
        return cls(
            words="\n".join(vocab.index_to_key).encode("utf-8", "surrogatepass"),
            counts=vocab.counts,
            total_words=vocab.total_words,
            min_count=vocab.min_count,
            effective_min_count=vocab.effective_min_count,
            min_reduce=vocab.min_reduce,
        )

    def unpack(self) -> Vocabulary:
        """The vocabulary again."""
        return Vocabulary(
            self.words.decode("utf-8", "surrogatepass").split("\n"),
            self.counts,
            total_words=self.total_words,
            min_count=self.min_count,
            effective_min_count=self.effective_min_count,
            min_reduce=self.min_reduce,
        )


def build_model(params: Mapping[str, Any], vocab: Vocabulary, *, workers: int | None) -> Word2Vec:
    """A Word2Vec with ``vocab`` and the initial weights its seed gives.

    Every shard and the driver call this with the same arguments and get
    bit-identical weights.

    Parameters
    ----------
    params : mapping
        Word2Vec arguments (checked by :func:`check_params`).
    vocab : Vocabulary
        The vocabulary built by :func:`build_vocabulary`.
    workers : int or None
        Threads of the model (None: the available cores).

    Returns
    -------
    Word2Vec
    """
    user = dict(params)
    # The vocabulary is final: no threshold or rule may drop a word of it again.
    model = Word2Vec(
        **{**user, "min_count": 1, "max_final_vocab": None, "trim_rule": None},
        workers=workers,
        progress=False,
    )
    model.build_vocab_from_freq(
        dict(zip(vocab.index_to_key, vocab.counts.tolist(), strict=True)),
        corpus_words=vocab.total_words,
    )
    if model.vocab is None or model.vocab.index_to_key != vocab.index_to_key:
        raise RuntimeError("the replica's vocabulary differs from the driver's")  # cannot happen
    model.vocab = vocab  # keep the records (total_words, min_count) of the real count
    model.min_count = int(user.get("min_count", 5))
    model.max_final_vocab = user.get("max_final_vocab")
    model.trim_rule = user.get("trim_rule")
    return model


def replica_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments a shard needs (without ``trim_rule``: the vocabulary is built)."""
    return {name: value for name, value in params.items() if name != "trim_rule"}


# ---------------------------------------------------------------------------
# rounds and learning rates
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundTask:
    """One shard's part of one round.

    Attributes
    ----------
    epoch : int
        The epoch of the run (0-based).
    round : int
        The round over the whole run (0-based); seeds the shard's jobs.
    index : int
        The round within the epoch (0-based).
    words : int
        Raw words this shard trains in the round (0 once its shard is done).
    alpha_start, alpha_end : float
        The learning rate at the global progress at the start and at the end
        of the round.
    mix : float
        How far the combination has warmed up from the weighted mean to the
        sum (see :func:`average_updates`).
    hot_rows : int or None
        None: the round ends with a synchronisation of every row. A number:
        only the rows of the ``hot_rows`` most frequent words are
        synchronised (see :meth:`ShardTrainer.hot_ranges`); the other rows
        keep their changes until the next full synchronisation.
    """

    epoch: int
    round: int
    index: int
    words: int
    alpha_start: float
    alpha_end: float
    mix: float = 1.0
    hot_rows: int | None = None


def plan_rounds(
    shard_words: Sequence[int],
    *,
    sync_every_words: int,
    epochs: int,
    alpha: float,
    min_alpha: float,
    warmup: float = 0.0,
    hot_rows: int = 0,
    hot_sync_every_words: int | None = None,
) -> list[list[RoundTask]]:
    """Cut the run into rounds: one list of per-shard tasks per round.

    Parameters
    ----------
    shard_words : sequence of int
        Raw words of each shard (one pass).
    sync_every_words : int
        Raw words each shard trains between two synchronisations.
    epochs : int
        Passes over every shard.
    alpha, min_alpha : float
        The learning rate at the first and the last word of the run.
    warmup : float, default 0.0
        Share of the run over which ``mix`` rises linearly from 0 to 1.
    hot_rows : int, default 0
        With ``hot_sync_every_words``: the rows of this many most frequent
        words are synchronised every ``hot_sync_every_words`` words, all
        rows about every ``sync_every_words`` words (every
        ``round(sync_every_words / hot_sync_every_words)``-th round) and at
        the end of every epoch.
    hot_sync_every_words : int, optional
        Raw words per shard between two synchronisations of the hot rows.

    Returns
    -------
    list of list of RoundTask
        ``plan[r][s]`` is shard ``s``'s task in round ``r``.
    """
    per_epoch = sum(shard_words)
    schedule = Schedule(alpha, min_alpha, per_epoch * epochs)
    step, per_full = sync_every_words, 1
    if hot_rows > 0 and hot_sync_every_words is not None and hot_sync_every_words < step:
        step = hot_sync_every_words
        per_full = max(1, round(sync_every_words / hot_sync_every_words))
    rounds_per_epoch = max(1, max(math.ceil(words / step) for words in shard_words))
    plan: list[list[RoundTask]] = []
    done = 0
    for epoch in range(epochs):
        for index in range(rounds_per_epoch):
            words = [max(0, min(step, total - index * step)) for total in shard_words]
            start, end = schedule.alpha(done), schedule.alpha(done + sum(words))
            mix = min(1.0, done / (warmup * schedule.total_words)) if warmup > 0 else 1.0
            full = (index + 1) % per_full == 0 or index + 1 == rounds_per_epoch
            hot = None if full else hot_rows
            done += sum(words)
            plan.append(
                [RoundTask(epoch, len(plan), index, n, start, end, mix, hot) for n in words]
            )
    return plan


class ChunkCursor:
    """Hands out a shard's encoded text round by round, in exact word counts.

    Parameters
    ----------
    chunks : iterable of (ids, offsets)
        One pass of encoded text (see :meth:`cw2v.corpus.FileCorpus.encoded_chunks`).
    """

    def __init__(self, chunks: Iterable[tuple[np.ndarray, np.ndarray]]):
        self._chunks = iter(chunks)
        self._rest: tuple[np.ndarray, np.ndarray] | None = None

    def take(self, words: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield chunks of ``words`` words in all (fewer if the pass ends).

        A sentence that crosses the cut is split; its second part starts the
        next call.
        """
        while words > 0:
            if self._rest is not None:
                ids, offsets = self._rest
                self._rest = None
            else:
                try:
                    ids, offsets = next(self._chunks)
                except StopIteration:
                    return
            if len(ids) <= words:
                words -= len(ids)
                yield ids, offsets
                continue
            head = np.concatenate((offsets[offsets < words], [words])).astype(np.int64)
            tail = np.concatenate(([0], offsets[offsets > words] - words)).astype(np.int64)
            self._rest = (ids[words:], tail)
            yield ids[:words], head
            return


class LinesCorpus(FileCorpus):
    """A one-pass corpus over lines of text held by an engine (a Ray Dataset
    block, a Spark partition), counted and encoded by the same compiled code as
    a file corpus.

    Parameters
    ----------
    lines : iterable of str
        The text, one sentence per line (``None`` items are skipped).
    """

    def __init__(self, lines: Iterable[str | None]):
        self.path = Path("<lines>")
        self.encoding = "utf-8"
        self.errors = "strict"
        self.files = []
        self._lines = lines

    def byte_blocks(self) -> Iterator[bytes]:
        """Join the lines into blocks of about 1 MB, each ending with a line feed."""
        block: list[bytes] = []
        size = 0
        for line in self._lines:
            if line is None:
                continue
            data = line.encode("utf-8")
            block.append(data)
            size += len(data) + 1
            if size >= _BLOCK_BYTES:
                yield b"\n".join(block) + b"\n"
                block, size = [], 0
        if block:
            yield b"\n".join(block) + b"\n"

    def __repr__(self) -> str:
        return "LinesCorpus()"


def files_corpus(paths: Sequence[str | Path]) -> FileCorpus:
    """A :class:`~cw2v.corpus.FileCorpus` over several files, read in the given order."""
    corpus = FileCorpus(paths[0])
    files: list[Path] = []
    for path in paths:
        files.extend(FileCorpus(path).files)
    corpus.files = files
    return corpus


# ---------------------------------------------------------------------------
# the updates and how they are combined
# ---------------------------------------------------------------------------

#: A block turns dense (every row of its range, no indices) when at least this
#: share of its rows changed: cheaper to build, send and add.
DENSE_SHARE = 0.5


@dataclass(frozen=True)
class Block:
    """Changes of the rows ``start .. stop - 1`` of one matrix, with a weight per row.

    Sparse (``rows`` holds the sorted ids of the changed rows, ``deltas`` one
    row each) or dense (``rows`` is None and ``deltas`` covers the whole
    range; unchanged rows hold zeros and weigh 0).
    """

    start: int
    stop: int
    rows: np.ndarray | None
    deltas: np.ndarray  # float32 (n, d)
    weights: np.ndarray  # float64 (n,)

    @classmethod
    def of_change(
        cls, current: np.ndarray, synced: np.ndarray, weights: np.ndarray, start: int = 0
    ) -> Block:
        """The rows of ``current`` that differ from ``synced``, weighted by ``weights``.

        The three hold the rows ``start .. start + len(current) - 1`` of a matrix.
        """
        delta = current - synced
        # a row changed iff its squared norm is positive (one pass, no
        # temporary; a change below 1e-19 per element would go unnoticed,
        # far below float32's resolution of the values themselves)
        changed = np.einsum("ij,ij->i", delta, delta) > 0
        floor = np.maximum(weights, 1e-12)  # a changed row always counts
        stop = start + len(current)
        if changed.mean() >= DENSE_SHARE:
            return cls(start, stop, None, delta, np.where(changed, floor, 0.0))
        rows = np.flatnonzero(changed)
        return cls(start, stop, rows + start, delta[rows], floor[rows])

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays."""
        rows = 0 if self.rows is None else self.rows.nbytes
        return rows + self.deltas.nbytes + self.weights.nbytes

    @property
    def changed(self) -> int:
        """Rows that changed."""
        return int(np.count_nonzero(self.weights))

    def changed_rows(self) -> np.ndarray:
        """The ids of the rows that changed."""
        if self.rows is None:
            return np.flatnonzero(self.weights) + self.start
        return self.rows[self.weights > 0]

    def split(self, parts: int) -> list[Block]:
        """Cut into ``parts`` blocks of consecutive row ranges (dense parts are views)."""
        bounds = [self.start + k * (self.stop - self.start) // parts for k in range(parts + 1)]
        if self.rows is None:
            return [
                Block(
                    lo,
                    hi,
                    None,
                    self.deltas[lo - self.start : hi - self.start],
                    self.weights[lo - self.start : hi - self.start],
                )
                for lo, hi in itertools.pairwise(bounds)
            ]
        cuts = np.searchsorted(self.rows, bounds)
        return [
            Block(lo, hi, self.rows[a:b], self.deltas[a:b], self.weights[a:b])
            for (lo, hi), (a, b) in zip(
                itertools.pairwise(bounds), itertools.pairwise(cuts), strict=True
            )
        ]

    def add_to(self, matrix: np.ndarray) -> None:
        """Add the changes to ``matrix`` in place."""
        if self.rows is None:
            matrix[self.start : self.stop] += self.deltas
        elif len(self.rows):
            matrix[self.rows] += self.deltas

    def copy_rows(self, source: np.ndarray, target: np.ndarray) -> None:
        """Copy this block's rows from ``source`` to ``target``."""
        if self.rows is None:
            target[self.start : self.stop] = source[self.start : self.stop]
        elif len(self.rows):
            target[self.rows] = source[self.rows]


def _sequential_factor(trainers: np.ndarray, steps: np.ndarray, alpha: float) -> np.ndarray:
    """How much further than the mean of the trainers' changes one process
    would have moved a row, had it made all their updates one after another.

    On a quadratic, ``k`` runs of ``n`` SGD steps from the same point each
    move ``(1 - q**n)`` of the way to the minimum (``q = 1 - alpha * h``);
    one run of ``k * n`` steps moves ``(1 - q**(k * n))``. The ratio,
    ``(1 - e**(-k x)) / (1 - e**(-x))`` with ``x = alpha * h * n``, is ``k``
    (the sum of the changes) for a row updated a few times and 1 (their
    mean) for a row updated so often that it settled. ``h`` is taken as
    :data:`CURVATURE`.
    """
    x = CURVATURE * alpha * steps
    factor = trainers.astype(np.float64)
    settled = x > 1e-9
    factor[settled] = np.expm1(-trainers[settled] * x[settled]) / np.expm1(-x[settled])
    return factor


def combine_blocks(
    blocks: Sequence[Block], mode: str, mix: float = 1.0, alpha: float = 0.025
) -> Block:
    """Combine the same row range of every trainer's changes (see :func:`average_updates`)."""
    start, stop = blocks[0].start, blocks[0].stop
    if any(b.start != start or b.stop != stop for b in blocks):
        raise ValueError("the blocks cover different row ranges")
    size = stop - start
    width = blocks[0].deltas.shape[1]
    summed = np.zeros((size, width), dtype=np.float32) if mode == "sum" else None
    mean = np.zeros((size, width), dtype=np.float64) if mode != "sum" or mix < 1 else None
    weight = np.zeros(size, dtype=np.float64)
    trainers = np.zeros(size, dtype=np.int64)
    for block in blocks:
        at = slice(None) if block.rows is None else block.rows - start
        if summed is not None:
            summed[at] += block.deltas
        if mean is not None:
            mean[at] += block.weights[:, None] * block.deltas
        weight[at] += block.weights
        trainers[at] += block.weights > 0
    if mean is not None:
        np.divide(mean, weight[:, None], out=mean, where=weight[:, None] > 0)
    total: np.ndarray
    if summed is None:
        assert mean is not None
        total = mean
        if mode == "adaptive":
            steps = weight / np.maximum(trainers, 1)
            total *= _sequential_factor(trainers, steps, alpha)[:, None]
    elif mean is None:
        total = summed
    else:  # warming up: from the weighted mean towards the sum
        total = mix * summed + (1.0 - mix) * mean
    touched = weight > 0
    if size == 0 or touched.mean() >= DENSE_SHARE:
        return Block(start, stop, None, total.astype(np.float32, copy=False), weight)
    rows = np.flatnonzero(touched)
    return Block(start, stop, rows + start, total[rows].astype(np.float32), weight[rows])


@dataclass(frozen=True)
class RowUpdate:
    """A trainer's changes of both matrices since the last synchronisation."""

    input: Block
    output: Block

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays."""
        return self.input.nbytes + self.output.nbytes

    @property
    def rows(self) -> int:
        """Rows (input and output) that changed."""
        return self.input.changed + self.output.changed

    def split(self, parts: int) -> list[RowUpdate]:
        """Cut into ``parts`` updates of consecutive row ranges, for a sharded reduction."""
        if parts == 1:
            return [self]
        pairs = zip(self.input.split(parts), self.output.split(parts), strict=True)
        return [RowUpdate(i, o) for i, o in pairs]


def average_updates(
    updates: Sequence[RowUpdate], mode: str = "sum", mix: float = 1.0, alpha: float = 0.025
) -> RowUpdate:
    """Combine the same part of every trainer's update, row by row.

    Parameters
    ----------
    updates : sequence of RowUpdate
        One per trainer.
    mode : {"sum", "adaptive", "weighted", "uniform"}
        ``"sum"``: the changes are added (every update of every trainer is
        kept, as if one process had made them all). ``"adaptive"``: see
        ``alpha``. ``"weighted"``: each row's change is the mean of the
        changes made to it, weighted by the trainers' weights (a trainer that
        did not change the row counts for nothing). ``"uniform"``: the plain
        mean (the trainers send every row with weight 1).
    mix : float, default 1.0
        With ``"sum"``: ``mix * sum + (1 - mix) * weighted mean`` (below 1
        while the sum warms up).
    alpha : float, default 0.025
        The round's learning rate, for ``"adaptive"``: the weighted mean of
        each row's changes times the factor by which one process making all
        the updates would have moved it further (from 1, for a row updated
        so often that it settled, to the number of trainers that changed it,
        for a rarely updated row: then it is their sum).

    Returns
    -------
    RowUpdate
        Every row some trainer changed, with its combined change and summed
        weight.
    """
    if mode not in AVERAGING_MODES or mode == "auto":
        raise ValueError(f"mode must be one of {AVERAGING_MODES[1:]}, got {mode!r}")
    return RowUpdate(
        combine_blocks([u.input for u in updates], mode, mix, alpha),
        combine_blocks([u.output for u in updates], mode, mix, alpha),
    )


def apply_updates(
    input_vectors: np.ndarray, output_vectors: np.ndarray, updates: Iterable[RowUpdate]
) -> None:
    """Add combined changes to synchronised matrices, in place."""
    for update in updates:
        update.input.add_to(input_vectors)
        update.output.add_to(output_vectors)


# ---------------------------------------------------------------------------
# one shard's trainer
# ---------------------------------------------------------------------------


def shard_seed(seed: int, shard: int) -> int:
    """The seed of a shard's jobs: distinct per shard, fixed by the model seed."""
    return job_seed(seed, _SHARD_SEED_EPOCH, shard)


@dataclass
class RoundResult:
    """A shard's report of one round."""

    shard: int
    stats: EpochStats = field(default_factory=EpochStats)
    seconds: float = 0.0
    update_seconds: float = 0.0
    bytes_sent: int = 0
    rows_sent: int = 0


def _train_chunks(
    kernel: Any,
    chunks: Iterable[tuple[np.ndarray, np.ndarray]],
    *,
    workers: int,
    schedule: Schedule,
    seed: int,
    epoch: int,
    job_words: int,
) -> EpochStats:
    """One call of the dispatcher on encoded chunks."""
    jobs = iter_jobs(
        chunks, job_words=job_words, schedule=schedule, words_before=0, seed=seed, epoch=epoch
    )
    return run_epoch(kernel, jobs, workers=workers, epoch=epoch)


class ShardTrainer:
    """One replica of the model, training one shard round by round.

    It keeps the synchronised weights beside the replica's, to send the
    changes of the rows that changed.

    Parameters
    ----------
    model : Word2Vec
        A replica from :func:`build_model` (all replicas identical).
    shard : int
        The shard's index (derives its job seeds).
    averaging : {"sum", "adaptive", "weighted", "uniform"}
        How the updates will be combined (``"uniform"`` sends every row).
    threads : int
        Training threads.
    """

    def __init__(self, model: Word2Vec, *, shard: int, averaging: str, threads: int):
        if averaging not in AVERAGING_MODES:
            raise ValueError(f"averaging must be one of {AVERAGING_MODES}, got {averaging!r}")
        if model.vocab is None or model.wv is None or model.output_vectors is None:
            raise ValueError("the replica has no vocabulary")
        self.model = model
        self.averaging = averaging
        self.threads = threads
        self.set_shard(shard)
        self.kernel = model._make_kernel()
        vocab = model.vocab
        self._keep = (
            vocab.keep_probabilities(model.sample) if model.sample > 0 else np.ones(len(vocab))
        )
        self._noise = vocab.noise_distribution(model.ns_exponent) if model.loss == "ns" else None
        self._huffman = vocab.huffman_codes() if model.loss == "hs" else None
        self.synced_input = self.input_vectors.copy()
        self.synced_output = self.output_vectors.copy()
        # the expected updates of every row since its last synchronisation
        # (rows outside a hot-only round's ranges keep counting)
        self._in_weight = np.zeros(len(self.synced_input))
        self._out_weight = np.zeros(len(self.synced_output))

    def hot_ranges(self, hot_rows: int) -> tuple[slice, slice]:
        """The input and output rows a hot-only synchronisation of ``hot_rows`` words sends.

        Input rows and negative-sampling output rows are ordered by word
        frequency, most frequent first; the inner nodes of hierarchical
        softmax are numbered from the leaves up, so the most used are the last.
        """
        rows_in, rows_out = len(self.synced_input), len(self.synced_output)
        hot_in = slice(0, min(hot_rows, rows_in))
        if self.model.loss == "hs":
            return hot_in, slice(max(0, rows_out - hot_rows), rows_out)
        return hot_in, slice(0, min(hot_rows, rows_out))

    def set_shard(self, shard: int) -> None:
        """Train as shard ``shard`` (its job seeds)."""
        self.shard = shard
        self.seed = shard_seed(self.model.seed, shard)

    @property
    def input_vectors(self) -> np.ndarray:
        assert self.model.wv is not None
        return self.model.wv.vectors

    @property
    def output_vectors(self) -> np.ndarray:
        assert self.model.output_vectors is not None
        return self.model.output_vectors

    def load(self, input_vectors: np.ndarray, output_vectors: np.ndarray) -> None:
        """Start from these synchronised weights (a stateless engine's broadcast).

        They are copied into the replica and kept, unmodified, as the
        reference the changes are measured against; they may be read-only.
        """
        np.copyto(self.input_vectors, input_vectors)
        np.copyto(self.output_vectors, output_vectors)
        self.synced_input, self.synced_output = input_vectors, output_vectors

    def train_round(
        self, chunks: Iterable[tuple[np.ndarray, np.ndarray]], task: RoundTask
    ) -> tuple[RoundResult, RowUpdate]:
        """Train on ``chunks`` (``task.words`` raw words) and return the update.

        Parameters
        ----------
        chunks : iterable of (ids, offsets)
            This shard's text of the round.
        task : RoundTask
            Its learning rates and seed.

        Returns
        -------
        (RoundResult, RowUpdate)
        """
        vocab_size = len(self.input_vectors)
        occurrences = np.zeros(vocab_size, dtype=np.int64)

        def counted() -> Iterator[tuple[np.ndarray, np.ndarray]]:
            for ids, offsets in chunks:
                known = ids[ids >= 0]
                occurrences[:] += np.bincount(known, minlength=vocab_size)
                yield ids, offsets

        result = RoundResult(self.shard)
        started = time.perf_counter()
        if task.words > 0:
            result.stats = _train_chunks(
                self.kernel,
                counted(),
                workers=self.threads,
                schedule=Schedule(task.alpha_start, task.alpha_end, task.words),
                seed=self.seed,
                epoch=task.round,
                job_words=self.model.job_words,
            )
            if result.stats.raw_words != task.words:
                logger.warning(
                    "shard %d read %d words in round %d, %d were planned: did its text change "
                    "since it was counted?",
                    self.shard,
                    result.stats.raw_words,
                    task.round,
                    task.words,
                )
        trained = time.perf_counter()
        update = self._update(occurrences, result.stats.effective_words, task.hot_rows)
        result.seconds = time.perf_counter() - started
        result.update_seconds = time.perf_counter() - trained
        result.bytes_sent, result.rows_sent = update.nbytes, update.rows
        return result, update

    def _update(self, occurrences: np.ndarray, effective: int, hot_rows: int | None) -> RowUpdate:
        vin, vout = self.input_vectors, self.output_vectors
        if hot_rows is None:
            rin, rout = slice(0, len(vin)), slice(0, len(vout))
        else:
            rin, rout = self.hot_ranges(hot_rows)
        if self.averaging == "uniform":
            return RowUpdate(
                Block(
                    rin.start,
                    rin.stop,
                    None,
                    vin[rin] - self.synced_input[rin],
                    np.ones(rin.stop - rin.start),
                ),
                Block(
                    rout.start,
                    rout.stop,
                    None,
                    vout[rout] - self.synced_output[rout],
                    np.ones(rout.stop - rout.start),
                ),
            )
        # An input row is updated about once per kept occurrence of its word
        # (times the window: the same factor for every shard).
        in_weight = occurrences * self._keep
        self._in_weight += in_weight
        self._out_weight += self._output_weights(in_weight, effective)
        update = RowUpdate(
            Block.of_change(vin[rin], self.synced_input[rin], self._in_weight[rin], rin.start),
            Block.of_change(
                vout[rout], self.synced_output[rout], self._out_weight[rout], rout.start
            ),
        )
        self._in_weight[rin] = 0.0
        self._out_weight[rout] = 0.0
        return update

    def _output_weights(self, kept: np.ndarray, effective: int) -> np.ndarray:
        rows = len(self.output_vectors)
        if self.model.loss == "hs":
            # An inner node is updated once per kept occurrence of every word below it.
            codes = self._huffman
            assert codes is not None
            lengths = np.diff(codes.offsets)
            return np.bincount(codes.points, weights=np.repeat(kept, lengths), minlength=rows)
        if self.model.loss == "softmax":
            return np.full(rows, float(effective))
        # Negative sampling: once per kept occurrence as the true word, and
        # `negative` draws per trained word from the noise distribution.
        assert self._noise is not None
        return kept + self.model.negative * effective * self._noise

    def apply(self, updates: Iterable[RowUpdate]) -> None:
        """Set the replica to the synchronised weights plus the combined changes."""
        if not self.synced_input.flags.writeable:
            self.synced_input = self.synced_input.copy()
        if not self.synced_output.flags.writeable:
            self.synced_output = self.synced_output.copy()
        for update in updates:
            update.input.add_to(self.synced_input)
            update.output.add_to(self.synced_output)
            update.input.copy_rows(self.synced_input, self.input_vectors)
            update.output.copy_rows(self.synced_output, self.output_vectors)


# ---------------------------------------------------------------------------
# the driver's bookkeeping
# ---------------------------------------------------------------------------


class RunLog:
    """Sums the shards' reports into one EpochStats per epoch on the driver's model."""

    def __init__(self, model: Word2Vec, total_words: int):
        self.model = model
        self.total_words = total_words
        self.words_done = 0
        self.rounds = 0
        self._epoch: EpochStats | None = None
        self._epoch_started = 0.0
        self._epoch_index = -1

    def round_done(self, task: RoundTask, results: Sequence[RoundResult]) -> None:
        if task.epoch != self._epoch_index:
            self._epoch = EpochStats()
            self._epoch_started = time.perf_counter()
            self._epoch_index = task.epoch
        assert self._epoch is not None
        for result in results:
            self._epoch.raw_words += result.stats.raw_words
            self._epoch.effective_words += result.stats.effective_words
            self._epoch.updates += result.stats.updates
            self._epoch.loss += result.stats.loss
            self._epoch.jobs += result.stats.jobs
            self.words_done += result.stats.raw_words
        self.rounds += 1
        self.model.current_alpha = task.alpha_end

    def epoch_done(self) -> None:
        assert self._epoch is not None
        self._epoch.seconds = time.perf_counter() - self._epoch_started
        self._epoch.completed = True
        self.model.training_loss.append(self._epoch)
        self.model.epochs_trained += 1
        self.model.words_trained += self._epoch.raw_words
        self._epoch = None


@dataclass
class RoundOutcome:
    """What an engine reports after one synchronised round."""

    results: list[RoundResult]
    train_seconds: float
    sync_seconds: float
    bytes_sent: int
    bytes_received: int
    rows_sent: int
    worker_pids: tuple[int, ...] = ()


def drive(
    plan: Sequence[Sequence[RoundTask]],
    sync_round: Callable[[Sequence[RoundTask]], RoundOutcome],
    log: RunLog,
    on_sync: Callable[[SyncInfo], Any] | None,
) -> None:
    """Run ``sync_round`` over the plan, keeping the driver's model's records.

    Parameters
    ----------
    plan : from :func:`plan_rounds`
    sync_round : callable
        Trains one round on every shard and leaves the averaged weights in
        every replica and in ``log.model``.
    log : RunLog
    on_sync : callable, optional
        Called with a :class:`SyncInfo` after every round.
    """
    for position, tasks in enumerate(plan):
        outcome = sync_round(tasks)
        log.round_done(tasks[0], outcome.results)
        assert log.model.wv is not None
        log.model.wv.mark_changed()  # the averaged rows were written in place
        if on_sync is not None:
            on_sync(
                SyncInfo(
                    epoch=tasks[0].epoch,
                    round=tasks[0].round,
                    words_done=log.words_done,
                    total_words=log.total_words,
                    alpha=tasks[0].alpha_end,
                    train_seconds=outcome.train_seconds,
                    sync_seconds=outcome.sync_seconds,
                    bytes_sent=outcome.bytes_sent,
                    bytes_received=outcome.bytes_received,
                    rows_sent=outcome.rows_sent,
                    shard_words=tuple(r.stats.raw_words for r in outcome.results),
                    shard_seconds=tuple(r.seconds for r in outcome.results),
                    shard_update_seconds=tuple(r.update_seconds for r in outcome.results),
                    loss=sum(r.stats.loss for r in outcome.results),
                    effective_words=sum(r.stats.effective_words for r in outcome.results),
                    worker_pids=outcome.worker_pids,
                    all_rows=tasks[0].hot_rows is None,
                )
            )
        if position + 1 == len(plan) or plan[position + 1][0].epoch != tasks[0].epoch:
            log.epoch_done()
