"""Tests of cw2v.reference: every loss and model against finite differences, plus hand checks."""

from __future__ import annotations

import doctest
import math
from functools import partial

import numpy as np
import pytest

from cw2v import reference
from cw2v.reference import (
    cbow,
    gradcheck,
    hierarchical_softmax_loss_and_gradient,
    log_sigmoid,
    naive_softmax_loss_and_gradient,
    neg_sampling_loss_and_gradient,
    sigmoid,
    skipgram,
)

TOL = 1e-5
N_WORDS, DIM = 5, 4

# A full binary tree over 5 words with 4 inner nodes (left branch = code 0):
#   node 0 -> (node 1, node 2); node 1 -> (word 0, word 1);
#   node 2 -> (node 3, word 2); node 3 -> (word 3, word 4).
TREE_5 = {
    0: ([0, 1], [0, 0]),
    1: ([0, 1], [0, 1]),
    2: ([0, 2], [1, 1]),
    3: ([0, 2, 3], [1, 0, 0]),
    4: ([0, 2, 3], [1, 0, 1]),
}
TREE_2 = {0: ([0], [0]), 1: ([0], [1])}
# Balanced: root 0 -> (node 1, node 2), each over two words.
TREE_4_BALANCED = {
    0: ([0, 1], [0, 0]),
    1: ([0, 1], [0, 1]),
    2: ([0, 2], [1, 0]),
    3: ([0, 2], [1, 1]),
}
# A chain: root 0 -> (word 0, node 1); node 1 -> (word 1, node 2); node 2 -> (word 2, word 3).
TREE_4_CHAIN = {
    0: ([0], [0]),
    1: ([0, 1], [1, 0]),
    2: ([0, 1, 2], [1, 1, 0]),
    3: ([0, 1, 2], [1, 1, 1]),
}


def _hs_loss(tree: dict[int, tuple[list[int], list[int]]]):
    """Bind a tree into the (h, target, node_vectors) form that skipgram/cbow call."""

    def loss(h, target, node_vectors):
        nodes, codes = tree[target]
        return hierarchical_softmax_loss_and_gradient(h, nodes, codes, node_vectors)

    return loss


# Each case: (name, loss in the 3-argument form, number of output rows it needs).
# The NS negatives repeat word 3 and include word 1, the outside word of the loss tests.
LOSSES = [
    ("naive_softmax", naive_softmax_loss_and_gradient, N_WORDS),
    (
        "neg_sampling",
        partial(neg_sampling_loss_and_gradient, negative_indices=[3, 1, 3, 4]),
        N_WORDS,
    ),
    ("hierarchical_softmax", _hs_loss(TREE_5), N_WORDS - 1),
]
LOSS_IDS = [name for name, _, _ in LOSSES]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240611)


# ----------------------------------------------------------------------------------------
# sigmoid / log_sigmoid
# ----------------------------------------------------------------------------------------


def test_sigmoid_and_log_sigmoid_are_stable_at_large_inputs() -> None:
    x = np.array([-1000.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = sigmoid(x)
        ls = log_sigmoid(x)
        s_scalar = [sigmoid(-1000.0), sigmoid(1000.0)]
        ls_scalar = [log_sigmoid(-1000.0), log_sigmoid(1000.0)]
    np.testing.assert_array_equal(s, [0.0, 1.0])
    np.testing.assert_array_equal(s_scalar, [0.0, 1.0])
    np.testing.assert_allclose(ls, [-1000.0, 0.0], rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(ls_scalar, [-1000.0, 0.0], rtol=1e-15, atol=1e-300)
    # The lower tail keeps its relative precision (1 - σ(700) would give 0).
    assert sigmoid(-700.0) == pytest.approx(math.exp(-700.0), rel=1e-12)


def test_sigmoid_and_log_sigmoid_match_direct_formula_in_safe_range() -> None:
    x = np.linspace(-30.0, 30.0, 241)
    direct = 1.0 / (1.0 + np.exp(-x))
    np.testing.assert_allclose(sigmoid(x), direct, rtol=1e-13)
    np.testing.assert_allclose(log_sigmoid(x), np.log(direct), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(sigmoid(x) + sigmoid(-x), 1.0, rtol=1e-14)


def test_sigmoid_dtypes() -> None:
    assert sigmoid(np.zeros(3, dtype=np.float32)).dtype == np.float32
    assert log_sigmoid(np.zeros(3, dtype=np.float32)).dtype == np.float32
    assert sigmoid([0, 1, 2]).dtype == np.float64
    assert np.ndim(sigmoid(0.5)) == 0


# ----------------------------------------------------------------------------------------
# gradcheck
# ----------------------------------------------------------------------------------------


def _quadratic(x: np.ndarray) -> tuple[float, np.ndarray]:
    return float(np.sum(x**3) + 2.0 * np.sum(x)), 3.0 * x**2 + 2.0


def test_gradcheck_accepts_correct_gradient_and_keeps_x(rng: np.random.Generator) -> None:
    x = rng.normal(size=(3, 2))
    before = x.copy()
    assert gradcheck(_quadratic, x) < 1e-7
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize(
    "wrong",
    [
        pytest.param(lambda g: 1.1 * g, id="scaled"),
        pytest.param(lambda g: g + np.eye(*g.shape), id="shifted-entries"),
        pytest.param(lambda g: g.T.reshape(g.shape), id="permuted"),
    ],
)
def test_gradcheck_detects_wrong_gradient(rng: np.random.Generator, wrong) -> None:
    x = rng.normal(size=(3, 2)) + 1.0

    def f(x):
        value, grad = _quadratic(x)
        return value, wrong(grad)

    assert gradcheck(f, x) > 0.05


def test_gradcheck_detects_one_wrong_entry_of_a_loss(rng: np.random.Generator) -> None:
    v, u = rng.normal(size=DIM), rng.normal(size=(N_WORDS, DIM))

    def f(u):
        loss, _, grad = naive_softmax_loss_and_gradient(v, 2, u)
        grad = grad.copy()
        grad[1, 3] += 0.01
        return loss, grad

    assert gradcheck(f, u) == pytest.approx(0.01, rel=1e-3)


def test_gradcheck_rejects_bad_contracts() -> None:
    x = np.ones(3)
    with pytest.raises(ValueError, match="shape"):
        gradcheck(lambda x: (float(x.sum()), np.ones(2)), x)
    with pytest.raises(ValueError, match="scalar"):
        gradcheck(lambda x: (x, np.ones(3)), x)
    with pytest.raises(ValueError, match="eps"):
        gradcheck(_quadratic, x, eps=0.0)


def test_gradcheck_flags_non_finite() -> None:
    assert not gradcheck(lambda x: (float(x.sum()), np.full(x.shape, np.nan)), np.ones(2)) < TOL


# ----------------------------------------------------------------------------------------
# losses: one body for all, gradients w.r.t. the hidden vector and the output matrix
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "loss_fn", "n_out"), LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("target", [1, 4])
def test_loss_gradients(rng, name, loss_fn, n_out, target) -> None:
    h = rng.normal(size=DIM)
    u = rng.normal(size=(n_out, DIM))

    loss, grad_h, grad_u = loss_fn(h, target, u)
    assert np.isfinite(loss) and loss > 0
    assert grad_h.shape == h.shape and grad_u.shape == u.shape
    assert grad_h.dtype == np.float64 and grad_u.dtype == np.float64

    assert gradcheck(lambda h_: loss_fn(h_, target, u)[:2], h) < TOL
    assert gradcheck(lambda u_: loss_fn(h, target, u_)[::2], u) < TOL


def test_hs_gradient_is_zero_off_the_path(rng: np.random.Generator) -> None:
    h, u = rng.normal(size=DIM), rng.normal(size=(N_WORDS - 1, DIM))
    _, _, grad_u = hierarchical_softmax_loss_and_gradient(h, [0, 2], [1, 1], u)
    assert np.all(grad_u[[1, 3]] == 0)
    assert np.all(np.abs(grad_u[[0, 2]]).sum(axis=1) > 0)


def test_ns_counts_every_occurrence(rng: np.random.Generator) -> None:
    """A noise word drawn twice contributes twice; one equal to the target is one more term."""
    h, u = rng.normal(size=DIM), rng.normal(size=(N_WORDS, DIM))
    once = neg_sampling_loss_and_gradient(h, 0, u, [2])
    twice = neg_sampling_loss_and_gradient(h, 0, u, [2, 2])
    none = neg_sampling_loss_and_gradient(h, 0, u, [])
    assert twice[0] - none[0] == pytest.approx(2 * (once[0] - none[0]), rel=1e-12)
    np.testing.assert_allclose(twice[2][2], 2 * once[2][2], rtol=1e-12)
    # Target 0 also drawn as a noise word: row 0 gets both the positive and the negative pull.
    with_self = neg_sampling_loss_and_gradient(h, 0, u, [0])
    s = u[0] @ h
    assert with_self[0] == pytest.approx(-math.log(sigmoid(s)) - math.log(sigmoid(-s)), rel=1e-12)
    np.testing.assert_allclose(with_self[2][0], (-sigmoid(-s) + sigmoid(s)) * h, rtol=1e-12)


def test_naive_softmax_loss_is_minus_log_probability(rng: np.random.Generator) -> None:
    h, u = rng.normal(size=DIM), rng.normal(size=(N_WORDS, DIM))
    scores = [float(u[w] @ h) for w in range(N_WORDS)]
    total = sum(math.exp(s) for s in scores)
    for o in range(N_WORDS):
        loss = naive_softmax_loss_and_gradient(h, o, u)[0]
        assert loss == pytest.approx(-math.log(math.exp(scores[o]) / total), rel=1e-12)


def test_naive_softmax_is_stable_for_huge_scores(rng: np.random.Generator) -> None:
    h, u = rng.normal(size=DIM), 1e4 * rng.normal(size=(N_WORDS, DIM))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        results = [naive_softmax_loss_and_gradient(h, o, u) for o in range(N_WORDS)]
    for loss, grad_h, grad_u in results:
        assert np.isfinite(loss) and np.isfinite(grad_h).all() and np.isfinite(grad_u).all()
    # The most probable word costs about nothing; the others cost their score gap.
    scores = u @ h
    best = int(np.argmax(scores))
    assert results[best][0] < 1e-6
    worst = int(np.argmin(scores))
    assert results[worst][0] == pytest.approx(scores[best] - scores[worst], rel=1e-6)


def test_neg_sampling_by_hand() -> None:
    # v_c = (1, 2); u_0 = (0.5, -0.25) is the outside word: score 0.5 - 0.5 = 0.
    # u_1 = (1, -1): score 1 - 2 = -1.  u_2 = (0, 0.5): score 0 + 1 = 1, drawn twice.
    v = np.array([1.0, 2.0])
    u = np.array([[0.5, -0.25], [1.0, -1.0], [0.0, 0.5]])
    loss, grad_v, grad_u = neg_sampling_loss_and_gradient(v, 0, u, [1, 2, 2])

    def sig(t: float) -> float:
        return 1.0 / (1.0 + math.exp(-t))

    # J = -log σ(0) - log σ(-(-1)) - 2 log σ(-1) = log 2 + log(1 + e^-1) + 2 log(1 + e)
    expected_loss = math.log(2.0) + math.log(1.0 + math.exp(-1.0)) + 2.0 * math.log(1.0 + math.e)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    # ∂J/∂v = -σ(-0) u_0 + σ(-1) u_1 + 2 σ(1) u_2
    expected_grad_v = [
        -0.5 * 0.5 + sig(-1.0) * 1.0 + 2.0 * sig(1.0) * 0.0,
        -0.5 * -0.25 + sig(-1.0) * -1.0 + 2.0 * sig(1.0) * 0.5,
    ]
    np.testing.assert_allclose(grad_v, expected_grad_v, rtol=1e-12)
    # ∂J/∂u_0 = -σ(0) v, ∂J/∂u_1 = σ(-1) v, ∂J/∂u_2 = 2 σ(1) v
    expected_grad_u = [
        [-0.5 * 1.0, -0.5 * 2.0],
        [sig(-1.0) * 1.0, sig(-1.0) * 2.0],
        [2.0 * sig(1.0) * 1.0, 2.0 * sig(1.0) * 2.0],
    ]
    np.testing.assert_allclose(grad_u, expected_grad_u, rtol=1e-12)


@pytest.mark.parametrize(
    "tree",
    [TREE_2, TREE_4_BALANCED, TREE_4_CHAIN, TREE_5],
    ids=["2-leaf", "4-leaf-balanced", "4-leaf-chain", "5-leaf"],
)
def test_hs_probabilities_sum_to_one(rng: np.random.Generator, tree) -> None:
    n_inner = len(tree) - 1
    h, nodes = rng.normal(size=DIM), rng.normal(size=(n_inner, DIM))
    probs = [
        math.exp(-hierarchical_softmax_loss_and_gradient(h, path, codes, nodes)[0])
        for path, codes in tree.values()
    ]
    assert all(0.0 < p < 1.0 for p in probs)
    assert sum(probs) == pytest.approx(1.0, rel=1e-12)


def test_hs_code_zero_is_label_one() -> None:
    """word2vec.c's convention: at a node with code 0 the word's probability is σ(u·h)."""
    h, nodes = np.array([1.0, 2.0]), np.array([[0.5, 0.5]])  # u·h = 1.5
    assert hierarchical_softmax_loss_and_gradient(h, [0], [0], nodes)[0] == pytest.approx(
        math.log(1.0 + math.exp(-1.5)), rel=1e-12
    )
    assert hierarchical_softmax_loss_and_gradient(h, [0], [1], nodes)[0] == pytest.approx(
        math.log(1.0 + math.exp(1.5)), rel=1e-12
    )


# ----------------------------------------------------------------------------------------
# models × losses: gradients w.r.t. both whole matrices
# ----------------------------------------------------------------------------------------

MODELS = [
    pytest.param(skipgram, id="skipgram"),
    pytest.param(partial(cbow, mean=True), id="cbow-mean"),
    pytest.param(partial(cbow, mean=False), id="cbow-sum"),
]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(("name", "loss_fn", "n_out"), LOSSES, ids=LOSS_IDS)
def test_model_gradients(rng, model, name, loss_fn, n_out) -> None:
    center_vectors = rng.normal(size=(N_WORDS, DIM))
    outside_vectors = rng.normal(size=(n_out, DIM))
    center, window = 2, [1, 3, 1, 4]  # word 1 is repeated

    def with_respect_to_v(v):
        loss, grad_v, _ = model(center, window, v, outside_vectors, loss_and_gradient=loss_fn)
        return loss, grad_v

    def with_respect_to_u(u):
        loss, _, grad_u = model(center, window, center_vectors, u, loss_and_gradient=loss_fn)
        return loss, grad_u

    loss, grad_v, grad_u = model(
        center, window, center_vectors, outside_vectors, loss_and_gradient=loss_fn
    )
    assert np.isfinite(loss) and loss > 0
    assert grad_v.shape == center_vectors.shape and grad_u.shape == outside_vectors.shape
    assert gradcheck(with_respect_to_v, center_vectors) < TOL
    assert gradcheck(with_respect_to_u, outside_vectors) < TOL


@pytest.mark.parametrize(("name", "loss_fn", "n_out"), LOSSES, ids=LOSS_IDS)
def test_skipgram_touches_only_the_center_row(rng, name, loss_fn, n_out) -> None:
    v, u = rng.normal(size=(N_WORDS, DIM)), rng.normal(size=(n_out, DIM))
    loss, grad_v, _ = skipgram(2, [0, 1, 3, 4], v, u, loss_and_gradient=loss_fn)
    assert np.all(np.delete(grad_v, 2, axis=0) == 0)
    assert np.abs(grad_v[2]).sum() > 0
    terms = [loss_fn(v[2], o, u)[0] for o in [0, 1, 3, 4]]
    assert loss == pytest.approx(sum(terms), rel=1e-12)


def test_cbow_mean_is_sum_of_the_average(rng: np.random.Generator) -> None:
    """CBOW-mean equals CBOW-sum applied to the context vectors scaled by 1/n."""
    v, u = rng.normal(size=(N_WORDS, DIM)), rng.normal(size=(N_WORDS, DIM))
    window = [0, 3, 3]
    loss_mean, grad_mean, grad_u_mean = cbow(1, window, v, u, mean=True)
    loss_sum, grad_sum, grad_u_sum = cbow(1, window, v / 3, u, mean=False)
    assert loss_mean == pytest.approx(loss_sum, rel=1e-12)
    np.testing.assert_allclose(grad_u_mean, grad_u_sum, rtol=1e-12)
    # d/dv of J(v/3) is (1/3)·J'(v/3): the mean's gradient is the sum's divided by n.
    np.testing.assert_allclose(grad_mean, grad_sum / 3, rtol=1e-12)
    assert np.all(grad_mean[[1, 2, 4]] == 0)
    np.testing.assert_allclose(grad_mean[3], 2 * grad_mean[0], rtol=1e-12)


def test_empty_skipgram_window_has_zero_loss(rng: np.random.Generator) -> None:
    v, u = rng.normal(size=(N_WORDS, DIM)), rng.normal(size=(N_WORDS, DIM))
    loss, grad_v, grad_u = skipgram(0, [], v, u)
    assert loss == 0.0 and not grad_v.any() and not grad_u.any()


# ----------------------------------------------------------------------------------------
# errors and conventions
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda v, u: naive_softmax_loss_and_gradient(v, 5, u), "out of range"),
        (lambda v, u: naive_softmax_loss_and_gradient(v, -1, u), "out of range"),
        (lambda v, u: naive_softmax_loss_and_gradient(v[:3], 0, u), "length d=4"),
        (lambda v, u: naive_softmax_loss_and_gradient(v, 0, u[0]), "2-D"),
        (lambda v, u: neg_sampling_loss_and_gradient(v, 0, u, [1, 9]), "negative_indices"),
        (lambda v, u: neg_sampling_loss_and_gradient(v, 0, u, [0.5]), "integers"),
        (lambda v, u: hierarchical_softmax_loss_and_gradient(v, [0, 1], [0], u), "one code"),
        (lambda v, u: hierarchical_softmax_loss_and_gradient(v, [0, 1], [0, 2], u), "0 and 1"),
        (lambda v, u: skipgram(7, [0], u, u), "center_word_idx"),
        (lambda v, u: skipgram(0, [1], u, u[:, :3]), "same width"),
        (lambda v, u: cbow(0, [], u, u), "at least one context word"),
        (lambda v, u: cbow(0, [1, 8], u, u), "outside_word_indices"),
    ],
)
def test_errors_name_the_problem(rng, call, match) -> None:
    v, u = rng.normal(size=DIM), rng.normal(size=(N_WORDS, DIM))
    with pytest.raises(ValueError, match=match):
        call(v, u)


def test_non_integer_index_is_a_type_error(rng: np.random.Generator) -> None:
    v, u = rng.normal(size=DIM), rng.normal(size=(N_WORDS, DIM))
    with pytest.raises(TypeError, match="integer"):
        naive_softmax_loss_and_gradient(v, 1.0, u)


def test_integer_inputs_become_float64() -> None:
    loss, grad_v, grad_u = naive_softmax_loss_and_gradient([1, 0], 0, [[1, 0], [0, 1]])
    assert grad_v.dtype == np.float64 and grad_u.dtype == np.float64
    assert loss == pytest.approx(math.log(1.0 + math.exp(-1.0)), rel=1e-12)


def test_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(reference, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


def test_hierarchical_softmax_accepts_uint8_codes():
    """Huffman codes are stored as uint8; 1 - 2 * code must not wrap around."""
    rng = np.random.default_rng(7)
    h, nodes = rng.standard_normal(4), rng.standard_normal((3, 4))
    as_int = hierarchical_softmax_loss_and_gradient(h, [2, 0], [1, 0], nodes)
    as_uint8 = hierarchical_softmax_loss_and_gradient(
        h, np.array([2, 0]), np.array([1, 0], dtype=np.uint8), nodes
    )
    assert as_int[0] == pytest.approx(as_uint8[0])
    np.testing.assert_allclose(as_int[1], as_uint8[1])
