r"""The math of word2vec in plain numpy: losses, gradients and a gradient check.

This module is the oracle that the compiled kernels are tested against, and a readable
statement of what they compute. It imports nothing but numpy. Every function works in
float64 unless its inputs are given in another floating type (then that type is kept);
integer or list inputs are converted to float64.

Notation
--------
``V`` (rows ``v_w``) are the input ("center") vectors, ``U`` (rows ``u_w``) the output
("outside") vectors, ``d`` the dimension, ``σ(x) = 1/(1+e^{-x})``; so
``σ'(x) = σ(x)(1-σ(x))``, ``1-σ(x) = σ(-x)`` and ``d/dx [-log σ(x)] = -σ(-x)``.
``h`` is the hidden vector that scores the output words: ``h = v_c`` in skip-gram,
the mean (or sum) of the context input vectors in CBOW.

Naive (full) softmax, for hidden vector ``h`` and target word ``o``
(:func:`naive_softmax_loss_and_gradient`)::

    ŷ = softmax(U h)                 J = -log ŷ_o
    ∂J/∂h = Uᵀ(ŷ - y)                ∂J/∂U = (ŷ - y) hᵀ          (y = one-hot of o)

Negative sampling with noise words ``w_1..w_K`` (duplicates allowed, each occurrence
is its own term; :func:`neg_sampling_loss_and_gradient`)::

    J = -log σ(u_oᵀh) - Σ_k log σ(-u_{w_k}ᵀh)
    ∂J/∂h       = -σ(-u_oᵀh) u_o + Σ_k σ(u_{w_k}ᵀh) u_{w_k}
    ∂J/∂u_o     = -σ(-u_oᵀh) h
    ∂J/∂u_{w_k} =  σ(u_{w_k}ᵀh) h                               (summed over repeated k)

(``σ(-x) = 1-σ(x)``, so these are the usual ``-(1-σ(u_oᵀh)) u_o`` and
``(1-σ(-u_{w_k}ᵀh)) u_{w_k}`` forms.) A noise word equal to ``o`` is simply one more term.

Hierarchical softmax over the inner nodes ``n`` of the target's path from the root, with
rows ``u_n`` of the node matrix and Huffman codes ``code_n ∈ {0, 1}``
(:func:`hierarchical_softmax_loss_and_gradient`). As in word2vec.c the binary label at a
node is ``1 - code_n``; with the sign ``s_n = 1 - 2·code_n``::

    J = -Σ_n log σ(s_n u_nᵀh)
    ∂J/∂h   = -Σ_n s_n σ(-s_n u_nᵀh) u_n
    ∂J/∂u_n = -s_n σ(-s_n u_nᵀh) h

Skip-gram (:func:`skipgram`) sums the loss over every outside word ``o`` of the window
with ``h = v_c``; the gradient with respect to every input row other than ``v_c`` is zero.
CBOW (:func:`cbow`) sets ``h = (1/n) Σ_j v_{c_j}`` (mean) or ``h = Σ_j v_{c_j}`` (sum)
over the ``n`` context words and predicts the center word; each context row receives
``∂J/∂h / n`` (mean) or ``∂J/∂h`` (sum), once per occurrence.

Notes
-----
Skip-gram orientation. The derivation above predicts each context word from the center
word: pairs (input ``c`` → output ``o``). word2vec.c and gensim loop the other way: for
each context word they score the center word with the context word's input vector, i.e.
pairs (input ``o`` → output ``c``). Summed over a corpus both objectives contain exactly
the same (input word, output word) pairs, because the window relation is symmetric (``o``
is in the window of ``c`` exactly when ``c`` is in the window of ``o``, given the same
reduced window), so they optimize the same objective; only the order of the updates
differs.

CBOW in mean mode. word2vec.c and gensim (``cbow_mean=1``) add the *undivided* ``∂J/∂h``
to every context row, i.e. an input-side step ``n`` times larger than the true gradient
of the mean; :func:`cbow` returns the true gradient.

Binding extra arguments. :func:`skipgram` and :func:`cbow` call
``loss_and_gradient(h, target_idx, output_vectors)``. Negative sampling and hierarchical
softmax need more; bind it::

    from functools import partial
    ns = partial(neg_sampling_loss_and_gradient, negative_indices=[3, 7, 7])
    hs = lambda h, o, U: hierarchical_softmax_loss_and_gradient(h, paths[o], codes[o], U)

With a fixed ``negative_indices`` every (h, target) pair uses the same noise words,
which is what a deterministic test needs; word2vec.c draws fresh ones per pair.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "cbow",
    "gradcheck",
    "hierarchical_softmax_loss_and_gradient",
    "log_sigmoid",
    "naive_softmax_loss_and_gradient",
    "neg_sampling_loss_and_gradient",
    "sigmoid",
    "skipgram",
]

LossAndGradient = Callable[
    [NDArray[Any], int, NDArray[Any]], tuple[float, NDArray[Any], NDArray[Any]]
]
"""``(h, target_idx, output_vectors) -> (loss, grad_h, grad_output_vectors)``."""


# ----------------------------------------------------------------------------------------
# input checking
# ----------------------------------------------------------------------------------------


def _float_dtype(*arrays: ArrayLike) -> np.dtype[Any]:
    dtype = np.result_type(*arrays)
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def _as_float(x: ArrayLike) -> NDArray[np.floating[Any]]:
    return np.asarray(x, dtype=_float_dtype(np.asarray(x)))


def _check_vector_and_matrix(
    vec: ArrayLike, mat: ArrayLike, vec_name: str, mat_name: str
) -> tuple[NDArray[Any], NDArray[Any]]:
    vec_a, mat_a = np.asarray(vec), np.asarray(mat)
    dtype = _float_dtype(vec_a, mat_a)
    vec_a, mat_a = vec_a.astype(dtype, copy=False), mat_a.astype(dtype, copy=False)
    if mat_a.ndim != 2:
        raise ValueError(f"{mat_name} must be a 2-D (rows, d) array, got shape {mat_a.shape}")
    if vec_a.shape != (mat_a.shape[1],):
        raise ValueError(
            f"{vec_name} must be a 1-D array of length d={mat_a.shape[1]} (the number of "
            f"columns of {mat_name}), got shape {vec_a.shape}"
        )
    return vec_a, mat_a


def _check_index(idx: Any, n_rows: int, name: str, of: str) -> int:
    try:
        i = operator.index(idx)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {type(idx).__name__}") from None
    if not 0 <= i < n_rows:
        raise ValueError(
            f"{name}={i} is out of range: {of} has {n_rows} rows (valid 0..{n_rows - 1})"
        )
    return i


def _check_indices(idx: Any, n_rows: int, name: str, of: str) -> NDArray[np.intp]:
    arr = np.asarray(idx)
    if arr.size == 0:
        return np.zeros(0, dtype=np.intp)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(
            f"{name} must be a 1-D sequence of integers, got {arr.dtype} shape {arr.shape}"
        )
    bad = (arr < 0) | (arr >= n_rows)
    if bad.any():
        raise ValueError(
            f"{name} contains {arr[bad][0]}, out of range: {of} has {n_rows} rows "
            f"(valid 0..{n_rows - 1})"
        )
    return arr.astype(np.intp, copy=False)


# ----------------------------------------------------------------------------------------
# the logistic function
# ----------------------------------------------------------------------------------------


def sigmoid(x: ArrayLike) -> Any:
    """Return the logistic function ``σ(x) = 1 / (1 + exp(-x))`` elementwise.

    Computed from ``exp(-|x|)``, which never overflows, so that both tails keep full
    relative precision (``σ(-700) ≈ e^-700``, not ``0``) and ``x = ±1000`` gives ``0`` and
    ``1`` without a warning.

    Parameters
    ----------
    x : array_like
        Input; floating inputs keep their dtype, other inputs become float64.

    Returns
    -------
    numpy.ndarray or numpy.floating
        ``σ(x)``, same shape as ``x`` (a numpy scalar for a scalar input).

    Examples
    --------
    >>> float(sigmoid(0.0))
    0.5
    >>> sigmoid(np.array([-1000.0, 1000.0]))
    array([0., 1.])
    """
    x = _as_float(x)
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z)).astype(x.dtype, copy=False)
    return out[()]


def log_sigmoid(x: ArrayLike) -> Any:
    """Return ``log σ(x) = -log(1 + exp(-x))`` elementwise, without overflow.

    Computed as ``-logaddexp(0, -x)``: ``log σ(-1000) = -1000`` and ``log σ(1000) = 0``
    exactly, where ``np.log(sigmoid(x))`` would give ``-inf`` for the first.

    Parameters
    ----------
    x : array_like
        Input; floating inputs keep their dtype, other inputs become float64.

    Returns
    -------
    numpy.ndarray or numpy.floating
        ``log σ(x)``, same shape as ``x`` (a numpy scalar for a scalar input).

    Examples
    --------
    >>> float(log_sigmoid(-1000.0))
    -1000.0
    >>> bool(np.isclose(log_sigmoid(0.0), -np.log(2.0)))
    True
    """
    x = _as_float(x)
    return (-np.logaddexp(np.zeros((), dtype=x.dtype), -x))[()]


# ----------------------------------------------------------------------------------------
# losses: (h, target, output matrix) -> (loss, dJ/dh, dJ/d(output matrix))
# ----------------------------------------------------------------------------------------


def naive_softmax_loss_and_gradient(
    center_vec: ArrayLike, outside_word_idx: int, outside_vectors: ArrayLike
) -> tuple[float, NDArray[Any], NDArray[Any]]:
    """Full-softmax loss ``J = -log softmax(U v_c)[o]`` and its gradients.

    Parameters
    ----------
    center_vec : array_like, shape (d,)
        The hidden vector ``v_c`` (skip-gram: the center word's input vector; CBOW: the
        mean or sum of the context input vectors).
    outside_word_idx : int
        The target word ``o``, a row of ``outside_vectors``.
    outside_vectors : array_like, shape (V, d)
        The output matrix ``U``.

    Returns
    -------
    loss : float
        ``J``. The scores are shifted by their maximum before exponentiation, so large
        scores do not overflow.
    grad_center_vec : numpy.ndarray, shape (d,)
        ``∂J/∂v_c = Uᵀ(ŷ - y)``.
    grad_outside_vecs : numpy.ndarray, shape (V, d)
        ``∂J/∂U = (ŷ - y) v_cᵀ``.

    Raises
    ------
    ValueError
        If the shapes disagree or ``outside_word_idx`` is not a row of ``outside_vectors``.

    Examples
    --------
    With all scores equal the distribution is uniform, so ``J = log V``:

    >>> loss, g_v, g_u = naive_softmax_loss_and_gradient(np.zeros(2), 1, np.ones((4, 2)))
    >>> bool(np.isclose(loss, np.log(4)))
    True
    """
    v, u = _check_vector_and_matrix(center_vec, outside_vectors, "center_vec", "outside_vectors")
    o = _check_index(outside_word_idx, u.shape[0], "outside_word_idx", "outside_vectors")
    scores = u @ v
    shifted = scores - scores.max()
    log_probs = shifted - np.log(np.exp(shifted).sum())
    delta = np.exp(log_probs)  # ŷ
    delta[o] -= 1.0  # ŷ - y
    return float(-log_probs[o]), u.T @ delta, np.outer(delta, v)


def neg_sampling_loss_and_gradient(
    center_vec: ArrayLike,
    outside_word_idx: int,
    outside_vectors: ArrayLike,
    negative_indices: Sequence[int] | ArrayLike,
) -> tuple[float, NDArray[Any], NDArray[Any]]:
    """Negative-sampling loss ``J = -log σ(u_oᵀv_c) - Σ_k log σ(-u_{w_k}ᵀv_c)`` and gradients.

    Parameters
    ----------
    center_vec : array_like, shape (d,)
        The hidden vector ``v_c``.
    outside_word_idx : int
        The target (positive) word ``o``, a row of ``outside_vectors``.
    outside_vectors : array_like, shape (V, d)
        The output matrix ``U``.
    negative_indices : sequence of int, length K
        The noise words ``w_1..w_K``. Duplicates are allowed and each occurrence is its own
        term; a noise word equal to ``o`` is one more term too. ``K = 0`` is allowed.

    Returns
    -------
    loss : float
        ``J``.
    grad_center_vec : numpy.ndarray, shape (d,)
        ``∂J/∂v_c = -σ(-u_oᵀv_c) u_o + Σ_k σ(u_{w_k}ᵀv_c) u_{w_k}``.
    grad_outside_vecs : numpy.ndarray, shape (V, d)
        ``∂J/∂U``: row ``o`` gets ``-σ(-u_oᵀv_c) v_c``, row ``w_k`` gets
        ``σ(u_{w_k}ᵀv_c) v_c`` once per occurrence; other rows are zero.

    Raises
    ------
    ValueError
        If the shapes disagree or an index is not a row of ``outside_vectors``.

    Notes
    -----
    This function takes a fourth argument, so to use it with :func:`skipgram` or
    :func:`cbow` bind the noise words first:
    ``functools.partial(neg_sampling_loss_and_gradient, negative_indices=[...])``.

    Examples
    --------
    >>> from functools import partial
    >>> U = np.array([[0.5, -0.25], [1.0, -1.0], [0.0, 0.5]])
    >>> ns = partial(neg_sampling_loss_and_gradient, negative_indices=[1, 2, 2])
    >>> loss, g_v, g_u = ns(np.array([1.0, 2.0]), 0, U)
    >>> g_u.shape
    (3, 2)
    """
    v, u = _check_vector_and_matrix(center_vec, outside_vectors, "center_vec", "outside_vectors")
    o = _check_index(outside_word_idx, u.shape[0], "outside_word_idx", "outside_vectors")
    neg = _check_indices(negative_indices, u.shape[0], "negative_indices", "outside_vectors")
    score_o = u[o] @ v
    scores_k = u[neg] @ v
    loss = -log_sigmoid(score_o) - log_sigmoid(-scores_k).sum()
    g_o = -sigmoid(-score_o)  # ∂J/∂score_o
    g_k = sigmoid(scores_k)  # ∂J/∂score_k
    grad_v = g_o * u[o] + g_k @ u[neg]
    grad_u = np.zeros_like(u)
    grad_u[o] += g_o * v
    np.add.at(grad_u, neg, np.outer(g_k, v))
    return float(loss), grad_v.astype(u.dtype, copy=False), grad_u


def hierarchical_softmax_loss_and_gradient(
    center_vec: ArrayLike,
    path_nodes: Sequence[int] | ArrayLike,
    path_codes: Sequence[int] | ArrayLike,
    node_vectors: ArrayLike,
) -> tuple[float, NDArray[Any], NDArray[Any]]:
    """Hierarchical-softmax loss ``J = -Σ_n log σ(s_n u_nᵀh)``, ``s_n = 1 - 2·code_n``.

    The probability of a word is the product, along its path from the root, of the
    probability of taking the branch its code says: ``σ(u_nᵀh)`` for code 0 and
    ``σ(-u_nᵀh)`` for code 1 (word2vec.c's convention: the binary label is ``1 - code``).

    Parameters
    ----------
    center_vec : array_like, shape (d,)
        The hidden vector ``h``.
    path_nodes : sequence of int
        The inner nodes on the target word's path, root first, as rows of ``node_vectors``.
    path_codes : sequence of int
        The code (0 or 1) at each node of ``path_nodes``, same length.
    node_vectors : array_like, shape (N, d)
        The inner-node vectors ``u_n`` (``N = V - 1`` for a full binary tree over V words).

    Returns
    -------
    loss : float
        ``J``; ``exp(-J)`` is the probability of the word, and these sum to 1 over the
        leaves of a full binary tree.
    grad_center_vec : numpy.ndarray, shape (d,)
        ``∂J/∂h = -Σ_n s_n σ(-s_n u_nᵀh) u_n``.
    grad_node_vecs : numpy.ndarray, shape (N, d)
        ``∂J/∂u_n = -s_n σ(-s_n u_nᵀh) h`` on the rows of the path, zero elsewhere.

    Raises
    ------
    ValueError
        If the shapes disagree, the path and codes differ in length, a code is not 0 or 1,
        or a node is not a row of ``node_vectors``.

    Notes
    -----
    To use it with :func:`skipgram` or :func:`cbow`, look the path up from the target:
    ``lambda h, o, U: hierarchical_softmax_loss_and_gradient(h, paths[o], codes[o], U)``.

    Examples
    --------
    With one inner node the two words' probabilities are ``σ(x)`` and ``σ(-x)``:

    >>> h, nodes = np.array([1.0, 2.0]), np.array([[0.3, -0.1]])
    >>> j0 = hierarchical_softmax_loss_and_gradient(h, [0], [0], nodes)[0]
    >>> j1 = hierarchical_softmax_loss_and_gradient(h, [0], [1], nodes)[0]
    >>> bool(np.isclose(np.exp(-j0) + np.exp(-j1), 1.0))
    True
    """
    h, u = _check_vector_and_matrix(center_vec, node_vectors, "center_vec", "node_vectors")
    nodes = _check_indices(path_nodes, u.shape[0], "path_nodes", "node_vectors")
    # Huffman codes are often uint8, where 1 - 2 * code would wrap around
    codes = np.asarray(path_codes).astype(np.int64, copy=False)
    if codes.shape != nodes.shape:
        raise ValueError(
            f"path_codes must have one code per node of path_nodes ({nodes.size}), "
            f"got shape {codes.shape}"
        )
    if codes.size and not np.isin(codes, (0, 1)).all():
        raise ValueError(f"path_codes must contain only 0 and 1, got {codes.tolist()}")
    signs = (1 - 2 * codes).astype(u.dtype)
    scores = u[nodes] @ h
    loss = -log_sigmoid(signs * scores).sum()
    g = -signs * sigmoid(-signs * scores)  # ∂J/∂score_n
    grad_h = (g @ u[nodes]).astype(u.dtype, copy=False)
    grad_u = np.zeros_like(u)
    np.add.at(grad_u, nodes, np.outer(g, h))
    return float(loss), grad_h, grad_u


# ----------------------------------------------------------------------------------------
# models: how the hidden vector is formed
# ----------------------------------------------------------------------------------------


def skipgram(
    center_word_idx: int,
    outside_word_indices: Sequence[int] | ArrayLike,
    center_vectors: ArrayLike,
    outside_vectors: ArrayLike,
    loss_and_gradient: LossAndGradient = naive_softmax_loss_and_gradient,
) -> tuple[float, NDArray[Any], NDArray[Any]]:
    """Skip-gram loss of one window: predict every outside word from the center word.

    ``J = Σ_o J_o(v_c)`` over the outside words, each term computed by
    ``loss_and_gradient(v_c, o, outside_vectors)``.

    Parameters
    ----------
    center_word_idx : int
        The center word ``c``, a row of ``center_vectors``.
    outside_word_indices : sequence of int
        The outside words of the window (repeats count each time). They are passed to
        ``loss_and_gradient`` as they are; it checks them.
    center_vectors : array_like, shape (V, d)
        The input matrix ``V``.
    outside_vectors : array_like, shape (N, d)
        The output matrix ``U`` (or the inner-node matrix for hierarchical softmax).
    loss_and_gradient : callable, optional
        ``(h, target_idx, outside_vectors) -> (loss, grad_h, grad_outside_vectors)``;
        default :func:`naive_softmax_loss_and_gradient`. Bind the extra arguments of the
        other losses as shown in the module docstring.

    Returns
    -------
    loss : float
        ``J`` summed over the window (0 for an empty window).
    grad_center_vectors : numpy.ndarray, shape (V, d)
        ``∂J/∂V``: only row ``c`` is non-zero.
    grad_outside_vectors : numpy.ndarray, shape (N, d)
        ``∂J/∂U``.

    Raises
    ------
    ValueError
        If the matrices' widths differ or ``center_word_idx`` is out of range.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> V, U = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    >>> loss, g_v, g_u = skipgram(2, [1, 3], V, U)
    >>> np.flatnonzero(np.abs(g_v).sum(axis=1)).tolist()
    [2]
    """
    vin, uout = _check_matrices(center_vectors, outside_vectors)
    c = _check_index(center_word_idx, vin.shape[0], "center_word_idx", "center_vectors")
    outside = np.asarray(outside_word_indices).reshape(-1)
    loss = 0.0
    grad_vin = np.zeros_like(vin)
    grad_uout = np.zeros_like(uout)
    for o in outside:
        term, grad_h, grad_u = loss_and_gradient(vin[c], int(o), uout)
        loss += term
        grad_vin[c] += grad_h
        grad_uout += grad_u
    return float(loss), grad_vin, grad_uout


def cbow(
    center_word_idx: int,
    outside_word_indices: Sequence[int] | ArrayLike,
    center_vectors: ArrayLike,
    outside_vectors: ArrayLike,
    loss_and_gradient: LossAndGradient = naive_softmax_loss_and_gradient,
    mean: bool = True,
) -> tuple[float, NDArray[Any], NDArray[Any]]:
    """CBOW loss of one window: predict the center word from its context.

    ``h = (1/n) Σ_j v_{c_j}`` (``mean=True``) or ``Σ_j v_{c_j}`` over the ``n`` context
    words, then ``J = loss_and_gradient(h, center_word_idx, outside_vectors)``.

    Parameters
    ----------
    center_word_idx : int
        The word to predict. Passed to ``loss_and_gradient`` as it is; it checks it.
    outside_word_indices : sequence of int
        The context words, rows of ``center_vectors``; a repeated word counts each time.
    center_vectors : array_like, shape (V, d)
        The input matrix ``V`` (the same naming as :func:`skipgram`).
    outside_vectors : array_like, shape (N, d)
        The output matrix ``U`` (or the inner-node matrix for hierarchical softmax).
    loss_and_gradient : callable, optional
        ``(h, target_idx, outside_vectors) -> (loss, grad_h, grad_outside_vectors)``;
        default :func:`naive_softmax_loss_and_gradient`.
    mean : bool, optional
        Average the context vectors (default, word2vec.c's CBOW) or sum them.

    Returns
    -------
    loss : float
        ``J``.
    grad_center_vectors : numpy.ndarray, shape (V, d)
        ``∂J/∂V``: each context row gets ``∂J/∂h / n`` (mean) or ``∂J/∂h`` (sum) per
        occurrence; other rows are zero. In mean mode this is the true gradient, not the
        undivided step word2vec.c applies (see the module notes).
    grad_outside_vectors : numpy.ndarray, shape (N, d)
        ``∂J/∂U``.

    Raises
    ------
    ValueError
        If the matrices' widths differ, the context is empty, or a context word is out of
        range.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> V, U = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    >>> loss, g_v, g_u = cbow(2, [1, 3, 3], V, U)
    >>> np.flatnonzero(np.abs(g_v).sum(axis=1)).tolist()
    [1, 3]
    """
    vin, uout = _check_matrices(center_vectors, outside_vectors)
    context = np.asarray(outside_word_indices).reshape(-1)
    if context.size == 0:
        raise ValueError("cbow needs at least one context word; outside_word_indices is empty")
    context = _check_indices(context, vin.shape[0], "outside_word_indices", "center_vectors")
    h = vin[context].sum(axis=0)
    if mean:
        h = h / context.size
    loss, grad_h, grad_uout = loss_and_gradient(h, center_word_idx, uout)
    if mean:
        grad_h = grad_h / context.size
    grad_vin = np.zeros_like(vin)
    np.add.at(grad_vin, context, grad_h)
    return float(loss), grad_vin, np.asarray(grad_uout)


def _check_matrices(
    center_vectors: ArrayLike, outside_vectors: ArrayLike
) -> tuple[NDArray[Any], NDArray[Any]]:
    vin, uout = np.asarray(center_vectors), np.asarray(outside_vectors)
    dtype = _float_dtype(vin, uout)
    vin, uout = vin.astype(dtype, copy=False), uout.astype(dtype, copy=False)
    if vin.ndim != 2 or uout.ndim != 2:
        raise ValueError(
            "center_vectors and outside_vectors must be 2-D (rows, d) arrays, got shapes "
            f"{vin.shape} and {uout.shape}"
        )
    if vin.shape[1] != uout.shape[1]:
        raise ValueError(
            f"center_vectors and outside_vectors must have the same width d, got "
            f"{vin.shape[1]} and {uout.shape[1]}"
        )
    return vin, uout


# ----------------------------------------------------------------------------------------
# gradient check
# ----------------------------------------------------------------------------------------


def gradcheck(
    f: Callable[[NDArray[np.float64]], tuple[float, ArrayLike]],
    x: ArrayLike,
    eps: float = 1e-4,
) -> float:
    """Compare an analytic gradient with centered finite differences; return the worst error.

    ``f(x)`` must return ``(value, grad)``: the scalar value at ``x`` and its analytic
    gradient, an array of ``x``'s shape. For every entry ``i`` the numerical derivative is
    ``num_i = (f(x + eps·e_i) - f(x - eps·e_i)) / (2·eps)`` and the error is

        ``|num_i - ana_i| / max(1, |num_i|, |ana_i|)``

    (relative for entries larger than 1, absolute below, so a tiny gradient is not held
    to an impossible relative standard). The result is the maximum over all entries.

    Parameters
    ----------
    f : callable
        ``f(x) -> (value, grad)``. It must compute from its argument, a fresh float64
        copy of ``x`` perturbed in one entry at a time; ``grad`` is read only at the
        unperturbed point.
    x : array_like
        The point, any shape. Converted to a float64 copy; ``x`` itself is never modified.
    eps : float, optional
        The finite-difference step (default ``1e-4``). The truncation error is
        ``O(eps²)``; the rounding error ``O(1e-16 / eps)``.

    Returns
    -------
    float
        The largest error over all entries of ``x`` (``0.0`` if ``x`` is empty; ``nan`` if
        some value or gradient is not finite, which fails any ``< tol`` check).

    Raises
    ------
    ValueError
        If ``eps`` is not positive, the value is not a scalar, or ``grad`` has the wrong shape.

    Examples
    --------
    >>> err = gradcheck(lambda x: (float((x**2).sum()), 2 * x), np.array([1.0, -2.0, 3.0]))
    >>> err < 1e-8
    True
    >>> gradcheck(lambda x: (float((x**2).sum()), 3 * x), np.array([1.0, -2.0, 3.0])) > 0.1
    True
    """
    if not eps > 0:
        raise ValueError(f"eps must be a positive step, got {eps}")
    point = np.array(x, dtype=np.float64, copy=True)

    def value_of(result: Any) -> float:
        value = np.asarray(result[0])
        if value.size != 1:
            raise ValueError(f"f must return a scalar value first, got shape {value.shape}")
        return float(value.reshape(()))

    result = f(point.copy())
    value_of(result)
    analytic = np.array(result[1], dtype=np.float64, copy=True)
    if analytic.shape != point.shape:
        raise ValueError(
            f"f returned a gradient of shape {analytic.shape}; it must have x's shape {point.shape}"
        )
    numeric = np.empty_like(point)
    work = point.copy()
    for i in np.ndindex(point.shape):
        work[i] = point[i] + eps
        plus = value_of(f(work.copy()))
        work[i] = point[i] - eps
        minus = value_of(f(work.copy()))
        work[i] = point[i]
        numeric[i] = (plus - minus) / (2.0 * eps)
    if point.size == 0:
        return 0.0
    with np.errstate(invalid="ignore"):
        scale = np.maximum(1.0, np.maximum(np.abs(numeric), np.abs(analytic)))
        errors = np.abs(numeric - analytic) / scale
    return float(np.max(errors))
