"""Tests of cw2v.vocab: counting, trimming, ordering, subsampling, alias table, Huffman codes."""

from __future__ import annotations

import doctest
import gzip
import heapq
import itertools
import json
import math
import os
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from cw2v import vocab as vocab_module
from cw2v.vocab import (
    PROGRESS_EVERY,
    RULE_DEFAULT,
    RULE_DISCARD,
    RULE_KEEP,
    Vocabulary,
    WordCounts,
    count_words,
)

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
U32 = 2**32

# The Gettysburg Address (Abraham Lincoln, 1863; public domain), the Bliss copy.
GETTYSBURG = """\
Four score and seven years ago our fathers brought forth on this continent, a new nation,
conceived in Liberty, and dedicated to the proposition that all men are created equal.
Now we are engaged in a great civil war, testing whether that nation, or any nation so
conceived and so dedicated, can long endure. We are met on a great battle-field of that war.
We have come to dedicate a portion of that field, as a final resting place for those who here
gave their lives that that nation might live. It is altogether fitting and proper that we
should do this.
But, in a larger sense, we can not dedicate -- we can not consecrate -- we can not hallow --
this ground. The brave men, living and dead, who struggled here, have consecrated it, far
above our poor power to add or detract. The world will little note, nor long remember what we
say here, but it can never forget what they did here. It is for us the living, rather, to be
dedicated here to the unfinished work which they who fought here have thus far so nobly
advanced. It is rather for us to be here dedicated to the great task remaining before us --
that from these honored dead we take increased devotion to that cause for which they gave the
last full measure of devotion -- that we here highly resolve that these dead shall not have
died in vain -- that this nation, under God, shall have a new birth of freedom -- and that
government of the people, by the people, for the people, shall not perish from the earth.
"""


def _sentences(text: str) -> list[list[str]]:
    """Lowercased word lists, one per sentence (split at . and --)."""
    parts = re.split(r"\.|--", text.lower())
    return [words for part in parts if (words := re.findall(r"[a-z0-9]+", part))]


BUILTIN = _sentences(GETTYSBURG)


def _corpus_dev(n_words: int = 200_000) -> list[list[str]]:
    path = SHARED_DATA / "corpus-dev.txt.gz"
    if not path.exists():
        pytest.skip("../shared/data/corpus-dev.txt.gz is not present (only on the dev machine)")
    lines, seen = [], 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            tokens = line.split()
            lines.append(tokens)
            seen += len(tokens)
            if seen >= n_words:
                break
    return lines


@pytest.fixture(scope="module", params=["builtin", "corpus-dev"])
def real_text(request) -> list[list[str]]:
    return BUILTIN if request.param == "builtin" else _corpus_dev()


def _flat(sentences):
    return [w for s in sentences for w in s]


def _zipf_counts(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = 10_000_000 / np.arange(1, n + 1) ** 1.05
    return np.maximum((base * rng.uniform(0.9, 1.1, n)).astype(np.int64), 1)


def _vocab_from_array(counts: np.ndarray) -> Vocabulary:
    return Vocabulary.from_counts(
        {f"w{i}": int(c) for i, c in enumerate(counts.tolist())}, min_count=1
    )


def test_doctests():
    result = doctest.testmod(vocab_module)
    assert result.attempted > 10
    assert result.failed == 0


# ----------------------------------------------------------------------------- counting


def test_counts_match_counter(real_text):
    truth = Counter(_flat(real_text))
    wc = count_words(real_text)
    assert wc.counts == truth
    assert wc.total_words == sum(truth.values())
    assert wc.total_blocks == len(real_text)
    assert wc.min_reduce == 1
    assert wc.peak_distinct == len(truth)


def test_block_boundaries_do_not_matter(real_text):
    flat = _flat(real_text)
    for size in (1, 7, 1000, len(flat)):
        blocks = [flat[i : i + size] for i in range(0, len(flat), size)]
        wc = count_words(blocks)
        assert wc.counts == Counter(flat)
        assert wc.total_blocks == len(blocks)


def test_blocks_may_be_tuples_generators_or_empty():
    blocks = [tuple(BUILTIN[0]), (w for w in BUILTIN[1]), [], iter(BUILTIN[2])]
    wc = count_words(blocks)
    assert wc.counts == Counter(BUILTIN[0] + BUILTIN[1] + BUILTIN[2])
    assert wc.total_blocks == 4


def test_progress_reports_about_every_million_words():
    block = _flat(BUILTIN) * 40  # about 10k words
    n_blocks = (2 * PROGRESS_EVERY + PROGRESS_EVERY // 2) // len(block) + 1
    calls: list[int] = []
    wc = count_words([block] * n_blocks, progress=calls.append)
    assert calls[-1] == wc.total_words == n_blocks * len(block)
    assert calls == sorted(calls)
    assert len(calls) == wc.total_words // PROGRESS_EVERY + 1
    assert all(b - a < PROGRESS_EVERY + len(block) for a, b in itertools.pairwise(calls))


# ---------------------------------------------------------------------- max_vocab_size


def _reference_pruned_count(blocks, max_vocab_size):
    """Plain statement of the rule: after each block, while too many words, drop
    count <= min_reduce and raise min_reduce by one."""
    counts: dict[str, int] = {}
    min_reduce = 1
    for block in blocks:
        for w in block:
            counts[w] = counts.get(w, 0) + 1
        while len(counts) > max_vocab_size:
            counts = {w: c for w, c in counts.items() if c > min_reduce}
            min_reduce += 1
    return counts, min_reduce


@pytest.mark.parametrize("fraction", [0.1, 0.4])
def test_max_vocab_size_bounds_memory_and_keeps_exact_counts(real_text, fraction):
    truth = Counter(_flat(real_text))
    blocks = [block for block in real_text if block]
    if len(blocks) > 200:  # larger blocks, as a file reader would give
        flat = _flat(blocks)
        blocks = [flat[i : i + 5000] for i in range(0, len(flat), 5000)]
    bound = max(5, int(len(truth) * fraction))
    wc = count_words(blocks, max_vocab_size=bound)

    assert wc.total_words == sum(truth.values())
    assert wc.min_reduce > 1
    assert len(wc.counts) <= bound
    largest_block = max(len(set(b)) for b in blocks)
    assert bound < wc.peak_distinct <= bound + largest_block
    assert all(c <= truth[w] for w, c in wc.counts.items())
    # A word whose count in the first block already reaches the final min_reduce was never
    # below any pruning threshold, so its count is exact.
    first = Counter(blocks[0])
    safe = [w for w, c in first.items() if c >= wc.min_reduce]
    assert all(wc.counts[w] == truth[w] for w in safe)
    expected, expected_min_reduce = _reference_pruned_count(blocks, bound)
    assert dict(wc.counts) == expected
    assert wc.min_reduce == expected_min_reduce


def test_max_vocab_size_above_distinct_words_changes_nothing(real_text):
    truth = Counter(_flat(real_text))
    wc = count_words(real_text, max_vocab_size=len(truth))
    assert wc.counts == truth
    assert wc.min_reduce == 1


def test_pruned_counts_carry_into_vocabulary():
    wc = count_words(BUILTIN, max_vocab_size=30)
    vocab = Vocabulary.from_counts(wc, min_count=1)
    assert vocab.total_words == sum(map(len, BUILTIN))
    assert vocab.min_reduce == wc.min_reduce > 1
    assert set(vocab.index_to_key) == set(wc.counts)


# --------------------------------------------------------------------------- trimming


def _check_order(vocab: Vocabulary) -> None:
    keys = list(zip((-vocab.counts).tolist(), vocab.index_to_key, strict=True))
    assert keys == sorted(keys)
    assert vocab.key_to_index == {w: i for i, w in enumerate(vocab.index_to_key)}
    assert vocab.counts.dtype == np.int64


@pytest.mark.parametrize("min_count", [1, 2, 5])
def test_min_count_and_order(real_text, min_count):
    truth = Counter(_flat(real_text))
    vocab = Vocabulary.from_sentences(real_text, min_count=min_count)
    kept = {w: c for w, c in truth.items() if c >= min_count}
    assert dict(zip(vocab.index_to_key, vocab.counts.tolist(), strict=True)) == kept
    assert vocab.total_words == sum(truth.values())
    assert len(vocab) == len(kept)
    assert all(w in vocab for w in kept) and "no-such-word" not in vocab
    _check_order(vocab)


def test_trim_rule_keep_discard_default():
    truth = Counter(_flat(BUILTIN))
    calls = []

    def rule(word, count, min_count):
        calls.append((word, count, min_count))
        if word == "nation":
            return RULE_DISCARD
        if word.startswith("f"):
            return RULE_KEEP
        return RULE_DEFAULT

    vocab = Vocabulary.from_counts(truth, min_count=3, trim_rule=rule)
    expected = {w for w, c in truth.items() if w != "nation" and (w.startswith("f") or c >= 3)}
    assert set(vocab.index_to_key) == expected
    assert truth["nation"] >= 3 and truth["four"] == 1  # the rule really overrode both ways
    assert sorted(calls) == sorted((w, c, 3) for w, c in truth.items())
    _check_order(vocab)


@pytest.mark.parametrize("bad", [True, 3, "keep"])
def test_trim_rule_bad_result_is_an_error(bad):
    with pytest.raises(ValueError, match="RULE_KEEP"):
        Vocabulary.from_counts({"a": 1, "b": 5}, min_count=1, trim_rule=lambda w, c, m: bad)


def test_max_final_vocab(real_text):
    truth = Counter(_flat(real_text))
    counts = np.array(sorted(truth.values()))
    for limit in (1, 3, 10, 50, len(truth) // 2, len(truth)):
        vocab = Vocabulary.from_counts(truth, min_count=1, max_final_vocab=limit)
        m = vocab.effective_min_count
        assert len(vocab) <= limit
        assert set(vocab.index_to_key) == {w for w, c in truth.items() if c >= m}
        # The smallest such min_count: one lower would keep too many (ties not split).
        if m > 1:
            assert int((counts >= m - 1).sum()) > limit
        _check_order(vocab)
    assert (
        Vocabulary.from_counts(truth, min_count=1, max_final_vocab=len(truth)).effective_min_count
        == 1
    )


def test_max_final_vocab_with_kept_words():
    counts = {"a": 9, "b": 7, "c": 7, "d": 5, "e": 1}
    keep_e = lambda w, c, m: RULE_KEEP if w == "e" else RULE_DEFAULT  # noqa: E731
    vocab = Vocabulary.from_counts(counts, min_count=1, max_final_vocab=3, trim_rule=keep_e)
    assert vocab.index_to_key == ["a", "e"]  # b and c tie at the cut: both go
    assert vocab.effective_min_count == 8


def test_total_words_argument():
    vocab = Vocabulary.from_counts({"a": 3, "b": 1}, min_count=2, total_words=100)
    assert vocab.total_words == 100
    assert Vocabulary.from_counts({"a": 3, "b": 1}, min_count=2).total_words == 4


# ------------------------------------------------------------------------ determinism

_SUBPROCESS = """
import json, sys
from cw2v.vocab import Vocabulary
sentences = json.loads(sys.stdin.read())
v = Vocabulary.from_sentences(sentences, min_count=1)
print(json.dumps([v.index_to_key, v.counts.tolist()]))
"""


def test_order_independent_of_hash_seed_and_input_order():
    sentences = [*BUILTIN, ["zeta", "alpha", "mu", "beta"] * 3]  # many ties
    here = Vocabulary.from_sentences(sentences, min_count=1)
    expected = [here.index_to_key, here.counts.tolist()]
    for seed in ("1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        out = subprocess.run(
            [sys.executable, "-c", _SUBPROCESS],
            input=json.dumps(sentences),
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            check=True,
        )
        assert json.loads(out.stdout) == expected
    shuffled = [list(s) for s in sentences]
    rng = random.Random(7)
    for s in shuffled:
        rng.shuffle(s)
    rng.shuffle(shuffled)
    again = Vocabulary.from_sentences(shuffled, min_count=1)
    assert [again.index_to_key, again.counts.tolist()] == expected
    _check_order(here)


# ---------------------------------------------------------------------------- errors


def test_empty_corpus_is_an_error():
    for corpus in ([], [[], []]):
        with pytest.raises(ValueError, match="empty"):
            Vocabulary.from_sentences(corpus, min_count=1)
    with pytest.raises(ValueError, match="empty"):
        Vocabulary.from_counts({}, min_count=1)


def test_everything_below_min_count_is_an_error():
    truth = Counter(_flat(BUILTIN))
    top = max(truth.values())
    with pytest.raises(ValueError) as info:
        Vocabulary.from_sentences(BUILTIN, min_count=top + 1)
    message = str(info.value)
    assert f"{len(truth)} distinct words" in message
    assert f"{top} times" in message
    assert "min_count" in message and "Lower" in message


@pytest.mark.parametrize("corpus", [["the cat sat", "on the mat"], "the cat sat", [b"the cat"]])
def test_string_sentences_are_an_error(corpus):
    with pytest.raises(TypeError, match="split"):
        count_words(corpus)


def test_non_str_tokens_are_an_error():
    with pytest.raises(TypeError, match=r"int.*list of str tokens"):
        count_words([[1, 2, 3]])
    with pytest.raises(TypeError, match="bytes"):
        Vocabulary.from_sentences([["ok"], [b"x", b"y"]], min_count=1)
    with pytest.raises(TypeError, match="float"):  # not the first token: caught at the end
        count_words([["a", "b", 2.5]])
    with pytest.raises(TypeError, match="int"):
        Vocabulary.from_counts({"a": 2, 7: 3}, min_count=1)


def test_bad_arguments_are_errors():
    with pytest.raises(ValueError, match="max_vocab_size"):
        count_words(BUILTIN, max_vocab_size=0)
    with pytest.raises(ValueError, match="min_count"):
        Vocabulary.from_counts({"a": 1}, min_count=-1)
    with pytest.raises(ValueError, match="max_final_vocab"):
        Vocabulary.from_counts({"a": 1}, min_count=1, max_final_vocab=0)
    with pytest.raises(TypeError, match="integers"):
        Vocabulary.from_counts({"a": 1.5}, min_count=1)
    with pytest.raises(ValueError, match=">= 0"):
        Vocabulary.from_counts({"a": -1}, min_count=1)
    with pytest.raises(ValueError, match="distinct"):
        Vocabulary(["a", "b", "a"], [3, 2, 1])
    with pytest.raises(ValueError, match="2 words but 3 counts"):
        Vocabulary(["a", "b"], [3, 2, 1])
    vocab = Vocabulary(["a", "b"], [3, 2])
    with pytest.raises(ValueError, match="sample"):
        vocab.keep_probabilities(-0.1)
    with pytest.raises(ValueError, match="loss"):
        vocab.estimate_memory(10, loss="nce")


# ---------------------------------------------------------------------------- update


def test_updated_keeps_old_indices():
    first, second = BUILTIN[: len(BUILTIN) // 2], BUILTIN[len(BUILTIN) // 2 :]
    old = Vocabulary.from_sentences(first, min_count=2)
    more = count_words(second)
    new = old.updated(more, min_count=2)
    n = len(old)
    assert new.index_to_key[:n] == old.index_to_key
    assert all(new.key_to_index[w] == i for i, w in enumerate(old.index_to_key))
    old_truth, new_truth = Counter(_flat(first)), Counter(_flat(second))
    for w in old.index_to_key:
        assert new.counts[new.key_to_index[w]] == old_truth[w] + new_truth[w]
    added = new.index_to_key[n:]
    expected_added = {w for w, c in new_truth.items() if c >= 2 and w not in old}
    assert set(added) == expected_added and added
    keys = [(-new_truth[w], w) for w in added]
    assert keys == sorted(keys)
    assert new.total_words == old.total_words + more.total_words
    assert old.index_to_key == Vocabulary.from_sentences(first, min_count=2).index_to_key


def test_updated_with_nothing_new_and_with_trim_rule():
    old = Vocabulary.from_counts({"a": 5, "b": 4}, min_count=1)
    same = old.updated({"a": 1}, min_count=1)
    assert same.index_to_key == ["a", "b"] and same.counts.tolist() == [6, 4]
    discard_z = lambda w, c, m: RULE_DISCARD if w == "z" else RULE_DEFAULT  # noqa: E731
    grown = old.updated({"z": 9, "y": 1, "x": 1}, min_count=1, trim_rule=discard_z)
    assert grown.index_to_key == ["a", "b", "x", "y"]


# ------------------------------------------------------------------------ subsampling


@pytest.mark.parametrize("sample", [1e-5, 1e-3, 1e-2])
def test_keep_probabilities_follow_word2vec_formula(real_text, sample):
    vocab = Vocabulary.from_sentences(real_text, min_count=1)
    total = sum(vocab.counts.tolist())
    t = sample * total
    expected = [min(1.0, (math.sqrt(c / t) + 1) * t / c) for c in vocab.counts.tolist()]
    got = vocab.keep_probabilities(sample)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert got[0] < 1.0  # the most frequent word is subsampled at these rates
    assert np.all(np.diff(got) >= -1e-15)  # rarer words are kept at least as often


def test_keep_probabilities_use_retained_total():
    # Words dropped by min_count do not count in the total (as in word2vec.c and gensim).
    big = Vocabulary.from_counts({"a": 1000, "b": 100, "rare": 1}, min_count=2)
    small = Vocabulary.from_counts({"a": 1000, "b": 100}, min_count=2)
    np.testing.assert_array_equal(big.keep_probabilities(1e-2), small.keep_probabilities(1e-2))
    assert big.total_words == 1101


def test_sample_zero_keeps_everything(real_text):
    vocab = Vocabulary.from_sentences(real_text, min_count=1)
    np.testing.assert_array_equal(vocab.keep_probabilities(0.0), 1.0)
    np.testing.assert_array_equal(vocab.keep_thresholds(0.0), U32 - 1)


@pytest.mark.parametrize("sample", [0.0, 1e-4, 1e-2])
def test_keep_thresholds_match_probabilities(real_text, sample):
    vocab = Vocabulary.from_sentences(real_text, min_count=1)
    p = vocab.keep_probabilities(sample)
    thr = vocab.keep_thresholds(sample)
    assert thr.dtype == np.uint32 and thr.shape == p.shape
    expected = [min(math.floor(x * U32), U32 - 1) for x in p.tolist()]
    assert thr.tolist() == expected
    # The kernel keeps iff r <= thr: probability (thr + 1) / 2**32, within 2**-32 of p.
    assert np.all(np.abs((thr.astype(np.float64) + 1) / U32 - p) <= 1.0 / U32)


# -------------------------------------------------------------------- noise and alias


def _implied_distribution(prob: np.ndarray, alias: np.ndarray) -> np.ndarray:
    n = len(prob)
    own = prob.astype(np.float64) / U32
    mass = np.bincount(np.arange(n), weights=own, minlength=n)
    mass += np.bincount(alias.astype(np.int64), weights=1.0 - own, minlength=n)
    return mass / n


def _draw(prob: np.ndarray, alias: np.ndarray, n_draws: int, seed: int) -> np.ndarray:
    """The kernel's rule, in numpy."""
    r = np.random.default_rng(seed).bit_generator.random_raw(n_draws).astype(np.uint64)
    column = ((r >> np.uint64(32)) * np.uint64(len(prob))) >> np.uint64(32)
    low = r & np.uint64(0xFFFFFFFF)
    own = low < prob[column].astype(np.uint64)
    return np.where(own, column, alias[column].astype(np.uint64)).astype(np.int64)


@pytest.mark.parametrize("ns_exponent", [0.75, 0.0, 1.0, -0.5])
def test_noise_distribution(real_text, ns_exponent):
    vocab = Vocabulary.from_sentences(real_text, min_count=1)
    q = vocab.noise_distribution(ns_exponent)
    weights = np.array([c**ns_exponent for c in vocab.counts.tolist()])
    assert q.dtype == np.float64
    assert math.isclose(q.sum(), 1.0, rel_tol=1e-12)
    np.testing.assert_allclose(q, weights / weights.sum(), rtol=1e-12)


@pytest.mark.parametrize("ns_exponent", [0.75, 0.0, 1.0, -0.5, 3.0])
def test_alias_table_implies_noise_distribution(real_text, ns_exponent):
    vocab = Vocabulary.from_sentences(real_text, min_count=1)
    prob, alias = vocab.alias_table(ns_exponent)
    assert prob.dtype == np.uint32 and alias.dtype == np.int32
    assert prob.shape == alias.shape == (len(vocab),)
    assert alias.min() >= 0 and alias.max() < len(vocab)
    implied = _implied_distribution(prob, alias)
    np.testing.assert_allclose(implied, vocab.noise_distribution(ns_exponent), rtol=0, atol=1e-9)
    # Full columns are exact: they never fall through to another word.
    full = prob == U32 - 1
    assert np.all(alias[full] == np.flatnonzero(full))


def test_alias_table_large_zipf_vocabulary():
    vocab = _vocab_from_array(_zipf_counts(200_000))
    prob, alias = vocab.alias_table()
    implied = _implied_distribution(prob, alias)
    q = vocab.noise_distribution()
    assert np.abs(implied - q).max() <= 1e-9
    assert np.abs(implied - q).sum() < 1e-9  # total variation is tiny too


def test_alias_table_special_cases():
    uniform = Vocabulary(["a", "b", "c"], [5, 5, 5])
    prob, alias = uniform.alias_table()
    assert prob.tolist() == [U32 - 1] * 3 and alias.tolist() == [0, 1, 2]
    prob, alias = Vocabulary(["a"], [7]).alias_table()
    assert prob.tolist() == [U32 - 1] and alias.tolist() == [0]
    skewed = Vocabulary(["a", "b", "c", "d"], [10**12, 1, 1, 1])
    prob, alias = skewed.alias_table(1.0)
    np.testing.assert_allclose(
        _implied_distribution(prob, alias), skewed.noise_distribution(1.0), atol=1e-9
    )
    assert np.all(alias[1:] == 0)
    updated = Vocabulary(["a", "b", "c"], [1, 50, 3])  # not sorted, as after updated()
    prob, alias = updated.alias_table()
    np.testing.assert_allclose(
        _implied_distribution(prob, alias), updated.noise_distribution(), atol=1e-9
    )


def test_alias_table_exact_ties_in_integer_masses():
    # Small integer counts with ns_exponent 1 make masses that are exact multiples of
    # 2**32 / V, so a deficit can start exactly where a large word's excess ends.
    rng = np.random.default_rng(3)
    cases = [[3, 3, 1, 1], [5, 1, 1, 1], [2, 2, 2, 1, 1]]
    cases += [rng.integers(1, 6, size=rng.integers(2, 12)).tolist() for _ in range(300)]
    for counts in cases:
        vocab = Vocabulary([f"w{i}" for i in range(len(counts))], counts)
        for ns_exponent in (1.0, 0.5):
            prob, alias = vocab.alias_table(ns_exponent)
            np.testing.assert_allclose(
                _implied_distribution(prob, alias),
                vocab.noise_distribution(ns_exponent),
                rtol=0,
                atol=1e-9,
                err_msg=f"counts={counts}, ns_exponent={ns_exponent}",
            )


def test_alias_draws_chi_square():
    truth = Counter(_flat(BUILTIN))
    vocab = Vocabulary.from_counts(truth, min_count=2)
    assert 30 <= len(vocab) <= 80
    prob, alias = vocab.alias_table(0.75)
    n_draws = 1_000_000
    draws = _draw(prob, alias, n_draws, seed=2024)
    observed = np.bincount(draws, minlength=len(vocab))
    expected = vocab.noise_distribution(0.75) * n_draws
    assert expected.min() > 5
    assert stats.chisquare(observed, expected).pvalue > 0.001
    # The same draws against a wrong distribution (unigram instead of ^0.75) fail clearly.
    wrong = vocab.counts / vocab.counts.sum() * n_draws
    assert stats.chisquare(observed, wrong).pvalue < 1e-6


# --------------------------------------------------------------------------- Huffman


def _paths(h, n):
    return [
        (
            h.codes[h.offsets[i] : h.offsets[i + 1]].tolist(),
            h.points[h.offsets[i] : h.offsets[i + 1]].tolist(),
        )
        for i in range(n)
    ]


def _heapq_huffman_cost(counts) -> int:
    """Σ count·length of an optimal code = the sum of the weights of all merged nodes."""
    heap = list(counts)
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        cost += merged
        heapq.heappush(heap, merged)
    return cost


def _word2vec_c_tree(counts_desc):
    """A line-by-line port of word2vec.c's CreateBinaryTree (counts sorted descending)."""
    n = len(counts_desc)
    count = list(counts_desc) + [10**18] * n
    binary, parent = [0] * (2 * n), [0] * (2 * n)
    pos1, pos2 = n - 1, n
    for a in range(n - 1):
        picks = []
        for _ in range(2):
            if pos1 >= 0 and count[pos1] < count[pos2]:
                picks.append(pos1)
                pos1 -= 1
            else:
                picks.append(pos2)
                pos2 += 1
        min1i, min2i = picks
        count[n + a] = count[min1i] + count[min2i]
        parent[min1i] = parent[min2i] = n + a
        binary[min2i] = 1
    result = []
    for a in range(n):
        code, point, b = [], [], a
        while True:
            code.append(binary[b])
            point.append(b)
            b = parent[b]
            if b == 2 * n - 2:
                break
        length = len(code)
        w_code, w_point = [0] * length, [0] * (length + 1)
        w_point[0] = n - 2
        for k in range(length):
            w_code[length - k - 1] = code[k]
            w_point[length - k] = point[k] - n
        result.append((w_code, w_point[:length]))
    return result


def _check_tree(vocab: Vocabulary) -> None:
    """Structure: a full binary tree over V leaves with inner nodes 0..V-2, root V-2."""
    h = vocab.huffman_codes()
    n = len(vocab)
    assert h.codes.dtype == np.uint8 and h.points.dtype == np.int32
    assert h.offsets.dtype == np.int64 and h.offsets.shape == (n + 1,)
    assert h.offsets[0] == 0 and h.offsets[-1] == len(h.codes) == len(h.points)
    lengths = np.diff(h.offsets)
    assert lengths.min() >= 1 and h.max_length == lengths.max()
    assert set(np.unique(h.codes).tolist()) <= {0, 1}
    assert h.points.min() >= 0 and h.points.max() <= n - 2
    starts = h.offsets[:-1]
    assert np.all(h.points[starts] == n - 2)
    child: dict[tuple[int, int], object] = {}
    for i, (code, path) in enumerate(_paths(h, n)):
        for j, (node, bit) in enumerate(zip(path, code, strict=True)):
            target = path[j + 1] if j + 1 < len(path) else ("leaf", i)
            assert child.setdefault((node, bit), target) == target
    assert len(child) == 2 * (n - 1)  # every inner node has both children
    targets = list(child.values())
    assert len(set(targets)) == len(targets)  # every node has one parent
    assert n - 2 not in targets  # ... except the root
    strings = sorted("".join(map(str, h.code(i).tolist())) for i in range(n))
    assert all(not b.startswith(a) for a, b in itertools.pairwise(strings))
    assert sum(2.0 ** -len(s) for s in strings) == pytest.approx(1.0)  # Kraft equality


def _check_optimal_and_monotone(vocab: Vocabulary) -> None:
    h = vocab.huffman_codes()
    lengths = np.diff(h.offsets)
    cost = sum(c * ln for c, ln in zip(vocab.counts.tolist(), lengths.tolist(), strict=True))
    assert cost == _heapq_huffman_cost(vocab.counts.tolist())
    # A strictly more frequent word never has a longer code.
    values, inverse = np.unique(-vocab.counts, return_inverse=True)  # most frequent first
    longest = np.zeros(len(values), dtype=np.int64)
    shortest = np.full(len(values), 1 << 30, dtype=np.int64)
    np.maximum.at(longest, inverse, lengths)
    np.minimum.at(shortest, inverse, lengths)
    shortest_after = np.minimum.accumulate(shortest[::-1])[::-1]
    assert np.all(longest[:-1] <= shortest_after[1:])


def test_huffman_codes_on_real_text(real_text):
    vocab = Vocabulary.from_sentences(real_text, min_count=1)
    _check_tree(vocab)
    _check_optimal_and_monotone(vocab)


def test_huffman_matches_word2vec_c_exactly():
    vocab = Vocabulary.from_sentences(BUILTIN, min_count=1)  # many tied counts
    h = vocab.huffman_codes()
    assert _paths(h, len(vocab)) == _word2vec_c_tree(vocab.counts.tolist())
    pair = Vocabulary(["a", "b"], [5, 3]).huffman_codes()
    assert _paths(pair, 2) == [([1], [0]), ([0], [0])]  # the more frequent word gets code 1


def test_huffman_large_zipf_vocabulary():
    vocab = _vocab_from_array(_zipf_counts(100_000, seed=1))
    h = vocab.huffman_codes()
    lengths = np.diff(h.offsets)
    assert np.all(h.points[h.offsets[:-1]] == len(vocab) - 2)
    assert h.points.min() >= 0 and h.points.max() <= len(vocab) - 2
    _check_optimal_and_monotone(vocab)
    assert lengths[0] < lengths[-1]


def test_huffman_and_totals_of_counts_whose_sum_overflows_int64():
    """Counts near 2**62 each: their sum passes 2**63, which an int64 sum wraps."""
    counts = [2**62 + k for k in (5, 4, 3, 2, 1, 0)]
    vocab = Vocabulary([f"w{i}" for i in range(6)], counts)
    assert vocab.total_words == sum(counts)
    _check_tree(vocab)
    _check_optimal_and_monotone(vocab)
    from_counts = Vocabulary.from_counts(dict(zip("abcd", counts, strict=False)), min_count=1)
    assert from_counts.total_words == sum(counts[:4])


def test_huffman_unsorted_vocabulary_after_update():
    old = Vocabulary.from_sentences(BUILTIN[:3], min_count=1)
    new = old.updated(count_words(BUILTIN), min_count=1)
    assert np.any(np.diff(new.counts) > 0)  # no longer sorted by count
    _check_tree(new)
    _check_optimal_and_monotone(new)


def test_huffman_single_word():
    h = Vocabulary(["only"], [3]).huffman_codes()
    assert h.offsets.tolist() == [0, 0] and h.max_length == 0
    assert len(h.codes) == len(h.points) == 0


# ---------------------------------------------------------------------------- memory


@pytest.mark.parametrize("loss", ["ns", "hs", "softmax"])
def test_estimate_memory(loss):
    vocab = Vocabulary.from_sentences(BUILTIN, min_count=1)
    n, d = len(vocab), 50
    m = vocab.estimate_memory(d, loss=loss)
    assert m["input_vectors"] == n * d * 4
    assert m["output_vectors"] == (n - 1 if loss == "hs" else n) * d * 4
    assert m["keep_thresholds"] == n * 4
    assert ("alias_table" in m) == (loss == "ns")
    if loss == "ns":
        prob, alias = vocab.alias_table()
        assert m["alias_table"] == prob.nbytes + alias.nbytes
    if loss == "hs":
        h = vocab.huffman_codes()
        assert m["huffman"] == h.codes.nbytes + h.points.nbytes + h.offsets.nbytes
    assert m["vocabulary"] > sum(len(w) for w in vocab.index_to_key)
    assert m["total"] == sum(v for k, v in m.items() if k != "total")


def test_word_counts_dataclass_defaults():
    wc = WordCounts()
    assert wc.total_words == wc.total_blocks == 0 and wc.min_reduce == 1
    with pytest.raises(ValueError, match="empty"):
        Vocabulary.from_counts(wc)
