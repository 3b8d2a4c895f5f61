"""Word-vector benchmarks: analogy accuracy and correlation with human similarity scores.

Two evaluations, with the semantics of gensim's ``KeyedVectors.evaluate_word_analogies``
and ``evaluate_word_pairs`` (same questions skipped, same answers, same scores), computed
with matrix products over blocks of questions instead of one query per question:

* `evaluate_word_analogies`: "a is to b as c is to ?" questions (Mikolov et al. 2013).
  By default only the 30,000 most frequent words (the first 30,000 rows) are used,
  both for the questions and as candidate answers, as the word2vec demo scripts run
  ``compute-accuracy`` (threshold 30000); questions with a word outside them are skipped.
* `evaluate_word_pairs`: Pearson and Spearman correlation between cosine similarities
  and human scores of word pairs (WordSim-353, SimLex-999, MEN, RW, ...).

Bundled data sets are named by `DATASETS` (sources and licences: ``cw2v/data/README.md``):
``"questions-words"`` (Google analogies), ``"wordsim353"``, ``"simlex999"`` and ``"men"``.
Any other file is given by its path (``.gz`` and ``.bz2`` files are read compressed).

Examples
--------
>>> import numpy as np
>>> from cw2v.vectors import KeyedVectors
>>> from cw2v.evaluate import evaluate_word_pairs
>>> rng = np.random.default_rng(0)
>>> words = ["tiger", "cat", "car", "train", "love", "sex"]
>>> wv = KeyedVectors(words, rng.normal(size=(6, 20)))
>>> result = evaluate_word_pairs(wv, "wordsim353")
>>> result.pairs_used, result.oov_pairs
(4, 349)
"""

from __future__ import annotations

import bz2
import gzip
import io
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import numpy as np

__all__ = [
    "DATASETS",
    "AnalogyResult",
    "AnalogySection",
    "PairsResult",
    "dataset_path",
    "evaluate_word_analogies",
    "evaluate_word_pairs",
]

logger = logging.getLogger(__name__)

DATASETS: dict[str, str] = {
    "questions-words": "questions-words.txt",
    "wordsim353": "wordsim353.tsv",
    "simlex999": "simlex999.txt",
    "men": "MEN_dataset_natural_form_full",
}
"""Names of the bundled evaluation sets and their files in ``cw2v/data``."""

_NOT_BUNDLED = {
    "rw": (
        "the Stanford Rare Words set (Luong et al. 2013) is not bundled with cw2v because its "
        "authors publish it without a licence; download rw.zip from "
        "https://nlp.stanford.edu/~lmthang/morphoNLM/ and pass the path of rw.txt"
    ),
    "msr": (
        "the MSR analogy set (Mikolov, Yih and Zweig 2013) is not bundled with cw2v because it "
        "is published without a licence; convert it to the questions-words layout "
        "(': section' lines, then 'a b c d' lines) and pass its path"
    ),
}

_METHODS = ("3cosadd", "3cosmul")
_TOPN = 5  # candidates gensim looks at per analogy question
_BLOCK_ELEMENTS = 1 << 24  # questions x rows of scores per block: 64 MB of float32


# ---------------------------------------------------------------------- results


@dataclass
class AnalogySection:
    """Results of one section (``: name`` block) of an analogy file.

    Attributes
    ----------
    name : str
        The section name, e.g. ``"capital-common-countries"`` or ``"gram3-comparative"``.
    correct_questions, incorrect_questions : list of tuple of str
        The questions ``(a, b, c, d)`` answered right and wrong, as written in the file
        (with ``dummy4unknown``, skipped questions are among the wrong ones).
    skipped : int
        Questions with a word outside the (restricted) vocabulary.
    """

    name: str
    correct_questions: list[tuple[str, str, str, str]] = field(default_factory=list)
    incorrect_questions: list[tuple[str, str, str, str]] = field(default_factory=list)
    skipped: int = 0

    @property
    def correct(self) -> int:
        """Number of questions answered right."""
        return len(self.correct_questions)

    @property
    def incorrect(self) -> int:
        """Number of questions answered wrong."""
        return len(self.incorrect_questions)

    @property
    def accuracy(self) -> float:
        """``correct / (correct + incorrect)``; 0.0 when no question was counted (as gensim)."""
        total = self.correct + self.incorrect
        return self.correct / total if total else 0.0

    @property
    def is_syntactic(self) -> bool:
        """Google's split: sections whose name starts with ``gram`` are syntactic."""
        return self.name.startswith("gram")


@dataclass
class AnalogyResult:
    """Results of `evaluate_word_analogies`.

    Attributes
    ----------
    sections : list of AnalogySection
        Per-section results in file order.
    answered : int
        Questions whose four words are all in the restricted vocabulary.
    skipped : int
        Questions with an unknown word (counted as wrong when ``dummy4unknown``).
    restrict_vocab : int
        Number of rows (most frequent words) used.
    method : str
        ``"3cosadd"`` or ``"3cosmul"``.
    """

    sections: list[AnalogySection]
    answered: int
    skipped: int
    restrict_vocab: int
    method: str

    def _accuracy(self, sections: Sequence[AnalogySection]) -> float:
        correct = sum(s.correct for s in sections)
        total = correct + sum(s.incorrect for s in sections)
        return correct / total if total else 0.0

    @property
    def correct(self) -> int:
        """Questions answered right, over all sections."""
        return sum(s.correct for s in self.sections)

    @property
    def incorrect(self) -> int:
        """Questions answered wrong, over all sections."""
        return sum(s.incorrect for s in self.sections)

    @property
    def accuracy(self) -> float:
        """Total accuracy over all counted questions (0.0 if none)."""
        return self._accuracy(self.sections)

    @property
    def semantic_accuracy(self) -> float:
        """Accuracy over the sections whose name does not start with ``gram`` (0.0 if none)."""
        return self._accuracy([s for s in self.sections if not s.is_syntactic])

    @property
    def syntactic_accuracy(self) -> float:
        """Accuracy over the sections whose name starts with ``gram`` (0.0 if none)."""
        return self._accuracy([s for s in self.sections if s.is_syntactic])

    def summary(self) -> str:
        """A human-readable table: one line per section, then the totals."""

        def line(name: str, correct: int, total: int) -> str:
            pct = 100.0 * correct / total if total else 0.0
            return f"{name:<32} {pct:6.2f}%  ({correct}/{total})"

        lines = [line(s.name, s.correct, s.correct + s.incorrect) for s in self.sections]
        for name, group in (
            ("semantic", [s for s in self.sections if not s.is_syntactic]),
            ("syntactic", [s for s in self.sections if s.is_syntactic]),
            ("total", self.sections),
        ):
            correct = sum(s.correct for s in group)
            lines.append(line(name, correct, correct + sum(s.incorrect for s in group)))
        lines.append(
            f"{self.method}, {self.restrict_vocab} most frequent words; "
            f"{self.skipped} of {self.answered + self.skipped} questions had an unknown word"
        )
        return "\n".join(lines)


@dataclass
class PairsResult:
    """Results of `evaluate_word_pairs`.

    Attributes
    ----------
    pearson, pearson_pvalue : float
        Pearson correlation between model cosines and human scores, two-sided p-value.
    spearman, spearman_pvalue : float
        Spearman rank correlation and its two-sided p-value.
    oov_ratio : float
        Percentage (0-100, as gensim) of the pairs that have an unknown word.
    pairs_used : int
        Pairs in the correlation (with ``dummy4unknown``, unknown pairs count with
        cosine 0).
    oov_pairs : int
        Pairs with a word outside the (restricted) vocabulary.
    invalid_lines : int
        Lines that are neither comments nor ``word word score``.
    """

    pearson: float
    pearson_pvalue: float
    spearman: float
    spearman_pvalue: float
    oov_ratio: float
    pairs_used: int
    oov_pairs: int
    invalid_lines: int = 0


# ---------------------------------------------------------------------- files


def dataset_path(name: str) -> Path:
    """Return the path of a bundled evaluation set.

    Parameters
    ----------
    name : str
        One of `DATASETS` (case-insensitive): ``"questions-words"``, ``"wordsim353"``,
        ``"simlex999"``, ``"men"``.

    Returns
    -------
    pathlib.Path
        The file inside the installed package.

    Raises
    ------
    FileNotFoundError
        If `name` is not bundled (the message says where to get it, for ``"rw"``).

    Examples
    --------
    >>> dataset_path("wordsim353").name
    'wordsim353.tsv'
    """
    key = name.lower()
    if key in _NOT_BUNDLED:
        raise FileNotFoundError(_NOT_BUNDLED[key])
    if key not in DATASETS:
        raise FileNotFoundError(
            f"no bundled data set named {name!r}; bundled: {', '.join(DATASETS)}"
        )
    return Path(str(resources.files("cw2v") / "data" / DATASETS[key]))


def _resolve(source: str | os.PathLike[str]) -> Path:
    """A bundled name (a plain string in `DATASETS`) or a path to an existing file."""
    if isinstance(source, str) and source.lower() in {*DATASETS, *_NOT_BUNDLED}:
        return dataset_path(source)
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(
            f"{os.fspath(source)!r} is neither a file nor a bundled data set "
            f"({', '.join(DATASETS)})"
        )
    return path


def _open_text(path: Path) -> TextIO:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    if path.suffix == ".bz2":
        return io.TextIOWrapper(bz2.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")


def _read_analogies(path: Path) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """Sections of ``(a, b, c, d)`` questions; lines that are not 4 words are skipped."""
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = []
    with _open_text(path) as fin:
        for line_no, line in enumerate(fin, 1):
            if line.startswith(": "):
                sections.append((line.lstrip(": ").strip(), []))
                continue
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            if not sections:
                raise ValueError(
                    f"{path}: line {line_no} comes before any section header; "
                    "an analogy file starts with a ': section name' line"
                )
            if len(words) != 4:
                logger.info("skipping line %d of %s: not 4 words", line_no, path)
                continue
            sections[-1][1].append((words[0], words[1], words[2], words[3]))
    return sections


# ---------------------------------------------------------------------- vocabulary


def _restricted_vocab(
    wv: Any, restrict_vocab: int | None, case_insensitive: bool
) -> tuple[dict[str, int], np.ndarray]:
    """Map words to rows among the first `restrict_vocab` rows.

    Returns the lookup (uppercased words when `case_insensitive`, the first, i.e. most
    frequent, spelling winning as in gensim) and ``canon``: for each of those rows,
    the row its word maps to (its own row, or the first case variant's).
    """
    keys = wv.index_to_key
    if restrict_vocab is None:
        n = len(keys)
    elif isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, (int, np.integer)):
        raise TypeError(f"restrict_vocab must be an int or None, got {restrict_vocab!r}")
    elif restrict_vocab < 1:
        raise ValueError(f"restrict_vocab must be at least 1, got {restrict_vocab}")
    else:
        n = min(int(restrict_vocab), len(keys))
    if not case_insensitive:
        lookup = dict(zip(keys[:n], range(n), strict=True))
        return lookup, np.arange(n)
    upper = [k.upper() for k in keys[:n]]
    # Written from the last row to the first, so the first spelling wins.
    lookup = dict(zip(reversed(upper), range(n - 1, -1, -1), strict=True))
    canon = np.fromiter(map(lookup.__getitem__, upper), dtype=np.intp, count=n)
    return lookup, canon


def _row_norms(wv: Any) -> np.ndarray:
    """Cached row norms of cw2v or gensim KeyedVectors."""
    wv.fill_norms()
    return np.asarray(wv.norms, dtype=np.float32)


# ---------------------------------------------------------------------- analogies


def _solve_analogies(
    units: np.ndarray, questions: np.ndarray, canon: np.ndarray, method: str
) -> np.ndarray:
    """Which questions (rows ``a, b, c, d`` of `questions`) are answered right.

    `units` holds the unit vectors of the candidate rows. Mirrors gensim: every row is
    scored, the three question rows are left out, and among the best `_TOPN` remaining
    rows the first whose word is not a case variant of a question word is the answer.
    """
    n = units.shape[0]
    correct = np.zeros(questions.shape[0], dtype=bool)
    per_question = n * (3 if method == "3cosmul" else 1)
    block = max(1, _BLOCK_ELEMENTS // max(per_question, 1))
    for start in range(0, questions.shape[0], block):
        idx = questions[start : start + block]
        ua, ub, uc = units[idx[:, 0]], units[idx[:, 1]], units[idx[:, 2]]
        if method == "3cosadd":
            # The float32 sum of gensim's get_mean_vector, then its float64 unitvec.
            mean = ((ub + uc) - ua).astype(np.float64)
            length = np.linalg.norm(mean, axis=1, keepdims=True)
            np.divide(mean, length, out=mean, where=length > 0)
            scores = mean.astype(np.float32) @ units.T
        else:
            shifted = (1 + np.concatenate([ua, ub, uc]) @ units.T) / 2
            sa, sb, sc = np.split(shifted, 3)
            scores = (sb * sc) / (sa + np.float32(1e-6))
        rows = np.arange(idx.shape[0])
        for j in range(3):
            scores[rows, idx[:, j]] = -np.inf
        best = scores.argmax(axis=1)  # the first of equal maxima: the more frequent word
        predicted = canon[best]
        answered = scores[rows, best] > -np.inf
        # Rare: the best row is another spelling of a question word; look further.
        variant = answered & np.any(predicted[:, None] == idx[:, :3], axis=1)
        if variant.any():
            predicted[variant] = _first_acceptable(scores[variant], idx[variant], canon)
        correct[start : start + block] = answered & (predicted == idx[:, 3])
    return correct


def _first_acceptable(scores: np.ndarray, idx: np.ndarray, canon: np.ndarray) -> np.ndarray:
    """gensim's rule over its `_TOPN` best candidates: the first that is not a spelling
    of a question word, or else the last one it looked at."""
    n = scores.shape[1]
    k = min(_TOPN, n)
    part = np.argpartition(scores, n - k, axis=1)[:, n - k :]
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=1)
    top_canon = canon[np.take_along_axis(part, order, axis=1)]
    valid = np.take_along_axis(part_scores, order, axis=1) > -np.inf
    ok = valid & np.all(top_canon[:, :, None] != idx[:, None, :3], axis=2)
    last = np.maximum(valid.sum(axis=1) - 1, 0)
    pick = np.where(ok.any(axis=1), ok.argmax(axis=1), last)
    return top_canon[np.arange(len(pick)), pick]


def evaluate_word_analogies(
    wv: Any,
    analogies: str | os.PathLike[str] = "questions-words",
    *,
    restrict_vocab: int | None = 30000,
    case_insensitive: bool = True,
    method: str = "3cosadd",
    dummy4unknown: bool = False,
) -> AnalogyResult:
    """Accuracy of word vectors on analogy questions "a is to b as c is to d".

    A question is answered by the word whose vector is closest to ``b - a + c`` (by
    3CosAdd, or by 3CosMul) among the first `restrict_vocab` rows, leaving out a, b
    and c. It counts as right when that word is d. With 3CosAdd the answers and counts
    equal those of gensim's ``KeyedVectors.evaluate_word_analogies`` (the method of
    word2vec's ``compute-accuracy``), computed for blocks of questions with matrix
    products instead of one query per question.

    Parameters
    ----------
    wv : KeyedVectors
        cw2v (or gensim) KeyedVectors, rows ordered by descending frequency.
    analogies : str or os.PathLike, default "questions-words"
        A bundled set name (``"questions-words"``: Google's 19,544 questions in 14
        sections) or the path of a file: ``: section`` lines, each followed by lines
        of four words. Blank lines, ``#`` lines and lines of another length are skipped.
    restrict_vocab : int or None, default 30000
        Use only the first (most frequent) `restrict_vocab` words, for the questions
        and as answers, as word2vec's demo runs ``compute-accuracy``; None uses all.
        (gensim's default is 300000.)
    case_insensitive : bool, default True
        Compare words uppercased, as gensim and compute-accuracy do. When several
        spellings of a word are in the vocabulary, the first (most frequent) one's
        vector is used, and an answer that is another spelling of a question word is
        passed over.
    method : {"3cosadd", "3cosmul"}, default "3cosadd"
        3CosAdd: cosine to the normalized ``b - a + c`` of unit vectors (Mikolov et
        al. 2013). 3CosMul: ``cos'(x, b) cos'(x, c) / (cos'(x, a) + 1e-6)`` with
        ``cos' = (1 + cos) / 2`` (Levy & Goldberg 2014), as `KeyedVectors.most_similar_cosmul`.
    dummy4unknown : bool, default False
        Count questions with an unknown word as wrong instead of leaving them out.

    Returns
    -------
    AnalogyResult
        ``accuracy``, ``semantic_accuracy``, ``syntactic_accuracy`` (sections named
        ``gram*``), per-section ``sections``, ``answered`` and ``skipped``.

    Raises
    ------
    ValueError
        If `method` is unknown or a question comes before any section header.
    FileNotFoundError
        If `analogies` is neither a bundled name nor a file.

    Notes
    -----
    When two candidates have exactly the same score, the earlier row (the more
    frequent word) wins; gensim leaves that order to ``numpy.argsort``.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from cw2v.vectors import KeyedVectors
    >>> vecs = np.array([[1, 0, 1], [1, 0, -1], [0, 1, 1], [0, 1, -1], [1, 1, 0]])
    >>> wv = KeyedVectors(["king", "queen", "man", "woman", "person"], vecs)
    >>> path = os.path.join(tempfile.mkdtemp(), "q.txt")
    >>> lines = [": family", "king queen man woman", "king man queen woman", "man king woman cat"]
    >>> with open(path, "w") as f:
    ...     _ = f.write("\\n".join(lines))
    >>> result = evaluate_word_analogies(wv, path)
    >>> result.accuracy, result.answered, result.skipped
    (1.0, 2, 1)
    """
    method = method.lower()
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    path = _resolve(analogies)
    lookup, canon = _restricted_vocab(wv, restrict_vocab, case_insensitive)
    n = canon.shape[0]

    def row(word: str) -> int:
        return lookup.get(word.upper() if case_insensitive else word, -1)

    sections: list[AnalogySection] = []
    known: list[tuple[int, tuple[str, str, str, str]]] = []  # (section, question)
    rows: list[list[int]] = []
    for name, questions in _read_analogies(path):
        section = AnalogySection(name)
        for question in questions:
            ids = [row(w) for w in question]
            if min(ids) < 0:
                section.skipped += 1
                if dummy4unknown:
                    section.incorrect_questions.append(question)
                continue
            known.append((len(sections), question))
            rows.append(ids)
        sections.append(section)

    if rows:
        norms = _row_norms(wv)[:n]
        units = np.asarray(wv.vectors)[:n] / np.where(norms > 0, norms, np.float32(1))[:, None]
        right = _solve_analogies(units, np.asarray(rows, dtype=np.intp), canon, method)
        # With dummy4unknown the skipped questions come first in incorrect_questions.
        for (s, question), ok in zip(known, right, strict=True):
            target = sections[s].correct_questions if ok else sections[s].incorrect_questions
            target.append(question)

    result = AnalogyResult(
        sections=sections,
        answered=len(rows),
        skipped=sum(s.skipped for s in sections),
        restrict_vocab=n,
        method=method,
    )
    logger.info(
        "analogies %s (%s, %d words): accuracy %.2f%%, %d answered, %d skipped",
        path.name,
        method,
        n,
        100 * result.accuracy,
        result.answered,
        result.skipped,
    )
    return result


# ---------------------------------------------------------------------- word pairs


def _read_pairs(path: Path, delimiter: str | None) -> tuple[list[tuple[str, str, float]], int]:
    """``(word, word, score)`` triples and the number of invalid lines."""
    pairs, invalid = [], 0
    with _open_text(path) as fin:
        for line_no, line in enumerate(fin, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if delimiter is not None:
                fields = text.split(delimiter)
            elif "\t" in text:
                fields = text.split("\t")
            else:
                fields = text.split()
            try:
                if len(fields) < 3:
                    raise ValueError(f"{len(fields)} fields")
                pairs.append((fields[0].strip(), fields[1].strip(), float(fields[2])))
            except ValueError:
                invalid += 1
                logger.info("skipping line %d of %s: not 'word word score'", line_no, path)
    return pairs, invalid


def evaluate_word_pairs(
    wv: Any,
    pairs: str | os.PathLike[str] = "wordsim353",
    *,
    delimiter: str | None = None,
    restrict_vocab: int | None = 300000,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
) -> PairsResult:
    """Correlation between cosine similarities and human similarity scores of word pairs.

    Parameters
    ----------
    wv : KeyedVectors
        cw2v (or gensim) KeyedVectors, rows ordered by descending frequency.
    pairs : str or os.PathLike, default "wordsim353"
        A bundled set (``"wordsim353"``, ``"simlex999"``, ``"men"``) or the path of a
        file of lines ``word1 word2 score`` (further fields are ignored, as are blank
        lines and lines starting with ``#``). ``"rw"`` is not bundled: pass the path.
    delimiter : str, optional
        Field separator; by default a tab if the line has one, else any whitespace
        (so WordSim-353, SimLex-999, RW and MEN all read as they come).
    restrict_vocab : int or None, default 300000
        Use only the first (most frequent) `restrict_vocab` words; None uses all.
    case_insensitive : bool, default True
        Compare words uppercased; the first spelling in the vocabulary is used.
    dummy4unknown : bool, default False
        Keep pairs with an unknown word, with cosine 0, instead of leaving them out.

    Returns
    -------
    PairsResult
        Pearson and Spearman correlations with p-values (``scipy.stats``), the
        percentage of pairs with an unknown word (``oov_ratio``, 0-100 as gensim) and
        the counts.

    Raises
    ------
    ValueError
        If fewer than two pairs can be used.
    FileNotFoundError
        If `pairs` is neither a bundled name nor a file.

    Examples
    --------
    >>> import numpy as np
    >>> from cw2v.vectors import KeyedVectors
    >>> rng = np.random.default_rng(0)
    >>> words = ["tiger", "cat", "car", "train", "love", "sex"]
    >>> wv = KeyedVectors(words, rng.normal(size=(6, 20)))
    >>> result = evaluate_word_pairs(wv, "wordsim353")
    >>> result.pairs_used, round(result.oov_ratio, 2)
    (4, 98.87)
    """
    from scipy import stats

    path = _resolve(pairs)
    triples, invalid = _read_pairs(path, delimiter)
    lookup, _ = _restricted_vocab(wv, restrict_vocab, case_insensitive)

    def row(word: str) -> int:
        return lookup.get(word.upper() if case_insensitive else word, -1)

    ia = np.fromiter((row(a) for a, _, _ in triples), dtype=np.intp, count=len(triples))
    ib = np.fromiter((row(b) for _, b, _ in triples), dtype=np.intp, count=len(triples))
    gold = np.fromiter((s for _, _, s in triples), dtype=np.float64, count=len(triples))
    known = (ia >= 0) & (ib >= 0)
    oov = int((~known).sum())

    vectors = np.asarray(wv.vectors)
    model = np.zeros(len(triples))
    va = vectors[ia[known]].astype(np.float64)
    vb = vectors[ib[known]].astype(np.float64)
    denom = np.linalg.norm(va, axis=1) * np.linalg.norm(vb, axis=1)
    dots = np.einsum("ij,ij->i", va, vb)
    model[known] = np.divide(dots, denom, out=np.zeros_like(dots), where=denom > 0)
    if not dummy4unknown:
        gold, model = gold[known], model[known]
    if gold.size < 2:
        raise ValueError(
            f"only {gold.size} usable word pairs in {path} ({oov} with unknown words, "
            f"{invalid} invalid lines); a correlation needs at least 2"
        )
    pearson = stats.pearsonr(gold, model)
    spearman = stats.spearmanr(gold, model)
    result = PairsResult(
        pearson=float(pearson.statistic),
        pearson_pvalue=float(pearson.pvalue),
        spearman=float(spearman.statistic),
        spearman_pvalue=float(spearman.pvalue),
        oov_ratio=100.0 * oov / len(triples),
        pairs_used=int(gold.size),
        oov_pairs=oov,
        invalid_lines=invalid,
    )
    logger.info(
        "word pairs %s: pearson %.4f, spearman %.4f, %.1f%% pairs with unknown words",
        path.name,
        result.pearson,
        result.spearman,
        result.oov_ratio,
    )
    return result
