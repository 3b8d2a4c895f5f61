"""Property tests (hypothesis): damaged input never crashes a reader, every format round-trips
exactly, and vocabulary building matches ``collections.Counter``.

Two groups:

* Properties that run compiled code on random input (every file reader, the file corpus
  and its C tokeniser, ``TokenTable``, the training kernel fed random jobs and tables) are
  marked ``child``: :func:`test_compiled_targets_survive_random_input_in_a_child` runs them
  in a child ``pytest`` (with ``CW2V_FUZZ_CHILD=1``), so that a segmentation fault fails
  that one test instead of killing the test run. The child prints the falsifying example.
* Pure-Python properties (round trips, the vocabulary against ``Counter``) run here.

``CW2V_FUZZ_EXAMPLES`` sets the examples per property (default 20: the whole file runs in
well under 30 s); e.g. ``CW2V_FUZZ_EXAMPLES=2000 python -m pytest tests/test_fuzz.py``.
Every reader may raise ``ValueError`` (``UnicodeDecodeError`` is one) and nothing else.
"""

from __future__ import annotations

import bz2
import collections
import gzip
import json
import lzma
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cw2v
from cw2v import corpus as corpus_module
from cw2v.formats import load_arrays, load_word2vec_format, save_arrays, save_word2vec_format
from cw2v.vectors import KeyedVectors
from cw2v.vocab import Vocabulary

EXAMPLES = int(os.environ.get("CW2V_FUZZ_EXAMPLES", "20"))
IN_CHILD = os.environ.get("CW2V_FUZZ_CHILD") == "1"

FUZZ = settings(
    max_examples=EXAMPLES,
    # the same examples on every run (CI stays reproducible); CW2V_FUZZ_RANDOM=1 explores
    derandomize=os.environ.get("CW2V_FUZZ_RANDOM") != "1",
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

child = pytest.mark.skipif(not IN_CHILD, reason="runs in the child process (see module doc)")

COMPRESSORS = {"": None, ".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}
#: ASCII whitespace: what separates tokens in files (bytes.split()).
ASCII_SPACE = " \t\n\r\x0b\x0c"


_SCRATCH = tempfile.TemporaryDirectory(prefix="cw2v-fuzz-")  # removed at exit


def scratch() -> Path:
    """A fresh directory (hypothesis runs many examples in one call of a test function,
    so pytest's tmp_path would be shared by all of them)."""
    return Path(tempfile.mkdtemp(dir=_SCRATCH.name))


# ---------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------

#: Words the word2vec formats can hold: no str.split() whitespace, no NUL, not empty,
#: encodable as UTF-8 (no lone surrogates); very long ones included.
w2v_words = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
    min_size=1,
    max_size=40,
).filter(lambda w: w.split() == [w]) | st.builds(
    lambda c, n: c * n, st.sampled_from("aé日🙂"), st.integers(1000, 5000)
)

#: Words the native format can hold: any str at all, surrogates and whitespace included.
any_words = st.text(max_size=30) | st.text(
    alphabet=st.characters(categories=("Cs", "Zs", "Cc")), max_size=5
)


@st.composite
def keyed_vectors(draw, words=w2v_words, finite=False):
    keys = draw(st.lists(words, unique=True, max_size=12))
    dim = draw(st.integers(1, 7))
    elements = st.floats(width=32, allow_nan=not finite, allow_infinity=not finite)
    vectors = draw(hnp.arrays(np.float32, (len(keys), dim), elements=elements))
    return keys, vectors


@st.composite
def damaged(draw, seeds: list[bytes]):
    """A valid file with a few random edits, or purely random bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=600))
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate", "header"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and data:
            data[at] = draw(st.sampled_from([0, 9, 10, 13, 32, 45, 46, 48, 0x80, 0xC3, 0xFF]))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif op == "truncate":
            del data[at:]
        elif op == "header":
            count = draw(st.sampled_from([0, 1, 2, 3, 7, 2**31, 2**40, 2**62, -1]))
            dim = draw(st.sampled_from([0, 1, 2, 3, 4, 2**31, 2**40, 2**62, -3]))
            end = data.find(b"\n")
            data[: end if end >= 0 else 0] = f"{count} {dim}".encode()
    return bytes(data)


def word2vec_seeds() -> list[bytes]:
    keys = ["the", "café", "日本語", "a" * 50, "x"]
    vectors = np.arange(15, dtype=np.float32).reshape(5, 3) / 7 - 1
    folder = scratch()
    seeds = []
    for binary in (True, False):
        save_word2vec_format(folder / "seed", keys, vectors, binary=binary)
        seeds.append((folder / "seed").read_bytes())
    seeds.append(b"the 1 2 3\ncaf\xc3\xa9 4 5 6\n")  # no header
    seeds.append(b"2 3\nthe " + struct.pack("<3f", 1, 2, 3) + b"x " + struct.pack("<3f", 4, 5, 6))
    return seeds


def tiny_model() -> cw2v.Word2Vec:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(12)]
    text = [[words[i] for i in rng.integers(12, size=8)] for _ in range(60)]
    return cw2v.Word2Vec(text, min_count=1, vector_size=3, workers=1, epochs=1).train()


# ---------------------------------------------------------------------------------------
# Compiled targets on random input (run in a child)
# ---------------------------------------------------------------------------------------


def check_loaded(keys: list[str], vectors: np.ndarray) -> None:
    assert isinstance(keys, list) and all(isinstance(k, str) for k in keys)
    assert vectors.dtype == np.float32 and vectors.ndim == 2
    assert vectors.shape[0] == len(keys) and vectors.flags.c_contiguous


@child
@FUZZ
@given(data=damaged(word2vec_seeds()), suffix=st.sampled_from(list(COMPRESSORS)))
def test_word2vec_readers_on_damaged_files(data, suffix):
    path = scratch() / f"vectors{suffix}"
    compress = COMPRESSORS[suffix]
    path.write_bytes(compress(data) if compress else data)
    for options in (
        {"binary": True},
        {"binary": False},
        {"binary": None},
        {"binary": False, "no_header": True},
        {"binary": None, "unicode_errors": "replace"},
        {"binary": None, "limit": 2},
    ):
        try:
            check_loaded(*load_word2vec_format(path, **options))
        except ValueError:
            pass


@child
@FUZZ
@given(data=st.binary(min_size=8, max_size=400), flip=st.integers(0, 10_000))
@example(data=bytes(8), flip=10)  # gzip: zlib.error "invalid block type"
def test_word2vec_readers_on_damaged_compressed_streams(data, flip):
    """Damage inside the compressed stream (not only in the data compressed)."""
    for suffix, compress in COMPRESSORS.items():
        if compress is None:
            continue
        packed = bytearray(compress(b"3 2\na 1 2\nb 3 4\nc 5 6\n" + data))
        packed[flip % len(packed)] ^= 0xA5
        path = scratch() / f"vectors{suffix}"
        path.write_bytes(bytes(packed))
        for binary in (True, False, None):
            try:
                check_loaded(*load_word2vec_format(path, binary=binary))
            except ValueError:
                pass


def native_seeds() -> dict[str, bytes]:
    folder = scratch()
    model = tiny_model()
    model.save(folder / "model")
    model.wv.save(folder / "wv")
    return {"model": (folder / "model").read_bytes(), "wv": (folder / "wv").read_bytes()}


NATIVE = native_seeds() if IN_CHILD else {"model": b"", "wv": b""}
TRAIN_TEXT = [["w1", "w2", "w3", "w4", "w5", "w6"]] * 20


def use_loaded(loaded: object) -> None:
    """Query what was loaded and, for a model, train it: any state a damaged file can
    produce must be refused with ValueError or be safe to use."""
    wv = loaded.wv if isinstance(loaded, cw2v.Word2Vec) else loaded
    if len(wv) and wv.vector_size:
        wv.most_similar(wv.index_to_key[0], topn=2)
    if isinstance(loaded, cw2v.Word2Vec) and loaded.wv.vectors.flags.writeable:
        loaded.workers = 1
        loaded.train(TRAIN_TEXT, epochs=1)


@child
@FUZZ
@given(data=damaged(list(NATIVE.values())), mmap=st.booleans())
@example(data=NATIVE["model"][1:], mmap=False)  # every zip offset one byte off
def test_native_readers_on_damaged_files(data, mmap):
    path = scratch() / "damaged.cw2v"
    path.write_bytes(data)
    for load in (load_arrays, KeyedVectors.load, cw2v.Word2Vec.load):
        try:
            loaded = load(path, mmap=mmap)
        except ValueError:
            continue
        if load is not load_arrays:
            try:
                use_loaded(loaded)
            except ValueError:
                pass


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)

random_arrays = st.builds(
    lambda dtype, shape, seed: (
        np.random.default_rng(seed).integers(-(2**31), 2**31, size=shape).astype(dtype)
    ),
    st.sampled_from(["<f4", "<f8", "<i4", "<i8", "|u1", "<u4", "|b1", "|i1"]),
    hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6),
    st.integers(0, 2**32 - 1),
)


@st.composite
def meta_edits(draw, meta: dict) -> dict:
    """Replace, add or delete a few values anywhere in the JSON metadata."""
    meta = json.loads(json.dumps(meta))
    for _ in range(draw(st.integers(1, 3))):
        node = meta
        while isinstance(node, dict) and node and draw(st.booleans()):
            child_node = node[draw(st.sampled_from(sorted(node)))]
            if not isinstance(child_node, dict):
                break
            node = child_node
        if not isinstance(node, dict):
            continue
        key = draw(st.sampled_from(sorted(node)) | st.text(max_size=5)) if node else "x"
        if draw(st.integers(0, 4)) == 0:
            node.pop(key, None)
        else:
            node[key] = draw(json_values)
    return meta


@child
@settings(FUZZ, phases=[Phase.explicit, Phase.generate])  # each example trains: no shrinking
@given(data=st.data(), which=st.sampled_from(["model", "wv"]))
def test_models_with_random_metadata_and_arrays(data, which):
    """Well-formed containers with random values: past the zip and CRC checks, into the
    model's own checks and, if they pass, the kernel."""
    folder = scratch()
    (folder / "seed").write_bytes(NATIVE[which])
    meta, arrays = load_arrays(folder / "seed")
    if data.draw(st.booleans()):
        meta = data.draw(meta_edits(meta))
    for _ in range(data.draw(st.integers(0, 2))):
        name = data.draw(st.sampled_from(sorted(arrays)))
        arrays[name] = data.draw(random_arrays)
    save_arrays(folder / "edited", meta, arrays)
    load = cw2v.Word2Vec.load if which == "model" else KeyedVectors.load
    try:
        loaded = load(folder / "edited")
    except ValueError:
        return
    try:
        use_loaded(loaded)
    except ValueError:
        pass


@child
@FUZZ
@given(
    data=st.binary(max_size=3000),
    block=st.integers(1, 64),
    errors=st.sampled_from(["strict", "surrogateescape", "replace"]),
)
@example(data=b"\x80", block=1, errors="surrogateescape")
def test_file_corpus_on_random_bytes(data, block, errors):
    """Counting and encoding in C agree with Python's bytes.split on the same bytes, with
    blocks small enough that many tokens and lines cross a block boundary."""
    path = scratch() / "corpus.txt"
    path.write_bytes(data)
    saved, corpus_module.BLOCK_BYTES = corpus_module.BLOCK_BYTES, block
    try:
        corpus = corpus_module.FileCorpus(path, errors=errors)
        try:
            sentences = list(corpus)
            counted = corpus.count()
        except UnicodeDecodeError:
            assert errors == "strict"
            return
        total = corpus.total_words()
        keys = sorted(counted.counts)
        key_to_index = {k: i for i, k in enumerate(keys)}
        chunks = list(corpus.encoded_chunks(keys, key_to_index, 100))
    finally:
        corpus_module.BLOCK_BYTES = saved
    expected = collections.Counter(t for sentence in sentences for t in sentence)
    assert counted.counts == expected
    assert counted.total_words == total == sum(map(len, sentences))
    encoded = [
        ids[offsets[i] : offsets[i + 1]].tolist()
        for ids, offsets in chunks
        for i in range(len(offsets) - 1)
    ]
    want = [[key_to_index[t] for t in sentence] for sentence in sentences]
    if errors != "replace":
        assert encoded == want
    else:  # a replaced token's bytes are not its key's: it may be unknown (-1)
        assert [len(s) for s in encoded] == [len(s) for s in want]
        for got, expected, sentence in zip(encoded, want, sentences, strict=True):
            for e, w, token in zip(got, expected, sentence, strict=True):
                assert e == w or (e == -1 and "\ufffd" in token)


@child
@FUZZ
@given(
    text=st.binary(max_size=2000), words=st.lists(st.binary(min_size=1, max_size=6), max_size=30)
)
def test_token_table_count_and_encode_match_python(text, words):
    from cw2v import _core

    table = _core.TokenTable()
    assert table.count(text) == len(text.split())
    assert dict(table.items()) == collections.Counter(text.split())
    assert _core.count_tokens(text) == len(text.split())
    vocab = list(dict.fromkeys(w for w in words if not set(w) & set(ASCII_SPACE.encode())))
    decoded = [w.decode("latin-1") for w in vocab]
    lookup = _core.TokenTable.from_words(decoded, "latin-1")
    ids, offsets = lookup.encode(text)
    index = {w: i for i, w in enumerate(vocab)}
    lines = [line.split() for line in text.split(b"\n") if line.split()]
    assert ids.tolist() == [index.get(t, -1) for line in lines for t in line]
    assert np.diff(offsets).tolist() == [len(line) for line in lines]


@child
@FUZZ
@given(
    loss=st.sampled_from(["ns", "hs", "softmax"]),
    sg=st.sampled_from([0, 1]),
    ids=st.lists(st.integers(-3, 14), max_size=60),
    cuts=st.lists(st.integers(-2, 64), max_size=8),
    window=st.integers(1, 8),
    alpha=st.sampled_from([0.0, 0.025, 1.0, 1e6]),
)
def test_kernel_on_random_jobs(loss, sg, ids, cuts, window, alpha):
    """Random ids and offsets: refused with ValueError, or trained inside the arrays."""
    options = {
        "ns": {},
        "hs": {"hs": 1, "negative": 0},
        "softmax": {"softmax": True, "negative": 0},
    }
    model = cw2v.Word2Vec(
        [[f"w{i}" for i in range(12)]] * 4,
        min_count=1,
        vector_size=3,
        workers=1,
        sg=sg,
        window=window,
        **options[loss],
    ).build_vocab()
    kernel = model._make_kernel()
    offsets = np.array(cuts, dtype=np.int64)
    try:
        raw, effective, _, _ = kernel.train_job(
            np.array(ids, dtype=np.int32), offsets, alpha, 0.0, 7
        )
    except ValueError:
        return
    assert raw == (offsets[-1] - offsets[0] if len(offsets) else 0) and 0 <= effective <= raw


@child
@FUZZ
@given(
    V=st.integers(1, 8),
    codes=st.lists(st.integers(0, 2), max_size=30),
    points=st.lists(st.integers(-1, 8), max_size=30),
    lengths=st.lists(st.integers(-1, 6), max_size=9),
    alias=st.lists(st.integers(-1, 8), max_size=9),
)
def test_kernel_on_random_tables(V, codes, points, lengths, alias):
    """Random Huffman and alias tables: refused with ValueError, or used inside the arrays."""
    from cw2v import _core

    syn0 = np.full((V, 3), 0.1, np.float32)
    ids = np.arange(V, dtype=np.int32)
    offsets = np.array([0, V], dtype=np.int64)
    code_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    for make in (
        lambda: _core.Kernel(
            syn0.copy(),
            np.zeros((max(V - 1, 0), 3), np.float32),
            loss="hs",
            codes=np.array(codes, np.uint8),
            points=np.array(points, np.int32),
            code_offsets=code_offsets,
        ),
        lambda: _core.Kernel(
            syn0.copy(),
            np.zeros((V, 3), np.float32),
            loss="ns",
            noise_prob=np.full(len(alias), 2**31, np.uint32),
            noise_alias=np.array(alias, np.int32),
        ),
    ):
        try:
            kernel = make()
        except ValueError:
            continue
        kernel.train_job(ids, offsets, 0.1, 0.0, 3)


CHILD_TESTS = [
    "test_word2vec_readers_on_damaged_files",
    "test_word2vec_readers_on_damaged_compressed_streams",
    "test_native_readers_on_damaged_files",
    "test_models_with_random_metadata_and_arrays",
    "test_file_corpus_on_random_bytes",
    "test_token_table_count_and_encode_match_python",
    "test_kernel_on_random_jobs",
    "test_kernel_on_random_tables",
    "test_file_corpus_vocabulary_matches_counter",
]


@pytest.mark.skipif(IN_CHILD, reason="this is the child")
@pytest.mark.parametrize("target", CHILD_TESTS)
def test_compiled_targets_survive_random_input_in_a_child(target):
    """Run one ``child`` property in a child pytest; a crash fails here, with its stack."""
    env = dict(os.environ, CW2V_FUZZ_CHILD="1", PYTHONFAULTHANDLER="1")
    root = str(Path(cw2v.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    command = [sys.executable, "-m", "pytest", f"{__file__}::{target}", "-q"]
    command += ["-p", "no:cacheprovider", "--tb=short"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{target} hung in the child\n{exc.stdout}\n{exc.stderr}")
    report = f"{done.stdout[-8000:]}\n{done.stderr[-8000:]}"
    crashed = done.returncode < 0 or "Fatal Python error" in done.stderr
    assert not crashed, f"{target} crashed the interpreter ({done.returncode}):\n{report}"
    assert done.returncode == 0, report
    assert " passed" in done.stdout, report


# ---------------------------------------------------------------------------------------
# Round trips (pure Python)
# ---------------------------------------------------------------------------------------


def same_floats(a: np.ndarray, b: np.ndarray, *, exact_nan: bool) -> None:
    assert a.shape == b.shape and b.dtype == np.float32
    if exact_nan:  # every bit, NaN payloads included
        np.testing.assert_array_equal(a.view(np.uint32), b.view(np.uint32))
    else:
        np.testing.assert_array_equal(a, b)  # NaN equals NaN here
        finite = ~np.isnan(a)
        np.testing.assert_array_equal(np.signbit(a[finite]), np.signbit(b[finite]))


@FUZZ
@given(kv=keyed_vectors(), binary=st.booleans(), suffix=st.sampled_from(list(COMPRESSORS)))
def test_word2vec_formats_round_trip_exactly(kv, binary, suffix):
    keys, vectors = kv
    path = scratch() / f"vectors{suffix}"
    save_word2vec_format(path, keys, vectors, binary=binary)
    for detect in (binary, None) if not binary else (True,):
        loaded_keys, loaded = load_word2vec_format(path, binary=detect)
        assert loaded_keys == keys
        same_floats(vectors, loaded, exact_nan=binary)
    wv = KeyedVectors(keys, vectors)
    wv.save_word2vec_format(path, binary=binary)
    back = KeyedVectors.load_word2vec_format(path, binary=binary)
    assert back.index_to_key == keys


@FUZZ
@given(kv=keyed_vectors(words=any_words), counts=st.booleans(), mmap=st.booleans())
def test_native_format_round_trips_exactly(kv, counts, mmap):
    keys, vectors = kv
    given_counts = np.arange(len(keys), dtype=np.int64) * 7 if counts else None
    path = scratch() / "wv.cw2v"
    KeyedVectors(keys, vectors, given_counts).save(path)
    back = KeyedVectors.load(path, mmap=mmap)
    assert back.index_to_key == keys
    same_floats(vectors, back.vectors, exact_nan=True)
    if counts:
        np.testing.assert_array_equal(back.counts, given_counts)
    else:
        assert back.counts is None


@FUZZ
@given(kv=keyed_vectors(finite=True), sg=st.sampled_from([0, 1]), hs=st.booleans())
def test_a_model_round_trips_exactly(kv, sg, hs):
    keys, vectors = kv
    if len(keys) < 2:
        keys, vectors = ["a", "b"], np.ones((2, 3), np.float32)
    model = cw2v.Word2Vec(
        vector_size=vectors.shape[1], sg=sg, hs=int(hs), negative=0 if hs else 5, min_count=1
    )
    model.build_vocab_from_freq({k: i + 1 for i, k in enumerate(keys)})
    model.wv.vectors[:] = vectors[[keys.index(k) for k in model.wv.index_to_key]]
    path = scratch() / "model.cw2v"
    model.save(path)
    back = cw2v.Word2Vec.load(path)
    assert back.wv.index_to_key == model.wv.index_to_key
    same_floats(model.wv.vectors, back.wv.vectors, exact_nan=True)
    same_floats(model.output_vectors, back.output_vectors, exact_nan=True)
    assert back.vocab.counts.tolist() == model.vocab.counts.tolist()
    assert (back.sg, back.loss, back.vector_size) == (model.sg, model.loss, model.vector_size)


# ---------------------------------------------------------------------------------------
# Vocabulary against collections.Counter
# ---------------------------------------------------------------------------------------

#: Tokens a file can hold: no ASCII whitespace (other Unicode spaces are kept in tokens).
file_tokens = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters=ASCII_SPACE + "\x00"),
    min_size=1,
    max_size=8,
)


@st.composite
def corpora(draw):
    words = draw(st.lists(file_tokens, min_size=1, max_size=15, unique=True))
    pick = st.sampled_from(words)
    return draw(st.lists(st.lists(pick, max_size=12), min_size=1, max_size=25))


def counter_reference(sentences, min_count: int, max_final_vocab: int | None):
    counts = collections.Counter(t for s in sentences for t in s)
    threshold = max(min_count, 1)
    if max_final_vocab is not None:
        while sum(c >= threshold for c in counts.values()) > max_final_vocab:
            threshold += 1
    kept = sorted((w for w, c in counts.items() if c >= threshold), key=lambda w: (-counts[w], w))
    return kept, [counts[w] for w in kept], sum(counts.values())


@FUZZ
@given(
    sentences=corpora(),
    min_count=st.integers(0, 4),
    max_final_vocab=st.none() | st.integers(1, 10),
)
def test_vocabulary_matches_counter(sentences, min_count, max_final_vocab):
    kept, counts, total = counter_reference(sentences, min_count, max_final_vocab)
    try:
        vocab = Vocabulary.from_sentences(
            sentences, min_count=min_count, max_final_vocab=max_final_vocab
        )
    except ValueError as err:
        assert not kept, err
        return
    assert vocab.index_to_key == kept
    assert vocab.counts.tolist() == counts
    assert vocab.total_words == total


@child
@FUZZ
@given(sentences=corpora(), min_count=st.integers(1, 3), block=st.integers(1, 40))
def test_file_corpus_vocabulary_matches_counter(sentences, min_count, block):
    """The C counting path (FileCorpus) gives the vocabulary of the same sentences in
    memory and of Counter, with blocks small enough to cut lines anywhere."""
    kept, counts, total = counter_reference(sentences, min_count, None)
    path = scratch() / "corpus.txt"
    path.write_bytes("\n".join(" ".join(s) for s in sentences).encode("utf-8"))
    saved, corpus_module.BLOCK_BYTES = corpus_module.BLOCK_BYTES, block
    try:
        from_file = cw2v.Word2Vec(str(path), min_count=min_count, vector_size=2, workers=1)
        from_memory = cw2v.Word2Vec(sentences, min_count=min_count, vector_size=2, workers=1)
        try:
            from_file.build_vocab()
        except ValueError as err:
            assert not kept, err
            with pytest.raises(ValueError):
                from_memory.build_vocab()
            return
        from_memory.build_vocab()
    finally:
        corpus_module.BLOCK_BYTES = saved
    assert from_file.vocab.index_to_key == from_memory.vocab.index_to_key == kept
    assert from_file.vocab.counts.tolist() == from_memory.vocab.counts.tolist() == counts
    assert from_file.vocab.total_words == from_memory.vocab.total_words == total
