"""Vocabulary: counting, pruning, ordering, subsampling, noise table and Huffman codes.

Everything here is plain Python and numpy; nothing imports the compiled core. The flow is

1. :func:`count_words` counts tokens (optionally keeping memory bounded with
   ``max_vocab_size``) into a :class:`WordCounts`;
2. :meth:`Vocabulary.from_counts` applies ``min_count``, ``trim_rule`` and
   ``max_final_vocab`` and orders the words by descending count, ties by the word;
3. the vocabulary builds the tables the kernels read: :meth:`~Vocabulary.keep_thresholds`
   (subsampling), :meth:`~Vocabulary.alias_table` (negative draws) and
   :meth:`~Vocabulary.huffman_codes` (hierarchical softmax).

Examples
--------
>>> from cw2v.vocab import Vocabulary
>>> vocab = Vocabulary.from_sentences([["the", "cat", "sat"], ["the", "dog", "sat"]], min_count=1)
>>> vocab.index_to_key
['sat', 'the', 'cat', 'dog']
>>> vocab.counts.tolist()
[2, 2, 1, 1]
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "RULE_DEFAULT",
    "RULE_DISCARD",
    "RULE_KEEP",
    "HuffmanCodes",
    "Vocabulary",
    "WordCounts",
    "count_words",
]

RULE_DEFAULT = 0
"""``trim_rule`` result: apply ``min_count`` to the word (as gensim's ``RULE_DEFAULT``)."""
RULE_DISCARD = 1
"""``trim_rule`` result: drop the word whatever its count (as gensim's ``RULE_DISCARD``)."""
RULE_KEEP = 2
"""``trim_rule`` result: keep the word whatever its count (as gensim's ``RULE_KEEP``)."""

PROGRESS_EVERY = 1_000_000
""":func:`count_words` calls its ``progress`` callback about once per this many words."""

_U32 = 1 << 32
_LOSSES = ("ns", "hs", "softmax")

TrimRule = Callable[[str, int, int], int]


@dataclass
class WordCounts:
    """The result of :func:`count_words`.

    Attributes
    ----------
    counts : collections.Counter
        Occurrences of each distinct word that survived pruning.
    total_words : int
        Every token seen, including the occurrences of words pruned later.
    total_blocks : int
        Number of blocks (sentences) seen, empty ones included.
    min_reduce : int
        The count threshold the next pruning would have used: ``1`` means nothing was
        pruned; otherwise every pruning removed words whose running count was below
        ``min_reduce`` (``count <= min_reduce - 1`` at the last one).
    peak_distinct : int
        The largest number of distinct words held at once while counting.
    """

    counts: Counter[str] = field(default_factory=Counter)
    total_words: int = 0
    total_blocks: int = 0
    min_reduce: int = 1
    peak_distinct: int = 0


@dataclass(eq=False)
class HuffmanCodes:
    """Huffman codes and paths of every word, concatenated (see :meth:`Vocabulary.huffman_codes`).

    Word ``i``'s path from the root down is ``points[offsets[i]:offsets[i+1]]`` (inner-node
    ids, the root is ``V - 2``) and at each of those nodes it branches to the child
    ``codes[offsets[i]:offsets[i+1]]`` (0 or 1).

    Attributes
    ----------
    codes : numpy.ndarray
        ``uint8``, the branch bits of all words, concatenated.
    points : numpy.ndarray
        ``int32``, the inner-node ids (``0 .. V-2``) of all paths, aligned with ``codes``.
    offsets : numpy.ndarray
        ``int64``, shape ``(V + 1,)``.
    max_length : int
        The longest code.
    """

    codes: np.ndarray
    points: np.ndarray
    offsets: np.ndarray
    max_length: int

    def code(self, index: int) -> np.ndarray:
        """Return the code (branch bits from the root down) of word ``index``."""
        return self.codes[self.offsets[index] : self.offsets[index + 1]]

    def path(self, index: int) -> np.ndarray:
        """Return the inner-node ids from the root down of word ``index``."""
        return self.points[self.offsets[index] : self.offsets[index + 1]]


def _block_type_error(block: Any) -> TypeError:
    kind = type(block).__name__
    preview = repr(block[:40]) + ("..." if len(block) > 40 else "")
    hint = "decode and split it" if isinstance(block, bytes) else "split it, e.g. line.split()"
    return TypeError(
        f"each sentence must be a list of str tokens, got a {kind} ({preview}), whose "
        f"items are single characters; {hint}"
    )


def _token_type_error(token: Any) -> TypeError:
    return TypeError(
        f"tokens must be str, got a token of type {type(token).__name__} ({token!r}); "
        "pass each sentence as a list of str tokens, e.g. line.split()"
    )


def _prune(counts: Counter[str], min_reduce: int, max_vocab_size: int) -> tuple[Counter, int]:
    """Prune until at most ``max_vocab_size`` words remain; return the counts and min_reduce.

    Each pass drops the words with ``count <= min_reduce`` and raises ``min_reduce`` by
    one, as word2vec.c's ``ReduceVocab`` and gensim's ``prune_vocab`` do. Passes that
    would drop nothing are skipped in one step (same result as making them).
    """
    while len(counts) > max_vocab_size:
        smallest = min(counts.values())
        min_reduce = max(min_reduce, smallest)
        counts = Counter({w: c for w, c in counts.items() if c > min_reduce})
        min_reduce += 1
    return counts, min_reduce


def count_words(
    blocks: Iterable[Sequence[str]],
    *,
    max_vocab_size: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> WordCounts:
    """Count the tokens of a corpus.

    Parameters
    ----------
    blocks : iterable of sequences of str
        Sentences, or larger blocks of tokens: counting does not care where one ends.
        Each block is counted by ``collections.Counter.update`` (a C loop); a block
        without ``len`` or indexing (a generator, say) is first turned into a list.
    max_vocab_size : int, optional
        Keep at most this many distinct words while counting (bounded memory). After
        each block, while there are more, the words with ``count <= min_reduce`` are
        dropped and ``min_reduce`` grows by one (starting at 1), as in word2vec.c and
        gensim. Memory can exceed the bound only by the new words of one block. A word
        dropped this way may come back later with a count that misses its earlier
        occurrences; a word never dropped has its exact count (in particular every
        word whose count in the first block is at least the final ``min_reduce``).
    progress : callable, optional
        Called as ``progress(words_so_far)`` about every :data:`PROGRESS_EVERY` words,
        and once at the end.

    Returns
    -------
    WordCounts

    Raises
    ------
    TypeError
        If a block is a ``str`` or ``bytes`` (it would be counted character by
        character), or a token is not a ``str``. To stay fast only the first token of
        each block is checked while counting; the distinct words are checked at the end,
        so a non-str token anywhere is still reported.
    ValueError
        If ``max_vocab_size`` is not a positive integer.

    Examples
    --------
    >>> wc = count_words([["a", "b", "a"], ["c", "a"]])
    >>> wc.counts.most_common(1), wc.total_words, wc.total_blocks, wc.min_reduce
    ([('a', 3)], 5, 2, 1)
    """
    if max_vocab_size is not None and (
        isinstance(max_vocab_size, bool)
        or not isinstance(max_vocab_size, int)
        or max_vocab_size < 1
    ):
        raise ValueError(
            f"max_vocab_size must be a positive integer or None, got {max_vocab_size!r}"
        )
    counts: Counter[str] = Counter()
    total_words = 0
    total_blocks = 0
    min_reduce = 1
    peak = 0
    next_report = PROGRESS_EVERY
    for block in blocks:
        if isinstance(block, (str, bytes)):
            raise _block_type_error(block)
        try:
            n = len(block)
            first = block[0] if n else None
        except (TypeError, KeyError):
            block = list(block)
            n = len(block)
            first = block[0] if n else None
        if n and not isinstance(first, str):
            raise _token_type_error(first)
        counts.update(block)
        total_words += n
        total_blocks += 1
        if max_vocab_size is not None and len(counts) > max_vocab_size:
            peak = max(peak, len(counts))
            counts, min_reduce = _prune(counts, min_reduce, max_vocab_size)
        if progress is not None and total_words >= next_report:
            progress(total_words)
            next_report = total_words + PROGRESS_EVERY
    peak = max(peak, len(counts))
    for word in counts:
        if not isinstance(word, str):
            raise _token_type_error(word)
    if progress is not None:
        progress(total_words)
    return WordCounts(counts, total_words, total_blocks, min_reduce, peak)


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _unpack_counts(counts: Mapping[str, int] | WordCounts) -> tuple[list[str], np.ndarray, int]:
    """Return (words, counts as int64, total of all counts or the counted total_words)."""
    mapping = counts.counts if isinstance(counts, WordCounts) else counts
    if not isinstance(mapping, Mapping):
        raise TypeError(
            "counts must be a mapping of word -> count or a WordCounts from count_words(), "
            f"got {type(counts).__name__}"
        )
    words = list(mapping.keys())
    for word in words:
        if not isinstance(word, str):
            raise _token_type_error(word)
    values = np.array(list(mapping.values()))
    if values.size == 0:
        values = np.zeros(0, dtype=np.int64)
    if values.dtype.kind not in "iu":
        raise TypeError(f"word counts must be integers, got values of dtype {values.dtype}")
    values = values.astype(np.int64, copy=False)
    if values.size and values.min() < 0:
        bad = words[int(values.argmin())]
        raise ValueError(f"word counts must be >= 0, got {int(values.min())} for {bad!r}")
    if isinstance(counts, WordCounts):
        total = counts.total_words
    else:
        total = sum(values.tolist())  # Python ints: an int64 sum can overflow
    return words, values, total


def _rule_decisions(
    words: list[str], values: np.ndarray, min_count: int, trim_rule: TrimRule | None
) -> np.ndarray:
    decisions = np.zeros(len(words), dtype=np.int8)
    if trim_rule is None:
        return decisions
    for i, (word, count) in enumerate(zip(words, values.tolist(), strict=True)):
        rule = trim_rule(word, count, min_count)
        if rule is None or rule is RULE_DEFAULT:
            continue
        if isinstance(rule, bool) or rule not in (RULE_DEFAULT, RULE_DISCARD, RULE_KEEP):
            raise ValueError(
                f"trim_rule must return RULE_KEEP (2), RULE_DISCARD (1) or RULE_DEFAULT (0), "
                f"got {rule!r} for {word!r}"
            )
        decisions[i] = rule
    return decisions


def _select(
    words: list[str],
    values: np.ndarray,
    min_count: int,
    max_final_vocab: int | None,
    trim_rule: TrimRule | None,
) -> tuple[list[str], np.ndarray, int]:
    """Apply the trimming and order the kept words; return (words, counts, effective min)."""
    decisions = _rule_decisions(words, values, min_count, trim_rule)
    positive = values > 0
    forced = positive & (decisions == RULE_KEEP)
    default = positive & (decisions == RULE_DEFAULT)
    effective = max(min_count, 1)
    if max_final_vocab is not None:
        default_counts = values[default]
        room = max_final_vocab - int(forced.sum())
        if int((default_counts >= effective).sum()) > room:
            if room <= 0:
                effective = int(default_counts.max()) + 1
            else:
                # The (room+1)-th largest count and every count tied with it must go.
                cut = -np.partition(-default_counts, room)[room]
                effective = max(effective, int(cut) + 1)
    keep = forced | (default & (values >= effective))
    kept_index = np.flatnonzero(keep)
    kept_words = [words[i] for i in kept_index.tolist()]
    kept_counts = values[kept_index]
    by_word = np.array(sorted(range(len(kept_words)), key=kept_words.__getitem__), dtype=np.intp)
    order = by_word[np.argsort(-kept_counts[by_word], kind="stable")]
    return [kept_words[i] for i in order.tolist()], kept_counts[order], effective


def _empty_vocabulary_error(words: list[str], values: np.ndarray, min_count: int) -> ValueError:
    if not words or not values.any():
        return ValueError(
            "no words to build a vocabulary from: the corpus is empty. Check that the "
            "sentences iterable is not exhausted (a generator can be read only once) and "
            "that each sentence is a non-empty list of str tokens."
        )
    return ValueError(
        f"no word survived the vocabulary trimming: {len(words)} distinct words were seen, "
        f"the most frequent {int(values.max())} times, but min_count={min_count} (with "
        "max_final_vocab / trim_rule, if given) kept none. Lower min_count (e.g. min_count=1 "
        "for a tiny corpus) or give more text."
    )


class Vocabulary:
    """Words ordered by descending count, their counts, and the tables built from them.

    Build one with :meth:`from_sentences` or :meth:`from_counts`; the constructor takes an
    already ordered vocabulary as it is (e.g. when loading a saved model).

    Parameters
    ----------
    index_to_key : sequence of str
        The words, in index order; distinct.
    counts : array_like of int
        Each word's count (>= 1), aligned with ``index_to_key``.
    total_words : int, optional
        Raw tokens in the counted corpus, including words trimmed away. Default: the sum
        of ``counts``.
    min_count : int, default 1
        The ``min_count`` that was asked for (kept for the record).
    effective_min_count : int, optional
        The ``min_count`` actually applied (raised by ``max_final_vocab``). Default:
        ``min_count``.
    min_reduce : int, default 1
        The counting's final ``min_reduce`` (see :class:`WordCounts`); 1 = no pruning.

    Attributes
    ----------
    index_to_key : list of str
    key_to_index : dict of str to int
    counts : numpy.ndarray
        ``int64``, shape ``(V,)``.
    total_words : int
    min_count, effective_min_count, min_reduce : int

    Notes
    -----
    The order built by :meth:`from_counts` is by descending count, ties broken by the
    word in code-point order, so it depends neither on ``PYTHONHASHSEED`` nor on the
    order of the input. :meth:`updated` appends new words after the old ones, so an
    updated vocabulary is no longer sorted as a whole; the tables do not require it.
    """

    def __init__(
        self,
        index_to_key: Sequence[str],
        counts: Any,
        *,
        total_words: int | None = None,
        min_count: int = 1,
        effective_min_count: int | None = None,
        min_reduce: int = 1,
    ) -> None:
        words = list(index_to_key)
        for word in words:
            if not isinstance(word, str):
                raise _token_type_error(word)
        array = np.asarray(counts)
        if array.size == 0:
            array = np.zeros(0, dtype=np.int64)
        if array.ndim != 1 or array.dtype.kind not in "iu":
            raise TypeError(
                f"counts must be a 1-d array of integers, got {array.dtype} {array.shape}"
            )
        if len(array) != len(words):
            raise ValueError(f"got {len(words)} words but {len(array)} counts")
        if array.size and array.min() < 1:
            raise ValueError("every word's count must be >= 1")
        key_to_index = dict(zip(words, range(len(words)), strict=True))
        if len(key_to_index) != len(words):
            seen: set[str] = set()
            dup = next(w for w in words if w in seen or seen.add(w))  # type: ignore[func-returns-value]
            raise ValueError(f"words must be distinct, {dup!r} appears more than once")
        self.index_to_key: list[str] = words
        self.key_to_index: dict[str, int] = key_to_index
        self.counts: np.ndarray = np.ascontiguousarray(array, dtype=np.int64)
        retained = sum(self.counts.tolist())  # Python ints: an int64 sum can overflow
        self.total_words: int = retained if total_words is None else int(total_words)
        self.min_count: int = int(min_count)
        self.effective_min_count: int = (
            self.min_count if effective_min_count is None else int(effective_min_count)
        )
        self.min_reduce: int = int(min_reduce)
        self._huffman: HuffmanCodes | None = None

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index

    def __repr__(self) -> str:
        head = ", ".join(self.index_to_key[:5]) + (", ..." if len(self) > 5 else "")
        return f"<Vocabulary of {len(self)} words [{head}], {self.total_words} tokens counted>"

    @classmethod
    def from_counts(
        cls,
        counts: Mapping[str, int] | WordCounts,
        *,
        min_count: int = 5,
        max_final_vocab: int | None = None,
        trim_rule: TrimRule | None = None,
        total_words: int | None = None,
    ) -> Vocabulary:
        """Build a vocabulary from word counts.

        Parameters
        ----------
        counts : mapping of str to int, or WordCounts
            Word counts, e.g. from :func:`count_words`. Words with count 0 are ignored.
        min_count : int, default 5
            Keep words seen at least this often (0 behaves as 1).
        max_final_vocab : int, optional
            Keep at most this many words by raising the effective ``min_count`` to the
            smallest value that leaves at most this many (as gensim does): words tied at
            the cut-off are all dropped, never split arbitrarily, so the result may be
            smaller. The value used is :attr:`effective_min_count`. Words that
            ``trim_rule`` keeps count toward the limit and are always kept, so if they
            alone exceed it the result is exactly those words.
        trim_rule : callable, optional
            ``trim_rule(word, count, min_count)`` returning :data:`RULE_KEEP`,
            :data:`RULE_DISCARD` or :data:`RULE_DEFAULT` (apply ``min_count``), as in
            gensim. It is called once per distinct word, with the ``min_count`` given
            here (before any raise by ``max_final_vocab``).
        total_words : int, optional
            Raw tokens in the corpus. Default: ``counts.total_words`` for a
            :class:`WordCounts`, else the sum of all counts given (trimmed words too).

        Returns
        -------
        Vocabulary
            Words ordered by descending count, ties by the word (code-point order).

        Raises
        ------
        ValueError
            If no word is kept (the message says how many distinct words were seen and
            the largest count), or an argument is out of range.
        TypeError
            If a word is not a str or a count not an integer.

        Examples
        --------
        >>> v = Vocabulary.from_counts({"b": 3, "a": 3, "c": 9, "d": 1}, min_count=2)
        >>> v.index_to_key, v.counts.tolist(), v.total_words
        (['c', 'a', 'b'], [9, 3, 3], 16)
        >>> Vocabulary.from_counts({"b": 3, "a": 3, "c": 9}, min_count=1,
        ...                        max_final_vocab=2).index_to_key
        ['c']
        """
        min_count = _check_int("min_count", min_count, 0)
        if max_final_vocab is not None:
            max_final_vocab = _check_int("max_final_vocab", max_final_vocab, 1)
        words, values, counted_total = _unpack_counts(counts)
        if total_words is not None:
            counted_total = _check_int("total_words", total_words, 0)
        kept, kept_counts, effective = _select(words, values, min_count, max_final_vocab, trim_rule)
        if not kept:
            raise _empty_vocabulary_error(words, values, min_count)
        return cls(
            kept,
            kept_counts,
            total_words=counted_total,
            min_count=min_count,
            effective_min_count=effective,
            min_reduce=counts.min_reduce if isinstance(counts, WordCounts) else 1,
        )

    @classmethod
    def from_sentences(
        cls,
        sentences: Iterable[Sequence[str]],
        *,
        min_count: int = 5,
        max_vocab_size: int | None = None,
        max_final_vocab: int | None = None,
        trim_rule: TrimRule | None = None,
        progress: Callable[[int], object] | None = None,
    ) -> Vocabulary:
        """Count ``sentences`` with :func:`count_words` and build with :meth:`from_counts`.

        Parameters
        ----------
        sentences : iterable of sequences of str
            Lists of str tokens.
        min_count, max_final_vocab, trim_rule
            As in :meth:`from_counts`.
        max_vocab_size, progress
            As in :func:`count_words`.

        Returns
        -------
        Vocabulary

        Raises
        ------
        TypeError, ValueError
            As :func:`count_words` and :meth:`from_counts`.

        Examples
        --------
        >>> v = Vocabulary.from_sentences([["a", "b"], ["a"]], min_count=2)
        >>> v.index_to_key, v.total_words
        (['a'], 3)
        """
        counted = count_words(sentences, max_vocab_size=max_vocab_size, progress=progress)
        return cls.from_counts(
            counted, min_count=min_count, max_final_vocab=max_final_vocab, trim_rule=trim_rule
        )

    def updated(
        self,
        counts: Mapping[str, int] | WordCounts,
        *,
        min_count: int = 5,
        trim_rule: TrimRule | None = None,
    ) -> Vocabulary:
        """Return a new vocabulary grown by more counts (``build_vocab(update=True)``).

        Existing words keep their indices and their counts grow by every new count (even
        one below ``min_count``); they are never removed. A new word is added when it
        passes ``min_count`` / ``trim_rule`` on the *new* counts alone (this vocabulary
        does not remember the words it dropped before, as in gensim). New words come
        after the old ones, by descending count then word. ``total_words`` adds up.

        Parameters
        ----------
        counts : mapping of str to int, or WordCounts
            Counts of the additional text.
        min_count : int, default 5
        trim_rule : callable, optional
            As in :meth:`from_counts`; applied to new words only.

        Returns
        -------
        Vocabulary

        Examples
        --------
        >>> v = Vocabulary.from_counts({"a": 5, "b": 2}, min_count=1)
        >>> w = v.updated({"c": 9, "b": 1, "d": 1}, min_count=2)
        >>> w.index_to_key, w.counts.tolist(), w.total_words
        (['a', 'b', 'c'], [5, 3, 9], 18)
        """
        min_count = _check_int("min_count", min_count, 0)
        words, values, new_total = _unpack_counts(counts)
        grown = self.counts.copy()
        fresh_words: list[str] = []
        fresh_counts: list[int] = []
        lookup = self.key_to_index.get
        for word, count in zip(words, values.tolist(), strict=True):
            index = lookup(word)
            if index is None:
                fresh_words.append(word)
                fresh_counts.append(count)
            else:
                grown[index] += count
        added, added_counts, _ = _select(
            fresh_words, np.array(fresh_counts, dtype=np.int64), min_count, None, trim_rule
        )
        return Vocabulary(
            self.index_to_key + added,
            np.concatenate([grown, added_counts]),
            total_words=self.total_words + new_total,
            min_count=min_count,
            effective_min_count=max(min_count, 1),
            min_reduce=max(self.min_reduce, getattr(counts, "min_reduce", 1)),
        )

    # ----------------------------------------------------------------- subsampling

    def keep_probabilities(self, sample: float) -> np.ndarray:
        """Probability of keeping each occurrence of each word under subsampling.

        word2vec.c's formula: with ``t = sample * counts.sum()``,
        ``p(w) = (sqrt(c_w / t) + 1) * t / c_w``, capped at 1. The total is the sum of the
        *retained* vocabulary's counts, as in word2vec.c and gensim (not
        :attr:`total_words`).

        Parameters
        ----------
        sample : float
            The threshold, in ``[0, 1)``; 0 disables subsampling (all ones).

        Returns
        -------
        numpy.ndarray
            ``float64``, shape ``(V,)``.

        Examples
        --------
        >>> v = Vocabulary.from_counts({"a": 10_000, "b": 10}, min_count=1)
        >>> v.keep_probabilities(1e-3).round(4).tolist()
        [0.0326, 1.0]
        """
        if not (isinstance(sample, (int, float, np.floating)) and 0 <= sample < 1):
            raise ValueError(f"sample must be a number in [0, 1), got {sample!r}")
        counts = self.counts.astype(np.float64)
        threshold = float(sample) * counts.sum()
        if threshold == 0:
            return np.ones(len(self), dtype=np.float64)
        keep = (np.sqrt(counts / threshold) + 1.0) * threshold / counts
        return np.minimum(keep, 1.0)

    def keep_thresholds(self, sample: float) -> np.ndarray:
        """Subsampling thresholds for the kernel: keep a word iff a random ``uint32 r <= thr``.

        ``thr = min(floor(p * 2**32), 2**32 - 1)`` with ``p`` from
        :meth:`keep_probabilities`, so a word with ``p == 1`` is always kept.

        Parameters
        ----------
        sample : float
            As in :meth:`keep_probabilities`.

        Returns
        -------
        numpy.ndarray
            ``uint32``, shape ``(V,)``.
        """
        scaled = np.floor(self.keep_probabilities(sample) * _U32)
        return np.minimum(scaled, _U32 - 1).astype(np.uint32)

    # ------------------------------------------------------------ negative sampling

    def noise_distribution(self, ns_exponent: float = 0.75) -> np.ndarray:
        """The negative-sampling distribution, proportional to ``counts ** ns_exponent``.

        Parameters
        ----------
        ns_exponent : float, default 0.75
            0 gives the uniform distribution; negative values favour rare words (as in
            gensim).

        Returns
        -------
        numpy.ndarray
            ``float64``, shape ``(V,)``, summing to 1.

        Examples
        --------
        >>> Vocabulary.from_counts({"a": 16, "b": 1}, min_count=1).noise_distribution(0.5)
        array([0.8, 0.2])
        """
        if not isinstance(ns_exponent, (int, float, np.floating)) or not math.isfinite(ns_exponent):
            raise ValueError(f"ns_exponent must be a finite number, got {ns_exponent!r}")
        weights = self.counts.astype(np.float64) ** float(ns_exponent)
        total = weights.sum()
        if not math.isfinite(total) or total <= 0:
            raise ValueError(
                f"counts ** {ns_exponent} overflows or vanishes; use an ns_exponent nearer 0"
            )
        return weights / total

    def alias_table(self, ns_exponent: float = 0.75) -> tuple[np.ndarray, np.ndarray]:
        """Walker's alias table for O(1) draws from :meth:`noise_distribution`.

        The kernel draws with a 64-bit random ``r``: column
        ``k = ((r >> 32) * V) >> 32``; it returns ``k`` if ``(r & 0xFFFFFFFF) < prob[k]``,
        else ``alias[k]``. A column that keeps all its mass stores ``2**32 - 1`` and
        ``alias[k] == k``, so the draw is exact.

        Each word's mass is first rounded to an integer number of units of
        ``2**-32 / V`` (largest remainders, so the units add up exactly); the table is
        then built in exact integer arithmetic, so the distribution it implies equals
        the rounded one exactly: within ``2**-32 / V`` of :meth:`noise_distribution`
        per word. Construction is vectorised (two cumulative sums matched by
        ``searchsorted``), O(V log V) in numpy.

        Parameters
        ----------
        ns_exponent : float, default 0.75

        Returns
        -------
        prob : numpy.ndarray
            ``uint32``, shape ``(V,)``: ``round(q_k * 2**32)`` for column ``k``'s own
            probability ``q_k``.
        alias : numpy.ndarray
            ``int32``, shape ``(V,)``.
        """
        q = self.noise_distribution(ns_exponent)
        n = len(q)
        if n >= 1 << 31:
            raise ValueError(f"alias tables support fewer than 2**31 words, got {n}")
        units = _integer_masses(q, n * _U32)
        prob = np.full(n, _U32, dtype=np.int64)
        alias = np.arange(n, dtype=np.int64)
        small = np.flatnonzero(units < _U32)
        large = np.flatnonzero(units > _U32)
        if small.size:
            # Lay the small columns' deficits and the large words' excesses end to end on
            # one line (both add up to the same total). A small column borrows from the
            # large word whose excess interval holds the start of its deficit; a large word
            # whose excess runs out inside a small deficit becomes a column itself, short by
            # the overshoot, and borrows that from the next large word (Vose's algorithm,
            # with the small and large queues visited in index order).
            deficit = _U32 - units[small]
            deficit_end = np.cumsum(deficit)
            excess_end = np.cumsum(units[large] - _U32)
            lender = np.searchsorted(excess_end, deficit_end - deficit, side="right")
            prob[small] = units[small]
            alias[small] = large[lender]
            overshoot = deficit_end[np.searchsorted(deficit_end, excess_end, side="left")]
            overshoot -= excess_end
            prob[large] = _U32 - overshoot
            alias[large[:-1]] = np.where(overshoot[:-1] > 0, large[1:], large[:-1])
        full = prob >= _U32
        prob[full] = _U32 - 1
        alias[full] = np.flatnonzero(full)
        return prob.astype(np.uint32), alias.astype(np.int32)

    # --------------------------------------------------------- hierarchical softmax

    def huffman_codes(self) -> HuffmanCodes:
        """Huffman codes of the words, built as word2vec.c's ``CreateBinaryTree``.

        The words are taken by descending count (ties by index) and merged with
        word2vec.c's two-queue O(V) procedure; a new inner node gives code 1 to its
        second-smallest child. Inner nodes are numbered in creation order ``0 .. V-2``, so
        the root is ``V - 2`` and every path starts there. Paths are listed from the root
        down. The result is cached (the arrays are shared: do not modify them).

        A vocabulary of one word has an empty code (no inner node): hierarchical softmax
        needs at least two words.

        Returns
        -------
        HuffmanCodes

        Examples
        --------
        >>> h = Vocabulary.from_counts({"a": 4, "b": 2, "c": 1}, min_count=1).huffman_codes()
        >>> [h.code(i).tolist() for i in range(3)], [h.path(i).tolist() for i in range(3)]
        ([[1], [0, 1], [0, 0]], [[1], [1, 0], [1, 0]])
        """
        if self._huffman is None:
            self._huffman = _build_huffman(self.counts)
        return self._huffman

    # ------------------------------------------------------------------------ memory

    def estimate_memory(self, vector_size: int, *, loss: str = "ns") -> dict[str, int]:
        """Bytes of the arrays training allocates for this vocabulary.

        Parameters
        ----------
        vector_size : int
            Dimension ``d``.
        loss : {"ns", "hs", "softmax"}
            Negative sampling, hierarchical softmax or full softmax.

        Returns
        -------
        dict of str to int
            ``input_vectors`` (V×d float32), ``output_vectors`` (V×d float32, (V-1)×d
            for "hs"), ``keep_thresholds`` (uint32), ``alias_table`` ("ns"),
            ``huffman`` (codes, points and offsets; "hs"), ``vocabulary`` (this object's
            words, dict, list and counts, measured with ``sys.getsizeof``) and ``total``.
            Per-thread work buffers are not included.

        Examples
        --------
        >>> v = Vocabulary.from_counts({"a": 4, "b": 2, "c": 1}, min_count=1)
        >>> m = v.estimate_memory(100)
        >>> m["input_vectors"], m["output_vectors"], m["alias_table"]
        (1200, 1200, 24)
        """
        vector_size = _check_int("vector_size", vector_size, 1)
        if loss not in _LOSSES:
            raise ValueError(f"loss must be one of {_LOSSES}, got {loss!r}")
        n = len(self)
        out_rows = max(n - 1, 0) if loss == "hs" else n
        result = {
            "input_vectors": n * vector_size * 4,
            "output_vectors": out_rows * vector_size * 4,
            "keep_thresholds": n * 4,
        }
        if loss == "ns":
            result["alias_table"] = n * (4 + 4)
        if loss == "hs":
            h = self.huffman_codes()
            result["huffman"] = h.codes.nbytes + h.points.nbytes + h.offsets.nbytes
        result["vocabulary"] = (
            sys.getsizeof(self.key_to_index)
            + sys.getsizeof(self.index_to_key)
            + sum(map(sys.getsizeof, self.index_to_key))
            + 32 * max(n - 256, 0)  # int objects for the indices above the cached small ints
            + self.counts.nbytes
        )
        result["total"] = sum(result.values())
        return result


def _integer_masses(q: np.ndarray, total: int) -> np.ndarray:
    """Round ``q * total`` to int64 that sum to ``total`` exactly (largest remainders)."""
    scaled = q * float(total)
    units = np.floor(scaled).astype(np.int64)
    missing = total - int(units.sum())
    if 0 < missing <= len(q):
        units[np.argpartition(-(scaled - np.floor(scaled)), missing - 1)[:missing]] += 1
    elif missing != 0:  # float rounding of q itself; at most a few units
        units[int(np.argmax(units))] += missing
    return units


def _build_huffman(counts: np.ndarray) -> HuffmanCodes:
    n = len(counts)
    if n < 2:
        return HuffmanCodes(
            codes=np.zeros(0, dtype=np.uint8),
            points=np.zeros(0, dtype=np.int32),
            offsets=np.zeros(n + 1, dtype=np.int64),
            max_length=0,
        )
    # Node ids as in word2vec.c: leaf p is the p-th word by descending count; inner node a
    # (created a-th) is n + a. Leaves are consumed from the smallest (p = n-1) upwards.
    order = np.argsort(-counts, kind="stable")
    leaf = counts[order][::-1].tolist()
    # Python ints throughout: the sums of large counts overflow int64 (the tree's
    # weights are compared, never stored in an array).
    sentinel = 2 * sum(counts.tolist()) + 1
    leaf.append(sentinel)
    inner = [sentinel] * n
    took_leaf = bytearray(2 * (n - 1))
    i = j = 0
    for a in range(n - 1):
        x, y = leaf[i], inner[j]
        if x < y:  # word2vec.c takes a leaf only when strictly smaller
            total = x
            i += 1
            took_leaf[2 * a] = 1
        else:
            total = y
            j += 1
        x, y = leaf[i], inner[j]
        if x < y:
            total += x
            i += 1
            took_leaf[2 * a + 1] = 1
        else:
            total += y
            j += 1
        inner[a] = total
    is_leaf = np.frombuffer(bytes(took_leaf), dtype=np.uint8).astype(bool)
    leaves_before = np.cumsum(is_leaf) - is_leaf
    picks = np.arange(2 * (n - 1))
    node = np.where(is_leaf, n - 1 - leaves_before, n + (picks - leaves_before))
    n_nodes = 2 * n - 1
    root = n_nodes - 1
    parent = np.empty(n_nodes, dtype=np.int64)
    parent[node] = n + picks // 2
    parent[root] = root
    bit = np.zeros(n_nodes, dtype=np.uint8)
    bit[node[1::2]] = 1
    # Depths by pointer jumping: log2(max depth) vectorised rounds.
    depth = np.ones(n_nodes, dtype=np.int64)
    depth[root] = 0
    up = parent.copy()
    while True:
        pending = up != root
        if not pending.any():
            break
        depth[pending] += depth[up[pending]]
        up[pending] = up[up[pending]]
    leaf_depth = depth[:n]  # by sorted position
    lengths = np.empty(n, dtype=np.int64)
    lengths[order] = leaf_depth
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    codes = np.empty(int(offsets[-1]), dtype=np.uint8)
    points = np.empty(int(offsets[-1]), dtype=np.int32)
    # Walk every leaf up at once, filling each path from its end back to the root.
    current = np.arange(n)
    where = offsets[order + 1] - 1
    while current.size:
        codes[where] = bit[current]
        up_node = parent[current]
        points[where] = up_node - n
        alive = up_node != root
        current = up_node[alive]
        where = where[alive] - 1
    return HuffmanCodes(codes, points, offsets, int(leaf_depth.max()))
