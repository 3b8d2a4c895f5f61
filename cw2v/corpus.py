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
import gzip
import io
import lzma
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Union

__all__ = ["Corpus", "FileCorpus", "IterableCorpus", "as_corpus", "check_sentence"]

Corpus = Union["FileCorpus", "IterableCorpus"]

#: Characters read per block from a file corpus. A line longer than this (a
#: text8-style file without newlines) is cut at a space and yielded in pieces.
BLOCK_CHARS = 1 << 20

_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


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

    def token_blocks(self) -> Iterator[Sequence[str]]:
        """The sentences themselves: counting does not need larger blocks."""
        return iter(self)

    def __repr__(self) -> str:
        return f"IterableCorpus({type(self.sentences).__name__})"


class FileCorpus:
    """Sentences read from text files, one sentence per line.

    Tokens are separated by whitespace. Files ending in ``.gz``, ``.bz2`` or
    ``.xz`` are decompressed on the fly. A directory stands for every regular
    file in it (hidden files excepted), in sorted order. A file is read in
    blocks of :data:`BLOCK_CHARS` characters, so a text8-style file with no
    newlines is never loaded whole: its one long line is yielded in pieces cut
    at spaces.

    Parameters
    ----------
    path : str or os.PathLike
        A file or a directory.
    encoding, errors : str
        How to decode the bytes, as for :func:`open`.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If ``path`` is a directory without files.
    """

    def __init__(self, path: str | os.PathLike, *, encoding: str = "utf-8", errors: str = "strict"):
        self.path = Path(path)
        self.encoding = encoding
        self.errors = errors
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

    def _open(self, path: Path) -> IO[str]:
        opener = _OPENERS.get(path.suffix.lower())
        if opener is None:
            return open(path, encoding=self.encoding, errors=self.errors)
        return io.TextIOWrapper(opener(path, "rb"), encoding=self.encoding, errors=self.errors)

    def text_blocks(self) -> Iterator[str]:
        """Yield the text in blocks that end at a line break or a space."""
        for path in self.files:
            with self._open(path) as handle:
                carry = ""
                while True:
                    chunk = handle.read(BLOCK_CHARS)
                    if not chunk:
                        break
                    text = carry + chunk
                    cut = text.rfind("\n") + 1 or text.rfind(" ") + 1
                    if cut == 0:
                        carry = text
                        continue
                    carry = text[cut:]
                    yield text[:cut]
                if carry:
                    yield carry

    def __iter__(self) -> Iterator[list[str]]:
        for block in self.text_blocks():
            for line in block.splitlines():
                tokens = line.split()
                if tokens:
                    yield tokens

    def token_blocks(self) -> Iterator[list[str]]:
        """Every token of the corpus, in large blocks (for fast counting)."""
        for block in self.text_blocks():
            yield block.split()

    def __repr__(self) -> str:
        return f"FileCorpus({str(self.path)!r})"


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
