"""KeyedVectors: a float32 matrix of word vectors with its words, and similarity queries.

`KeyedVectors` is what ``model.wv`` is. It holds one (V, d) float32 C-contiguous array,
``vectors``, whose row ``i`` is the vector of ``index_to_key[i]``. A model orders rows by
descending word count, so "the first N rows" are the N most frequent words; the
``restrict_vocab`` arguments rely on this.

Every query runs as one matrix-vector or matrix-matrix product over the vocabulary;
the top-n search uses ``np.argpartition``. Cosine similarities use row norms that are
computed once and cached; code that writes into ``vectors`` in place (training) calls
`KeyedVectors.mark_changed` afterwards.

The query methods follow gensim's ``KeyedVectors`` (names, arguments and results), with
these deliberate differences:

* an unknown word always raises ``KeyError`` naming the word (gensim silently ignores
  unknown words in ``n_similarity`` and ``doesnt_match``);
* a query with no words raises ``ValueError`` (``n_similarity`` included);
* equal similarities are ordered by row (the more frequent word first);
* a zero vector has cosine 0 with everything instead of ``nan``;
* ``most_similar_cosmul`` honours ``restrict_vocab``.

Examples
--------
>>> import numpy as np
>>> from cw2v.vectors import KeyedVectors
>>> wv = KeyedVectors(["cat", "dog", "car"], np.array([[1, 0.1], [1, 0.2], [0, 1]], np.float32))
>>> wv.most_similar("cat", topn=1)[0][0]
'dog'
>>> round(wv.similarity("cat", "car"), 3)
0.1
"""

from __future__ import annotations

import collections
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np

if TYPE_CHECKING:
    from cw2v.evaluate import AnalogyResult, PairsResult

__all__ = ["KeyedVectors"]

FORMAT_NAME = "cw2v.KeyedVectors"
FORMAT_VERSION = 1

PathLike = Union[str, "os.PathLike[str]"]
# A word, a row position, or a raw vector; optionally paired with a weight.
Query = Any

_KEY_TYPES = (str, int, np.integer)

# Rows x queries per block in batched queries: 2**24 float32 scores is 64 MB.
_BLOCK_ELEMENTS = 1 << 24


class KeyedVectors:
    """Word vectors: a (V, d) float32 matrix, its words, and similarity queries.

    Parameters
    ----------
    keys : sequence of str
        The words, one per row of `vectors`, in row order.
    vectors : numpy.ndarray
        Array of shape (V, d). A float32 C-contiguous array is kept as given (not
        copied), so training that writes into it is seen here; anything else is
        converted to a new float32 C-contiguous array.
    counts : numpy.ndarray, optional
        Corpus count of each word, shape (V,); stored as int64.

    Attributes
    ----------
    vectors : numpy.ndarray
        The (V, d) float32 matrix. Assigning a new array clears the cached norms.
    index_to_key : list of str
        The word of each row.
    key_to_index : dict of str to int
        The row of each word.
    counts : numpy.ndarray or None
        int64 counts, shape (V,), if known.

    Raises
    ------
    ValueError
        If `vectors` is not 2-D, if its row count differs from the number of keys or
        counts, or if a key occurs twice.

    Examples
    --------
    >>> import numpy as np
    >>> wv = KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32))
    >>> wv["a"]
    array([1., 0.], dtype=float32)
    >>> "b" in wv, len(wv), wv.vector_size
    (True, 2, 2)
    """

    def __init__(
        self,
        keys: Sequence[str],
        vectors: np.ndarray,
        counts: np.ndarray | None = None,
    ) -> None:
        if isinstance(keys, str):
            raise TypeError("keys must be a sequence of words, not a single string")
        self.index_to_key: list[str] = list(keys)
        self.key_to_index: dict[str, int] = {k: i for i, k in enumerate(self.index_to_key)}
        if len(self.key_to_index) != len(self.index_to_key):
            dupes = [k for k, n in collections.Counter(self.index_to_key).items() if n > 1]
            raise ValueError(
                f"duplicate keys: {dupes[:5]!r}{' ...' if len(dupes) > 5 else ''}; "
                "every word must occur once"
            )
        self._norms: np.ndarray | None = None
        self._vectors = self._check_vectors(vectors)
        self.counts = self._check_counts(counts)

    # ------------------------------------------------------------------ storage

    def _check_vectors(self, vectors: np.ndarray) -> np.ndarray:
        arr = np.asarray(vectors)
        if arr.ndim != 2:
            raise ValueError(
                f"vectors must be a 2-D array (words x dimensions), got shape {arr.shape}"
            )
        if arr.shape[0] != len(self.index_to_key):
            raise ValueError(
                f"vectors has {arr.shape[0]} rows but there are {len(self.index_to_key)} keys; "
                "give one row per key"
            )
        if arr.dtype != np.float32 or not arr.flags.c_contiguous:
            arr = np.ascontiguousarray(arr, dtype=np.float32)
        return arr

    def _check_counts(self, counts: np.ndarray | None) -> np.ndarray | None:
        if counts is None:
            return None
        arr = np.asarray(counts)
        if arr.shape != (len(self.index_to_key),):
            raise ValueError(
                f"counts has shape {arr.shape} but there are {len(self.index_to_key)} keys; "
                "give one count per key"
            )
        return np.ascontiguousarray(arr, dtype=np.int64)

    @property
    def vectors(self) -> np.ndarray:
        """The (V, d) float32 matrix; row ``i`` is the vector of ``index_to_key[i]``."""
        return self._vectors

    @vectors.setter
    def vectors(self, value: np.ndarray) -> None:
        self._vectors = self._check_vectors(value)
        self._norms = None

    @property
    def vector_size(self) -> int:
        """Number of dimensions ``d``."""
        return int(self._vectors.shape[1])

    def mark_changed(self) -> None:
        """Forget the cached norms after ``vectors`` was modified in place.

        Call this after writing into ``vectors`` (training does); the next query
        recomputes the norms.

        Examples
        --------
        >>> import numpy as np
        >>> wv = KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32))
        >>> wv.vectors[0] *= 3
        >>> wv.mark_changed()
        >>> float(wv.norms[0])
        3.0
        """
        self._norms = None

    def fill_norms(self, force: bool = False) -> None:
        """Compute the row norms if they are not cached (or always, with `force`)."""
        if self._norms is None or force:
            self._norms = np.linalg.norm(self._vectors, axis=1)

    @property
    def norms(self) -> np.ndarray:
        """Euclidean norm of each row, float32 shape (V,); cached until changed."""
        self.fill_norms()
        assert self._norms is not None
        return self._norms

    def _divisors(self, stop: int | None = None) -> np.ndarray:
        """Row norms with zeros replaced by one, so a zero row stays a zero unit row."""
        norms = self.norms if stop is None else self.norms[:stop]
        return np.where(norms > 0, norms, np.float32(1))

    def get_normed_vectors(self) -> np.ndarray:
        """Return all vectors scaled to unit length, a new (V, d) float32 array.

        A zero vector stays zero.

        Examples
        --------
        >>> import numpy as np
        >>> wv = KeyedVectors(["a"], np.array([[3, 4]], np.float32))
        >>> wv.get_normed_vectors()
        array([[0.6, 0.8]], dtype=float32)
        """
        return self._vectors / self._divisors()[:, None]

    # ------------------------------------------------------------------ lookup

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.index_to_key)

    def __contains__(self, key: object) -> bool:
        return key in self.key_to_index

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} keys, vector_size={self.vector_size})"

    def get_index(self, key: str | int | np.integer, default: int | None = None) -> int:
        """Return the row of `key`.

        Parameters
        ----------
        key : str or int
            A word, or a row position (returned as is when in range), as in gensim.
        default : int, optional
            Returned for an unknown key instead of raising.

        Returns
        -------
        int
            The row index.

        Raises
        ------
        KeyError
            If `key` is unknown and no `default` is given; the message names the word.

        Examples
        --------
        >>> import numpy as np
        >>> wv = KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32))
        >>> wv.get_index("b"), wv.get_index("zzz", default=-1)
        (1, -1)
        """
        index = self.key_to_index.get(key, -1) if isinstance(key, str) else -1
        if index >= 0:
            return index
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            if 0 <= key < len(self.index_to_key):
                return int(key)
        if default is not None:
            return default
        raise KeyError(f"word {key!r} not in vocabulary")

    def _indices(self, keys: Iterable[str | int]) -> np.ndarray:
        return np.fromiter((self.get_index(k) for k in keys), dtype=np.intp)

    def get_vector(self, key: str | int, norm: bool = False) -> np.ndarray:
        """Return the vector of `key`.

        Parameters
        ----------
        key : str or int
            A word (or row position).
        norm : bool, default False
            Return the vector scaled to unit length.

        Returns
        -------
        numpy.ndarray
            Shape (d,). Without `norm`, a read-only view of the row.

        Raises
        ------
        KeyError
            If the word is unknown.

        Examples
        --------
        >>> import numpy as np
        >>> wv = KeyedVectors(["a"], np.array([[3, 4]], np.float32))
        >>> wv.get_vector("a", norm=True)
        array([0.6, 0.8], dtype=float32)
        """
        index = self.get_index(key)
        if norm:
            return self._vectors[index] / self._divisors()[index]
        view = self._vectors[index]
        view.flags.writeable = False  # writing here would leave the cached norms stale
        return view

    def __getitem__(self, key_or_keys: str | int | Iterable[str | int]) -> np.ndarray:
        if isinstance(key_or_keys, _KEY_TYPES):
            return self.get_vector(key_or_keys)
        return self._vectors[self._indices(key_or_keys)]

    def __setitem__(self, keys: str | Sequence[str], weights: np.ndarray) -> None:
        """Add or replace vectors: ``wv["w"] = vec`` is ``add_vectors(..., replace=True)``."""
        self.add_vectors(keys, weights, replace=True)

    # ------------------------------------------------------------------ changes

    def add_vectors(
        self,
        keys: str | Sequence[str],
        weights: np.ndarray | Sequence[np.ndarray],
        replace: bool = False,
    ) -> None:
        """Append new words with their vectors; keep (or replace) vectors of known words.

        New words go after the existing rows; ``counts``, if present, gets 0 for them.
        Appending makes a new ``vectors`` array (the old one is no longer updated).

        Parameters
        ----------
        keys : str or sequence of str
            The words; a single word takes a single vector.
        weights : numpy.ndarray or sequence of numpy.ndarray
            Their vectors, shape (len(keys), d), or (d,) for a single word.
        replace : bool, default False
            Overwrite the vectors of words already present; otherwise they are kept.

        Raises
        ------
        ValueError
            If the vectors' dimension differs from `vector_size`, if the numbers of
            keys and vectors differ, or if a word occurs twice in `keys`.

        Examples
        --------
        >>> import numpy as np
        >>> wv = KeyedVectors(["a"], np.ones((1, 2), np.float32))
        >>> wv.add_vectors(["b", "a"], np.zeros((2, 2)))
        >>> wv.index_to_key, wv["a"].tolist()
        (['a', 'b'], [1.0, 1.0])
        """
        if isinstance(keys, str):
            keys = [keys]
            arr = np.asarray(weights, dtype=np.float32).reshape(1, -1)
        else:
            keys = list(keys)
            arr = np.asarray(weights, dtype=np.float32)
            if arr.ndim == 1 and len(keys) == 1:
                arr = arr.reshape(1, -1)
        if arr.ndim != 2:
            raise ValueError(f"weights must be 2-D (words x dimensions), got shape {arr.shape}")
        if arr.shape[1] != self.vector_size:
            raise ValueError(
                f"vectors have dimension {arr.shape[1]} but these KeyedVectors have "
                f"dimension {self.vector_size}"
            )
        if arr.shape[0] != len(keys):
            raise ValueError(f"got {len(keys)} keys but {arr.shape[0]} vectors")
        if len(set(keys)) != len(keys):
            dupes = [k for k, n in collections.Counter(keys).items() if n > 1]
            raise ValueError(f"duplicate keys in add_vectors: {dupes[:5]!r}")

        present = np.fromiter((k in self.key_to_index for k in keys), dtype=bool, count=len(keys))
        if replace and present.any():
            rows = self._indices(k for k, p in zip(keys, present, strict=True) if p)
            self._vectors[rows] = arr[present]
        new_keys = [k for k, p in zip(keys, present, strict=True) if not p]
        if new_keys:
            start = len(self.index_to_key)
            self.index_to_key.extend(new_keys)
            self.key_to_index.update((k, start + i) for i, k in enumerate(new_keys))
            self._vectors = np.concatenate([self._vectors, arr[~present]])
            if self.counts is not None:
                self.counts = np.concatenate([self.counts, np.zeros(len(new_keys), np.int64)])
        self._norms = None

    # ------------------------------------------------------------------ queries

    def get_mean_vector(
        self,
        keys: Sequence[Query],
        weights: Sequence[float] | np.ndarray | None = None,
        pre_normalize: bool = True,
        post_normalize: bool = False,
        ignore_missing: bool = True,
    ) -> np.ndarray:
        """Return the weighted mean of the vectors of `keys`.

        The sum of ``weight * vector`` is divided by the sum of ``|weight|`` over the
        keys used, as in gensim.

        Parameters
        ----------
        keys : sequence of (str or int or numpy.ndarray)
            Words, row positions, or raw vectors of shape (d,).
        weights : sequence of float, optional
            One weight per key; all 1 by default.
        pre_normalize : bool, default True
            Scale each word's vector to unit length first (raw vectors are used as given).
        post_normalize : bool, default False
            Scale the result to unit length.
        ignore_missing : bool, default True
            Skip unknown words; if False, raise ``KeyError``.

        Returns
        -------
        numpy.ndarray
            float32, shape (d,); zeros if no key was used.

        Raises
        ------
        ValueError
            If `keys` is empty or `weights` has another length.
        KeyError
            If a word is unknown and `ignore_missing` is False.

        Examples
        --------
        >>> import numpy as np
        >>> wv = KeyedVectors(["a", "b"], np.array([[2, 0], [0, 4]], np.float32))
        >>> wv.get_mean_vector(["a", "b"])
        array([0.5, 0.5], dtype=float32)
        """
        if len(keys) == 0:
            raise ValueError("cannot compute a mean of no words; give at least one key")
        w = np.ones(len(keys)) if weights is None else np.asarray(weights, dtype=np.float64)
        if w.shape != (len(keys),):
            raise ValueError(f"got {len(keys)} keys but weights of shape {w.shape}")
        rows, row_w, raws, raw_w = [], [], [], []
        for key, weight in zip(keys, w, strict=True):
            if isinstance(key, np.ndarray):
                raws.append(self._check_query_vector(key))
                raw_w.append(weight)
                continue
            index = self.get_index(key, default=-1)
            if index < 0:
                if not ignore_missing:
                    raise KeyError(f"word {key!r} not in vocabulary")
                continue
            rows.append(index)
            row_w.append(weight)
        mean = np.zeros(self.vector_size)
        if rows:
            picked = self._vectors[rows].astype(np.float64)
            if pre_normalize:
                picked /= self._divisors()[rows, None]
            mean += np.asarray(row_w) @ picked
        if raws:
            mean += np.asarray(raw_w) @ np.asarray(raws, dtype=np.float64)
        total = float(np.abs(row_w).sum() + np.abs(raw_w).sum())
        if total > 0:
            mean /= total
        if post_normalize:
            length = np.linalg.norm(mean)
            if length > 0:
                mean /= length
        return mean.astype(np.float32)

    def _check_query_vector(self, vector: np.ndarray) -> np.ndarray:
        if vector.shape != (self.vector_size,):
            raise ValueError(
                f"query vector has shape {vector.shape}; expected ({self.vector_size},)"
            )
        return vector

    def _stop(self, restrict_vocab: int | None) -> int:
        if restrict_vocab is None:
            return len(self.index_to_key)
        if isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, (int, np.integer)):
            raise TypeError(f"restrict_vocab must be an int or None, got {restrict_vocab!r}")
        if restrict_vocab < 1:
            raise ValueError(f"restrict_vocab must be at least 1, got {restrict_vocab}")
        return min(int(restrict_vocab), len(self.index_to_key))

    def _cosines(self, unit_query: np.ndarray, stop: int) -> np.ndarray:
        """Cosines of the first `stop` rows with a unit query vector: one gemv."""
        return (self._vectors[:stop] @ unit_query) / self._divisors(stop)

    def _ranked(
        self, scores: np.ndarray, topn: int, exclude: Iterable[int]
    ) -> list[tuple[str, float]]:
        masked = scores.copy()
        excluded = [i for i in set(exclude) if i < len(masked)]
        masked[excluded] = -np.inf
        best = _top_indices(masked, min(topn, len(masked) - len(excluded)))
        return [(self.index_to_key[i], float(scores[i])) for i in best]

    def most_similar(
        self,
        positive: Query | Sequence[Query] | None = None,
        negative: Query | Sequence[Query] | None = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
        indexer: Any = None,
    ) -> list[tuple[str, float]] | np.ndarray:
        """Find the words closest to a weighted mean of words (3CosAdd).

        The unit vectors of the `positive` words (weight +1) and `negative` words
        (weight -1) are averaged with `get_mean_vector`, the mean is scaled to unit
        length, and the rows with the highest cosine to it are returned, leaving out
        the query words themselves. With ``positive=[b, c], negative=[a]`` this solves
        the analogy "a is to b as c is to ?" (Mikolov et al. 2013).

        Parameters
        ----------
        positive, negative : word, vector, or list of words, vectors or (word, weight)
            The query. A tuple ``(word_or_vector, weight)`` sets the weight (used as
            given, also in `negative`). Raw vectors are used without normalization.
        topn : int or None, default 10
            Number of results. ``None`` returns the cosine of every row (of the first
            `restrict_vocab` rows) as an array, query words included.
        restrict_vocab : int, optional
            Search only the first `restrict_vocab` rows (the most frequent words).
        indexer : object, optional
            An approximate-nearest-neighbour index with a gensim-style
            ``most_similar(vector, topn)`` method, used instead of the exact search.

        Returns
        -------
        list of (str, float) or numpy.ndarray
            ``(word, cosine)`` pairs, most similar first (equal cosines by row), or
            all cosines when `topn` is None.

        Raises
        ------
        ValueError
            If no word or vector is given.
        KeyError
            If a word is unknown.

        Examples
        --------
        >>> import numpy as np
        >>> vecs = np.array([[1, 0, 1], [1, 0, -1], [0, 1, 1], [0, 1, -1]], np.float32)
        >>> wv = KeyedVectors(["king", "queen", "man", "woman"], vecs)
        >>> wv.most_similar(positive=["queen", "man"], negative=["king"], topn=1)
        [('woman', 1.0)]
        """
        if isinstance(topn, (int, np.integer)) and topn < 1:
            return []
        pos, neg = _as_list(positive), _as_list(negative)
        items = pos + neg
        if not items:
            raise ValueError("most_similar needs at least one positive or negative word or vector")
        keys = []
        weights = np.concatenate([np.ones(len(pos)), -np.ones(len(neg))])
        for i, item in enumerate(items):
            if isinstance(item, (*_KEY_TYPES, np.ndarray)):
                keys.append(item)
            elif isinstance(item, (tuple, list)) and len(item) == 2:
                keys.append(item[0])
                weights[i] = item[1]
            else:
                raise TypeError(
                    f"cannot use {item!r} as a query: give a word, a vector or (word, weight)"
                )
        mean = self.get_mean_vector(keys, weights, post_normalize=True, ignore_missing=False)
        if indexer is not None and topn is not None:
            return indexer.most_similar(mean, topn)
        scores = self._cosines(mean, self._stop(restrict_vocab))
        if topn is None:
            return scores
        exclude = [self.get_index(k) for k in keys if isinstance(k, _KEY_TYPES)]
        return self._ranked(scores, int(topn), exclude)

    def most_similar_cosmul(
        self,
        positive: Query | Sequence[Query] | None = None,
        negative: Query | Sequence[Query] | None = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]] | np.ndarray:
        """Find the words closest to a query by the multiplicative objective (3CosMul).

        Each cosine is shifted to [0, 1] as ``(1 + cos) / 2`` and a row scores
        ``prod(pos) / (prod(neg) + 1e-6)`` (Levy & Goldberg 2014, eq. 4 and footnote 7;
        the same formula as gensim). The query words themselves are left out.

        Parameters
        ----------
        positive, negative : word, vector, or list of words or vectors
            The query; words are scaled to unit length, raw vectors used as given.
        topn : int or None, default 10
            Number of results; ``None`` returns every row's score.
        restrict_vocab : int, optional
            Search only the first `restrict_vocab` rows.

        Returns
        -------
        list of (str, float) or numpy.ndarray
            ``(word, score)`` pairs, best first, or all scores when `topn` is None.

        Raises
        ------
        ValueError
            If no positive word or vector is given.
        KeyError
            If a word is unknown.

        Examples
        --------
        >>> import numpy as np
        >>> vecs = np.array([[1, 0, 1], [1, 0, -1], [0, 1, 1], [0, 1, -1]], np.float32)
        >>> wv = KeyedVectors(["king", "queen", "man", "woman"], vecs)
        >>> wv.most_similar_cosmul(positive=["queen", "man"], negative=["king"], topn=1)[0][0]
        'woman'
        """
        if isinstance(topn, (int, np.integer)) and topn < 1:
            return []
        pos, neg = _as_list(positive), _as_list(negative)
        if not pos:
            raise ValueError("most_similar_cosmul needs at least one positive word or vector")
        terms = np.empty((len(pos) + len(neg), self.vector_size), dtype=np.float32)
        exclude = []
        for i, item in enumerate(pos + neg):
            if isinstance(item, np.ndarray):
                terms[i] = self._check_query_vector(item)
            else:
                exclude.append(self.get_index(item))
                terms[i] = self.get_vector(item, norm=True)
        stop = self._stop(restrict_vocab)
        shifted = (1 + (self._vectors[:stop] @ terms.T) / self._divisors(stop)[:, None]) / 2
        scores = shifted[:, : len(pos)].prod(axis=1) / (shifted[:, len(pos) :].prod(axis=1) + 1e-6)
        if topn is None:
            return scores
        return self._ranked(scores, int(topn), exclude)

    def similar_by_word(
        self, word: str, topn: int | None = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]] | np.ndarray:
        """Find the words closest to `word`: ``most_similar(positive=[word], ...)``.

        Examples
        --------
        >>> import numpy as np
        >>> wv = KeyedVectors(["a", "b", "c"], np.array([[1, 0], [1, .1], [0, 1]], np.float32))
        >>> [w for w, _ in wv.similar_by_word("a")]
        ['b', 'c']
        """
        return self.most_similar(positive=[word], topn=topn, restrict_vocab=restrict_vocab)

    similar_by_key = similar_by_word

    def similar_by_vector(
        self, vector: np.ndarray, topn: int | None = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]] | np.ndarray:
        """Find the words closest to a raw vector (no word is left out).

        Examples
        --------
        >>> import numpy as np
        >>> wv = KeyedVectors(["a", "b"], np.array([[1, 0], [0, 1]], np.float32))
        >>> wv.similar_by_vector(np.array([0.1, 1.0]), topn=1)[0][0]
        'b'
        """
        return self.most_similar(positive=[vector], topn=topn, restrict_vocab=restrict_vocab)

    def most_similar_batch(
        self,
        queries: Sequence[str | int | np.ndarray] | np.ndarray,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[list[tuple[str, float]]]:
        """Find the nearest words of many words or vectors at once.

        Equivalent to ``[similar_by_word(q) or similar_by_vector(q) for q in queries]``
        but computed as matrix-matrix products over blocks of queries.

        Parameters
        ----------
        queries : sequence of (str or int or numpy.ndarray), or 2-D array
            Words (each left out of its own result) or raw vectors.
        topn : int, default 10
            Results per query.
        restrict_vocab : int, optional
            Search only the first `restrict_vocab` rows.

        Returns
        -------
        list of list of (str, float)
            One result list per query.

        Examples
        --------
        >>> import numpy as np
        >>> wv = KeyedVectors(["a", "b", "c"], np.array([[1, 0], [1, .1], [0, 1]], np.float32))
        >>> [r[0][0] for r in wv.most_similar_batch(["a", "c"], topn=1)]
        ['b', 'b']
        """
        if isinstance(queries, np.ndarray) and queries.ndim == 2:
            queries = list(queries)
        if topn < 1:
            return [[] for _ in queries]
        stop = self._stop(restrict_vocab)
        units = np.empty((len(queries), self.vector_size), dtype=np.float32)
        own: list[int | None] = []
        for i, q in enumerate(queries):
            if isinstance(q, np.ndarray):
                vec = self._check_query_vector(q).astype(np.float64)
                length = np.linalg.norm(vec)
                units[i] = vec / length if length > 0 else vec
                own.append(None)
            else:
                units[i] = self.get_vector(q, norm=True)
                own.append(self.get_index(q))
        divisors = self._divisors(stop)
        block = max(1, _BLOCK_ELEMENTS // max(stop, 1))
        results = []
        for start in range(0, len(queries), block):
            scores = (units[start : start + block] @ self._vectors[:stop].T) / divisors
            for row, index in zip(scores, own[start : start + block], strict=True):
                results.append(self._ranked(row, topn, [] if index is None else [index]))
        return results

    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity of two words.

        Examples
        --------
        >>> import numpy as np
        >>> wv = KeyedVectors(["a", "b"], np.array([[1, 0], [1, 1]], np.float32))
        >>> round(wv.similarity("a", "b"), 4)
        0.7071
        """
        u = self.get_vector(w1, norm=True).astype(np.float64)
        v = self.get_vector(w2, norm=True).astype(np.float64)
        return float(u @ v)

    def distance(self, w1: str, w2: str) -> float:
        """Cosine distance ``1 - similarity(w1, w2)``."""
        return 1.0 - self.similarity(w1, w2)

    def n_similarity(self, ws1: Sequence[str], ws2: Sequence[str]) -> float:
        """Cosine similarity of the mean (raw) vectors of two lists of words.

        Raises
        ------
        ValueError
            If either list is empty.
        KeyError
            If a word is unknown.

        Examples
        --------
        >>> import numpy as np
        >>> wv = KeyedVectors(["a", "b", "c"], np.array([[1, 0], [0, 1], [1, 1]], np.float32))
        >>> round(wv.n_similarity(["a", "b"], ["c"]), 4)
        1.0
        """
        if not (len(ws1) and len(ws2)):
            raise ValueError("n_similarity needs two non-empty lists of words")
        m1 = self.get_mean_vector(ws1, pre_normalize=False, ignore_missing=False)
        m2 = self.get_mean_vector(ws2, pre_normalize=False, ignore_missing=False)
        return float(_cosine_rows(m1[None], m2[None])[0])

    def distances(
        self, word_or_vector: str | int | np.ndarray, other_words: Sequence[str] = ()
    ) -> np.ndarray:
        """Cosine distances from a word or vector to `other_words` (default: every word).

        Returns
        -------
        numpy.ndarray
            float32 distances ``1 - cos``, in the order of `other_words` or of the rows.

        Examples
        --------
        >>> import numpy as np
        >>> wv = KeyedVectors(["a", "b"], np.array([[1, 0], [0, 2]], np.float32))
        >>> wv.distances("a")
        array([0., 1.], dtype=float32)
        """
        if isinstance(word_or_vector, np.ndarray):
            vec = self._check_query_vector(word_or_vector).astype(np.float32)
        else:
            vec = self.get_vector(word_or_vector)
        length = np.linalg.norm(vec)
        unit = vec / length if length > 0 else vec
        if len(other_words) == 0:
            return (1 - self._cosines(unit.astype(np.float32), len(self))).astype(np.float32)
        rows = self._indices(other_words)
        cos = (self._vectors[rows] @ unit) / self._divisors()[rows]
        return (1 - cos).astype(np.float32)

    def closer_than(self, w1: str, w2: str) -> list[str]:
        """Words closer to `w1` than `w2` is (by cosine), in row order, `w1` left out.

        Examples
        --------
        >>> import numpy as np
        >>> wv = KeyedVectors(["a", "b", "c"], np.array([[1, 0], [1, .1], [0, 1]], np.float32))
        >>> wv.closer_than("a", "c")
        ['b']
        """
        i1, i2 = self.get_index(w1), self.get_index(w2)
        dist = self.distances(w1)
        closer = np.flatnonzero(dist < dist[i2])
        return [self.index_to_key[i] for i in closer if i != i1]

    def rank(self, w1: str, w2: str) -> int:
        """Rank of `w2` among the neighbours of `w1` (1 = nearest): ``len(closer_than) + 1``."""
        return len(self.closer_than(w1, w2)) + 1

    def doesnt_match(self, words: Sequence[str]) -> str:
        """The word furthest (by cosine) from the mean of the unit vectors of `words`.

        Raises
        ------
        ValueError
            If `words` is empty.
        KeyError
            If a word is unknown.

        Examples
        --------
        >>> import numpy as np
        >>> vecs = np.array([[1, 0.1], [1, 0], [1, -0.1], [0, 1]], np.float32)
        >>> KeyedVectors(["a", "b", "c", "d"], vecs).doesnt_match(["a", "b", "c", "d"])
        'd'
        """
        if len(words) == 0:
            raise ValueError("doesnt_match needs at least one word")
        rows = self._indices(words)
        units = self._vectors[rows] / self._divisors()[rows, None]
        mean = units.mean(axis=0)
        length = np.linalg.norm(mean)
        if length > 0:
            mean /= length
        return words[int(np.argmin(units @ mean))]

    def most_similar_to_given(self, key1: str, keys_list: Sequence[str]) -> str:
        """The word of `keys_list` with the highest cosine to `key1`."""
        if len(keys_list) == 0:
            raise ValueError("most_similar_to_given needs a non-empty keys_list")
        u = self.get_vector(key1, norm=True)
        rows = self._indices(keys_list)
        return keys_list[int(np.argmax((self._vectors[rows] @ u) / self._divisors()[rows]))]

    # ------------------------------------------------------------------ evaluation

    def evaluate_word_analogies(
        self,
        analogies: str | os.PathLike[str] = "questions-words",
        *,
        restrict_vocab: int | None = 30000,
        case_insensitive: bool = True,
        method: str = "3cosadd",
        dummy4unknown: bool = False,
    ) -> AnalogyResult:
        """Accuracy on an analogy set; see `cw2v.evaluate.evaluate_word_analogies`."""
        from cw2v.evaluate import evaluate_word_analogies

        return evaluate_word_analogies(
            self,
            analogies,
            restrict_vocab=restrict_vocab,
            case_insensitive=case_insensitive,
            method=method,
            dummy4unknown=dummy4unknown,
        )

    def evaluate_word_pairs(
        self,
        pairs: str | os.PathLike[str] = "wordsim353",
        *,
        delimiter: str | None = None,
        restrict_vocab: int | None = 300000,
        case_insensitive: bool = True,
        dummy4unknown: bool = False,
    ) -> PairsResult:
        """Correlation with human similarity scores; see `cw2v.evaluate.evaluate_word_pairs`."""
        from cw2v.evaluate import evaluate_word_pairs

        return evaluate_word_pairs(
            self,
            pairs,
            delimiter=delimiter,
            restrict_vocab=restrict_vocab,
            case_insensitive=case_insensitive,
            dummy4unknown=dummy4unknown,
        )

    # ------------------------------------------------------------------ files

    def save_word2vec_format(self, path: PathLike, binary: bool = True) -> None:
        """Write the vectors in the word2vec C format (binary or text).

        Examples
        --------
        >>> import numpy as np, tempfile, os
        >>> wv = KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32))
        >>> path = os.path.join(tempfile.mkdtemp(), "vectors.bin")
        >>> wv.save_word2vec_format(path)
        >>> KeyedVectors.load_word2vec_format(path).index_to_key
        ['a', 'b']
        """
        from cw2v.formats import save_word2vec_format

        save_word2vec_format(path, self.index_to_key, self._vectors, binary=binary)

    @classmethod
    def load_word2vec_format(
        cls,
        path: PathLike,
        binary: bool | None = None,
        limit: int | None = None,
        encoding: str = "utf-8",
        unicode_errors: str = "strict",
        no_header: bool = False,
        progress: Callable[[int, int | None], object] | None = None,
    ) -> KeyedVectors:
        """Read vectors in the word2vec C format (binary or text; detected when `binary` is None).

        Parameters
        ----------
        path : str or os.PathLike
            The file (``.gz`` and ``.bz2`` are read compressed if `cw2v.formats` supports it).
        binary : bool, optional
            Binary or text; detected from the file when None.
        limit : int, optional
            Read only the first `limit` vectors.
        encoding, unicode_errors : str
            How words are decoded.
        no_header : bool, default False
            The text file has no ``count dim`` header line (GloVe style).
        progress : callable, optional
            Called as ``progress(vectors_read, vectors_expected)`` while reading.
        """
        from cw2v.formats import load_word2vec_format

        keys, vectors = load_word2vec_format(
            path,
            binary=binary,
            limit=limit,
            encoding=encoding,
            unicode_errors=unicode_errors,
            no_header=no_header,
            progress=progress,
        )
        return cls(keys, vectors)

    def _to_arrays(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The native representation: JSON-able metadata and named arrays (no pickle)."""
        from cw2v import __version__

        bad = next((k for k in self.index_to_key if not isinstance(k, str)), None)
        if bad is not None:
            raise TypeError(
                f"only string keys can be saved, found {bad!r} of type {type(bad).__name__}"
            )
        text = "".join(self.index_to_key)
        offsets = np.zeros(len(self.index_to_key) + 1, dtype=np.int64)
        np.cumsum([len(k) for k in self.index_to_key], out=offsets[1:])
        meta = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "cw2v_version": __version__,
            "count": len(self.index_to_key),
            "vector_size": self.vector_size,
        }
        arrays = {
            "vectors": self._vectors,
            # Keys as one UTF-8 string and code-point offsets: compact and no pickle.
            "keys_utf8": np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8),
            "keys_offsets": offsets,
        }
        if self.counts is not None:
            arrays["counts"] = self.counts
        return meta, arrays

    @classmethod
    def _from_arrays(
        cls,
        meta: Mapping[str, Any],
        arrays: Mapping[str, np.ndarray],
        source: str = "the file",
    ) -> KeyedVectors:
        """Rebuild from `_to_arrays` output, checking format, version, dtypes and shapes.

        Every inconsistency a damaged or tampered file can hold is a ``ValueError`` naming
        `source`, raised here rather than later in a query.
        """
        from cw2v.formats import check_format

        check_format(meta, FORMAT_NAME, FORMAT_VERSION, source, "cw2v KeyedVectors")
        missing = {"vectors", "keys_utf8", "keys_offsets"} - set(arrays)
        if missing:
            raise ValueError(f"{source} is incomplete: arrays {sorted(missing)} are missing")
        vectors = arrays["vectors"]  # may be a read-only np.memmap: kept as it is
        utf8 = np.asarray(arrays["keys_utf8"])
        offsets = np.asarray(arrays["keys_offsets"])
        n = meta.get("count", vectors.shape[0] if vectors.ndim == 2 else -1)
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"{source} is corrupt: the key count {n!r} is not an int >= 0")
        if vectors.ndim != 2 or vectors.shape[0] != n or vectors.dtype != np.float32:
            raise ValueError(
                f"{source} is corrupt: vectors of shape {vectors.shape} and dtype "
                f"{vectors.dtype} for {n} keys (expected float32 of shape ({n}, d))"
            )
        if utf8.dtype != np.uint8 or utf8.ndim != 1:
            raise ValueError(
                f"{source} is corrupt: the keys are stored as {utf8.dtype} of shape "
                f"{utf8.shape}, not as 1-D uint8 (UTF-8 bytes)"
            )
        try:
            text = utf8.tobytes().decode("utf-8", "surrogatepass")
        except UnicodeDecodeError as err:
            raise ValueError(
                f"{source} is corrupt: the keys are not valid UTF-8 ({err.reason} at byte "
                f"{err.start})"
            ) from err
        if (
            offsets.dtype.kind not in "iu"
            or offsets.shape != (n + 1,)
            or offsets[0] != 0
            or offsets[-1] != len(text)
            or np.any(offsets[1:] < offsets[:-1])
        ):
            raise ValueError(
                f"{source} is corrupt: {n} keys need {n + 1} non-decreasing integer key offsets "
                f"from 0 to {len(text)}, found {offsets.dtype} of shape {offsets.shape}"
            )
        counts = arrays.get("counts")
        if counts is not None:
            counts = np.asarray(counts)
            if counts.dtype.kind not in "iu" or counts.shape != (n,):
                raise ValueError(
                    f"{source} is corrupt: counts of dtype {counts.dtype} and shape "
                    f"{counts.shape} for {n} keys (expected {n} integers)"
                )
        bounds = offsets.tolist()
        keys = [text[a:b] for a, b in itertools.pairwise(bounds)]
        try:
            return cls(keys, vectors, counts)
        except ValueError as err:  # duplicate keys
            raise ValueError(f"{source} is corrupt: {err}") from err

    def save(self, path: PathLike) -> None:
        """Save in cw2v's native format (JSON metadata and ``.npy`` arrays, no pickle).

        The file is written to a temporary name and renamed, so a crash never leaves a
        half-written file at `path`.

        Examples
        --------
        >>> import numpy as np, tempfile, os
        >>> wv = KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32), counts=[5, 3])
        >>> path = os.path.join(tempfile.mkdtemp(), "wv.cw2v")
        >>> wv.save(path)
        >>> KeyedVectors.load(path).counts.tolist()
        [5, 3]
        """
        from cw2v.formats import save_arrays

        meta, arrays = self._to_arrays()
        save_arrays(path, meta, arrays)

    @classmethod
    def load(cls, path: PathLike, mmap: bool = False) -> KeyedVectors:
        """Load a file written by `save`.

        Parameters
        ----------
        path : str or os.PathLike
            The file.
        mmap : bool, default False
            Map the vectors from the file read-only instead of reading them into memory.

        Raises
        ------
        ValueError
            If the file is not a cw2v KeyedVectors file, is of a newer format version,
            or its arrays do not fit together.
        """
        from cw2v.formats import load_arrays

        meta, arrays = load_arrays(path, mmap=mmap)
        return cls._from_arrays(meta, arrays, source=repr(os.fspath(path)))

    # ------------------------------------------------------------------ interop

    def to_gensim(self) -> Any:
        """Return a ``gensim.models.KeyedVectors`` with copies of the words, vectors and counts.

        Raises
        ------
        ImportError
            If gensim is not installed.
        """
        try:
            from gensim.models import KeyedVectors as GensimKeyedVectors
        except ImportError as exc:
            raise ImportError(
                "to_gensim() needs gensim, which is not installed: pip install gensim"
            ) from exc
        kv = GensimKeyedVectors(self.vector_size, count=0, dtype=np.float32)
        kv.index_to_key = list(self.index_to_key)
        kv.key_to_index = dict(self.key_to_index)
        kv.vectors = self._vectors.copy()
        kv.next_index = len(self.index_to_key)
        if self.counts is not None:
            kv.expandos["count"] = self.counts.copy()
        return kv

    def to_torch(self, freeze: bool = True) -> Any:
        """Return a ``torch.nn.Embedding`` initialised with a copy of the vectors.

        Row ``i`` of the embedding is the vector of ``index_to_key[i]``.

        Parameters
        ----------
        freeze : bool, default True
            Keep the embedding fixed during training (``requires_grad=False``).

        Raises
        ------
        ImportError
            If PyTorch is not installed.
        """
        try:
            import torch
        except ImportError as exc:
            raise ImportError(
                "to_torch() needs PyTorch, which is not installed: pip install torch "
                "(see https://pytorch.org for builds for your platform)"
            ) from exc
        weights = torch.from_numpy(self._vectors.copy())
        return torch.nn.Embedding.from_pretrained(weights, freeze=freeze)


def _as_list(value: Any) -> list[Any]:
    """Accept one word or vector, a 2-D array of vectors, or a list, as gensim does."""
    if value is None:
        return []
    if isinstance(value, _KEY_TYPES) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return list(value)
    return list(value)


def _top_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the `k` largest scores, highest first, equal scores by lower index."""
    n = scores.shape[0]
    k = min(k, n)
    if k <= 0:
        return np.empty(0, dtype=np.intp)
    if k < n:
        part = np.argpartition(-scores, k - 1)[:k]
        candidates = np.flatnonzero(scores >= scores[part].min())
    else:
        candidates = np.arange(n)
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order[:k]]


def _cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine of two (n, d) arrays in float64; 0 where a row is zero."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    denom = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    dots = np.einsum("ij,ij->i", a, b)
    return np.divide(dots, denom, out=np.zeros_like(dots), where=denom > 0)
