"""A small public-domain English corpus bundled with cw2v, for demos and smoke tests.

``cw2v/data/sample.txt.gz`` holds 1,053,526 words on 36,674 lines (30,390 distinct
words, 9,635 of them seen at least 5 times), 1.7 MB compressed:

* the King James Bible (1611), one verse a line: 791,450 words;
* Ambrose Bierce, *The Devil's Dictionary* (1911), one paragraph a line: 58,541 words;
* the Jargon File 4.4.7 (2003), one paragraph a line: 203,535 words.

All three are in the public domain; they were taken from the Debian packages
``bible-kjv-text`` 4.38, ``dict-devil`` 1.0-13.1 and ``dict-jargon`` 4.4.7-3.1.
The text is folded to lowercase ASCII and every run of characters other than
``a-z0-9`` is one space, so a line is words separated by single spaces. Sources,
licence evidence, checksum and how to rebuild the file (``scripts/make_sample_corpus.py``)
are in ``cw2v/data/SAMPLE.md``.

Word2vec trained on it for a few epochs gives neighbours a person recognises
(``gold``: silver, brass; ``night``: morning, day; ``woman``: child, wife), in seconds.

Examples
--------
>>> from cw2v.datasets import sample_corpus
>>> corpus = sample_corpus()
>>> len(corpus)
36674
>>> sum(len(tokens) for tokens in corpus)
1053526
"""

from __future__ import annotations

import gzip
import itertools
import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

__all__ = [
    "SAMPLE_DISTINCT_WORDS",
    "SAMPLE_LINES",
    "SAMPLE_WORDS",
    "SampleCorpus",
    "describe",
    "sample_corpus",
    "sample_corpus_path",
]

SAMPLE_WORDS = 1_053_526
"""Number of words (tokens) in the bundled sample corpus."""
SAMPLE_LINES = 36_674
"""Number of lines (verses or paragraphs) in the bundled sample corpus."""
SAMPLE_DISTINCT_WORDS = 30_390
"""Number of distinct words in the bundled sample corpus."""

_SAMPLE_FILE = "sample.txt.gz"


def sample_corpus_path() -> Path:
    """Return the path of the bundled sample corpus, ``cw2v/data/sample.txt.gz``.

    The file is package data, so this works from a source checkout and from an
    installed wheel alike.

    Returns
    -------
    pathlib.Path
        Path of the gzip-compressed text file: one verse or paragraph a line,
        lowercase ASCII words separated by single spaces.

    Raises
    ------
    FileNotFoundError
        If the file is not on disk: cw2v was installed without its package data,
        or imported from a zip archive.

    Examples
    --------
    >>> from cw2v.datasets import sample_corpus_path
    >>> sample_corpus_path().name
    'sample.txt.gz'
    """
    resource = resources.files("cw2v") / "data" / _SAMPLE_FILE
    path = Path(str(resource))
    if not path.is_file():
        raise FileNotFoundError(
            f"the bundled sample corpus is missing ({path}): install cw2v from a wheel or "
            "source distribution that includes cw2v/data/, not from a zip archive; in a "
            "clone of the repository, rebuild it with scripts/make_sample_corpus.py"
        )
    return path


class SampleCorpus:
    """The sample corpus as a re-iterable of sentences (lists of str tokens).

    Every iteration reads the gzip file again from the start, so the object can be
    passed to anything that makes several passes (vocabulary scan, then epochs)
    without holding the corpus in memory.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A gzip-compressed text file with one sentence a line and tokens separated
        by whitespace. Defaults to the bundled sample, :func:`sample_corpus_path`.
    max_lines : int, optional
        Stop after this many sentences (for quick demos). Default: read them all.

    Attributes
    ----------
    path : pathlib.Path
        The file read.
    max_lines : int or None
        The limit given.

    Raises
    ------
    FileNotFoundError
        If *path* does not exist.
    ValueError
        If *max_lines* is negative.

    Examples
    --------
    >>> from cw2v.datasets import SampleCorpus
    >>> corpus = SampleCorpus(max_lines=100)
    >>> len(corpus)
    100
    >>> all(isinstance(word, str) for tokens in corpus for word in tokens)
    True
    """

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, max_lines: int | None = None
    ) -> None:
        self.path = sample_corpus_path() if path is None else Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"corpus file not found: {self.path}")
        if max_lines is not None and max_lines < 0:
            raise ValueError(f"max_lines must be None or >= 0, got {max_lines}")
        self.max_lines = max_lines
        self._len: int | None = None

    def __iter__(self) -> Iterator[list[str]]:
        with gzip.open(self.path, "rt", encoding="utf-8") as lines:
            sentences = (tokens for tokens in map(str.split, lines) if tokens)
            yield from itertools.islice(sentences, self.max_lines)

    def __len__(self) -> int:
        """Number of sentences an iteration yields (counted once, by reading the file)."""
        if self._len is None:
            self._len = sum(1 for _ in self)
        return self._len

    def __repr__(self) -> str:
        limit = "" if self.max_lines is None else f", max_lines={self.max_lines}"
        return f"{type(self).__name__}({str(self.path)!r}{limit})"


def sample_corpus(max_lines: int | None = None) -> SampleCorpus:
    """Return the bundled public-domain English sample corpus.

    Parameters
    ----------
    max_lines : int, optional
        Stop after this many sentences. Default: all 36,674.

    Returns
    -------
    SampleCorpus
        A re-iterable of token lists (1,053,526 words in all), read from
        :func:`sample_corpus_path` on every pass.

    See Also
    --------
    describe : the sources, licence and size of the corpus.

    Examples
    --------
    Train word vectors on it (a few seconds on two cores):

    >>> import cw2v
    >>> from cw2v.datasets import sample_corpus
    >>> model = cw2v.Word2Vec(sample_corpus(), vector_size=100, min_count=5)  # doctest: +SKIP
    >>> model.train().wv.most_similar("gold", topn=3)  # doctest: +SKIP

    Or look at the first sentence:

    >>> tokens = next(iter(sample_corpus(max_lines=1)))
    >>> tokens == [word.lower() for word in tokens]
    True
    """
    return SampleCorpus(max_lines=max_lines)


def describe() -> str:
    """Say what the bundled sample corpus is: sources, licence and size.

    Returns
    -------
    str
        A few lines of plain text.

    Examples
    --------
    >>> from cw2v.datasets import describe
    >>> print(describe().splitlines()[0])
    cw2v sample corpus: 1,053,526 words, 36,674 lines, 30,390 distinct words
    """
    return (
        f"cw2v sample corpus: {SAMPLE_WORDS:,} words, {SAMPLE_LINES:,} lines, "
        f"{SAMPLE_DISTINCT_WORDS:,} distinct words\n"
        "sources: King James Bible (1611; Debian bible-kjv-text 4.38), Ambrose Bierce's "
        "The Devil's Dictionary (1911; Debian dict-devil 1.0-13.1), "
        "the Jargon File 4.4.7 (Debian dict-jargon 4.4.7-3.1)\n"
        "licence: public domain (see cw2v/data/SAMPLE.md)\n"
        "format: lowercase ASCII, punctuation removed, one verse or paragraph a line"
    )
