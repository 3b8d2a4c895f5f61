"""The training loop's plumbing: producer -> bounded job queue -> workers.

One epoch runs as follows. A producer thread reads the corpus, which turns
tokens into int32 word ids (in compiled code for file corpora; one dict
lookup per token, under the GIL, for sentences given in memory), and cuts
them into jobs of ``job_words`` words. A
bounded queue hands the jobs to ``workers`` threads, each of which calls the
compiled kernel with the GIL released. Results flow back to the caller's
thread, which sums them in float64, reports progress and is the only thread
that runs user callbacks.

Everything that decides the numbers is fixed by the job's position in the
corpus stream, never by thread timing: the learning rate at a job's first and
last word, and the job's random seed. So one worker and a fixed seed give
bit-identical vectors from run to run.

Failure handling: an exception in the user's iterator (producer), in the
kernel (worker) or a ``KeyboardInterrupt`` in the caller's thread stops every
thread (each finishes at most its current job) and is re-raised in the caller
with its original traceback.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

__all__ = [
    "EpochStats",
    "Job",
    "JobResult",
    "Schedule",
    "TrainingDiverged",
    "iter_jobs",
    "iter_text_jobs",
    "job_seed",
    "run_epoch",
]

logger = logging.getLogger("cw2v")

_MASK64 = (1 << 64) - 1
_POLL_SECONDS = 0.05
_JOIN_SECONDS = 30.0


class TrainsJobs(Protocol):
    """What the dispatcher needs from the compiled kernel."""

    def train_job(
        self, ids: np.ndarray, offsets: np.ndarray, alpha_start: float, alpha_end: float, seed: int
    ) -> tuple[int, int, int, float]: ...


def job_seed(seed: int, epoch: int, job: int) -> int:
    """A 64-bit seed for one job, from the model seed and the job's place.

    Parameters
    ----------
    seed, epoch, job : int
        The model seed, the epoch number (counted over the model's life) and
        the job's index within the epoch.

    Returns
    -------
    int
        A well-mixed unsigned 64-bit integer (splitmix64 finaliser).
    """
    z = (
        seed * 0x9E3779B97F4A7C15 + epoch * 0xD1B54A32D192ED03 + job * 0xBF58476D1CE4E5B9
    ) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


@dataclass(frozen=True)
class Schedule:
    """A learning rate that falls linearly over a whole training run.

    Parameters
    ----------
    start_alpha, end_alpha : float
        The rates at the first and the last word of the run.
    total_words : int
        Raw words the run will read (words per epoch times epochs).
    """

    start_alpha: float
    end_alpha: float
    total_words: int

    def alpha(self, words_done: int) -> float:
        """The learning rate after ``words_done`` raw words of the run."""
        progress = min(1.0, words_done / self.total_words) if self.total_words > 0 else 1.0
        return self.start_alpha - (self.start_alpha - self.end_alpha) * progress


@dataclass(frozen=True)
class Job:
    """Sentences for the kernel: ids back to back plus sentence offsets, or
    raw text that the worker encodes itself (file corpora)."""

    ids: np.ndarray | None
    offsets: np.ndarray | None
    alpha_start: float
    alpha_end: float
    seed: int
    text: bytes | None = None


@dataclass(frozen=True)
class JobResult:
    """What one job reports back."""

    raw_words: int
    effective_words: int
    updates: int
    loss: float


@dataclass
class EpochStats:
    """Totals of one epoch, summed in float64 in the caller's thread."""

    raw_words: int = 0
    effective_words: int = 0
    updates: int = 0
    loss: float = 0.0
    jobs: int = 0
    seconds: float = 0.0
    completed: bool = False

    @property
    def loss_per_word(self) -> float:
        """Loss per trained (effective) word; NaN before any word."""
        return self.loss / self.effective_words if self.effective_words else math.nan

    def add(self, result: JobResult) -> None:
        self.raw_words += result.raw_words
        self.effective_words += result.effective_words
        self.updates += result.updates
        self.loss += result.loss
        self.jobs += 1


class _Stop(Exception):
    """Raised inside the producer when the epoch is being torn down."""


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite: the learning rate is likely too high."""


def iter_jobs(
    chunks: Iterable[tuple[np.ndarray, np.ndarray]],
    *,
    job_words: int,
    schedule: Schedule,
    words_before: int,
    seed: int,
    epoch: int,
) -> Iterator[Job]:
    """Cut encoded text into jobs of exactly ``job_words`` words (the last
    one excepted).

    A sentence that crosses a job boundary is cut in two (no word is
    dropped; windows do not cross the cut).

    Parameters
    ----------
    chunks : iterable of (ids, offsets)
        int32 word ids (-1 for unknown words: the kernel counts them as raw
        words and skips them) and int64 sentence offsets starting at 0, as
        the corpora's ``encoded_chunks`` yield them.
    job_words : int
        Words per job.
    schedule : Schedule
        Gives each job its learning rate at its first and last word.
    words_before : int
        Raw words of the run read before this epoch.
    seed, epoch : int
        Seed the jobs (see :func:`job_seed`).

    Yields
    ------
    Job
    """
    words_done = words_before
    job_index = 0
    rest_ids = np.empty(0, dtype=np.int32)
    rest_ends = np.empty(0, dtype=np.int64)  # sentence ends, relative to rest_ids

    def make_job(ids: np.ndarray, ends: np.ndarray) -> Job:
        nonlocal words_done, job_index
        inner = ends[(ends > 0) & (ends < len(ids))]
        offsets = np.concatenate(([0], inner, [len(ids)])).astype(np.int64)
        job = Job(
            ids=ids,
            offsets=offsets,
            alpha_start=schedule.alpha(words_done),
            alpha_end=schedule.alpha(words_done + len(ids)),
            seed=job_seed(seed, epoch, job_index),
        )
        words_done += len(ids)
        job_index += 1
        return job

    for chunk_ids, chunk_offsets in chunks:
        ids = np.concatenate((rest_ids, chunk_ids)) if len(rest_ids) else chunk_ids
        ends = np.concatenate((rest_ends, chunk_offsets[1:] + len(rest_ids)))
        start = 0
        while len(ids) - start >= job_words:
            stop = start + job_words
            lo, hi = np.searchsorted(ends, [start, stop], side="right")
            yield make_job(ids[start:stop], ends[lo:hi] - start)
            start = stop
        rest_ids = ids[start:]
        rest_ends = ends[np.searchsorted(ends, start, side="right") :] - start
    if len(rest_ids):
        yield make_job(rest_ids, rest_ends)


def iter_text_jobs(
    pieces: Iterable[tuple[bytes, int]],
    *,
    schedule: Schedule,
    words_before: int,
    seed: int,
    epoch: int,
) -> Iterator[Job]:
    """One job per piece of raw text; the worker encodes it.

    Parameters
    ----------
    pieces : iterable of (bytes, int)
        Text ending at a line break (or a space) and its number of tokens,
        as :meth:`cw2v.corpus.FileCorpus.text_pieces` yields them.
    schedule, words_before, seed, epoch
        As for :func:`iter_jobs`.

    Yields
    ------
    Job
    """
    words_done = words_before
    for job_index, (text, words) in enumerate(pieces):
        yield Job(
            ids=None,
            offsets=None,
            alpha_start=schedule.alpha(words_done),
            alpha_end=schedule.alpha(words_done + words),
            seed=job_seed(seed, epoch, job_index),
            text=text,
        )
        words_done += words


class EncodesText(Protocol):
    """What the workers need to encode a text job."""

    def encode(self, text: bytes) -> tuple[np.ndarray, np.ndarray]: ...


def run_epoch(
    kernel: TrainsJobs,
    jobs: Iterable[Job],
    *,
    workers: int,
    encoder: EncodesText | None = None,
    on_progress: Callable[[EpochStats], Any] | None = None,
    epoch: int = 0,
) -> EpochStats:
    """Train on every job of ``jobs`` with ``workers`` threads.

    Parameters
    ----------
    kernel : object with ``train_job``
        The compiled kernel bound to the model's arrays.
    jobs : iterable of Job
        One pass over the corpus (:func:`iter_jobs` or
        :func:`iter_text_jobs`), read lazily in the producer thread, so the
        user's corpus iterator runs there.
    workers : int
        Worker threads (>= 1).
    encoder : object with ``encode``, optional
        Turns a text job into ids and offsets (in the worker thread, without
        the GIL); required when ``jobs`` holds text.
    epoch : int
        For messages.
    on_progress : callable, optional
        Called in the caller's thread with the running totals after every
        job (keep it cheap).

    Returns
    -------
    EpochStats
        With ``completed=True``.

    Raises
    ------
    BaseException
        Whatever the corpus iterator or a worker raised, or
        ``KeyboardInterrupt``, after every thread has stopped.
    TrainingDiverged
        If a job's loss is not finite.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    queued: queue.Queue[Job | None] = queue.Queue(maxsize=2 * workers)
    results: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()

    def put_job(job: Job | None) -> None:
        while True:
            if stop.is_set():
                raise _Stop
            try:
                queued.put(job, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            for job in jobs:
                put_job(job)
            for _ in range(workers):
                put_job(None)
        except _Stop:
            pass
        except BaseException as exc:
            results.put(("error", exc))

    def work() -> None:
        try:
            while not stop.is_set():
                try:
                    job = queued.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    continue
                if job is None:
                    break
                if job.text is not None:
                    if encoder is None:
                        raise ValueError("a text job needs an encoder")
                    ids, offsets = encoder.encode(job.text)
                elif job.ids is not None and job.offsets is not None:
                    ids, offsets = job.ids, job.offsets
                else:
                    raise ValueError("a job holds neither text nor ids")
                raw, effective, updates, loss = kernel.train_job(
                    ids, offsets, job.alpha_start, job.alpha_end, job.seed
                )
                results.put(("result", JobResult(raw, effective, updates, loss)))
        except BaseException as exc:
            results.put(("error", exc))
        finally:
            results.put(("done", None))

    stats = EpochStats()
    started = time.perf_counter()
    threads = [threading.Thread(target=produce, name="cw2v-producer", daemon=True)]
    threads += [
        threading.Thread(target=work, name=f"cw2v-worker-{i}", daemon=True) for i in range(workers)
    ]
    for thread in threads:
        thread.start()
    try:
        finished = 0
        while finished < workers:
            try:
                kind, payload = results.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            if kind == "result":
                stats.add(payload)
                if not math.isfinite(payload.loss):
                    raise TrainingDiverged(
                        f"the training loss became {payload.loss} in epoch {epoch + 1} after "
                        f"{stats.raw_words} words: the updates diverged. Lower the learning "
                        f"rate (alpha) or check the vectors for NaN or huge values."
                    )
                if on_progress is not None:
                    on_progress(stats)
            elif kind == "error":
                raise payload
            else:
                finished += 1
        stats.completed = True
    finally:
        stop.set()
        deadline = time.monotonic() + _JOIN_SECONDS
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        stuck = [thread.name for thread in threads if thread.is_alive()]
        if stuck:
            # only a corpus iterator that never returns can get here
            logger.warning("threads still running after training stopped: %s", ", ".join(stuck))
        # results that arrived while stopping still describe trained words
        while True:
            try:
                kind, payload = results.get_nowait()
            except queue.Empty:
                break
            if kind == "result":
                stats.add(payload)
        stats.seconds = time.perf_counter() - started
    return stats
