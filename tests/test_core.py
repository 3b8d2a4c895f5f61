"""The compiled kernels against the numpy reference (cw2v.reference).

Bound on one update. The kernel reads sigma(x) from a table of
``SIGMOID_TABLE_SIZE + 1`` points on [-MAX_SIGMOID, MAX_SIGMOID] at the nearest
point, so |sigma_table(x) - sigma(x)| <= max sigma' * step / 2 = DELTA with
step = 2 * MAX_SIGMOID / SIGMOID_TABLE_SIZE (outside the range the clamp error
1 - sigma(8) = 3.4e-4 is smaller). Each output row's coefficient
alpha * (label - sigma(f)) is therefore off by at most alpha * DELTA, so

* an output row u_k moves by coef_k * h: error <= alpha * DELTA * m_k * |h|
  (m_k = how often row k is scored in the update);
* the hidden gradient sum_k coef_k u_k is off by <= alpha * DELTA * sum_k m_k |u_k|,
  and each input row receives it times ``scale * (times the row is an input)``.

The full softmax uses exp() directly, so only float32 rounding remains; every
bound gets FLOAT_SLACK for that. The loss uses a log-sigmoid table with
error <= step / 2 per term (|d log sigma / dx| <= 1).
"""

from __future__ import annotations

import collections
import functools
import itertools
from dataclasses import dataclass

import numpy as np
import pytest

from cw2v import _core, reference
from cw2v.vocab import Vocabulary

STEP = 2 * _core.MAX_SIGMOID / _core.SIGMOID_TABLE_SIZE
DELTA = 0.25 * STEP / 2
LOG_DELTA = STEP / 2
FLOAT_SLACK = 2e-6

V, D = 9, 6
# (model, cbow_mean, cbow_exact, shared_negatives)
MODELS = [
    ("skipgram", True, False, True),
    ("skipgram", True, False, False),
    ("cbow", True, True, True),
    ("cbow", True, False, True),
    ("cbow", False, False, True),
]
LOSSES = ["ns", "hs", "softmax"]
COUNTS = [50, 31, 20, 12, 9, 7, 4, 2, 1]


@dataclass
class State:
    syn0: np.ndarray
    syn1: np.ndarray
    vocab: Vocabulary
    tables: dict
    negative: int

    def kernel(self, model="skipgram", loss="ns", cbow_mean=True, cbow_exact=False, shared=True):
        return _core.Kernel(
            self.syn0,
            self.syn1,
            model=model,
            loss=loss,
            window=3,
            negative=self.negative,
            cbow_mean=cbow_mean,
            cbow_exact=cbow_exact,
            shared_negatives=shared,
            shrink_windows=False,
            **self.tables,
        )


def make_state(loss: str, seed: int = 0, negative: int = 6) -> State:
    rng = np.random.default_rng(seed)
    syn0 = (0.6 * rng.standard_normal((V, D))).astype(np.float32)
    rows = V - 1 if loss == "hs" else V
    syn1 = (0.6 * rng.standard_normal((rows, D))).astype(np.float32)
    vocab = Vocabulary.from_counts({f"w{i}": c for i, c in enumerate(COUNTS)}, min_count=1)
    tables = {}
    if loss == "ns":
        tables["noise_prob"], tables["noise_alias"] = vocab.alias_table(0.0)
    if loss == "hs":
        codes = vocab.huffman_codes()
        tables.update(codes=codes.codes, points=codes.points, code_offsets=codes.offsets)
    return State(syn0, syn1, vocab, tables, negative)


def reference_loss_fns(loss, kernel, vocab, target, seed, negative, groups, shared):
    """For each of ``groups`` hidden vectors: the reference loss bound to the
    output rows the kernel scores for it, and how often it scores each row.

    Negative sampling draws ``negative`` noise words from a generator seeded
    with ``seed``: once for all hidden vectors (``shared``) or once for each,
    in order. A draw equal to the target is skipped, as in the kernel."""
    rows = V - 1 if loss == "hs" else V
    if loss == "ns":
        drawn = kernel.draw_noise(seed, negative * (1 if shared else groups))
        fns, multiplicities = [], []
        for j in range(groups):
            group = drawn if shared else drawn[j * negative : (j + 1) * negative]
            negatives = [w for w in group if w != target]
            multiplicity = np.zeros(rows)
            multiplicity[target] += 1
            np.add.at(multiplicity, negatives, 1)
            fns.append(
                functools.partial(
                    reference.neg_sampling_loss_and_gradient, negative_indices=negatives
                )
            )
            multiplicities.append(multiplicity)
        return fns, multiplicities
    multiplicity = np.zeros(rows)
    if loss == "hs":
        codes = vocab.huffman_codes()
        start, stop = codes.offsets[target], codes.offsets[target + 1]
        nodes, bits = codes.points[start:stop], codes.codes[start:stop]
        np.add.at(multiplicity, nodes, 1)

        def hs(h, outside, node_vectors):
            assert outside == target
            return reference.hierarchical_softmax_loss_and_gradient(h, nodes, bits, node_vectors)

        return [hs] * groups, [multiplicity] * groups
    return [reference.naive_softmax_loss_and_gradient] * groups, [multiplicity] * groups


@pytest.mark.parametrize(("model", "cbow_mean", "cbow_exact", "shared"), MODELS)
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("case", range(4))
def test_one_update_is_minus_alpha_times_reference_gradient(
    model, cbow_mean, cbow_exact, shared, loss, case
):
    """One update (one center position) equals -alpha times the reference
    gradient, within the table bound.

    Skip-gram: the window's loss is the sum of the pairs (context -> center),
    all evaluated at the same parameters, with the noise words shared by the
    window or drawn per pair. CBOW: one hidden vector; word2vec.c's mean
    update (cbow_exact=False) gives every context row n times the exact
    gradient of the mean, checked as such."""
    if not shared and loss != "ns":
        pytest.skip("only negative sampling draws noise words to share or not")
    state = make_state(loss, seed=case)
    syn0, syn1 = state.syn0, state.syn1
    kernel = state.kernel(model, loss, cbow_mean, cbow_exact, shared)
    rng = np.random.default_rng(100 + case)
    alpha = 0.05
    target = int(rng.integers(V))
    # a repeated context word must count twice
    inputs = np.array([1, 4, 4, 7, (case + 2) % V], dtype=np.int32)
    seed = 1000 + case
    groups = len(inputs) if model == "skipgram" else 1
    loss_fns, multiplicities = reference_loss_fns(
        loss, kernel, state.vocab, target, seed, state.negative, groups, shared
    )

    syn0_before = syn0.astype(np.float64)
    syn1_before = syn1.astype(np.float64)
    delta = 0.0 if loss == "softmax" else DELTA
    out_norms = np.abs(syn1_before)
    bound_in = np.full(syn0.shape, FLOAT_SLACK)
    bound_out = np.full(syn1.shape, FLOAT_SLACK)
    if model == "skipgram":
        # shared noise: one gradient step on the window's summed loss; per
        # pair: word2vec.c's sequence of steps, each pair seeing the last one
        ref_loss, grad_in, grad_out = 0.0, 0.0, 0.0
        at0, at1 = syn0_before.copy(), syn1_before.copy()
        for word, loss_fn, multiplicity in zip(inputs, loss_fns, multiplicities, strict=True):
            pair = reference.skipgram(int(word), [target], at0, at1, loss_and_gradient=loss_fn)
            ref_loss, grad_in, grad_out = ref_loss + pair[0], grad_in + pair[1], grad_out + pair[2]
            bound_in[word] += alpha * delta * (multiplicity[:, None] * np.abs(at1)).sum(axis=0)
            bound_out += alpha * delta * multiplicity[:, None] * np.abs(at0[word])[None, :]
            if not shared:
                at0, at1 = at0 - alpha * pair[1], at1 - alpha * pair[2]
    else:
        ref_loss, grad_in, grad_out = reference.cbow(
            target,
            list(inputs),
            syn0_before,
            syn1_before,
            loss_and_gradient=loss_fns[0],
            mean=cbow_mean,
        )
        h = syn0_before[inputs].sum(axis=0)
        if cbow_mean:
            h = h / len(inputs)
        scale = 1.0 / len(inputs) if cbow_mean and cbow_exact else 1.0
        if cbow_mean and not cbow_exact:
            grad_in = grad_in * len(inputs)
        hidden_error = alpha * delta * (multiplicities[0][:, None] * out_norms).sum(axis=0)
        bound_in += np.bincount(inputs, minlength=V)[:, None] * scale * hidden_error[None, :]
        bound_out += alpha * delta * multiplicities[0][:, None] * np.abs(h)[None, :]
    terms = 0 if loss == "softmax" else sum(m.sum() for m in multiplicities)

    kernel_loss = kernel.train_example(inputs, target, alpha, seed)

    np.testing.assert_array_less(np.abs((syn0 - syn0_before) - (-alpha * grad_in)), bound_in)
    np.testing.assert_array_less(np.abs((syn1 - syn1_before) - (-alpha * grad_out)), bound_out)
    assert abs(kernel_loss - ref_loss) <= terms * LOG_DELTA + 1e-5
    # the update is not trivially zero
    assert np.abs(syn0 - syn0_before).max() > 1e-4


def test_noise_draws_include_duplicates_and_the_target_in_tested_cases():
    """The NS cases above exercise duplicated negatives and a draw equal to
    the target (which the kernel skips and the reference must not see)."""
    kernel = make_state("ns").kernel("skipgram", "ns")
    draws = [kernel.draw_noise(1000 + case, 6) for case in range(4)]
    assert any(len(set(d)) < len(d) for d in draws)
    targets = [int(np.random.default_rng(100 + case).integers(V)) for case in range(4)]
    assert any(t in d for t, d in zip(targets, draws, strict=True))


def test_sigmoid_table_error_within_derived_bound():
    xs = np.linspace(-12, 12, 20001)
    exact = reference.sigmoid(xs)
    table = np.array([_core.sigmoid(x) for x in xs])
    assert np.abs(table - exact).max() <= DELTA + 1e-7
    log_table = np.array([_core.log_sigmoid(x) for x in xs])
    assert np.abs(log_table - reference.log_sigmoid(xs)).max() <= LOG_DELTA + 1e-6
    # clamped, not skipped: far outside the range the gradient still points the right way
    assert 0.999 < _core.sigmoid(50.0) < 1.0
    assert 0.0 < _core.sigmoid(-50.0) < 0.001
    # the loss is exact outside the table
    assert _core.log_sigmoid(-30.0) == pytest.approx(-30.0, rel=1e-6)


def window_pairs(n, window):
    return sum(min(n - 1, i + window) - max(0, i - window) for i in range(n))


@pytest.mark.parametrize(("model", "loss"), list(itertools.product(["skipgram", "cbow"], LOSSES)))
def test_train_job_counts_words_and_updates(model, loss):
    kernel = make_state(loss).kernel(model, loss)
    lengths = [1, 2, 5, 13]
    rng = np.random.default_rng(3)
    sentences = [rng.integers(V, size=n).astype(np.int32) for n in lengths]
    sentences[2][1] = -1  # an unknown word: a raw word that is not trained
    ids = np.concatenate(sentences)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    raw, effective, updates, total_loss = kernel.train_job(ids, offsets, 0.025, 0.025, 9)
    assert raw == sum(lengths)
    assert effective == sum(lengths) - 1
    kept = [n - (1 if i == 2 else 0) for i, n in enumerate(lengths)]
    if model == "skipgram":
        assert updates == sum(window_pairs(n, 3) for n in kept)
    else:
        assert updates == sum(n for n in kept if n > 1)
    assert total_loss > 0 and np.isfinite(total_loss)


def test_subsampling_keeps_words_at_the_configured_rate():
    state = make_state("ns")
    keep = np.full(V, 2**31, dtype=np.uint32)  # each word kept with probability ~1/2
    keep[0] = 2**32 - 1  # word 0 always kept
    kernel = _core.Kernel(
        state.syn0, state.syn1, loss="ns", negative=2, keep_thresholds=keep, **state.tables
    )
    ids = np.tile(np.arange(V, dtype=np.int32), 4000)
    offsets = np.arange(0, len(ids) + 1, 100, dtype=np.int64)
    _, effective, _, _ = kernel.train_job(ids, offsets, 0.0, 0.0, 5)
    expected = 4000 + (V - 1) * 4000 * (2**31 + 1) / 2**32
    sd = np.sqrt((V - 1) * 4000 * 0.25)
    assert abs(effective - expected) < 5 * sd


def test_train_job_is_deterministic_for_a_seed():
    results = []
    for seed in (11, 11, 12):
        state = make_state("ns")
        kernel = state.kernel("skipgram", "ns")
        ids = np.random.default_rng(0).integers(V, size=500).astype(np.int32)
        kernel.train_job(ids, np.array([0, 250, 500], dtype=np.int64), 0.05, 0.01, seed)
        results.append(state.syn0.copy())
    assert np.array_equal(results[0], results[1])
    assert not np.array_equal(results[0], results[2])


def test_learning_rate_zero_changes_nothing():
    state = make_state("hs")
    before = state.syn0.copy(), state.syn1.copy()
    kernel = state.kernel("cbow", "hs")
    ids = np.arange(V, dtype=np.int32)
    _, _, updates, loss = kernel.train_job(ids, np.array([0, V], dtype=np.int64), 0.0, 0.0, 1)
    assert updates > 0 and loss > 0
    assert np.array_equal(state.syn0, before[0]) and np.array_equal(state.syn1, before[1])


@pytest.mark.parametrize(
    ("ids", "offsets", "message"),
    [
        ([0, 1, V], [0, 3], "outside the vocabulary"),
        ([0, -2], [0, 2], "outside the vocabulary"),
        ([0, 1], [0, 3], "outside ids"),
        ([0, 1, 2], [0, 2, 1, 3], "must not decrease"),
    ],
)
def test_train_job_rejects_bad_jobs(ids, offsets, message):
    kernel = make_state("ns").kernel("skipgram", "ns")
    with pytest.raises(ValueError, match=message):
        kernel.train_job(
            np.array(ids, dtype=np.int32), np.array(offsets, dtype=np.int64), 0.1, 0.1, 1
        )


def test_kernel_rejects_inconsistent_arrays():
    state = make_state("ns")
    syn0, syn1, tables = state.syn0, state.syn1, state.tables
    with pytest.raises(ValueError, match="rows"):
        _core.Kernel(syn0, syn1[:-1], loss="ns", **tables)
    with pytest.raises(ValueError, match="columns"):
        _core.Kernel(syn0, np.zeros((V, D + 1), np.float32), loss="ns", **tables)
    with pytest.raises(ValueError, match="alias table"):
        bad = dict(tables, noise_alias=np.full(V, V, dtype=np.int32))
        _core.Kernel(syn0, syn1, loss="ns", **bad)
    with pytest.raises(ValueError, match="noise alias table"):
        _core.Kernel(syn0, syn1, loss="ns")
    state = make_state("hs")
    syn0, syn1, tables = state.syn0, state.syn1, state.tables
    with pytest.raises(ValueError, match="inner nodes"):
        bad = dict(tables, points=np.full_like(tables["points"], V))
        _core.Kernel(syn0, syn1, loss="hs", **bad)
    with pytest.raises(ValueError, match="loss must be"):
        _core.Kernel(syn0, syn1, loss="nce")


@pytest.mark.parametrize(
    ("name", "value"),
    [("window", 0), ("window", _core.MAX_WINDOW + 1), ("window", 2**40),
     ("negative", -1), ("negative", _core.MAX_NEGATIVE + 1), ("negative", 2**63)],
)  # fmt: skip
def test_kernel_refuses_sizes_beyond_its_buffers(name, value):
    """Not OverflowError from the int conversion, nor buffer sizes that wrap."""
    state = make_state("ns")
    with pytest.raises(ValueError, match=f"{name} must be between"):
        _core.Kernel(state.syn0, state.syn1, loss="ns", **{name: value}, **state.tables)


def test_the_largest_window_and_negative_train():
    state = make_state("ns")
    kernel = _core.Kernel(
        state.syn0, state.syn1, loss="ns", window=_core.MAX_WINDOW, negative=50, **state.tables
    )
    ids = np.random.default_rng(0).integers(V, size=300).astype(np.int32)
    kernel.train_job(ids, np.array([0, 300], dtype=np.int64), 1e-4, 1e-4, 3)
    assert np.isfinite(state.syn0).all() and not np.array_equal(state.syn0, make_state("ns").syn0)


@pytest.mark.parametrize("loss", ["ns"])
def test_hot_row_copies_give_the_same_job_result(loss):
    """Updating private copies of the hot rows and adding their net change at
    the end of the job is the same job (up to float rounding) as updating
    the shared rows directly."""
    results = []
    for hot_rows in (0, 3):
        state = make_state(loss)
        kernel = _core.Kernel(
            state.syn0, state.syn1, loss=loss, negative=state.negative, hot_rows=hot_rows,
            **state.tables,
        )  # fmt: skip
        ids = np.random.default_rng(0).integers(V, size=400).astype(np.int32)
        kernel.train_job(ids, np.array([0, 200, 400], dtype=np.int64), 0.05, 0.01, 3)
        results.append((state.syn0.copy(), state.syn1.copy()))
    (in0, out0), (in3, out3) = results
    np.testing.assert_allclose(in3, in0, atol=1e-5)
    np.testing.assert_allclose(out3, out0, atol=1e-5)
    assert not np.array_equal(in0, make_state(loss).syn0)  # the job did train


def test_nan_passes_through_the_sigmoid_tables_instead_of_indexing_them():
    assert np.isnan(_core.sigmoid(float("nan")))
    assert np.isnan(_core.log_sigmoid(float("nan")))


@pytest.mark.parametrize("loss", ["ns", "hs"])
def test_nan_vectors_are_reported_as_divergence_not_a_crash(loss):
    from cw2v.dispatcher import Job, TrainingDiverged, run_epoch

    state = make_state(loss)
    state.syn0[:] = np.nan
    kernel = state.kernel("skipgram", loss)
    ids = np.random.default_rng(0).integers(V, size=50).astype(np.int32)
    job = Job(ids, np.array([0, 50], dtype=np.int64), 0.05, 0.05, 1)
    with pytest.raises(TrainingDiverged):
        run_epoch(kernel, [job], workers=1)


@pytest.mark.parametrize("piece_words", [1, 3, 10, 1000])
def test_split_text_cuts_at_line_breaks_into_pieces_that_cover_the_text(piece_words):
    rng = np.random.default_rng(piece_words)
    lines = [
        " ".join(f"w{x}" for x in rng.integers(50, size=rng.integers(0, 40))) for _ in range(60)
    ]
    text = ("\n".join(lines) + "\n \t\n" + "x " * 70).encode()
    pieces = _core.split_text(text, piece_words)
    longest = piece_words + piece_words // 2
    assert text[: pieces[0][0]].split() == [] and text[pieces[-1][1] :].split() == []
    for (start, stop, tokens), following in zip(pieces, [*pieces[1:], None], strict=True):
        piece = text[start:stop]
        assert tokens == len(piece.split()) > 0
        assert tokens <= longest
        if following is not None:
            assert text[stop : following[0]].split() == []  # nothing with tokens skipped
            assert (piece.endswith(b"\n") and tokens >= piece_words) or tokens == longest
    assert sum(p[2] for p in pieces) == len(text.split())
    with pytest.raises(ValueError, match="piece_words"):
        _core.split_text(text, 0)


ASCII_WHITESPACE = b" \t\n\r\x0b\x0c"


def random_text(seed: int, size: int) -> bytes:
    """Runs of every whitespace byte and of token bytes, short and long (past the
    64- and 128-byte blocks the compiled scanners work in), with bytes that differ
    from whitespace only in their high bit (0x89-0x8d, 0xa0) and NUL."""
    rng = np.random.default_rng(seed)
    spaces = np.frombuffer(ASCII_WHITESPACE, dtype=np.uint8)
    letters = np.frombuffer(b"ab\x00\x7f\x80\x89\x8a\x8d\xa0\xff", dtype=np.uint8)
    parts, total = [], 0
    while total < size:
        if rng.random() < 0.5:
            run = rng.choice([1, 1, 1, 2, 3, 70, 200])
            parts.append(rng.choice(spaces, size=run).tobytes())
        else:
            run = rng.choice([1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 24, 63, 64, 65, 130])
            parts.append(rng.choice(letters[: rng.integers(2, 11)], size=run).tobytes())
        total += len(parts[-1])
    return b"".join(parts)[:size]


def split_text_reference(text: bytes, piece_words: int) -> list[tuple[int, int, int]]:
    """The rule of ``_core.split_text``, byte by byte."""
    longest = piece_words + piece_words // 2
    pieces, i, start = [], 0, 0
    while i < len(text):
        tokens = 0
        while i < len(text):
            if text[i] in ASCII_WHITESPACE:
                i += 1
                if text[i - 1] == ord("\n") and tokens >= piece_words:
                    break
            else:
                while i < len(text) and text[i] not in ASCII_WHITESPACE:
                    i += 1
                tokens += 1
                if tokens >= longest:
                    break
        if tokens:
            pieces.append((start, i, tokens))
        start = i
    return pieces


@pytest.mark.parametrize("seed", range(12))
def test_compiled_tokenisers_match_bytes_split_on_random_text(seed):
    size = [0, 1, 7, 63, 64, 65, 127, 129, 500, 2000, 3000, 5000][seed]
    text = random_text(seed, size)
    tokens = text.split()
    for start in range(min(len(text), 130)):  # every alignment to the scanners' blocks
        assert _core.count_tokens(text[start:]) == len(text[start:].split())
    for piece_words in (1, 2, 5, 40, 1000):
        assert _core.split_text(text, piece_words) == split_text_reference(text, piece_words)
    for start in (1, 2, 63, 127):
        assert _core.split_text(text[start:], 5) == split_text_reference(text[start:], 5)
    table = _core.TokenTable()
    assert table.count(text) == len(tokens)
    assert sorted(table.items()) == sorted(collections.Counter(tokens).items())
    # a vocabulary of every other distinct token: hits and misses of every length
    vocab = [*list(dict.fromkeys(tokens))[::2], b"never", b"x" * 40]
    lookup = _core.TokenTable.from_words([w.decode("latin-1") for w in vocab], "latin-1")
    index = {w: i for i, w in enumerate(vocab)}
    ids, offsets = lookup.encode(text)
    lines = [line.split() for line in text.split(b"\n") if line.split()]
    assert ids.tolist() == [index.get(t, -1) for line in lines for t in line]
    assert np.diff(offsets).tolist() == [len(line) for line in lines]


@pytest.mark.parametrize("stop", [1, 5, 8, 15, 16, 17, 63, 64, 65, 200, 301])
def test_compiled_tokenisers_read_nothing_past_their_text(stop):
    """A slice of a larger buffer: the token cut by its end ends there."""
    padded = b"w" * 40 + random_text(stop, 301) + b"y" * 40
    text = memoryview(padded)[40 : 40 + stop]
    tokens = bytes(text).split()
    assert _core.count_tokens(text) == len(tokens)
    assert _core.split_text(text, 3) == split_text_reference(bytes(text), 3)
    table = _core.TokenTable()
    table.count(text)
    assert sorted(table.items()) == sorted(collections.Counter(tokens).items())
    words = [t.decode("latin-1") for t in dict.fromkeys(tokens)]
    lookup = _core.TokenTable.from_words(words, "latin-1")
    ids, _ = lookup.encode(text)
    assert -1 not in ids.tolist() and len(ids) == len(tokens)


def test_token_table_keeps_keys_of_every_length_through_growth_and_pruning():
    """Keys of 1 to 31 bytes (kept in the slot up to 16, in the arena beyond) come
    back from items() after the table grew and after prune()."""
    keys = [b"%s%d" % (b"ABC"[i % 3 :] * length, i) for i in range(3000) for length in (0, 2, 5, 9)]
    table = _core.TokenTable(1)
    text = b" ".join(key for i, key in enumerate(keys) for _ in range(1 + i % 3))
    table.count(text)
    counts = collections.Counter(text.split())
    assert dict(table.items()) == counts
    table.prune(1)
    assert dict(table.items()) == {k: c for k, c in counts.items() if c > 1}
    assert table.min_value() == 2 and len(table) == len(table.items())
    words = [k.decode() for k in counts] + [""]
    index = {word: i for i, word in enumerate(words)}
    lookup = _core.TokenTable.from_words(words)
    assert lookup.encode(text)[0].tolist() == [index[t.decode()] for t in text.split()]


def test_token_table_encodes_words_decoded_with_surrogateescape():
    raw = [b"caf\xe9", b"ok"]
    words = [w.decode("utf-8", "surrogateescape") for w in raw]
    with pytest.raises(UnicodeEncodeError):
        _core.TokenTable.from_words(words)
    table = _core.TokenTable.from_words(words, "utf-8", "surrogateescape")
    ids, offsets = table.encode(b"ok caf\xe9 x\n")
    assert ids.tolist() == [1, 0, -1] and offsets.tolist() == [0, 3]


def test_token_table_refuses_an_impossible_size():
    with pytest.raises(ValueError, match="between 0 and 2\\*\\*40"):
        _core.TokenTable(2**61)
