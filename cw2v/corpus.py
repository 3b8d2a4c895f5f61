"""Sentence sources: in-memory iterables, files, folders and compressed files.

Everything that training reads goes through :func:`as_corpus`, which turns what
the user passed into a re-iterable of token lists (one ``list[str]`` per
sentence) and rejects, with a message saying what to pass instead, the inputs
that would silently train on garbage: a one-shot generator (it would be empty
on the second pass), a sentence given as a plain string (it would iterate over
characters) and tokens that are not strings.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import os
import queue
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from pathlib import Path
from typing import IO, Any, TypeVar, Union

import numpy as np

from cw2v import _core
from cw2v.vocab import WordCounts, count_words

__all__ = ["Corpus", "FileCorpus", "IterableCorpus", "as_corpus", "check_sentence"]

Corpus = Union["FileCorpus", "IterableCorpus"]
T = TypeVar("T")

#: Bytes read per block from a file corpus. A line longer than this (a
#: text8-style file without newlines) is cut at a space and yielded in pieces.
BLOCK_BYTES = 1 << 20

# What reading a damaged gzip, bzip2 or xz stream raises: gzip.BadGzipFile and bz2's
# "Invalid data stream" are OSErrors, a truncated stream raises EOFError.
_DECOMPRESSION_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
)
_open_gzip: Callable[..., IO[bytes]] = gzip.open  # type: ignore[assignment]
try:
    # ISA-L's gzip decoder reads a corpus about 3.5x faster than zlib's: a dependency on
    # the platforms it has wheels for, zlib elsewhere.
    from isal import igzip, isal_zlib
except ImportError:  # pragma: no cover - depends on the platform
    pass
else:
    _open_gzip = igzip.open
    _DECOMPRESSION_ERRORS += (isal_zlib.error,)  # type: ignore[operator]  # a class, stubbed as an instance

_OPENERS: dict[str, Callable[..., IO[bytes]]] = {
    ".gz": _open_gzip,
    ".bz2": bz2.open,
    ".xz": lzma.open,
}
#: Decoding error handlers that give back the original bytes when the word is encoded
#: again with the same handler.
_ROUND_TRIP_ERRORS = ("strict", "surrogateescape", "surrogatepass")
_CHECKERS = {".gz": "gzip -t", ".bz2": "bzip2 -t", ".xz": "xz -t"}


def read_ahead(items: Iterator[T], depth: int = 4) -> Iterator[T]:
    """Yield from ``items``, produced ``depth`` ahead by a background thread.

    For blocks of a compressed file: decompression releases the GIL, so it
    runs while the consumer works. An exception in the producer is re-raised
    here; closing this generator early stops the producer.
    """
    buffer: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        buffer.put((True, item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put((False, None))
        except BaseException as exc:
            buffer.put((False, exc))

    thread = threading.Thread(target=produce, name="cw2v-reader", daemon=True)
    thread.start()
    try:
        while True:
            more, item = buffer.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                buffer.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.1)


def check_sentence(sentence: object, position: int) -> None:
    """Raise ``TypeError`` if ``sentence`` is not a sequence of str tokens.

    Only the first token is inspected, so the check costs nothing per token.

    Parameters
    ----------
    sentence : object
        One item of the corpus.
    position : int
        Its index in the corpus, for the message.

    Raises
    ------
    TypeError
        If the sentence is a plain string or its first token is not a str.
    """
    if isinstance(sentence, (str, bytes)):
        raise TypeError(
            f"sentence {position} is a {type(sentence).__name__}, not a list of tokens: "
            f"iterating over it would train on single characters. Split it first, e.g. "
            f"[line.split() for line in lines], or pass a file path as the corpus."
        )
    if isinstance(sentence, Sequence) and len(sentence) and not isinstance(sentence[0], str):
        raise TypeError(
            f"sentence {position} holds a token of type {type(sentence[0]).__name__} "
            f"({sentence[0]!r}); tokens must be str. Convert them, e.g. "
            f"[str(token) for token in sentence]."
        )


class IterableCorpus:
    """A re-iterable of token sequences given in memory.

    Parameters
    ----------
    sentences : iterable of sequences of str
        Anything whose ``__iter__`` starts over on every call (a list, a tuple,
        or a class with an ``__iter__`` method).
    """

    def __init__(self, sentences: Iterable[Sequence[str]]):
        self.sentences = sentences

    def __iter__(self) -> Iterator[Sequence[str]]:
        for position, sentence in enumerate(self.sentences):
            check_sentence(sentence, position)
            yield sentence

    def count(
        self,
        *,
        max_vocab_size: int | None = None,
        progress: Callable[[int], object] | None = None,
        min_count: int = 1,
    ) -> WordCounts:
        """Count the words (see :func:`cw2v.vocab.count_words`).

        ``min_count`` is accepted for symmetry with :meth:`FileCorpus.count`;
        in-memory counts keep every word.
        """
        return count_words(self, max_vocab_size=max_vocab_size, progress=progress)

    def total_words(self) -> int:
        """Tokens in one pass."""
        return sum(len(sentence) for sentence in self)

    def encoded_chunks(
        self, index_to_key: Sequence[str], key_to_index: Mapping[str, int], chunk_words: int
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Word ids of one pass, in chunks of whole sentences.

        Each chunk is ``(ids, offsets)``: int32 ids (-1 for unknown words) and
        int64 sentence offsets starting at 0. A chunk holds at least
        ``chunk_words`` words, except the last.
        """
        lookup = key_to_index.get
        ids: list[int] = []
        ends: list[int] = [0]
        for sentence in self:
            ids.extend(map(lookup, sentence, repeat(-1)))
            ends.append(len(ids))
            if len(ids) >= chunk_words:
                yield np.array(ids, dtype=np.int32), np.array(ends, dtype=np.int64)
                ids, ends = [], [0]
        if ids:
            yield np.array(ids, dtype=np.int32), np.array(ends, dtype=np.int64)

    def __repr__(self) -> str:
        return f"IterableCorpus({type(self.sentences).__name__})"


class FileCorpus:
    """Sentences read from text files, one sentence per line.

    Tokens are separated by ASCII whitespace (space, tab, carriage return,
    line feed, vertical tab, form feed) and a line feed ends a sentence.
    Files ending in ``.gz``, ``.bz2`` or ``.xz`` are decompressed on the fly.
    A directory stands for every regular file in it (hidden files excepted),
    in sorted order. Files are read in blocks of :data:`BLOCK_BYTES` bytes, so
    a text8-style file with no newlines is never loaded whole: its one long
    line is cut at spaces into pieces.

    Counting and encoding for training run in compiled code on the raw bytes
    (no Python object per token, the GIL released); iterating yields decoded
    token lists like any other corpus.

    Parameters
    ----------
    path : str or os.PathLike
        A file or a directory.
    encoding : str, default "utf-8"
        The text's encoding; it must encode ASCII as ASCII (UTF-8, Latin-1,
        cp1252 ... but not UTF-16).
    errors : str, default "strict"
        How to handle bytes that do not decode, as for :meth:`bytes.decode`.
        With ``"strict"`` an undecodable word raises ``UnicodeDecodeError``
        (naming the file) when the vocabulary is built. With
        ``"surrogateescape"`` such a word keeps its bytes and trains like any
        other; with ``"replace"`` it is counted under its replaced form, but
        treated as unknown in training.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If ``path`` is a directory without files, or the encoding does not
        encode ASCII as ASCII. Reading raises ``ValueError`` naming the file
        if a compressed file is damaged or truncated.
    """

    def __init__(self, path: str | os.PathLike, *, encoding: str = "utf-8", errors: str = "strict"):
        self.path = Path(path)
        self.encoding = codecs.lookup(encoding).name
        self.errors = errors
        if " \t\nazAZ09".encode(self.encoding, "replace") != b" \t\nazAZ09":
            raise ValueError(
                f"encoding {encoding!r} does not encode ASCII as ASCII; convert the corpus to "
                f"UTF-8 (e.g. iconv -f {encoding} -t utf-8)"
            )
        if self.path.is_dir():
            self.files = sorted(
                p for p in self.path.iterdir() if p.is_file() and not p.name.startswith(".")
            )
            if not self.files:
                raise ValueError(f"the corpus directory {str(self.path)!r} holds no files")
        elif self.path.is_file():
            self.files = [self.path]
        else:
            raise FileNotFoundError(
                f"corpus file {str(self.path)!r} does not exist; pass an existing file or "
                f"directory, or a list of token lists"
            )

    def byte_blocks(self) -> Iterator[bytes]:
        """Yield the raw text in blocks that end at a line feed or a space.

        Raises
        ------
        ValueError
            If a compressed file is damaged or truncated (naming the file).
        """
        for path in self.files:
            yield from self._file_blocks(path)

    def _file_blocks(self, path: Path) -> Iterator[bytes]:
        suffix = path.suffix.lower()
        opener = _OPENERS.get(suffix, open)
        with opener(path, "rb") as handle:
            carry = b""
            done = 0
            while True:
                try:
                    chunk = handle.read(BLOCK_BYTES)
                except _DECOMPRESSION_ERRORS as err:
                    if suffix not in _OPENERS:  # an I/O error of a plain file: not the data
                        raise
                    raise ValueError(
                        f"corpus file {str(path)!r} cannot be decompressed ({suffix[1:]}) "
                        f"after {done} bytes of text: {err}; the file is damaged or "
                        f"truncated (check it with e.g. `{_CHECKERS[suffix]} {path.name}`)"
                    ) from None
                if not chunk:
                    break
                done += len(chunk)
                data = carry + chunk if carry else chunk
                cut = data.rfind(b"\n") + 1 or data.rfind(b" ") + 1
                if cut == 0:
                    carry = data
                    continue
                carry = data[cut:]
                yield data[:cut]
            if carry:
                yield carry

    def _decode_error(self, err: UnicodeDecodeError, where: Path) -> UnicodeDecodeError:
        """``err`` with the file and the ways out in its message (same type, so that
        callers catching UnicodeDecodeError still do)."""
        return UnicodeDecodeError(
            err.encoding,
            err.object,
            err.start,
            err.end,
            f"{err.reason}, in the word {bytes(err.object)!r} of the corpus {str(where)!r}; "
            f"read it as FileCorpus(path, encoding=...) with its real encoding, or with "
            f"errors='replace' (or 'surrogateescape') to keep such words",
        )

    def __iter__(self) -> Iterator[list[str]]:
        encoding, errors = self.encoding, self.errors
        for path in self.files:
            for block in self._file_blocks(path):
                for line in block.split(b"\n"):
                    tokens = line.split()
                    if tokens:
                        try:
                            yield [token.decode(encoding, errors) for token in tokens]
                        except UnicodeDecodeError as err:
                            raise self._decode_error(err, path) from None

    def count(
        self,
        *,
        max_vocab_size: int | None = None,
        progress: Callable[[int], object] | None = None,
        min_count: int = 1,
    ) -> WordCounts:
        """Count the words in compiled code.

        Same result as :func:`cw2v.vocab.count_words` over the sentences,
        with the same pruning rule under ``max_vocab_size`` (applied after
        each block of :data:`BLOCK_BYTES` bytes). Decompression runs in a
        second thread while the counting runs without the GIL.

        Parameters
        ----------
        max_vocab_size, progress
            As for :func:`cw2v.vocab.count_words`.
        min_count : int, default 1
            Leave out of ``counts`` the words seen fewer times (they still
            count in ``total_words``); saves turning every rare word into a
            Python string when only the vocabulary is wanted.
        """
        table = _core.TokenTable()
        total = blocks = 0
        min_reduce, peak = 1, 0
        for block in read_ahead(self.byte_blocks()):
            total += table.count(block)
            blocks += 1
            if max_vocab_size is not None and len(table) > max_vocab_size:
                peak = max(peak, len(table))
                while len(table) > max_vocab_size:
                    min_reduce = max(min_reduce, table.min_value())
                    table.prune(min_reduce)
                    min_reduce += 1
            if progress is not None:
                progress(total)
        peak = max(peak, len(table))
        counts: Counter[str] = Counter()
        try:
            for key, count in table.items(min_count):
                counts[key.decode(self.encoding, self.errors)] += count
        except UnicodeDecodeError as err:
            raise self._decode_error(err, self.path) from None
        return WordCounts(counts, total, blocks, min_reduce, peak)

    def text_pieces(self, piece_words: int) -> Iterator[tuple[bytes, int]]:
        """The raw text of one pass in pieces of about ``piece_words`` tokens.

        Each piece ends at a line break (within a line only if the line is
        half again as long as a piece) and comes with its number of tokens,
        cut and counted in one compiled pass (:func:`cw2v._core.split_text`).
        Training hands the pieces to the worker threads, which encode them
        with :meth:`cw2v._core.TokenTable.encode`.
        """
        for block in self.byte_blocks():
            for start, stop, tokens in _core.split_text(block, piece_words):
                yield block[start:stop], tokens

    def total_words(self) -> int:
        """Tokens in one pass, counted in compiled code."""
        return sum(_core.count_tokens(block) for block in self.byte_blocks())

    def encoded_chunks(
        self, index_to_key: Sequence[str], key_to_index: Mapping[str, int], chunk_words: int
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Word ids of one pass, block by block, encoded in compiled code.

        See :meth:`IterableCorpus.encoded_chunks`; here a chunk is one block
        of :data:`BLOCK_BYTES` bytes, whatever ``chunk_words``.
        """
        table = self.token_table(index_to_key)
        for block in self.byte_blocks():
            yield table.encode(block)

    def token_table(self, words: Sequence[str]) -> _core.TokenTable:
        """A compiled table mapping the raw bytes of each word in this corpus to its
        index in ``words``.

        Each word is encoded back with the corpus's ``encoding`` and, when they give the
        original bytes back (``"surrogateescape"``, ``"surrogatepass"``), its ``errors``.
        A word that cannot be encoded so (one decoded with ``errors="replace"``, or from
        another source) cannot occur in this text as such: it gets a key that matches
        no token.

        Parameters
        ----------
        words : sequence of str
            The vocabulary, in index order.

        Returns
        -------
        cw2v._core.TokenTable

        Raises
        ------
        ValueError
            If two words encode to the same bytes.
        """
        errors = self.errors if self.errors in _ROUND_TRIP_ERRORS else "strict"
        try:
            return _core.TokenTable.from_words(words, self.encoding, errors)
        except UnicodeEncodeError:
            pass
        # A key holding a space never matches: tokens are split at spaces.
        keys = [
            word if _encodes(word, self.encoding, errors) else f" {index}"
            for index, word in enumerate(words)
        ]
        return _core.TokenTable.from_words(keys, self.encoding, errors)

    def __repr__(self) -> str:
        return f"FileCorpus({str(self.path)!r})"


def _encodes(word: str, encoding: str, errors: str) -> bool:
    try:
        word.encode(encoding, errors)
    except UnicodeEncodeError:
        return False
    return True


def as_corpus(sentences: object) -> Corpus:
    """Turn what the user passed as ``sentences`` into a re-iterable corpus.

    Parameters
    ----------
    sentences : str, os.PathLike, FileCorpus, IterableCorpus or iterable
        A path is a file corpus (see :class:`FileCorpus`); any other iterable
        must yield token sequences and start over on each iteration.

    Returns
    -------
    FileCorpus or IterableCorpus

    Raises
    ------
    TypeError
        For a one-shot iterator (a generator, ``map``, a file handle) or
        anything that is not iterable.
    """
    if isinstance(sentences, (FileCorpus, IterableCorpus)):
        return sentences
    if isinstance(sentences, (str, os.PathLike)):
        return FileCorpus(sentences)
    if isinstance(sentences, bytes):
        raise TypeError("pass the corpus path as str or pathlib.Path, not bytes")
    try:
        iterator = iter(sentences)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(
            f"sentences must be a file path or an iterable of token lists, "
            f"got {type(sentences).__name__}"
        ) from None
    if iterator is sentences:
        raise TypeError(
            f"sentences is a one-shot iterator ({type(sentences).__name__}): training reads the "
            f"corpus once to build the vocabulary and once per epoch. Pass a list, a file path, "
            f"or an object whose __iter__ starts over (e.g. a class that re-opens its file)."
        )
    return IterableCorpus(sentences)  # type: ignore[arg-type]
