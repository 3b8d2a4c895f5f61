"""The :class:`Word2Vec` model: hyper-parameters, vocabulary, training.

This module holds no numerics: the vocabulary and its tables come from
:mod:`cw2v.vocab`, the threads from :mod:`cw2v.dispatcher`, the updates from
the compiled :mod:`cw2v._core`.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, fields
from typing import Any

import numpy as np

from cw2v import _core
from cw2v._version import __version__
from cw2v.corpus import Corpus, FileCorpus, as_corpus
from cw2v.dispatcher import (
    EpochStats,
    Job,
    Schedule,
    TrainingDiverged,
    iter_jobs,
    iter_text_jobs,
    run_epoch,
)
from cw2v.vectors import KeyedVectors
from cw2v.vocab import Vocabulary

__all__ = ["Word2Vec"]

logger = logging.getLogger("cw2v")

MODEL_FORMAT = "cw2v.Word2Vec"
MODEL_FORMAT_VERSION = 1
_SAVED_PARAMS = (
    "vector_size",
    "window",
    "min_count",
    "sg",
    "hs",
    "negative",
    "softmax",
    "ns_exponent",
    "shared_negatives",
    "cbow_mean",
    "cbow_update",
    "alpha",
    "min_alpha",
    "sample",
    "epochs",
    "workers",
    "seed",
    "max_vocab_size",
    "max_final_vocab",
    "shrink_windows",
    "job_words",
)
_CALLBACK_EVENTS = ("on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_end")
_SOFTMAX_WARN_WORDS = 20_000
_HOT_ROWS = 1024


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _check_int(name: str, value: object, minimum: int, maximum: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" + ("" if maximum is None else f" and <= {maximum}")
        raise ValueError(f"{name} must be {bounds}, got {value}")


def _check_flag(name: str, value: object) -> None:
    if not isinstance(value, (bool, np.bool_)) and not (
        isinstance(value, (int, np.integer)) and value in (0, 1)
    ):
        raise TypeError(f"{name} must be True or False, got {value!r}")


def _check_float(name: str, value: object, *, minimum: float, strict: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value) or value < minimum or (strict and value == minimum):
        relation = ">" if strict else ">="
        raise ValueError(f"{name} must be finite and {relation} {minimum}, got {value}")


class Word2Vec:
    """A word2vec model: skip-gram or CBOW, trained with negative sampling,
    hierarchical softmax or the full softmax.

    The constructor only stores the settings and the corpus; :meth:`train`
    builds the vocabulary if needed, trains, and returns the model, so calls
    chain. The parameter names follow gensim's where they mean the same.

    Parameters
    ----------
    sentences : str, os.PathLike or iterable of sequences of str, optional
        The corpus. A path is read as a text file with one sentence per line
        (``.gz``, ``.bz2`` and ``.xz`` too); a directory means every file in
        it. Any other iterable must yield token lists and start over on every
        iteration (a one-shot generator is rejected).
    vector_size : int, default 100
        Dimension of the vectors.
    window : int, default 5
        Largest distance between the center word and a context word
        (at most ``cw2v._core.MAX_WINDOW``, 100 000).
    min_count : int, default 5
        Words seen fewer times are left out of the vocabulary.
    sg : {1, 0}, default 1
        1 for skip-gram, 0 for CBOW. (gensim's default is CBOW; cw2v's is
        skip-gram, which learns better vectors for rare words.)
    hs : {0, 1}, default 0
        1 trains with hierarchical softmax; requires ``negative=0``.
    negative : int, default 5
        Noise words per update for negative sampling (at most
        ``cw2v._core.MAX_NEGATIVE``, 10 000); 0 to use ``hs`` or ``softmax``
        instead.
    softmax : bool, default False
        Train with the full (naive) softmax, O(vocabulary) per update: only
        for small vocabularies. Requires ``hs=0`` and ``negative=0``.
    ns_exponent : float, default 0.75
        Noise words are drawn with probability proportional to
        ``count ** ns_exponent``.
    shared_negatives : bool, default True
        Skip-gram with negative sampling: score every context word of a
        window against one draw of ``negative`` noise words, in one block
        (as Intel's pWord2Vec does; several times faster, since each output
        vector is read once per window). False gives word2vec.c's update,
        pair after pair, each with its own noise words.
    cbow_mean : bool, default True
        CBOW's hidden vector is the mean (True) or the sum of the context
        vectors.
    cbow_update : {"word2vec", "exact"}, default "word2vec"
        What each context vector receives in CBOW mean mode. ``"word2vec"``:
        the hidden vector's whole gradient, as word2vec.c, gensim and
        fastText do; their learning rates are tuned for it. ``"exact"``: the
        true gradient of the mean, that gradient divided by the number of
        context words (the same update with an input learning rate n times
        smaller; it learns far less per epoch at the same ``alpha``).
    alpha, min_alpha : float
        The learning rate falls linearly from ``alpha`` to ``min_alpha`` over
        the whole run of :meth:`train`.
    sample : float, default 1e-3
        Subsampling threshold for frequent words (word2vec.c's formula);
        0 disables it.
    epochs : int, default 5
        Passes over the corpus in :meth:`train`.
    workers : int, optional
        Training threads; defaults to the number of available cores.
    seed : int, default 1
        Seeds the initial vectors and every random draw. With ``workers=1``
        the same seed gives bit-identical vectors on every run.
    max_vocab_size : int, optional
        Bounds memory while counting: when more distinct words are held, the
        rarest are pruned (counts of pruned words are lost).
    max_final_vocab : int, optional
        Keep at most this many words, raising ``min_count`` as needed.
    trim_rule : callable, optional
        ``trim_rule(word, count, min_count)`` returns
        :data:`cw2v.vocab.RULE_KEEP`, ``RULE_DISCARD`` or ``RULE_DEFAULT``.
    shrink_windows : bool, default True
        Draw each position's effective window uniformly from 1..window, which
        weights near context words more, as word2vec.c does.
    callbacks : sequence of objects, optional
        Objects with any of ``on_train_begin``, ``on_epoch_begin``,
        ``on_epoch_end``, ``on_train_end``, each called with the model in the
        caller's thread.
    progress : bool, optional
        Show a progress bar (words/s, loss, time left). Default: only when
        stderr is a terminal.
    job_words : int, default 10000
        Words per job handed to a worker thread.

    Attributes
    ----------
    wv : KeyedVectors
        The trained vectors (available after the vocabulary is built).
    vocab : Vocabulary
        The words, their counts and the training tables.
    output_vectors : numpy.ndarray
        The output weights (one row per word, or per inner node of the
        Huffman tree for hierarchical softmax).
    training_loss : list of EpochStats
        One entry per epoch trained: ``loss`` (total, float64),
        ``loss_per_word`` (per effective word), raw and effective words,
        seconds, and whether the epoch completed. This is the loss measured
        while training (each update scored just before it is applied); at a
        high learning rate it flatters the model, so it can stall or rise in
        the last epochs while the model still improves. For the loss of the
        model as it stands, use :meth:`evaluate_loss`.
    epochs_trained : int
        Complete epochs trained over the model's life.

    Examples
    --------
    >>> import cw2v
    >>> sentences = [["the", "king", "rules"], ["the", "queen", "rules"]] * 100
    >>> model = cw2v.Word2Vec(sentences, vector_size=20, min_count=1, workers=1).train()
    >>> model.wv["king"].shape
    (20,)
    >>> len(model.training_loss)
    5
    """

    def __init__(
        self,
        sentences: str | os.PathLike | Iterable[Sequence[str]] | None = None,
        *,
        vector_size: int = 100,
        window: int = 5,
        min_count: int = 5,
        sg: int = 1,
        hs: int = 0,
        negative: int = 5,
        softmax: bool = False,
        ns_exponent: float = 0.75,
        shared_negatives: bool = True,
        cbow_mean: bool = True,
        cbow_update: str = "word2vec",
        alpha: float = 0.025,
        min_alpha: float = 0.0001,
        sample: float = 1e-3,
        epochs: int = 5,
        workers: int | None = None,
        seed: int = 1,
        max_vocab_size: int | None = None,
        max_final_vocab: int | None = None,
        trim_rule: Callable[[str, int, int], int] | None = None,
        shrink_windows: bool = True,
        callbacks: Sequence[Any] = (),
        progress: bool | None = None,
        job_words: int = 10_000,
    ):
        if workers is None:
            workers = _available_cores()
        _check_int("vector_size", vector_size, 1)
        # the kernel's bounds: beyond them its buffers (2 * window context rows, negative
        # draws per update) would overflow a C int or take absurd memory
        _check_int("window", window, 1, _core.MAX_WINDOW)
        _check_int("min_count", min_count, 0)
        _check_int("negative", negative, 0, _core.MAX_NEGATIVE)
        _check_int("epochs", epochs, 1)
        _check_int("workers", workers, 1)
        _check_int("seed", seed, 0)
        _check_int("job_words", job_words, 1)
        _check_float("alpha", alpha, minimum=0.0, strict=True)
        _check_float("min_alpha", min_alpha, minimum=0.0, strict=False)
        _check_float("sample", sample, minimum=0.0, strict=False)
        _check_float("ns_exponent", ns_exponent, minimum=-np.inf, strict=False)
        if min_alpha > alpha:
            raise ValueError(f"min_alpha ({min_alpha}) must not exceed alpha ({alpha})")
        if sg not in (0, 1):
            raise ValueError(f"sg must be 1 (skip-gram) or 0 (CBOW), got {sg!r}")
        if cbow_update not in ("word2vec", "exact"):
            raise ValueError(f"cbow_update must be 'word2vec' or 'exact', got {cbow_update!r}")
        if hs not in (0, 1):
            raise ValueError(f"hs must be 0 or 1, got {hs!r}")
        for name, flag in (
            ("softmax", softmax),
            ("shared_negatives", shared_negatives),
            ("cbow_mean", cbow_mean),
            ("shrink_windows", shrink_windows),
        ):
            _check_flag(name, flag)
        for name, value in (
            ("max_vocab_size", max_vocab_size),
            ("max_final_vocab", max_final_vocab),
        ):
            if value is not None:
                _check_int(name, value, 1)
        if trim_rule is not None and not callable(trim_rule):
            raise TypeError("trim_rule must be callable: trim_rule(word, count, min_count)")
        self.loss = _choose_loss(hs=hs, negative=negative, softmax=softmax)
        for callback in callbacks:
            if not any(hasattr(callback, event) for event in _CALLBACK_EVENTS):
                raise TypeError(
                    f"callback {callback!r} has none of the methods {', '.join(_CALLBACK_EVENTS)}"
                )

        self.vector_size = int(vector_size)
        self.window = int(window)
        self.min_count = int(min_count)
        self.sg = int(sg)
        self.hs = int(hs)
        self.negative = int(negative)
        self.softmax = bool(softmax)
        self.ns_exponent = float(ns_exponent)
        self.shared_negatives = bool(shared_negatives)
        self.cbow_mean = bool(cbow_mean)
        self.cbow_update = cbow_update
        self.alpha = float(alpha)
        self.min_alpha = float(min_alpha)
        self.sample = float(sample)
        self.epochs = int(epochs)
        self.workers = int(workers)
        self.seed = int(seed)
        self.max_vocab_size = max_vocab_size
        self.max_final_vocab = max_final_vocab
        self.trim_rule = trim_rule
        self.shrink_windows = bool(shrink_windows)
        self.callbacks = tuple(callbacks)
        self.progress = progress
        self.job_words = int(job_words)

        self.corpus: Corpus | None = as_corpus(sentences) if sentences is not None else None
        self.vocab: Vocabulary | None = None
        self.wv: KeyedVectors | None = None
        self.output_vectors: np.ndarray | None = None
        self.training_loss: list[EpochStats] = []
        self.epochs_trained = 0
        self.words_trained = 0
        self.current_alpha = self.alpha
        self._corpus_words: int | None = None  # raw words per pass of self.corpus
        self._tables: dict[str, np.ndarray] | None = None
        # (encoding, errors) of the file corpus it was built for, and the table
        self._encoder: tuple[tuple[str, str], _core.TokenTable] | None = None

    # ------------------------------------------------------------------
    # vocabulary
    # ------------------------------------------------------------------

    @property
    def model_kind(self) -> str:
        """``"skipgram"`` or ``"cbow"``."""
        return "skipgram" if self.sg else "cbow"

    def build_vocab(
        self,
        sentences: str | os.PathLike | Iterable[Sequence[str]] | None = None,
        *,
        update: bool = False,
        progress: bool | None = None,
    ) -> Word2Vec:
        """Count the corpus and build the vocabulary and the weights.

        Parameters
        ----------
        sentences : corpus, optional
            Defaults to the corpus given to the constructor; when given, it
            also becomes the corpus :meth:`train` reads by default.
        update : bool, default False
            Add the new corpus's words to an existing vocabulary: known words
            keep their rows and vectors and their counts grow; new words get
            fresh rows.
        progress : bool, optional
            Show a progress bar; defaults to the model's setting.

        Returns
        -------
        Word2Vec
            The model itself.
        """
        corpus = self._corpus_for(sentences)
        started = time.perf_counter()
        bar = self._progress_bar(None, "counting", enabled=progress)
        try:
            counted = corpus.count(
                # words rarer than min_count cannot enter a new vocabulary unless a
                # trim_rule keeps them; an update adds every count to known words
                min_count=1 if update or self.trim_rule is not None else self.min_count,
                max_vocab_size=self.max_vocab_size,
                progress=(lambda words: bar.update(words - bar.n)) if bar is not None else None,
            )
        finally:
            if bar is not None:
                bar.close()
        self._apply_counts(counted, update=update)
        self._corpus_words = counted.total_words
        if sentences is not None:
            self.corpus = corpus
        logger.info(
            "vocabulary: %d words (min_count=%d) from %d raw words in %.1f s",
            len(self._built()[0]),
            self.min_count,
            counted.total_words,
            time.perf_counter() - started,
        )
        return self

    def build_vocab_from_freq(
        self, word_freq: Mapping[str, int], *, update: bool = False, corpus_words: int | None = None
    ) -> Word2Vec:
        """Build the vocabulary from known word counts instead of a corpus.

        Parameters
        ----------
        word_freq : mapping of str to int
            Word counts.
        update : bool, default False
            See :meth:`build_vocab`.
        corpus_words : int, optional
            Raw words per pass of the corpus that :meth:`train` will read
            (defaults to the sum of the counts); sets the learning-rate
            schedule.

        Returns
        -------
        Word2Vec
        """
        counts = {word: int(count) for word, count in word_freq.items()}
        self._apply_counts(counts, update=update)
        self._corpus_words = corpus_words if corpus_words is not None else sum(counts.values())
        return self

    def _apply_counts(self, counts: Any, *, update: bool) -> None:
        if update:
            vocab, wv, output = self._built()
            if (
                wv.index_to_key[: len(vocab)] != vocab.index_to_key
                or wv.vector_size != self.vector_size
            ):
                self._consistent()  # raises, saying what is wrong
            grown = vocab.updated(counts, min_count=self.min_count, trim_rule=self.trim_rule)
            self._check_vocab_for_loss(grown)
            rng = np.random.default_rng([self.seed, len(vocab)])
            vectors = np.concatenate(
                [
                    wv.vectors[: len(vocab)],
                    _random_rows(rng, len(grown) - len(vocab), self.vector_size),
                ]
            )
            # words given vectors with wv.add_vectors start from those vectors
            added = wv.index_to_key[len(vocab) :]
            if added:
                new_words = set(grown.index_to_key[len(vocab) :])
                for word in added:
                    if word in new_words:
                        vectors[grown.key_to_index[word]] = wv[word]
                dropped = [word for word in added if word not in new_words]
                if dropped:
                    logger.warning(
                        "%d words added with wv.add_vectors are not in the vocabulary (the "
                        "corpus lacks them or they are below min_count) and are dropped: %s",
                        len(dropped),
                        ", ".join(map(repr, dropped[:10])) + (" ..." if len(dropped) > 10 else ""),
                    )
            self.output_vectors = np.zeros(
                (self._output_rows(len(grown)), self.vector_size), dtype=np.float32
            )
            kept = min(len(output), len(self.output_vectors))
            self.output_vectors[:kept] = output[:kept]
        else:
            grown = Vocabulary.from_counts(
                counts,
                min_count=self.min_count,
                max_final_vocab=self.max_final_vocab,
                trim_rule=self.trim_rule,
            )
            self._check_vocab_for_loss(grown)
            memory = grown.estimate_memory(self.vector_size, loss=self.loss)
            logger.info("allocating %.1f MB for %d words", memory["total"] / 2**20, len(grown))
            vectors = _random_rows(np.random.default_rng(self.seed), len(grown), self.vector_size)
            self.output_vectors = np.zeros(
                (self._output_rows(len(grown)), self.vector_size), dtype=np.float32
            )
        self.vocab = grown
        self.wv = KeyedVectors(grown.index_to_key, vectors, grown.counts)
        self._tables = None
        self._encoder = None

    def _built(self) -> tuple[Vocabulary, KeyedVectors, np.ndarray]:
        """The vocabulary, vectors and output weights; raises before they exist."""
        if self.vocab is None or self.wv is None or self.output_vectors is None:
            raise ValueError("the model has no vocabulary yet: call build_vocab or train first")
        return self.vocab, self.wv, self.output_vectors

    def _consistent(self) -> tuple[Vocabulary, KeyedVectors, np.ndarray]:
        """:meth:`_built`, after checking that ``wv`` still matches the vocabulary and the
        output weights (a user may have added words or replaced the vectors)."""
        vocab, wv, output = self._built()
        self._check_added_vectors(vocab, wv)
        if len(wv) != len(vocab) or wv.index_to_key != vocab.index_to_key:
            raise ValueError(
                "model.wv no longer holds the model's vocabulary (was it replaced?): "
                "assign vectors in place, model.wv.vectors[i] = ..., or build a new model"
            )
        if wv.vector_size != self.vector_size:
            raise ValueError(
                f"model.wv has vectors of dimension {wv.vector_size} but the model's "
                f"vector_size is {self.vector_size}: vectors of another dimension cannot "
                f"be trained with this model's output weights; build a new model"
            )
        return vocab, wv, output

    @staticmethod
    def _check_added_vectors(vocab: Vocabulary, wv: KeyedVectors) -> None:
        if len(wv) > len(vocab) and wv.index_to_key[: len(vocab)] == vocab.index_to_key:
            added = wv.index_to_key[len(vocab) :]
            shown = ", ".join(map(repr, added[:5])) + (" ..." if len(added) > 5 else "")
            raise ValueError(
                f"model.wv holds {len(added)} words that are not in the model's vocabulary "
                f"({shown}), added with wv.add_vectors: they have no counts and no output "
                f"weights, so they cannot be trained or saved with the model. Call "
                f"model.build_vocab(sentences, update=True) with a corpus that holds them "
                f"(they keep the added vectors as their starting point), or save the "
                f"vectors alone with model.wv.save"
            )

    def _check_vocab_for_loss(self, vocab: Vocabulary) -> None:
        size = len(vocab)
        if self.loss == "hs" and size < 2:
            raise ValueError(
                f"hierarchical softmax needs at least 2 words, the vocabulary has {size}: "
                f"lower min_count or use negative sampling"
            )
        if self.loss == "softmax" and size > _SOFTMAX_WARN_WORDS:
            logger.warning(
                "full softmax over %d words costs O(vocabulary) per update and will be very "
                "slow; consider negative sampling or hierarchical softmax",
                size,
            )

    def estimate_memory(self) -> dict[str, int]:
        """Bytes the training arrays need, by array and in total."""
        vocab, _, _ = self._built()
        return vocab.estimate_memory(self.vector_size, loss=self.loss)

    def _output_rows(self, vocab_size: int) -> int:
        return vocab_size - 1 if self.loss == "hs" else vocab_size

    # ------------------------------------------------------------------
    # training
    # ------------------------------------------------------------------

    def train(
        self,
        sentences: str | os.PathLike | Iterable[Sequence[str]] | None = None,
        *,
        epochs: int | None = None,
        total_words: int | None = None,
        progress: bool | None = None,
    ) -> Word2Vec:
        """Train and return the model.

        Builds the vocabulary first if there is none. Calling it again
        continues training (on the same or another corpus) with a fresh
        learning-rate run from ``alpha`` down to ``min_alpha``.

        Parameters
        ----------
        sentences : corpus, optional
            Defaults to the corpus given to the constructor or to
            :meth:`build_vocab`.
        epochs : int, optional
            Passes over the corpus; defaults to the model's ``epochs``.
        total_words : int, optional
            Raw words per pass of ``sentences``, for the learning-rate
            schedule and the progress bar. Counted with a quick pass when
            not given and not known from the vocabulary scan.
        progress : bool, optional
            Show a progress bar; defaults to the model's setting.

        Returns
        -------
        Word2Vec
            The model itself.

        Raises
        ------
        KeyboardInterrupt
            Re-raised after every thread has stopped; the model keeps what it
            learnt and ``training_loss`` records the partial epoch.
        cw2v.dispatcher.TrainingDiverged
            If the loss, or after an epoch the weights, are NaN or infinite
            (the learning rate is likely too high).
        ValueError
            If ``model.wv`` no longer matches the vocabulary, e.g. words were
            added with ``wv.add_vectors`` (the message says what to do).
        """
        epochs = self.epochs if epochs is None else epochs
        _check_int("epochs", epochs, 1)
        if self.wv is not None and not self.wv.vectors.flags.writeable:
            raise ValueError(
                "the vectors are read-only (loaded with mmap=True?): load the model without "
                "mmap to continue training"
            )
        if self.vocab is None:
            self.build_vocab(sentences, progress=progress)
        self._consistent()
        corpus = self._corpus_for(sentences)
        words_per_epoch = self._words_per_epoch(corpus, sentences, total_words)
        schedule = Schedule(self.alpha, self.min_alpha, words_per_epoch * epochs)
        kernel = self._make_kernel()
        bar = self._progress_bar(schedule.total_words, "training", enabled=progress)
        words_before = 0
        self._fire("on_train_begin")
        try:
            for _ in range(epochs):
                self._fire("on_epoch_begin")
                stats = self._train_epoch(
                    kernel, corpus, schedule, words_before, words_per_epoch, bar
                )
                words_before += stats.raw_words
                if stats.raw_words == 0:
                    raise ValueError(
                        f"the corpus yielded no words in epoch {self.epochs_trained + 1}; "
                        f"if it is an iterator that is exhausted after one pass, pass a list "
                        f"or a re-iterable object instead"
                    )
                self._check_finite()
                self._fire("on_epoch_end")
        except KeyboardInterrupt:
            partial = self.training_loss[-1].raw_words if self.training_loss else 0
            self.words_trained += partial
            done = words_before + partial
            logger.warning(
                "training interrupted in epoch %d after %d of %d words (%.1f%% of the run); "
                "the model keeps the vectors learnt so far",
                self.epochs_trained + 1,
                done,
                schedule.total_words,
                100.0 * done / max(1, schedule.total_words),
            )
            raise
        finally:
            if bar is not None:
                bar.close()
            self._built()[1].mark_changed()
        self._fire("on_train_end")
        return self

    def _check_finite(self) -> None:
        """Raise TrainingDiverged if a weight became NaN or infinite (the loss can stay
        finite while they do: the sigmoid tables clip huge scores)."""
        _, wv, output = self._built()
        for name, array in (("vectors", wv.vectors), ("output weights", output)):
            if not _all_finite(array):
                raise TrainingDiverged(
                    f"after epoch {self.epochs_trained} the {name} hold NaN or infinite "
                    f"values: the updates diverged. Lower the learning rate (alpha="
                    f"{self.alpha}), or check the vectors you set (wv.vectors, "
                    f"wv.add_vectors) for NaN or huge values."
                )

    def _train_epoch(
        self,
        kernel: _core.Kernel,
        corpus: Corpus,
        schedule: Schedule,
        words_before: int,
        epoch_words: int,
        bar: Any,
    ) -> EpochStats:
        last_log = time.perf_counter()
        shown = 0

        def on_progress(stats: EpochStats) -> None:
            nonlocal last_log, shown
            self.current_alpha = schedule.alpha(words_before + stats.raw_words)
            self.training_loss[-1] = stats
            if bar is not None:
                bar.update(stats.raw_words - shown)
                shown = stats.raw_words
                bar.set_postfix(loss=f"{stats.loss_per_word:.4f}", refresh=False)
            if time.perf_counter() - last_log >= 5.0:
                last_log = time.perf_counter()
                logger.info(
                    "epoch %d: %.1f%% done, alpha %.5f, loss %.4f per word",
                    self.epochs_trained + 1,
                    100.0 * stats.raw_words / max(1, epoch_words),
                    self.current_alpha,
                    stats.loss_per_word,
                )

        self.training_loss.append(EpochStats())
        jobs, encoder = self._jobs(corpus, schedule, words_before, self.epochs_trained)
        stats = run_epoch(
            kernel,
            jobs,
            workers=self.workers,
            encoder=encoder,
            epoch=self.epochs_trained,
            on_progress=on_progress,
        )
        self.training_loss[-1] = stats
        self.epochs_trained += 1
        self.words_trained += stats.raw_words
        logger.info(
            "epoch %d: %d raw words, %d effective, %.0f words/s, loss %.4f per word",
            self.epochs_trained,
            stats.raw_words,
            stats.effective_words,
            stats.raw_words / max(stats.seconds, 1e-9),
            stats.loss_per_word,
        )
        return stats

    def evaluate_loss(
        self, sentences: str | os.PathLike | Iterable[Sequence[str]] | None = None
    ) -> EpochStats:
        """The model's loss on a corpus, without changing the model.

        Runs one pass with a learning rate of zero, so every update is scored
        but none is applied (subsampling and noise words are drawn as in
        training, with the model's seed).

        Parameters
        ----------
        sentences : corpus, optional
            Defaults to the training corpus.

        Returns
        -------
        EpochStats
            ``loss`` and ``loss_per_word`` as in :attr:`training_loss`.
        """
        if self.vocab is None:
            raise ValueError("the model has no vocabulary yet: call build_vocab or train first")
        corpus = self._corpus_for(sentences)
        jobs, encoder = self._jobs(corpus, Schedule(0.0, 0.0, 1), 0, 0)
        return run_epoch(self._make_kernel(), jobs, workers=self.workers, encoder=encoder)

    def plot_loss(self, path: str | os.PathLike) -> Any:
        """Draw the training loss per epoch to an image file.

        Needs matplotlib (``pip install "cw2v[plot]"``).

        Parameters
        ----------
        path : str or os.PathLike
            The image to write (its suffix picks the format, e.g. ``.png``).

        Returns
        -------
        pathlib.Path
            The file written.
        """
        from cw2v.plotting import plot_loss

        return plot_loss(self.training_loss, path, title=f"cw2v {self.model_kind}, {self.loss}")

    def _words_per_epoch(self, corpus: Corpus, sentences: Any, total_words: int | None) -> int:
        if total_words is not None:
            _check_int("total_words", total_words, 1)
            return int(total_words)
        if (sentences is None or corpus is self.corpus) and self._corpus_words:
            return self._corpus_words
        return corpus.total_words()

    def _make_kernel(self) -> _core.Kernel:
        vocab, wv, output = self._consistent()
        if self._tables is None:
            tables: dict[str, np.ndarray] = {}
            if self.sample > 0:
                tables["keep_thresholds"] = vocab.keep_thresholds(self.sample)
            if self.loss == "ns":
                tables["noise_prob"], tables["noise_alias"] = vocab.alias_table(self.ns_exponent)
            elif self.loss == "hs":
                codes = vocab.huffman_codes()
                tables.update(codes=codes.codes, points=codes.points, code_offsets=codes.offsets)
            self._tables = tables
        return _core.Kernel(
            wv.vectors,
            output,
            model=self.model_kind,
            loss=self.loss,
            window=self.window,
            negative=max(self.negative, 1),
            cbow_mean=self.cbow_mean,
            cbow_exact=self.cbow_update == "exact",
            shrink_windows=self.shrink_windows,
            shared_negatives=self.shared_negatives,
            # with several threads, the most frequent words' rows are updated in
            # per-job copies, so that the cores do not fight over their cache lines
            hot_rows=_HOT_ROWS if self.workers > 1 else 0,
            **self._tables,
        )

    # ------------------------------------------------------------------
    # saving and loading
    # ------------------------------------------------------------------

    def save(self, path: str | os.PathLike) -> None:
        """Save the whole model, ready to query or to continue training.

        The file is cw2v's native format (see :mod:`cw2v.formats`): one
        uncompressed zip holding JSON metadata (the cw2v version, every
        hyper-parameter, the training state: epochs and words trained, the
        learning rate reached, the loss history, and the random state, which
        is fully given by ``seed`` and ``epochs_trained`` since every job's
        seed derives from them) and ``.npy`` arrays (the vocabulary and its
        counts, the input and the output vectors). Nothing is pickled. It is
        written to a temporary name and renamed, so a crash never leaves a
        half-written file where a good one was. ``callbacks`` and
        ``trim_rule`` (code) and the corpus are not saved.

        Parameters
        ----------
        path : str or os.PathLike
        """
        if self.vocab is None:
            raise ValueError("nothing to save: the model has no vocabulary yet")
        from cw2v.formats import save_arrays

        vocab, wv, output = self._consistent()
        wv_meta, wv_arrays = wv._to_arrays()
        meta = {
            "format": MODEL_FORMAT,
            "format_version": MODEL_FORMAT_VERSION,
            "cw2v_version": __version__,
            "params": {name: getattr(self, name) for name in _SAVED_PARAMS},
            "state": {
                "epochs_trained": self.epochs_trained,
                "words_trained": self.words_trained,
                "current_alpha": self.current_alpha,
                "corpus_words": self._corpus_words,
                "random_state": {"seed": self.seed, "epochs_trained": self.epochs_trained},
            },
            "vocabulary": {
                "total_words": vocab.total_words,
                "min_count": vocab.min_count,
                "effective_min_count": vocab.effective_min_count,
            },
            "training_loss": [asdict(stats) for stats in self.training_loss],
            "vectors": wv_meta,
        }
        arrays = {f"wv_{name}": array for name, array in wv_arrays.items()}
        arrays["output_vectors"] = output
        save_arrays(path, meta, arrays)

    @classmethod
    def load(cls, path: str | os.PathLike, mmap: bool = False) -> Word2Vec:
        """Load a model written by :meth:`save`.

        Parameters
        ----------
        path : str or os.PathLike
        mmap : bool, default False
            Map the arrays read-only from the file instead of reading them
            (for querying large models; such a model cannot train).

        Returns
        -------
        Word2Vec

        Raises
        ------
        ValueError
            If the file is not a saved cw2v model, was written by a newer
            format version, or anything in it is missing, of the wrong type,
            out of range or does not fit together (the message names the
            file): everything is checked here, never later in training.
        """
        from cw2v.formats import check_format, load_arrays

        source = repr(os.fspath(path))
        meta, arrays = load_arrays(path, mmap=mmap)
        check_format(
            meta,
            MODEL_FORMAT,
            MODEL_FORMAT_VERSION,
            source,
            "cw2v model",
            hint="; for saved vectors use cw2v.KeyedVectors.load",
        )
        try:
            return cls._from_saved(meta, arrays, source)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            if type(exc) is ValueError and source in str(exc):
                raise
            what = f"the entry {exc} is missing" if type(exc) is KeyError else str(exc)
            raise ValueError(f"{source} is not a valid cw2v model: {what}") from exc

    @classmethod
    def _from_saved(
        cls, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray], source: str
    ) -> Word2Vec:
        """The model that :meth:`save` wrote, every value checked; raises
        ``KeyError``, ``TypeError`` or ``ValueError`` for anything amiss."""
        params, state = _section(meta, "params"), _section(meta, "state")
        vocab_meta = _section(meta, "vocabulary")
        # the constructor's own checks: types, ranges, one loss
        model = cls(**{name: params[name] for name in _SAVED_PARAMS})

        wv_arrays = {k[3:]: v for k, v in arrays.items() if k.startswith("wv_")}
        counts = wv_arrays.get("counts")
        if counts is None:
            raise ValueError("the word counts (array wv_counts) are missing")
        if counts.ndim != 1 or counts.dtype.kind not in "iu":
            raise ValueError(
                f"the word counts must be a 1-d array of integers, got {counts.dtype} of "
                f"shape {counts.shape}"
            )
        wv = KeyedVectors._from_arrays(_section(meta, "vectors"), wv_arrays, source=source)
        if len(wv) == 0:
            raise ValueError("the vocabulary is empty")
        if wv.vector_size != model.vector_size:
            raise ValueError(
                f"the vectors have dimension {wv.vector_size} but the parameter vector_size "
                f"is {model.vector_size}"
            )
        if "output_vectors" not in arrays:
            raise ValueError("the output weights (array output_vectors) are missing")
        output = arrays["output_vectors"]
        expected = (model._output_rows(len(wv)), wv.vector_size)
        if output.dtype != np.float32 or output.shape != expected:
            raise ValueError(
                f"output weights of shape {output.shape} and dtype {output.dtype} do not fit "
                f"{len(wv)} words of dimension {wv.vector_size} trained with loss "
                f"{model.loss!r}, which needs float32 of shape {expected}"
            )
        if not output.flags.c_contiguous:
            raise ValueError("the output weights are not stored in C order")

        vocab = Vocabulary(
            wv.index_to_key,
            counts,
            total_words=_stored_int(vocab_meta, "total_words"),
            min_count=_stored_int(vocab_meta, "min_count"),
            effective_min_count=_stored_int(vocab_meta, "effective_min_count"),
        )
        model._check_vocab_for_loss(vocab)
        model.vocab = vocab
        model.wv = wv
        model.output_vectors = output
        model.epochs_trained = _stored_int(state, "epochs_trained")
        model.words_trained = _stored_int(state, "words_trained")
        alpha = state["current_alpha"]
        _check_float("state.current_alpha", alpha, minimum=0.0, strict=False)
        model.current_alpha = float(alpha)
        corpus_words = state.get("corpus_words")
        model._corpus_words = None if corpus_words is None else _stored_int(state, "corpus_words")
        history = meta.get("training_loss", [])
        if not isinstance(history, list):
            raise TypeError(f"training_loss must be a list, got {type(history).__name__}")
        model.training_loss = [_epoch_stats(entry) for entry in history]
        return model

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def _jobs(
        self, corpus: Corpus, schedule: Schedule, words_before: int, epoch: int
    ) -> tuple[Iterable[Job], _core.TokenTable | None]:
        """One pass of jobs over ``corpus``, and what the workers need to
        encode them: a file corpus is handed over as raw text, which the
        workers encode in compiled code; sentences in memory are encoded
        here, by the producer thread."""
        _, wv, _ = self._built()
        if isinstance(corpus, FileCorpus):
            decoding = (corpus.encoding, corpus.errors)
            if self._encoder is None or self._encoder[0] != decoding:
                self._encoder = (decoding, corpus.token_table(wv.index_to_key))
            pieces = corpus.text_pieces(self.job_words)
            text_jobs = iter_text_jobs(
                pieces, schedule=schedule, words_before=words_before, seed=self.seed, epoch=epoch
            )
            return text_jobs, self._encoder[1]
        chunks = corpus.encoded_chunks(wv.index_to_key, wv.key_to_index, self.job_words)
        jobs = iter_jobs(
            chunks,
            job_words=self.job_words,
            schedule=schedule,
            words_before=words_before,
            seed=self.seed,
            epoch=epoch,
        )
        return jobs, None

    def _corpus_for(self, sentences: Any) -> Corpus:
        if sentences is not None:
            return as_corpus(sentences)
        if self.corpus is None:
            raise ValueError(
                "no corpus: pass sentences to Word2Vec(...), build_vocab(...) or train(...)"
            )
        return self.corpus

    def _fire(self, event: str) -> None:
        for callback in self.callbacks:
            method = getattr(callback, event, None)
            if method is not None:
                method(self)

    def _progress_bar(self, total: int | None, what: str, *, enabled: bool | None) -> Any:
        show = self.progress if enabled is None else enabled
        if show is None:
            show = sys.stderr.isatty()
        if not show:
            return None
        from tqdm.auto import tqdm

        return tqdm(total=total, desc=what, unit="word", unit_scale=True, dynamic_ncols=True)

    def __repr__(self) -> str:
        size = len(self.vocab) if self.vocab is not None else 0
        return (
            f"Word2Vec({self.model_kind}, loss={self.loss!r}, vector_size={self.vector_size}, "
            f"window={self.window}, vocabulary={size} words, epochs_trained={self.epochs_trained})"
        )


def _choose_loss(*, hs: int, negative: int, softmax: bool) -> str:
    options = (("hs=1", hs), (f"negative={negative}", negative > 0), ("softmax=True", softmax))
    chosen = [name for name, on in options if on]
    if len(chosen) != 1:
        if not chosen:
            raise ValueError(
                "no loss chosen: set negative > 0 (negative sampling), hs=1 with negative=0 "
                "(hierarchical softmax), or softmax=True with negative=0"
            )
        raise ValueError(
            f"{' and '.join(chosen)} each choose a loss; cw2v trains one. For hierarchical "
            f"softmax pass hs=1, negative=0; for the full softmax softmax=True, negative=0"
        )
    if hs:
        return "hs"
    return "softmax" if softmax else "ns"


def _section(meta: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = meta[name]
    if not isinstance(section, Mapping):
        raise TypeError(f"the entry {name!r} must be a mapping, got {type(section).__name__}")
    return section


def _stored_int(section: Mapping[str, Any], name: str) -> int:
    value = section[name]
    _check_int(name, value, 0)
    return int(value)


_EPOCH_FIELDS = {field.name: field.type for field in fields(EpochStats)}


def _epoch_stats(entry: object) -> EpochStats:
    """One entry of a saved ``training_loss``, checked field by field."""
    if not isinstance(entry, Mapping) or not set(entry) <= set(_EPOCH_FIELDS):
        raise ValueError(
            f"each training_loss entry must map some of {sorted(_EPOCH_FIELDS)} to their "
            f"values, got {str(entry)[:100]}"
        )
    for name, value in entry.items():
        kind = _EPOCH_FIELDS[name]
        if kind == "int":
            _check_int(f"training_loss {name}", value, 0)
        elif kind == "bool":
            if not isinstance(value, bool):
                raise TypeError(f"training_loss {name} must be true or false, got {value!r}")
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            # the loss of a diverged epoch may be NaN: any float is allowed
            raise TypeError(f"training_loss {name} must be a number, got {value!r}")
    return EpochStats(**entry)


def _all_finite(array: np.ndarray) -> bool:
    """``np.isfinite(array).all()`` in blocks of rows, without a temporary as large as
    the array."""
    rows = max(1, (1 << 20) // max(1, array.shape[1]))
    return all(np.isfinite(array[i : i + rows]).all() for i in range(0, len(array), rows))


def _random_rows(rng: np.random.Generator, rows: int, size: int) -> np.ndarray:
    """word2vec.c's initialisation: uniform in [-0.5/size, 0.5/size)."""
    vectors = rng.random((rows, size), dtype=np.float32)
    vectors -= 0.5
    vectors /= size
    return vectors
