# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""The compiled core of cw2v: word2vec training kernels.

This module holds numerics only; every policy (learning-rate schedule,
vocabulary, threading) lives in the Python package.

Layout (DESIGN.md, section 4): a *model* forms the hidden vector ``h`` and
a *loss* scores it.

* Models: skip-gram (``h`` is one input row) and CBOW (``h`` is the mean or
  the sum of the context rows).
* Losses: negative sampling, hierarchical softmax and full softmax. Each is
  one function with the signature :c:type:`loss_fn`: it reads ``h``,
  updates the output rows it touches, adds ``-alpha * dJ/dh`` to a work
  buffer and returns its loss term. Negative sampling and hierarchical
  softmax share one binary-logistic scoring step.

Skip-gram orientation: like word2vec.c and gensim, the kernel predicts the
center word from each context word's *input* vector, i.e. each window
yields the pairs (input = context word, output = center word). The textbook
derivation predicts each context word from the center's input vector; over
a corpus both objectives contain exactly the same (input, output) pairs,
because the window relation is symmetric.

Inside one update every score is computed before any output row changes,
so one update is exactly a gradient step on that example's loss (up to
the sigmoid table's resolution), even when a negative is drawn twice.

Sigmoid tables: ``sigmoid`` and ``log sigmoid`` are tabulated at
``SIGMOID_TABLE_SIZE + 1`` points evenly spaced on ``[-MAX_SIGMOID,
MAX_SIGMOID]`` and read at the nearest point. Outside that range the
gradient uses the value at the nearest end of the table (the gradient is
clamped, never skipped; word2vec.c clamps for negative sampling but skips
such nodes in hierarchical softmax, and gensim skips both), while the loss uses
the exact ``log sigmoid`` so that badly wrong predictions are not
under-reported. The largest error of a tabulated sigmoid inside the range is
``max sigma' * step / 2 = 0.25 * (2 * MAX_SIGMOID / SIGMOID_TABLE_SIZE) / 2``.

Random numbers: each job (and each test update) owns two splitmix64
generators seeded from the caller's seed, one for subsampling and window
sizes, one for noise words; nothing is shared between threads.
"""

from libc.math cimport exp, log, log1p
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t, uintptr_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcmp, memcpy
from scipy.linalg.cython_blas cimport sgemm

include "_text.pxi"

# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

cdef enum:
    _TABLE_SIZE = 2048
cdef double _MAX_SIGMOID = 8.0

SIGMOID_TABLE_SIZE = _TABLE_SIZE
MAX_SIGMOID = _MAX_SIGMOID
#: Largest ``window`` and ``negative`` a kernel accepts: far beyond any useful
#: setting, small enough that every buffer size and index fits its C type.
MAX_WINDOW = 100_000
MAX_NEGATIVE = 10_000

cdef enum ModelKind:
    SKIPGRAM = 0
    CBOW = 1

cdef enum LossKind:
    NEGATIVE_SAMPLING = 0
    HIERARCHICAL_SOFTMAX = 1
    FULL_SOFTMAX = 2

_MODEL_KINDS = {"skipgram": SKIPGRAM, "cbow": CBOW}
_LOSS_KINDS = {
    "ns": NEGATIVE_SAMPLING,
    "hs": HIERARCHICAL_SOFTMAX,
    "softmax": FULL_SOFTMAX,
}

cdef int ONE = 1
cdef float ONEF = 1.0
cdef float ZEROF = 0.0

cdef float SIGMOID_TABLE[_TABLE_SIZE + 1]
cdef float LOG_SIGMOID_TABLE[_TABLE_SIZE + 1]
cdef float TABLE_SCALE = _TABLE_SIZE / (2.0 * _MAX_SIGMOID)


cdef void _fill_tables() noexcept:
    cdef int i
    cdef double x
    for i in range(_TABLE_SIZE + 1):
        x = -_MAX_SIGMOID + i / TABLE_SCALE
        SIGMOID_TABLE[i] = <float>(1.0 / (1.0 + exp(-x)))
        LOG_SIGMOID_TABLE[i] = <float>(-log1p(exp(-x)))


_fill_tables()


cdef inline float table_sigmoid(float x) noexcept nogil:
    """sigma(x) from the table; clamped to the table's ends outside it."""
    if x != x:  # NaN would index the table at INT_MIN
        return x
    if x <= -_MAX_SIGMOID:
        return SIGMOID_TABLE[0]
    if x >= _MAX_SIGMOID:
        return SIGMOID_TABLE[_TABLE_SIZE]
    return SIGMOID_TABLE[<int>((x + _MAX_SIGMOID) * TABLE_SCALE + 0.5)]


cdef inline double table_log_sigmoid(float x) noexcept nogil:
    """log sigma(x) from the table inside its range, exact outside it."""
    if x != x:
        return x
    if x <= -_MAX_SIGMOID:
        return x - log1p(exp(x))
    if x >= _MAX_SIGMOID:
        return -log1p(exp(-x))
    return LOG_SIGMOID_TABLE[<int>((x + _MAX_SIGMOID) * TABLE_SCALE + 0.5)]


# --------------------------------------------------------------------------
# Random numbers (splitmix64) and the O(1) draws built on them
# --------------------------------------------------------------------------

cdef inline uint64_t next_random(uint64_t *state) noexcept nogil:
    cdef uint64_t z
    state[0] += 0x9E3779B97F4A7C15ULL
    z = state[0]
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL
    return z ^ (z >> 31)


cdef inline uint32_t random_below(uint64_t *state, uint32_t n) noexcept nogil:
    """A uniform integer in [0, n) by multiply-shift (no division)."""
    return <uint32_t>(((next_random(state) >> 32) * n) >> 32)


# --------------------------------------------------------------------------
# Model state shared (read-only) by all threads, and per-call work buffers
# --------------------------------------------------------------------------

cdef struct Params
cdef struct Work

# A loss scores the n hidden vectors in ``w.hidden_rows`` against the output
# rows it chooses for ``target``, updates those output rows, writes
# ``-alpha * dJ/dh_j`` to ``w.grad_hidden[j]`` and returns the loss.
ctypedef double (*loss_fn)(
    const Params *p, int n, int32_t target, float alpha, Work *w
) noexcept nogil


cdef struct Params:
    float *syn0                    # input vectors, vocab_size x size
    float *syn1                    # output vectors (words, or tree nodes for HS)
    int64_t syn0_stride            # floats from one row to the next (>= size)
    int64_t syn1_stride
    int size
    int vocab_size
    int window
    int negative
    int model
    int loss
    bint cbow_mean
    bint cbow_exact                # mean mode: pass dJ/dh / n (True) or dJ/dh (False) to inputs
    bint shrink_windows
    bint subsample
    bint shared_negatives          # skip-gram NS: one noise draw per window, not per pair
    int hot_rows                   # rows a job keeps in thread-local copies (see run_job)
    const uint32_t *keep           # subsampling thresholds: keep iff r32 <= keep[w]
    # the noise alias table, one entry per column: (own-column probability
    # * 2**32) << 32 | the column's other word
    const uint64_t *noise_table
    const uint8_t *codes           # Huffman codes of all words, concatenated
    const int32_t *points          # Huffman inner-node ids, aligned with codes
    const int64_t *code_offsets    # word w's path is [code_offsets[w], code_offsets[w+1])
    int max_code_length
    int max_outputs                # most output rows one update scores
    loss_fn score


cdef struct Work:
    const float **hidden_rows      # the n hidden vectors of the update
    float **output_rows            # the output rows being scored (scratch)
    float *hot_input               # this thread's copies of the hot rows (see run_job)
    float *hot_input_start
    float *hot_output
    float *hot_output_start
    int n_hot_input                # input rows [0, n_hot_input) are hot
    int hot_output_lo              # output rows [hot_output_lo, hot_output_hi) are hot
    int hot_output_hi
    float **input_rows             # the input rows of the update
    float *hidden                  # CBOW's mean (or sum) of the context rows
    float *grad_hidden             # n x size: -alpha * dJ/dh_j
    float *hidden_block            # full softmax: the n hidden vectors side by side
    float *coefs                   # n x max_outputs: alpha * (label - sigma(f))
    int32_t *rows                  # output rows of the current update
    uint8_t *labels                # their binary labels
    int32_t *next_noise            # the next update's noise words, drawn ahead
    bint noise_ready
    uint64_t rng                   # subsampling and window sizes
    uint64_t noise_rng             # noise words


# --------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------

cdef extern from *:
    """
    /* The block step shared by negative sampling and hierarchical softmax,
       in C so that it can be compiled twice and chosen at run time: a
       portable build (SSE2 on x86-64) and, with GCC on x86-64 glibc Linux
       (musl has no ifunc), one for
       AVX2 + FMA CPUs (x86-64-v3), picked once by the loader (ifunc). No
       build flag names the build machine's CPU. */
    #include <math.h>
    #include <stdint.h>
    #include <string.h>
    #if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) \
        && defined(__linux__) && defined(__GLIBC__) && !defined(CW2V_NO_DISPATCH)
    #  define CW2V_DISPATCH __attribute__((target_clones("arch=x86-64-v3", "default")))
    #else
    #  define CW2V_DISPATCH
    #endif

    static inline float cw2v_dot(int n, const float *x, const float *y) {
        float s = 0.0f;
        for (int i = 0; i < n; i++) s += x[i] * y[i];
        return s;
    }

    static inline void cw2v_axpy(int n, float a, const float *x, float *restrict y) {
        for (int i = 0; i < n; i++) y[i] += a * x[i];
    }

    static inline float cw2v_table(const float *table, float x, float max, float scale,
                                   int size) {
        if (x != x) return x;  /* NaN: passed on, so the loss reports the divergence */
        if (x <= -max) return table[0];
        if (x >= max) return table[size];
        return table[(int)((x + max) * scale + 0.5f)];
    }

    /* out[i] = (accumulate ? out[i] : 0) + sum_k c[k * stride] * rows[k][i]:
       one pass over out, the sum kept in registers chunk by chunk, so out is
       written once however many rows are combined. */
    static inline void cw2v_combine(int d, int m, const float *const *rows, const float *c,
                                    int stride, float *restrict out, int accumulate) {
        int i0 = 0;
        for (; i0 + 16 <= d; i0 += 16) {
            float acc[16];
            for (int t = 0; t < 16; t++) acc[t] = accumulate ? out[i0 + t] : 0.0f;
            for (int k = 0; k < m; k++) {
                const float *r = rows[k] + i0;
                const float ck = c[k * stride];
                for (int t = 0; t < 16; t++) acc[t] += ck * r[t];
            }
            for (int t = 0; t < 16; t++) out[i0 + t] = acc[t];
        }
        for (int i = i0; i < d; i++) {
            float acc = accumulate ? out[i] : 0.0f;
            for (int k = 0; k < m; k++) acc += c[k * stride] * rows[k][i];
            out[i] = acc;
        }
    }

    /* Ask for a row's cache lines ahead of its use (a hint; no-op elsewhere). */
    static inline void cw2v_prefetch_row(const float *row, int d) {
    #if defined(__GNUC__) || defined(__clang__)
        for (int i = 0; i < d; i += 16) __builtin_prefetch(row + i, 1, 3);
    #endif
    }

    /* rows[j] += scale * grads[j * grad_stride] for j < n (grad_stride 0: the
       same gradient for every row): the input side of an update. */
    CW2V_DISPATCH
    static void cw2v_add_to_rows(int d, int n, float *const *rows, const float *grads,
                                 int grad_stride, float scale) {
        for (int j = 0; j < n; j++) cw2v_axpy(d, scale, grads + (int64_t)j * grad_stride, rows[j]);
    }

    /* out = scale * sum_j rows[j]: CBOW's hidden vector, in one pass. */
    CW2V_DISPATCH
    static void cw2v_mean_of_rows(int d, int n, const float *const *rows, float scale,
                                  float *out) {
        cw2v_combine(d, n, rows, &scale, 0, out, 0);
    }

    /* Score n hidden vectors against m output rows of syn1 with binary
       labels; coefs gets alpha * (label - sigmoid(f)) (n x m), grad gets
       sum_k coef_jk u_k for each hidden vector j (n x d), and the output
       rows move by sum_j coef_jk h_j, all from the same parameters. Returns
       the summed loss -log sigmoid(+-f). */
    CW2V_DISPATCH
    static double cw2v_score_binary(
        int n, int m, int d, const float *const *hidden, float *const *out_rows,
        const uint8_t *labels, float alpha, float *coefs, float *grad,
        const float *sigmoid, const float *log_sigmoid, float max, float scale, int size)
    {
        double loss = 0.0;
        for (int k = 0; k < m; k++) {
            const float *u = out_rows[k];
            for (int j = 0; j < n; j++) {
                float f = cw2v_dot(d, hidden[j], u);
                float g = labels[k] ? f : -f;
                coefs[(int64_t)j * m + k] =
                    alpha * (labels[k] - cw2v_table(sigmoid, f, max, scale, size));
                if (g <= -max) loss -= g - log1p(exp(g));
                else if (g >= max) loss += log1p(exp(-g));
                else loss -= cw2v_table(log_sigmoid, g, max, scale, size);
            }
        }
        /* every gradient is read from the rows before any row moves: a
           noise word drawn twice is two rows of the same output vector */
        for (int j = 0; j < n; j++)
            cw2v_combine(d, m, (const float *const *)out_rows, coefs + (int64_t)j * m, 1,
                         grad + (int64_t)j * d, 0);
        for (int k = 0; k < m; k++)
            cw2v_combine(d, n, hidden, coefs + k, m, out_rows[k], 1);
        return loss;
    }
    """
    void cw2v_add_to_rows(
        int d, int n, float **rows, const float *grads, int grad_stride, float scale,
    ) noexcept nogil
    void cw2v_mean_of_rows(int d, int n, const float **rows, float scale, float *out) noexcept nogil
    void cw2v_prefetch_row(const float *row, int d) noexcept nogil
    double cw2v_score_binary(
        int n, int m, int d, const float **hidden, float **out_rows,
        const uint8_t *labels, float alpha, float *coefs, float *grad,
        const float *sigmoid, const float *log_sigmoid, float max, float scale, int size,
    ) noexcept nogil


# Whether a row is hot is a coin flip for mid-frequency words, and a branch
# per row access mispredicted often enough to cost 4% (hot_rows=256, one
# thread): these select with masks instead (GCC turned ternaries into branches).
cdef inline float *select_row(bint hot, float *hot_base, float *base, int64_t hot_index,
                              int64_t index, int64_t hot_stride, int64_t stride) noexcept nogil:
    # address arithmetic in unsigned integers: the unchosen address may be
    # meaningless (no hot buffer, a row below the hot range) but is never used
    cdef uintptr_t mask = <uintptr_t>0 - <uintptr_t>hot
    cdef uintptr_t hot_address = <uintptr_t>hot_base + <uintptr_t>(
        hot_index * hot_stride) * sizeof(float)
    cdef uintptr_t address = <uintptr_t>base + <uintptr_t>(index * stride) * sizeof(float)
    return <float *>((hot_address & mask) | (address & ~mask))


cdef inline float *input_row(const Params *p, Work *w, int32_t row) noexcept nogil:
    return select_row(row < w.n_hot_input, w.hot_input, p.syn0, row, row, p.size,
                      p.syn0_stride)


cdef inline float *output_row(const Params *p, Work *w, int32_t row) noexcept nogil:
    return select_row(w.hot_output_lo <= row < w.hot_output_hi, w.hot_output, p.syn1,
                      row - w.hot_output_lo, row, p.size, p.syn1_stride)


cdef inline double score_binary(
    const Params *p, int n, int m, float alpha, Work *w
) noexcept nogil:
    """Binary logistic scoring of n hidden vectors against m output rows.

    The step negative sampling and hierarchical softmax share. Row k of the
    outputs is ``w.rows[k]`` with label ``w.labels[k]``. Every score is
    computed before any vector changes, so the update is a gradient step on
    the sum of the n * m binary losses at one point. Each output row is read
    once for all n hidden vectors, which is what makes a skip-gram window
    cheaper than n separate pairs. Returns the summed loss.
    """
    cdef int k
    for k in range(m):
        w.output_rows[k] = output_row(p, w, w.rows[k])
    return cw2v_score_binary(
        n, m, p.size, w.hidden_rows, w.output_rows, w.labels, alpha, w.coefs,
        w.grad_hidden, SIGMOID_TABLE, LOG_SIGMOID_TABLE, <float>_MAX_SIGMOID, TABLE_SCALE,
        _TABLE_SIZE,
    )


cdef inline int32_t draw_noise_word(const Params *p, uint64_t *state) noexcept nogil:
    cdef uint64_t r = next_random(state)
    cdef uint32_t column = <uint32_t>(((r >> 32) * <uint64_t>p.vocab_size) >> 32)
    cdef uint64_t entry = p.noise_table[column]
    if <uint32_t>(r & 0xFFFFFFFFULL) < <uint32_t>(entry >> 32):
        return column
    return <int32_t>(entry & 0xFFFFFFFFULL)


cdef inline void draw_next_noise(const Params *p, Work *w) noexcept nogil:
    """Draw the next update's noise words and ask for their rows now.

    Noise words are drawn at random, so their rows are often not in cache;
    fetching them one update ahead hides that latency behind this update's
    arithmetic.
    """
    cdef int k
    for k in range(p.negative):
        w.next_noise[k] = draw_noise_word(p, &w.noise_rng)
        cw2v_prefetch_row(output_row(p, w, w.next_noise[k]), p.size)
    w.noise_ready = True


cdef double negative_sampling_loss(
    const Params *p, int n, int32_t target, float alpha, Work *w
) noexcept nogil:
    """The target (label 1) against ``negative`` noise words (label 0), one
    draw for all n hidden vectors. A draw equal to the target is skipped, as
    in word2vec.c."""
    cdef int k, m = 1
    cdef int32_t noise
    if not w.noise_ready:
        draw_next_noise(p, w)
    w.rows[0] = target
    w.labels[0] = 1
    for k in range(p.negative):
        noise = w.next_noise[k]
        if noise != target:
            w.rows[m] = noise
            w.labels[m] = 0
            m += 1
    draw_next_noise(p, w)
    return score_binary(p, n, m, alpha, w)


cdef double hierarchical_softmax_loss(
    const Params *p, int n, int32_t target, float alpha, Work *w
) noexcept nogil:
    """One binary decision per inner node on the target's Huffman path; the
    label at a node is ``1 - code``, as in word2vec.c."""
    cdef int64_t k, start = p.code_offsets[target], stop = p.code_offsets[target + 1]
    for k in range(start, stop):
        w.rows[k - start] = p.points[k]
        w.labels[k - start] = 1 - p.codes[k]
    return score_binary(p, n, <int>(stop - start), alpha, w)


cdef double full_softmax_loss(
    const Params *p, int n, int32_t target, float alpha, Work *w
) noexcept nogil:
    """Softmax over the whole vocabulary, O(V d) per hidden vector.

    The output matrix is row-major (V, d), i.e. a column-major (d, V) matrix
    ``A`` for BLAS. With the n hidden vectors as the columns of ``H`` (d, n):
    scores ``S = A^T H``, ``C = -alpha * (softmax(S) - onehot(target))``
    column by column, ``grad_H = A C`` and ``A += H C^T``: three matrix
    products (sgemm), which read ``A`` three times per update instead of
    three times per hidden vector. All scores are computed before the matrix
    changes.
    """
    cdef int i, j, V = p.vocab_size, d = p.size, lda = <int>p.syn1_stride
    cdef float top, inv_total
    cdef double total, loss = 0.0
    cdef float *c
    for j in range(n):
        memcpy(w.hidden_block + <int64_t>j * d, w.hidden_rows[j], d * sizeof(float))
    sgemm(b"T", b"N", &V, &n, &d, &ONEF, p.syn1, &lda, w.hidden_block, &d, &ZEROF,
          w.coefs, &V)
    for j in range(n):
        c = w.coefs + <int64_t>j * V
        top = c[0]
        for i in range(1, V):
            if c[i] > top:
                top = c[i]
        loss -= c[target] - top
        total = 0.0
        for i in range(V):
            c[i] = <float>exp(c[i] - top)
            total += c[i]
        loss += log(total)
        inv_total = <float>(-alpha / total)
        for i in range(V):
            c[i] *= inv_total
        c[target] += alpha
    sgemm(b"N", b"N", &d, &n, &V, &ONEF, p.syn1, &lda, w.coefs, &V, &ZEROF,
          w.grad_hidden, &d)
    sgemm(b"N", b"T", &d, &V, &n, &ONEF, w.hidden_block, &d, w.coefs, &V, &ONEF,
          p.syn1, &lda)
    return loss


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------

cdef double update(
    const Params *p, const int32_t *inputs, int n_inputs, int32_t target,
    float alpha, Work *w,
) noexcept nogil:
    """One step for one center position.

    Skip-gram: each input (context) row is a hidden vector of its own, all
    predicting the target (the center word), scored in one block (for
    negative sampling, against one shared draw of noise words) or, with
    negative sampling and ``shared_negatives`` off, pair after pair. CBOW:
    the mean (or sum) of the input rows is the one hidden vector; its
    gradient goes back to every input row. When h is the mean of n inputs
    the exact gradient of each input row is ``dJ/dh / n`` (``cbow_exact``);
    word2vec.c, gensim and fastText give each row the undivided ``dJ/dh``,
    i.e. the exact gradient with an input learning rate n times larger,
    which is what their default learning rates are tuned for.
    """
    cdef int k, d = p.size
    cdef float scale = 1.0
    cdef double loss = 0.0
    for k in range(n_inputs):
        w.input_rows[k] = input_row(p, w, inputs[k])
    if p.model == SKIPGRAM and p.loss == NEGATIVE_SAMPLING and not p.shared_negatives:
        # word2vec.c's update: pair after pair, each with its own noise words
        for k in range(n_inputs):
            w.hidden_rows[0] = w.input_rows[k]
            loss += p.score(p, 1, target, alpha, w)
            cw2v_add_to_rows(d, 1, w.input_rows + k, w.grad_hidden, 0, 1.0)
        return loss
    if p.model == SKIPGRAM:
        for k in range(n_inputs):
            w.hidden_rows[k] = w.input_rows[k]
        loss = p.score(p, n_inputs, target, alpha, w)
        cw2v_add_to_rows(d, n_inputs, w.input_rows, w.grad_hidden, d, 1.0)
        return loss
    if p.cbow_mean:
        scale = 1.0 / n_inputs
    cw2v_mean_of_rows(d, n_inputs, <const float **>w.input_rows, scale, w.hidden)
    if not (p.cbow_mean and p.cbow_exact):
        scale = 1.0
    w.hidden_rows[0] = w.hidden
    loss = p.score(p, 1, target, alpha, w)
    cw2v_add_to_rows(d, n_inputs, w.input_rows, w.grad_hidden, 0, scale)
    return loss


cdef inline void prefetch_outputs(const Params *p, Work *w, int32_t target) noexcept nogil:
    """Ask for the output rows an update of ``target`` will score."""
    cdef int64_t k
    if p.loss == NEGATIVE_SAMPLING:
        cw2v_prefetch_row(output_row(p, w, target), p.size)
    elif p.loss == HIERARCHICAL_SOFTMAX:
        for k in range(p.code_offsets[target], p.code_offsets[target + 1]):
            cw2v_prefetch_row(output_row(p, w, p.points[k]), p.size)


cdef struct JobResult:
    int64_t raw_words
    int64_t effective_words
    int64_t updates
    double loss


cdef JobResult run_job(
    const Params *p, const int32_t *ids, const int64_t *offsets, int64_t n_sentences,
    double alpha_start, double alpha_end, int32_t *sentence, int32_t *context, Work *w,
) noexcept nogil:
    cdef JobResult result
    cdef int64_t s, k, start, stop, job_words = offsets[n_sentences] - offsets[0]
    cdef int i, j, n, lo, hi, reach, n_context
    cdef int32_t word
    cdef float alpha
    result.raw_words = 0
    result.effective_words = 0
    result.updates = 0
    result.loss = 0.0
    for s in range(n_sentences):
        start = offsets[s]
        stop = offsets[s + 1]
        alpha = <float>(
            alpha_start + (alpha_end - alpha_start)
            * (start - offsets[0]) / (job_words if job_words > 0 else 1)
        )
        # drop unknown words (-1) and subsample frequent ones
        n = 0
        for k in range(start, stop):
            word = ids[k]
            if word < 0:
                continue
            if p.subsample and <uint32_t>(next_random(&w.rng) >> 32) > p.keep[word]:
                continue
            sentence[n] = word
            n += 1
        result.raw_words += stop - start
        result.effective_words += n
        for i in range(n):
            # the next center word's output row and the word about to enter the
            # window are fetched while this position trains
            if i + 1 < n:
                prefetch_outputs(p, w, sentence[i + 1])
            if i + p.window + 1 < n:
                cw2v_prefetch_row(input_row(p, w, sentence[i + p.window + 1]), p.size)
            reach = p.window
            if p.shrink_windows:
                reach -= <int>random_below(&w.rng, p.window)
            lo = i - reach if i >= reach else 0
            hi = i + reach + 1 if i + reach + 1 <= n else n
            n_context = 0
            for j in range(lo, hi):
                if j != i:
                    context[n_context] = sentence[j]
                    n_context += 1
            if n_context > 0:
                result.loss += update(p, context, n_context, sentence[i], alpha, w)
                result.updates += n_context if p.model == SKIPGRAM else 1
    return result


# --------------------------------------------------------------------------
# Python interface
# --------------------------------------------------------------------------

cdef void hot_rows_load(const Params *p, Work *w) noexcept nogil:
    """Copy the hot rows into this job's private buffers.

    Frequent words' rows are written by every thread all the time; updating
    shared copies makes the cores fight over their cache lines (measured:
    two threads reached 1.65x one thread, two processes 1.97x). A job
    therefore updates private copies of the ``hot_rows`` most frequent input
    and output rows and adds its net change to the shared rows when it ends
    (:func:`hot_rows_flush`): the other threads see a hot row's updates up to
    one job late, a staleness Hogwild training tolerates.
    """
    copy_rows(p.syn0, p.syn0_stride, 0, w.n_hot_input, p.size, w.hot_input, w.hot_input_start)
    copy_rows(p.syn1, p.syn1_stride, w.hot_output_lo, w.hot_output_hi - w.hot_output_lo, p.size,
              w.hot_output, w.hot_output_start)


cdef void hot_rows_flush(const Params *p, Work *w) noexcept nogil:
    """Add this job's net change of the hot rows to the shared rows."""
    add_changes(p.syn0, p.syn0_stride, 0, w.n_hot_input, p.size, w.hot_input, w.hot_input_start)
    add_changes(p.syn1, p.syn1_stride, w.hot_output_lo, w.hot_output_hi - w.hot_output_lo,
                p.size, w.hot_output, w.hot_output_start)


cdef void copy_rows(const float *shared, int64_t stride, int64_t first, int64_t n, int64_t d,
                    float *copy, float *start) noexcept nogil:
    """Copy the n strided rows from ``first`` into two packed buffers (the
    copy to update, and the start to subtract at the end)."""
    cdef int64_t r
    for r in range(n):
        memcpy(copy + r * d, shared + (first + r) * stride, d * sizeof(float))
    if n > 0:
        memcpy(start, copy, n * d * sizeof(float))


cdef void add_changes(float *shared, int64_t stride, int64_t first, int64_t n, int64_t d,
                      const float *now, const float *start) noexcept nogil:
    """shared[first + r] += now[r] - start[r] for r < n (shared strided, the
    others packed)."""
    cdef int64_t r, i
    cdef float *row
    for r in range(n):
        row = shared + (first + r) * stride
        for i in range(d):
            row[i] += now[r * d + i] - start[r * d + i]


cdef int alloc_work(
    const Params *p, Work *w, uint64_t seed, int max_inputs, bint hot
) noexcept nogil:
    cdef int64_t hidden = 1 if p.model == CBOW else max_inputs
    cdef int64_t hot_bytes
    w.hidden_rows = NULL
    w.output_rows = w.input_rows = NULL
    w.hidden = w.grad_hidden = w.coefs = w.hidden_block = NULL
    w.rows = NULL
    w.labels = NULL
    w.next_noise = NULL
    w.noise_ready = False
    w.n_hot_input = w.hot_output_lo = w.hot_output_hi = 0
    w.hot_input = w.hot_input_start = w.hot_output = w.hot_output_start = NULL
    if hot and p.hot_rows > 0:
        w.n_hot_input = min(p.hot_rows, p.vocab_size)
        if p.loss == NEGATIVE_SAMPLING:
            w.hot_output_hi = min(p.hot_rows, p.vocab_size)
        hot_bytes = <int64_t>p.size * sizeof(float)
        w.hot_input = <float *>malloc(w.n_hot_input * hot_bytes)
        w.hot_input_start = <float *>malloc(w.n_hot_input * hot_bytes)
        w.hot_output = <float *>malloc((w.hot_output_hi - w.hot_output_lo + 1) * hot_bytes)
        w.hot_output_start = <float *>malloc((w.hot_output_hi - w.hot_output_lo + 1) * hot_bytes)
        if (w.hot_input == NULL or w.hot_input_start == NULL or w.hot_output == NULL
                or w.hot_output_start == NULL):
            free_work(w)
            return -1
    w.hidden_rows = <const float **>malloc(max_inputs * sizeof(float *))
    w.output_rows = <float **>malloc(p.max_outputs * sizeof(float *))
    w.input_rows = <float **>malloc(max_inputs * sizeof(float *))
    w.hidden = <float *>malloc(p.size * sizeof(float))
    w.grad_hidden = <float *>malloc(hidden * p.size * sizeof(float))
    w.hidden_block = <float *>malloc(
        (hidden if p.loss == FULL_SOFTMAX else 1) * p.size * sizeof(float))
    w.coefs = <float *>malloc(hidden * p.max_outputs * sizeof(float))
    w.rows = <int32_t *>malloc(p.max_outputs * sizeof(int32_t))
    w.labels = <uint8_t *>malloc(p.max_outputs * sizeof(uint8_t))
    w.next_noise = <int32_t *>malloc(max(p.negative, 1) * sizeof(int32_t))
    # two streams: the noise words follow ``seed`` exactly (see draw_noise)
    w.noise_rng = seed
    w.rng = seed ^ 0xD1B54A32D192ED03ULL
    next_random(&w.rng)
    if (w.hidden_rows == NULL or w.output_rows == NULL or w.input_rows == NULL
            or w.hidden == NULL
            or w.grad_hidden == NULL or w.hidden_block == NULL
            or w.coefs == NULL or w.rows == NULL or w.labels == NULL
            or w.next_noise == NULL):
        free_work(w)
        return -1
    return 0


cdef void free_work(Work *w) noexcept nogil:
    free(w.hot_input)
    free(w.hot_input_start)
    free(w.hot_output)
    free(w.hot_output_start)
    w.hot_input = w.hot_input_start = w.hot_output = w.hot_output_start = NULL
    w.n_hot_input = w.hot_output_lo = w.hot_output_hi = 0
    free(w.hidden_rows)
    free(w.output_rows)
    free(w.input_rows)
    free(w.hidden)
    free(w.grad_hidden)
    free(w.hidden_block)
    free(w.coefs)
    free(w.rows)
    free(w.labels)
    free(w.next_noise)
    w.hidden_rows = w.output_rows = NULL
    w.input_rows = NULL
    w.hidden = w.grad_hidden = w.coefs = w.hidden_block = NULL
    w.rows = NULL
    w.labels = NULL
    w.next_noise = NULL
    w.noise_ready = False


cdef class Kernel:
    """The training kernel bound to one model's arrays.

    The arrays are used in place (Hogwild): several threads may call
    :meth:`train_job` at once, each with its own job and seed.

    Parameters
    ----------
    input_vectors : float32 array, shape (V, d), C-contiguous
        The input ("center") vectors, updated in place.
    output_vectors : float32 array, C-contiguous
        Shape (V, d) for negative sampling and full softmax, (V - 1, d)
        for hierarchical softmax (one row per inner node of the tree).
    model : {"skipgram", "cbow"}
    loss : {"ns", "hs", "softmax"}
    window : int
        Largest distance between a word and its context words (>= 1).
    negative : int
        Noise words per update (negative sampling only, >= 1).
    cbow_mean : bool
        CBOW's hidden vector is the mean (True) or the sum of the context.
    cbow_exact : bool
        In mean mode, give each context row the exact gradient of the mean,
        ``dJ/dh / n`` (True), or word2vec.c's undivided ``dJ/dh`` (False).
    shared_negatives : bool
        Skip-gram with negative sampling: all context words of a window are
        scored against one draw of noise words (True), or each against its
        own draw (False, word2vec.c's per-pair update).
    hot_rows : int
        Negative sampling: each :meth:`train_job` updates private copies of
        the rows of this many of the most frequent words (input and output
        rows ``0..hot_rows-1``) and adds its net change to the shared rows
        at its end, so that threads do not fight over those cache lines. 0
        (no copies) suits one thread. Not used by hierarchical softmax, where
        the nodes nearest the root are on every path and a job-long delay
        measurably cost accuracy, nor by the full softmax.
    shrink_windows : bool
        Draw each position's window uniformly from 1..window.
    keep_thresholds : uint32 array, shape (V,), optional
        Subsampling: a word is kept iff a uniform uint32 is <= its
        threshold. None disables subsampling.
    noise_prob, noise_alias : optional
        The noise distribution's alias table (uint32 and int32, shape (V,)),
        required for negative sampling.
    codes, points, code_offsets : optional
        Huffman codes (uint8), inner-node ids (int32) and per-word offsets
        (int64, shape (V + 1,)), required for hierarchical softmax.

    Raises
    ------
    ValueError
        If shapes disagree or a table points outside its arrays; the kernel
        checks everything it will index once, here.
    """

    cdef Params p
    cdef readonly object arrays

    def __init__(
        self,
        float[:, :] input_vectors,
        float[:, :] output_vectors,
        *,
        str model="skipgram",
        str loss="ns",
        window=5,
        negative=5,
        bint cbow_mean=True,
        bint cbow_exact=False,
        bint shrink_windows=True,
        bint shared_negatives=True,
        int hot_rows=0,
        const uint32_t[::1] keep_thresholds=None,
        const uint32_t[::1] noise_prob=None,
        const int32_t[::1] noise_alias=None,
        const uint8_t[::1] codes=None,
        const int32_t[::1] points=None,
        const int64_t[::1] code_offsets=None,
    ):
        if model not in _MODEL_KINDS:
            raise ValueError(f"model must be one of {sorted(_MODEL_KINDS)}, got {model!r}")
        if loss not in _LOSS_KINDS:
            raise ValueError(f"loss must be one of {sorted(_LOSS_KINDS)}, got {loss!r}")
        cdef Py_ssize_t i, V = input_vectors.shape[0], d = input_vectors.shape[1]
        if V < 1 or d < 1:
            raise ValueError(f"input_vectors must be non-empty, got shape ({V}, {d})")
        if V >= 2**31 - 1:
            raise ValueError("at most 2**31 - 2 words are supported")
        if not 1 <= window <= MAX_WINDOW:
            raise ValueError(f"window must be between 1 and {MAX_WINDOW}, got {window}")
        if not 0 <= negative <= MAX_NEGATIVE:
            raise ValueError(f"negative must be between 0 and {MAX_NEGATIVE}, got {negative}")
        for name, array in (("input_vectors", input_vectors), ("output_vectors", output_vectors)):
            if array.strides[1] != sizeof(float) or array.strides[0] % sizeof(float) != 0:
                raise ValueError(f"{name} must hold each row contiguously (row-major float32)")
            if array.shape[0] > 1 and array.strides[0] < array.shape[1] * <Py_ssize_t>sizeof(float):
                raise ValueError(f"{name}'s rows overlap")
        if output_vectors.shape[1] != d:
            raise ValueError(
                f"output_vectors has {output_vectors.shape[1]} columns, input_vectors {d}"
            )
        self.p.loss = _LOSS_KINDS[loss]
        self.p.model = _MODEL_KINDS[model]
        expected_rows = V - 1 if self.p.loss == HIERARCHICAL_SOFTMAX else V
        if output_vectors.shape[0] != expected_rows:
            raise ValueError(
                f"output_vectors must have {expected_rows} rows for loss={loss!r}, "
                f"got {output_vectors.shape[0]}"
            )
        if keep_thresholds is not None and keep_thresholds.shape[0] != V:
            raise ValueError(f"keep_thresholds must have {V} entries")
        if self.p.loss == NEGATIVE_SAMPLING:
            self._check_noise(V, negative, noise_prob, noise_alias)
        elif self.p.loss == HIERARCHICAL_SOFTMAX:
            self._check_huffman(V, codes, points, code_offsets)
        self.p.syn0 = &input_vectors[0, 0]
        self.p.syn1 = &output_vectors[0, 0] if output_vectors.shape[0] > 0 else NULL
        self.p.size = <int>d
        self.p.syn0_stride = input_vectors.strides[0] // sizeof(float)
        self.p.syn1_stride = output_vectors.strides[0] // sizeof(float)
        self.p.vocab_size = <int>V
        self.p.window = window
        self.p.negative = negative if self.p.loss == NEGATIVE_SAMPLING else 0
        self.p.cbow_mean = cbow_mean
        self.p.cbow_exact = cbow_exact
        self.p.shrink_windows = shrink_windows
        self.p.subsample = keep_thresholds is not None
        self.p.keep = &keep_thresholds[0] if keep_thresholds is not None else NULL
        # the two halves of a column side by side: one cache line per draw
        cdef uint64_t[::1] noise_table = None
        self.p.noise_table = NULL
        if self.p.loss == NEGATIVE_SAMPLING:
            import numpy as np

            noise_table = np.empty(V, dtype=np.uint64)
            for i in range(V):
                noise_table[i] = (<uint64_t>noise_prob[i] << 32) | <uint32_t>noise_alias[i]
            self.p.noise_table = &noise_table[0]
        self.p.codes = &codes[0] if codes is not None and codes.shape[0] > 0 else NULL
        self.p.points = &points[0] if points is not None and points.shape[0] > 0 else NULL
        self.p.code_offsets = &code_offsets[0] if code_offsets is not None else NULL
        self.p.max_code_length = 0
        if self.p.loss == HIERARCHICAL_SOFTMAX:
            for i in range(V):
                self.p.max_code_length = max(
                    self.p.max_code_length, <int>(code_offsets[i + 1] - code_offsets[i])
                )
        self.p.shared_negatives = shared_negatives
        if hot_rows < 0:
            raise ValueError(f"hot_rows must be >= 0, got {hot_rows}")
        self.p.hot_rows = hot_rows if self.p.loss == NEGATIVE_SAMPLING else 0
        if self.p.loss == NEGATIVE_SAMPLING:
            self.p.max_outputs = self.p.negative + 1
        elif self.p.loss == HIERARCHICAL_SOFTMAX:
            self.p.max_outputs = max(self.p.max_code_length, 1)
        else:
            self.p.max_outputs = <int>V
        if self.p.loss == NEGATIVE_SAMPLING:
            self.p.score = negative_sampling_loss
        elif self.p.loss == HIERARCHICAL_SOFTMAX:
            self.p.score = hierarchical_softmax_loss
        else:
            self.p.score = full_softmax_loss
        # keep every array alive as long as the kernel points into it
        self.arrays = (
            input_vectors, output_vectors, keep_thresholds, noise_table, codes, points,
            code_offsets,
        )

    @staticmethod
    def _check_noise(Py_ssize_t V, int negative, const uint32_t[::1] prob,
                     const int32_t[::1] alias):
        cdef Py_ssize_t i
        if negative < 1:
            raise ValueError(f"negative sampling needs negative >= 1, got {negative}")
        if prob is None or alias is None:
            raise ValueError("negative sampling needs the noise alias table")
        if prob.shape[0] != V or alias.shape[0] != V:
            raise ValueError(f"the noise alias table must have {V} entries")
        for i in range(V):
            if alias[i] < 0 or alias[i] >= V:
                raise ValueError(f"noise alias table entry {i} points outside the vocabulary")

    @staticmethod
    def _check_huffman(Py_ssize_t V, const uint8_t[::1] codes, const int32_t[::1] points,
                       const int64_t[::1] offsets):
        cdef Py_ssize_t i
        if V < 2:
            raise ValueError("hierarchical softmax needs at least 2 words in the vocabulary")
        if codes is None or points is None or offsets is None:
            raise ValueError("hierarchical softmax needs codes, points and code_offsets")
        if offsets.shape[0] != V + 1 or codes.shape[0] != points.shape[0]:
            raise ValueError("Huffman tables have inconsistent lengths")
        if offsets[0] != 0 or offsets[V] != codes.shape[0]:
            raise ValueError("Huffman code offsets do not span the codes")
        for i in range(V):
            if offsets[i + 1] < offsets[i] or offsets[i + 1] - offsets[i] > 2**20:
                raise ValueError(f"Huffman code of word {i} has an invalid length")
        for i in range(points.shape[0]):
            if points[i] < 0 or points[i] >= V - 1:
                raise ValueError(f"Huffman point {i} is outside the {V - 1} inner nodes")
            if codes[i] > 1:
                raise ValueError(f"Huffman code {i} is not 0 or 1")

    @property
    def vector_size(self):
        """Dimension d of the vectors."""
        return self.p.size

    @property
    def vocab_size(self):
        """Number of words V (input rows)."""
        return self.p.vocab_size

    def train_job(
        self,
        const int32_t[::1] ids,
        const int64_t[::1] offsets,
        double alpha_start,
        double alpha_end,
        uint64_t seed,
    ):
        """Train on one job with the GIL released.

        Parameters
        ----------
        ids : int32 array
            Word ids of the job's sentences, back to back; -1 marks a word
            outside the vocabulary (it counts as a raw word and is skipped).
        offsets : int64 array, shape (n_sentences + 1,)
            Sentence ``s`` is ``ids[offsets[s]:offsets[s + 1]]``.
        alpha_start, alpha_end : float
            The learning rate at the job's first and last word; it moves
            linearly between them, sentence by sentence.
        seed : int
            Seeds the job's random numbers (subsampling, windows, noise).

        Returns
        -------
        raw_words : int
            Words in the job, unknown ones included.
        effective_words : int
            Words left after dropping unknown ones and subsampling.
        updates : int
            Gradient steps taken (pairs for skip-gram, windows for CBOW).
        loss : float
            Sum of the loss over every update, in float64.
        """
        cdef Py_ssize_t n_sentences = offsets.shape[0] - 1
        cdef Py_ssize_t i, longest = 0
        if n_sentences < 0:
            raise ValueError("offsets must hold at least one entry")
        if offsets[0] < 0 or offsets[n_sentences] > ids.shape[0]:
            raise ValueError("offsets point outside ids")
        for i in range(n_sentences):
            if offsets[i + 1] < offsets[i]:
                raise ValueError(f"offsets must not decrease (sentence {i})")
            if offsets[i + 1] - offsets[i] > longest:
                longest = offsets[i + 1] - offsets[i]
        for i in range(offsets[0], offsets[n_sentences]):
            if ids[i] < -1 or ids[i] >= self.p.vocab_size:
                raise ValueError(
                    f"word id {ids[i]} at position {i} is outside the vocabulary "
                    f"of {self.p.vocab_size} words"
                )
        if n_sentences == 0 or longest == 0:
            return 0, 0, 0, 0.0
        cdef Work w
        cdef JobResult result
        cdef int32_t *sentence = <int32_t *>malloc(longest * sizeof(int32_t))
        cdef int32_t *context = <int32_t *>malloc(2 * self.p.window * sizeof(int32_t))
        if (sentence == NULL or context == NULL
                or alloc_work(&self.p, &w, seed, 2 * self.p.window, True) != 0):
            free(sentence)
            free(context)
            raise MemoryError("cannot allocate the kernel's work buffers")
        with nogil:
            hot_rows_load(&self.p, &w)
            result = run_job(
                &self.p, &ids[0], &offsets[0], n_sentences, alpha_start, alpha_end,
                sentence, context, &w,
            )
            hot_rows_flush(&self.p, &w)
        free_work(&w)
        free(sentence)
        free(context)
        return result.raw_words, result.effective_words, result.updates, result.loss

    def train_example(self, const int32_t[::1] inputs, int target, float alpha, uint64_t seed):
        """Apply the update of one center position, as :meth:`train_job` does.

        ``inputs`` are the context words and ``target`` the center word.
        Skip-gram scores each context row against the target; CBOW scores
        their mean (or sum). Negative sampling draws its noise words from a
        generator seeded with ``seed`` (see :meth:`draw_noise`): one draw of
        ``negative`` words for the whole window with ``shared_negatives``,
        else one per context word, in order. Meant for tests and for checking
        the math against :mod:`cw2v.reference`.

        Returns
        -------
        float
            The loss of the update before it was applied.
        """
        cdef Py_ssize_t i
        cdef double loss
        cdef Work w
        if inputs.shape[0] < 1:
            raise ValueError("an update needs at least one input word")
        for i in range(inputs.shape[0]):
            if inputs[i] < 0 or inputs[i] >= self.p.vocab_size:
                raise ValueError(f"input word id {inputs[i]} is outside the vocabulary")
        if target < 0 or target >= self.p.vocab_size:
            raise ValueError(f"target word id {target} is outside the vocabulary")
        if alloc_work(&self.p, &w, seed, <int>inputs.shape[0], False) != 0:
            raise MemoryError("cannot allocate the kernel's work buffers")
        with nogil:
            loss = update(&self.p, &inputs[0], <int>inputs.shape[0], target, alpha, &w)
        free_work(&w)
        return loss

    def draw_noise(self, uint64_t seed, int count):
        """The first ``count`` noise words a generator seeded with ``seed``
        draws (negative sampling only), as a list of ids."""
        if self.p.loss != NEGATIVE_SAMPLING:
            raise ValueError("only negative sampling draws noise words")
        cdef uint64_t state = seed
        cdef int _k
        drawn = []
        for _k in range(count):
            drawn.append(draw_noise_word(&self.p, &state))
        return drawn


def sigmoid(float x):
    """sigma(x) as the kernels compute it (table lookup, clamped)."""
    return table_sigmoid(x)


def log_sigmoid(float x):
    """log sigma(x) as the kernels compute it for the loss."""
    return table_log_sigmoid(x)


def random_uint64(uint64_t seed, int count):
    """The first ``count`` outputs of the kernels' generator for ``seed``."""
    cdef uint64_t state = seed
    cdef int _k
    drawn = []
    for _k in range(count):
        drawn.append(next_random(&state))
    return drawn
