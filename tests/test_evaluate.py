"""Analogy and word-pair evaluation: hand-made cases, a brute-force oracle, bundled data,
and equality with gensim on the same vectors."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from cw2v.evaluate import (
    DATASETS,
    AnalogyResult,
    dataset_path,
    evaluate_word_analogies,
    evaluate_word_pairs,
)
from cw2v.vectors import KeyedVectors

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def by_name(result: AnalogyResult) -> dict[str, tuple[int, int, int]]:
    return {s.name: (s.correct, s.incorrect, s.skipped) for s in result.sections}


# ---------------------------------------------------------------- hand-made analogies
#
# Orthonormal axes P (person), R (royal), Y (young), M (male), F (female), A (fruit).
# Every analogy among man/woman/king/boy/girl is exact (cosine 1), so its answer is
# plain to see. "lady" is near R+F but not on it; "queen" is exactly R+F but comes
# after row 8; "KING" is a second spelling of "king", also close to R+F.

P, R, Y, M, F, A = np.eye(6)
ROWS = [
    ("man", P + M),
    ("woman", P + F),
    ("king", R + M),
    ("boy", Y + M),
    ("girl", Y + F),
    ("lady", R + F + 0.3 * P),
    ("apple", A),
    ("KING", R + F + 0.05 * A),
    ("queen", R + F),  # row 8: outside restrict_vocab=8
]
QUESTIONS = """\
: family
man woman boy girl
boy girl man woman
man woman king lady
man woman king queen
man woman boy zebra
man woman boy lady
: gram1-gender
woman man girl boy
girl boy woman man
girl boy woman king
Girl Boy Woman Man
woman man girl lady
"""


@pytest.fixture
def hand_wv() -> KeyedVectors:
    return KeyedVectors([w for w, _ in ROWS], np.array([v for _, v in ROWS]))


@pytest.fixture
def questions(tmp_path) -> Path:
    return write(tmp_path / "questions.txt", QUESTIONS)


def test_hand_analogies_restricted_case_insensitive(hand_wv, questions):
    result = evaluate_word_analogies(hand_wv, questions, restrict_vocab=8)
    # family: 1, 2 right; 3 right ("KING" is passed over: it spells an input word, and
    # queen is outside the 8 rows); 4 and 5 skipped (queen, zebra); 6 wrong (girl).
    # gram1: 1, 2, 4 right ("Girl" etc. match uppercased); 3 and 5 wrong.
    assert by_name(result) == {"family": (3, 1, 2), "gram1-gender": (3, 2, 0)}
    assert result.accuracy == pytest.approx(6 / 9)
    assert result.semantic_accuracy == pytest.approx(3 / 4)
    assert result.syntactic_accuracy == pytest.approx(3 / 5)
    assert (result.answered, result.skipped, result.restrict_vocab) == (9, 2, 8)
    assert result.sections[0].correct_questions == [
        ("man", "woman", "boy", "girl"),
        ("boy", "girl", "man", "woman"),
        ("man", "woman", "king", "lady"),
    ]
    assert result.sections[0].incorrect_questions == [("man", "woman", "boy", "lady")]


def test_hand_analogies_whole_vocabulary(hand_wv, questions):
    result = evaluate_word_analogies(hand_wv, questions, restrict_vocab=None)
    # queen (row 8) now counts: question 3 is answered "queen" (wrong), 4 is right.
    assert by_name(result) == {"family": (3, 2, 1), "gram1-gender": (3, 2, 0)}
    assert (result.answered, result.skipped) == (10, 1)


def test_hand_analogies_case_sensitive(hand_wv, questions):
    result = evaluate_word_analogies(hand_wv, questions, restrict_vocab=8, case_insensitive=False)
    # "KING" is now a word of its own and the best answer to question 3 (wrong);
    # "Girl Boy Woman Man" has unknown words.
    assert by_name(result) == {"family": (2, 2, 2), "gram1-gender": (2, 2, 1)}


def test_hand_analogies_dummy4unknown(hand_wv, questions):
    result = evaluate_word_analogies(hand_wv, questions, restrict_vocab=8, dummy4unknown=True)
    assert by_name(result) == {"family": (3, 3, 2), "gram1-gender": (3, 2, 0)}
    assert result.accuracy == pytest.approx(6 / 11)
    assert ("man", "woman", "boy", "zebra") in result.sections[0].incorrect_questions


def test_first_spelling_gives_the_vector(tmp_path):
    # "Paris" (row 0) and "paris" (row 3) are one word uppercased: row 0's vector is used.
    keys = ["Paris", "france", "rome", "paris", "italy", "berlin"]
    vecs = np.array([[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 1, 1, 0],
                     [1, 0, 1, 0]], dtype=np.float32)  # fmt: skip
    wv = KeyedVectors(keys, vecs)
    path = write(tmp_path / "q.txt", ": capitals\nparis france rome italy\n")
    # france - Paris + rome = (-0.29, 0.71, 1, 0): cosine 0.96 with italy, 0.40 with berlin.
    assert evaluate_word_analogies(wv, path).correct == 1
    # Case-sensitive, "paris" is row 3: (0.71, -0.29, 1, 0) points at berlin (0.96).
    assert evaluate_word_analogies(wv, path, case_insensitive=False).correct == 0


def test_analogy_file_format(tmp_path, hand_wv):
    path = write(
        tmp_path / "q.txt",
        "\n# a comment\n: s1\nman woman boy girl\n\nman woman boy\nman woman boy girl extra\n",
    )
    result = evaluate_word_analogies(hand_wv, path)
    assert (result.answered, result.correct) == (1, 1)
    with pytest.raises(ValueError, match="section header"):
        evaluate_word_analogies(hand_wv, write(tmp_path / "bad.txt", "man woman boy girl\n"))
    with pytest.raises(ValueError, match="method"):
        evaluate_word_analogies(hand_wv, path, method="3cosfoo")
    with pytest.raises(FileNotFoundError, match="neither a file nor a bundled"):
        evaluate_word_analogies(hand_wv, tmp_path / "missing.txt")
    gz = tmp_path / "q.txt.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    assert evaluate_word_analogies(hand_wv, gz).correct == 1


def test_summary_mentions_every_section(hand_wv, questions):
    text = evaluate_word_analogies(hand_wv, questions, restrict_vocab=8).summary()
    assert "family" in text and "gram1-gender" in text and "(6/9)" in text


# ---------------------------------------------------------------- brute-force oracle


def brute_answer(units: np.ndarray, a: int, b: int, c: int, method: str) -> int:
    """Best row for one question, computed directly in float64."""
    if method == "3cosadd":
        target = units[b] - units[a] + units[c]
        scores = units @ (target / np.linalg.norm(target))
    else:
        cos = units @ units[[a, b, c]].T
        shifted = (1 + cos) / 2
        scores = shifted[:, 1] * shifted[:, 2] / (shifted[:, 0] + 1e-6)
    scores[[a, b, c]] = -np.inf
    return int(np.argmax(scores))


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
@pytest.mark.parametrize("restrict", [None, 150])
def test_against_brute_force(tmp_path, method, restrict):
    rng = np.random.default_rng(7)
    n_words, d = 200, 8
    keys = [f"w{i}" for i in range(n_words)]
    vecs = rng.normal(size=(n_words, d))
    # Make most questions hold approximately, so many are answered right.
    quads = []
    for _ in range(300):
        a, b, c = rng.choice(n_words, 3, replace=False)
        target = vecs[b] - vecs[a] + vecs[c] + rng.normal(size=d) * 0.3
        dist = np.linalg.norm(vecs - target, axis=1)
        dist[[a, b, c]] = np.inf
        d_row = int(np.argmin(dist)) if rng.random() < 0.6 else int(rng.integers(n_words))
        quads.append((a, b, c, d_row))
    lines = [": sec-a"] + [" ".join(keys[i] for i in q) for q in quads[:150]] + [": gram-b"]
    for q in quads[150:]:
        lines += [" ".join(keys[i] for i in q), "w1 w2 w3 unknown"]
    text = "\n".join(lines) + "\n"
    path = write(tmp_path / "q.txt", text)
    wv = KeyedVectors(keys, vecs)

    result = evaluate_word_analogies(wv, path, restrict_vocab=restrict, method=method)

    n = restrict or n_words
    units = vecs[:n] / np.linalg.norm(vecs[:n], axis=1, keepdims=True)
    expected_correct, expected_skipped = [[], []], [0, 150]
    for s, q in enumerate([quads[:150], quads[150:]]):
        for a, b, c, e in q:
            if max(a, b, c, e) >= n:
                expected_skipped[s] += 1
            elif brute_answer(units, a, b, c, method) == e:
                expected_correct[s].append(tuple(keys[i] for i in (a, b, c, e)))
    got_correct = [s.correct_questions for s in result.sections]
    assert got_correct == expected_correct
    assert [s.skipped for s in result.sections] == expected_skipped
    assert result.answered + result.skipped == 450
    assert 0 < result.correct < result.answered  # a real mix of right and wrong


# ---------------------------------------------------------------- word pairs


def test_pairs_spearman_is_exact_on_monotonic_data(tmp_path):
    # "x" at angle 0 and y_k at 10k degrees: cosine falls with k.
    angles = np.radians(np.arange(0, 90, 10))
    keys = ["x"] + [f"y{k}" for k in range(len(angles))]
    vecs = np.vstack([[1.0, 0.0], np.column_stack([np.cos(angles), np.sin(angles)])])
    wv = KeyedVectors(keys, vecs)
    lines = [f"x\ty{k}\t{10 - k}" for k in range(len(angles))]
    result = evaluate_word_pairs(wv, write(tmp_path / "p.tsv", "\n".join(lines)))
    assert result.spearman == pytest.approx(1.0)
    assert result.pearson > 0.9
    lines = [f"x y{k} {k}" for k in range(len(angles))]
    result = evaluate_word_pairs(wv, write(tmp_path / "p.txt", "\n".join(lines)))
    assert result.spearman == pytest.approx(-1.0)


def test_pairs_against_scipy(tmp_path):
    rng = np.random.default_rng(5)
    keys = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta"]
    vecs = rng.normal(size=(len(keys), 6))
    wv = KeyedVectors(keys, vecs)
    pairs = [("alpha", "beta", 3.5), ("GAMMA", "delta", 1.0), ("eps", "zeta", 9.0),
             ("alpha", "eta", 4.25), ("beta", "gamma", 7.0), ("zeta", "delta", 2.0)]  # fmt: skip
    text = "# comment line\n\n" + "\n".join(
        f"{a}\t{b}\t{s}" if i % 2 else f"{a} {b}   {s}" for i, (a, b, s) in enumerate(pairs)
    )
    text += "\nalpha\tunknownword\t5.0\nbroken line\nalpha beta notanumber\n"
    result = evaluate_word_pairs(wv, write(tmp_path / "pairs.txt", text))

    def cos(a: str, b: str) -> float:
        u, v = (wv.vectors[keys.index(w.lower())].astype(np.float64) for w in (a, b))
        return float(u @ v / np.linalg.norm(u) / np.linalg.norm(v))

    gold = [s for _, _, s in pairs]
    model = [cos(a, b) for a, b, _ in pairs]
    assert result.spearman == pytest.approx(stats.spearmanr(gold, model).statistic, abs=1e-12)
    assert result.pearson == pytest.approx(stats.pearsonr(gold, model).statistic, abs=1e-9)
    assert result.spearman_pvalue == pytest.approx(stats.spearmanr(gold, model).pvalue)
    assert result.pearson_pvalue == pytest.approx(stats.pearsonr(gold, model).pvalue, rel=1e-6)
    assert (result.pairs_used, result.oov_pairs, result.invalid_lines) == (6, 1, 2)
    assert result.oov_ratio == pytest.approx(100 / 7)

    dummy = evaluate_word_pairs(wv, tmp_path / "pairs.txt", dummy4unknown=True)
    assert dummy.pairs_used == 7
    expected = stats.spearmanr([*gold, 5.0], [*model, 0.0]).statistic
    assert dummy.spearman == pytest.approx(expected, abs=1e-12)

    # case-sensitive: "GAMMA" is unknown too; with 4 rows, the 3 pairs with eps, zeta or
    # eta are unknown too (plus "unknownword")
    assert evaluate_word_pairs(wv, tmp_path / "pairs.txt", case_insensitive=False).oov_pairs == 2
    assert evaluate_word_pairs(wv, tmp_path / "pairs.txt", restrict_vocab=4).oov_pairs == 4
    comma = write(tmp_path / "c.csv", "alpha,beta,1\ngamma,delta,2\neps,zeta,3\n")
    assert evaluate_word_pairs(wv, comma, delimiter=",").pairs_used == 3
    with pytest.raises(ValueError, match="at least 2"):
        evaluate_word_pairs(wv, write(tmp_path / "none.txt", "foo bar 1\nbaz qux 2\n"))


# ---------------------------------------------------------------- bundled data


def _pair_words(path: Path) -> list[str]:
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t") if "\t" in line else line.split()
            words += [fields[0].lower(), fields[1].lower()]
    return list(dict.fromkeys(words))


@pytest.mark.parametrize(
    ("name", "n_pairs"), [("wordsim353", 353), ("simlex999", 999), ("men", 3000)]
)
def test_bundled_pair_sets(name, n_pairs):
    path = dataset_path(name)
    words = _pair_words(path)
    wv = KeyedVectors(words, np.random.default_rng(0).normal(size=(len(words), 10)))
    result = evaluate_word_pairs(wv, name)
    assert (result.pairs_used, result.oov_pairs, result.invalid_lines) == (n_pairs, 0, 0)
    assert result.oov_ratio == 0.0
    assert wv.evaluate_word_pairs(name).spearman == result.spearman


def test_bundled_analogies():
    sections = []
    for line in dataset_path("questions-words").read_text().splitlines():
        if line.startswith(": "):
            sections.append([line[2:], 0])
        else:
            sections[-1][1] += 1
    assert len(sections) == 14 and sum(n for _, n in sections) == 19544
    wv = KeyedVectors(["athens", "greece"], np.eye(2))
    result = wv.evaluate_word_analogies()  # "questions-words" by default
    assert [s.name for s in result.sections] == [name for name, _ in sections]
    assert (result.answered, result.skipped) == (0, 19544)
    assert result.accuracy == 0.0


def test_bundled_files_and_readme():
    data = Path(dataset_path("wordsim353")).parent
    readme = (data / "README.md").read_text(encoding="utf-8")
    for name, filename in DATASETS.items():
        assert dataset_path(name).is_file()
        assert dataset_path(name.upper()) == dataset_path(name)
        assert filename in readme
    assert (data / "MEN_licence.txt").is_file()
    with pytest.raises(FileNotFoundError, match=r"not bundled.*rw\.txt"):
        dataset_path("rw")
    with pytest.raises(FileNotFoundError, match="bundled: questions-words"):
        dataset_path("nope")


def test_rare_words_file_by_path():
    rw = SHARED / "eval" / "rw.txt"
    if not rw.is_file():
        pytest.skip("shared/data/eval/rw.txt not available")
    words = _pair_words(rw)
    wv = KeyedVectors(words, np.random.default_rng(0).normal(size=(len(words), 10)))
    assert evaluate_word_pairs(wv, rw).pairs_used == 2034


# ---------------------------------------------------------------- equality with gensim


def gensim_kv(keys: list[str], vecs: np.ndarray):
    gensim_models = pytest.importorskip("gensim.models")
    kv = gensim_models.KeyedVectors(vecs.shape[1])
    kv.add_vectors(keys, vecs.astype(np.float32))
    return kv


def assert_same_analogies(ours: AnalogyResult, theirs: tuple, case_insensitive: bool) -> None:
    score, sections = theirs
    total = sections.pop()
    assert total["section"] == "Total accuracy"
    assert [s.name for s in ours.sections] == [s["section"] for s in sections]
    for mine, their in zip(ours.sections, sections, strict=True):
        correct = mine.correct_questions
        if case_insensitive:
            correct = [tuple(w.upper() for w in q) for q in correct]
        assert correct == their["correct"], mine.name
        assert mine.incorrect == len(their["incorrect"]), mine.name
    assert ours.accuracy == score
    assert ours.correct == len(total["correct"])


def relational_vectors(seed: int = 1, d: int = 32, noise: float = 1.2):
    """Vectors where questions-words relations roughly hold: y = x + r_section + noise.

    Adds random distractors, capitalised second spellings of some words (near the
    originals, later rows), and the words of the bundled pair sets, minus a few.
    """
    rng = np.random.default_rng(seed)
    vec: dict[str, np.ndarray] = {}
    section = None
    for line in dataset_path("questions-words").read_text().splitlines():
        if line.startswith(": "):
            section = rng.normal(size=d) * 0.8
            continue
        a, b, c, e = line.lower().split()
        for x, y in ((a, b), (c, e)):
            if x not in vec and y not in vec:
                vec[x] = rng.normal(size=d)
            if y not in vec:
                vec[y] = vec[x] + section + rng.normal(size=d) * noise
            elif x not in vec:
                vec[x] = vec[y] - section + rng.normal(size=d) * noise
    words = list(vec)
    rng.shuffle(words)
    for name in ("wordsim353", "simlex999", "men"):
        for w in _pair_words(dataset_path(name))[5:]:  # the first few stay unknown
            vec.setdefault(w, rng.normal(size=d))
    extra = [w for w in vec if w not in set(words)] + [f"noise{i}" for i in range(300)]
    variants = [w.capitalize() for w in words[:60]]
    keys = words + extra + variants
    rows = [vec.get(w, rng.normal(size=d)) for w in words + extra]
    rows += [vec[w.lower()] + rng.normal(size=d) * 0.3 for w in variants]
    return keys, np.array(rows, dtype=np.float32)


@pytest.fixture(scope="module")
def synthetic():
    keys, vecs = relational_vectors()
    return KeyedVectors(keys, vecs), gensim_kv(keys, vecs)


@pytest.mark.parametrize(
    ("restrict", "case_insensitive", "dummy"),
    [(700, True, False), (None, True, False), (1500, False, True)],
)
def test_analogies_equal_gensim_synthetic(synthetic, restrict, case_insensitive, dummy):
    wv, kv = synthetic
    path = str(dataset_path("questions-words"))
    ours = evaluate_word_analogies(
        wv, restrict_vocab=restrict, case_insensitive=case_insensitive, dummy4unknown=dummy
    )
    theirs = kv.evaluate_word_analogies(
        path,
        restrict_vocab=restrict or len(wv),
        case_insensitive=case_insensitive,
        dummy4unknown=dummy,
    )
    assert_same_analogies(ours, theirs, case_insensitive)
    assert 0.2 < ours.accuracy < 0.95  # many right, many wrong


def test_evaluate_accepts_gensim_vectors(synthetic):
    wv, kv = synthetic
    ours = evaluate_word_analogies(wv, restrict_vocab=500)
    assert by_name(evaluate_word_analogies(kv, restrict_vocab=500)) == by_name(ours)


@pytest.mark.parametrize(
    ("name", "delimiter"), [("wordsim353", "\t"), ("simlex999", "\t"), ("men", " ")]
)
@pytest.mark.parametrize("restrict", [300000, 1000])
def test_pairs_equal_gensim_synthetic(synthetic, name, delimiter, restrict):
    wv, kv = synthetic
    ours = evaluate_word_pairs(wv, name, restrict_vocab=restrict)
    pearson, spearman, oov_ratio = kv.evaluate_word_pairs(
        str(dataset_path(name)), delimiter=delimiter, restrict_vocab=restrict
    )
    assert ours.oov_ratio == pytest.approx(oov_ratio, abs=1e-12)
    assert ours.pearson == pytest.approx(pearson.statistic, abs=1e-6)
    assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-5)
    assert ours.oov_pairs > 0


def read_corpus_words(path: Path, n_words: int) -> list[list[str]]:
    sentences, total = [], 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in itertools.islice(f, 100000):
            words = line.split()
            sentences.append(words)
            total += len(words)
            if total >= n_words:
                break
    return sentences


def test_equal_gensim_on_trained_vectors():
    gensim_models = pytest.importorskip("gensim.models")
    corpus = SHARED / "corpus-dev.txt.gz"
    if not corpus.is_file():
        pytest.skip("shared/data/corpus-dev.txt.gz not available")
    sentences = read_corpus_words(corpus, 300_000)
    model = gensim_models.Word2Vec(
        sentences, vector_size=50, window=5, min_count=5, epochs=10, workers=1, seed=1
    )
    kv = model.wv
    wv = KeyedVectors(kv.index_to_key, kv.vectors.copy())
    for restrict in (30000, 2000):
        ours = evaluate_word_analogies(wv, restrict_vocab=restrict)
        theirs = kv.evaluate_word_analogies(
            str(dataset_path("questions-words")), restrict_vocab=restrict
        )
        assert_same_analogies(ours, theirs, case_insensitive=True)
        assert ours.answered > 400
    # 300k words are few: about 1.5% of the ~2,500 answerable questions come out right.
    assert evaluate_word_analogies(wv).correct > 10
    for name in ("wordsim353", "simlex999"):
        result = evaluate_word_pairs(wv, name)
        pearson, spearman, oov_ratio = kv.evaluate_word_pairs(str(dataset_path(name)))
        assert result.oov_ratio == pytest.approx(oov_ratio, abs=1e-12)
        assert result.pearson == pytest.approx(pearson.statistic, abs=1e-6)
        assert result.spearman == pytest.approx(spearman.statistic, abs=1e-5)
