"""KeyedVectors: every query against a brute-force numpy computation written here."""

from __future__ import annotations

import builtins
import importlib.util
import json

import numpy as np
import pytest

from cw2v.vectors import KeyedVectors

V, D = 60, 12


@pytest.fixture
def wv() -> KeyedVectors:
    rng = np.random.default_rng(42)
    keys = [f"w{i}" for i in range(V)]
    counts = np.arange(V, 0, -1) * 10
    return KeyedVectors(keys, rng.normal(size=(V, D)).astype(np.float32), counts)


def unit(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    return m / np.linalg.norm(m, axis=-1, keepdims=True)


def brute_cos(wv: KeyedVectors, query: np.ndarray) -> np.ndarray:
    """Cosine of every row with `query`, computed row by row in float64."""
    q = unit(query)
    return np.array([float(unit(row) @ q) for row in wv.vectors.astype(np.float64)])


def brute_top(scores: np.ndarray, topn: int, exclude=()) -> list[int]:
    order = sorted(
        (i for i in range(len(scores)) if i not in set(exclude)), key=lambda i: -scores[i]
    )
    return order[:topn]


# ---------------------------------------------------------------- construction


def test_keeps_float32_c_contiguous_array_without_copy():
    arr = np.zeros((3, 4), dtype=np.float32)
    wv = KeyedVectors(["a", "b", "c"], arr)
    assert wv.vectors is arr
    arr[1, 2] = 5.0  # the model trains this very array in place
    assert wv["b"][2] == 5.0


@pytest.mark.parametrize(
    "arr",
    [np.ones((3, 4), dtype=np.float64), np.ones((4, 3), dtype=np.float32).T],
    ids=["float64", "fortran"],
)
def test_converts_other_arrays(arr):
    wv = KeyedVectors(["a", "b", "c"], arr)
    assert wv.vectors.dtype == np.float32 and wv.vectors.flags.c_contiguous
    np.testing.assert_array_equal(wv.vectors, arr)


def test_construction_errors():
    with pytest.raises(ValueError, match="2-D"):
        KeyedVectors(["a"], np.ones(3, np.float32))
    with pytest.raises(ValueError, match="2 rows but there are 3 keys"):
        KeyedVectors(["a", "b", "c"], np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"duplicate keys.*'b'"):
        KeyedVectors(["a", "b", "b"], np.ones((3, 3), np.float32))
    with pytest.raises(ValueError, match="counts"):
        KeyedVectors(["a", "b"], np.ones((2, 3), np.float32), counts=[1, 2, 3])
    with pytest.raises(TypeError):
        KeyedVectors("ab", np.ones((2, 3), np.float32))


def test_counts_are_int64():
    wv = KeyedVectors(["a", "b"], np.ones((2, 3), np.float32), counts=[7, 3])
    assert wv.counts.dtype == np.int64 and wv.counts.tolist() == [7, 3]
    assert KeyedVectors(["a"], np.ones((1, 3), np.float32)).counts is None


def test_lookup_protocol(wv):
    assert len(wv) == V and wv.vector_size == D
    assert list(wv) == [f"w{i}" for i in range(V)]
    assert "w3" in wv and "nope" not in wv
    assert wv.get_index("w7") == 7 and wv.key_to_index["w7"] == 7 and wv.index_to_key[7] == "w7"
    assert wv.get_index("nope", default=-1) == -1
    np.testing.assert_array_equal(wv["w5"], wv.vectors[5])
    np.testing.assert_array_equal(wv[["w5", "w1", "w5"]], wv.vectors[[5, 1, 5]])
    assert wv[["w5", "w1"]].shape == (2, D)
    assert wv.get_index(3) == 3  # an int is a row position, as in gensim
    assert "KeyedVectors(60 keys, vector_size=12)" == repr(wv)


def test_get_vector_is_read_only_view(wv):
    v = wv.get_vector("w2")
    with pytest.raises(ValueError):
        v[0] = 1.0
    assert wv.vectors.flags.writeable  # the matrix itself stays writable


@pytest.mark.parametrize(
    "call",
    [
        lambda wv: wv["zebra"],
        lambda wv: wv[["w1", "zebra"]],
        lambda wv: wv.get_vector("zebra", norm=True),
        lambda wv: wv.most_similar("zebra"),
        lambda wv: wv.most_similar(positive=["w1"], negative=["zebra"]),
        lambda wv: wv.most_similar_cosmul(["w1", "zebra"]),
        lambda wv: wv.similarity("w1", "zebra"),
        lambda wv: wv.n_similarity(["w1"], ["zebra"]),
        lambda wv: wv.distances("w1", ["zebra"]),
        lambda wv: wv.doesnt_match(["w1", "w2", "zebra"]),
        lambda wv: wv.rank("zebra", "w1"),
        lambda wv: wv.get_mean_vector(["w1", "zebra"], ignore_missing=False),
        lambda wv: wv.most_similar_batch(["w1", "zebra"]),
    ],
)
def test_unknown_word_raises_keyerror_naming_it(wv, call):
    with pytest.raises(KeyError, match="zebra"):
        call(wv)


@pytest.mark.parametrize(
    "call",
    [
        lambda wv: wv.most_similar(),
        lambda wv: wv.most_similar(positive=[], negative=[]),
        lambda wv: wv.most_similar_cosmul(negative=["w1"]),
        lambda wv: wv.n_similarity([], ["w1"]),
        lambda wv: wv.doesnt_match([]),
        lambda wv: wv.get_mean_vector([]),
    ],
)
def test_empty_query_raises_valueerror(wv, call):
    with pytest.raises(ValueError):
        call(wv)


# ---------------------------------------------------------------- norms


def test_normed_vectors_are_unit_rows(wv):
    normed = wv.get_normed_vectors()
    np.testing.assert_allclose(normed, unit(wv.vectors), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(wv.get_vector("w4", norm=True), unit(wv.vectors[4]), rtol=1e-6)
    np.testing.assert_allclose(wv.norms, np.linalg.norm(wv.vectors.astype(np.float64), axis=1))


def test_zero_vector_has_zero_cosine():
    wv = KeyedVectors(["a", "z"], np.array([[1, 0], [0, 0]], np.float32))
    np.testing.assert_array_equal(wv.get_normed_vectors()[1], [0, 0])
    assert wv.similarity("a", "z") == 0.0
    assert wv.most_similar("a") == [("z", 0.0)]


def test_norms_cached_until_mark_changed(wv):
    before = wv.norms.copy()
    wv.vectors[3] *= 4.0  # in-place write, as training does
    np.testing.assert_array_equal(wv.norms, before)  # still cached: not yet told
    wv.mark_changed()
    assert wv.norms[3] == pytest.approx(4.0 * before[3], rel=1e-6)
    np.testing.assert_allclose(wv.get_normed_vectors()[3], unit(wv.vectors[3]), rtol=1e-6)


def test_norms_invalidated_by_add_vectors_and_assignment(wv):
    wv.fill_norms()
    wv.add_vectors(["w1"], 3 * np.ones((1, D)), replace=True)
    assert wv.norms[1] == pytest.approx(3 * np.sqrt(D), rel=1e-6)
    wv.add_vectors(["new"], 2 * np.ones(D))
    assert wv.norms.shape == (V + 1,) and wv.norms[-1] == pytest.approx(2 * np.sqrt(D), rel=1e-6)
    wv.vectors = np.ones((V + 1, D), dtype=np.float32)
    np.testing.assert_allclose(wv.norms, np.sqrt(D), rtol=1e-6)
    with pytest.raises(ValueError, match="rows"):
        wv.vectors = np.ones((3, D), dtype=np.float32)


# ---------------------------------------------------------------- add_vectors


def test_add_vectors(wv):
    old = wv.vectors[2].copy()
    new = np.arange(2 * D, dtype=np.float32).reshape(2, D)
    wv.add_vectors(["w2", "fresh"], new)
    np.testing.assert_array_equal(wv["w2"], old)  # kept without replace
    np.testing.assert_array_equal(wv["fresh"], new[1])
    assert wv.index_to_key[-1] == "fresh" and wv.get_index("fresh") == V
    assert wv.counts.shape == (V + 1,) and wv.counts[-1] == 0
    wv.add_vectors(["w2"], new[:1], replace=True)
    np.testing.assert_array_equal(wv["w2"], new[0])
    wv["single"] = np.full(D, 7.0)
    np.testing.assert_array_equal(wv["single"], np.full(D, 7.0))


def test_add_vectors_errors(wv):
    with pytest.raises(ValueError, match=r"dimension 5.*dimension 12"):
        wv.add_vectors(["x"], np.ones((1, 5)))
    with pytest.raises(ValueError, match="2 keys but 1 vectors"):
        wv.add_vectors(["x", "y"], np.ones((1, D)))
    with pytest.raises(ValueError, match="duplicate"):
        wv.add_vectors(["x", "x"], np.ones((2, D)))
    assert len(wv) == V


# ---------------------------------------------------------------- most_similar


def test_most_similar_single_word(wv):
    result = wv.most_similar("w0", topn=7)
    cos = brute_cos(wv, wv.vectors[0])
    expected = brute_top(cos, 7, exclude=[0])
    assert [w for w, _ in result] == [f"w{i}" for i in expected]
    np.testing.assert_allclose([s for _, s in result], cos[expected], rtol=1e-5, atol=1e-6)
    assert wv.similar_by_word("w0", topn=7) == result


def test_most_similar_3cosadd_excludes_inputs(wv):
    result = wv.most_similar(positive=["w1", "w2"], negative=["w3"], topn=10)
    query = unit(wv.vectors[1]) + unit(wv.vectors[2]) - unit(wv.vectors[3])
    cos = brute_cos(wv, query)
    expected = brute_top(cos, 10, exclude=[1, 2, 3])
    assert [w for w, _ in result] == [f"w{i}" for i in expected]
    np.testing.assert_allclose([s for _, s in result], cos[expected], rtol=1e-5, atol=1e-6)
    assert {"w1", "w2", "w3"}.isdisjoint(w for w, _ in result)


def test_most_similar_weights_and_raw_vectors(wv):
    raw = np.linspace(-1, 1, D).astype(np.float32)
    result = wv.most_similar(positive=[("w4", 2.0), raw], negative=[("w5", -0.5)], topn=5)
    # gensim's rule: weights used as given, raw vectors not normalized
    query = 2.0 * unit(wv.vectors[4]) + raw - 0.5 * unit(wv.vectors[5])
    cos = brute_cos(wv, query)
    expected = brute_top(cos, 5, exclude=[4, 5])
    assert [w for w, _ in result] == [f"w{i}" for i in expected]


def test_most_similar_restrict_vocab(wv):
    result = wv.most_similar("w30", topn=5, restrict_vocab=20)
    cos = brute_cos(wv, wv.vectors[30])[:20]
    assert [w for w, _ in result] == [f"w{i}" for i in brute_top(cos, 5)]
    assert all(wv.get_index(w) < 20 for w, _ in result)


def test_most_similar_topn_none_returns_all_cosines(wv):
    sims = wv.most_similar("w6", topn=None)
    assert isinstance(sims, np.ndarray) and sims.shape == (V,)
    np.testing.assert_allclose(sims, brute_cos(wv, wv.vectors[6]), rtol=1e-5, atol=1e-6)
    assert wv.most_similar("w6", topn=None, restrict_vocab=10).shape == (10,)
    assert wv.most_similar("w6", topn=0) == []


def test_most_similar_topn_larger_than_vocabulary(wv):
    result = wv.most_similar(positive=["w0", "w1"], topn=1000)
    assert len(result) == V - 2
    scores = [s for _, s in result]
    assert scores == sorted(scores, reverse=True)


def test_equal_scores_ordered_by_row():
    vecs = np.array([[1, 0], [0, 1], [0, 2], [0, 3], [1, 1]], np.float32)
    wv = KeyedVectors(list("abcde"), vecs)
    assert [w for w, _ in wv.most_similar("a", topn=4)] == ["e", "b", "c", "d"]
    assert [w for w, _ in wv.most_similar("a", topn=2)] == ["e", "b"]


def test_similar_by_vector_excludes_nothing(wv):
    result = wv.similar_by_vector(wv.vectors[9], topn=3)
    assert result[0][0] == "w9" and result[0][1] == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError, match="shape"):
        wv.similar_by_vector(np.ones(D + 1))


def test_most_similar_cosmul(wv):
    result = wv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=8)
    cos = [brute_cos(wv, wv.vectors[i]) for i in (1, 2, 3)]
    shifted = [(1 + c) / 2 for c in cos]
    score = shifted[0] * shifted[1] / (shifted[2] + 1e-6)
    expected = brute_top(score, 8, exclude=[1, 2, 3])
    assert [w for w, _ in result] == [f"w{i}" for i in expected]
    np.testing.assert_allclose([s for _, s in result], score[expected], rtol=1e-5)
    restricted = wv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], restrict_vocab=15)
    assert [w for w, _ in restricted] == [f"w{i}" for i in brute_top(score[:15], 10, [1, 2, 3])]
    all_scores = wv.most_similar_cosmul(positive=["w1"], topn=None)
    np.testing.assert_allclose(all_scores, shifted[0] / (1 + 1e-6), rtol=1e-5)


def test_most_similar_batch_matches_single_queries(wv):
    queries = ["w0", "w17", wv.vectors[3] * 2, "w59"]
    batch = wv.most_similar_batch(queries, topn=6, restrict_vocab=50)
    for q, got in zip(queries, batch, strict=True):
        single = (
            wv.similar_by_vector(q, topn=6, restrict_vocab=50)
            if isinstance(q, np.ndarray)
            else wv.similar_by_word(q, topn=6, restrict_vocab=50)
        )
        assert [w for w, _ in got] == [w for w, _ in single]
        np.testing.assert_allclose([s for _, s in got], [s for _, s in single], rtol=1e-5)


# ---------------------------------------------------------------- pairwise


def test_similarity_distance_n_similarity(wv):
    cos = float(unit(wv.vectors[1]) @ unit(wv.vectors[2]))
    assert wv.similarity("w1", "w2") == pytest.approx(cos, abs=1e-6)
    assert wv.distance("w1", "w2") == pytest.approx(1 - cos, abs=1e-6)
    m1 = wv.vectors[[1, 2]].astype(np.float64).mean(axis=0)
    m2 = wv.vectors[[3, 4, 5]].astype(np.float64).mean(axis=0)
    assert wv.n_similarity(["w1", "w2"], ["w3", "w4", "w5"]) == pytest.approx(
        float(unit(m1) @ unit(m2)), abs=1e-6
    )


def test_distances(wv):
    np.testing.assert_allclose(wv.distances("w3"), 1 - brute_cos(wv, wv.vectors[3]), atol=1e-6)
    np.testing.assert_allclose(
        wv.distances(wv.vectors[3], ["w5", "w1"]),
        1 - brute_cos(wv, wv.vectors[3])[[5, 1]],
        atol=1e-6,
    )


def test_closer_than_and_rank(wv):
    cos = brute_cos(wv, wv.vectors[0])
    target = brute_top(cos, 10, exclude=[0])[6]  # the 7th nearest neighbour
    closer = [f"w{i}" for i in range(V) if i != 0 and cos[i] > cos[target]]
    assert wv.closer_than("w0", f"w{target}") == closer
    assert len(closer) == 6
    assert wv.rank("w0", f"w{target}") == 7


def test_doesnt_match_and_most_similar_to_given():
    vecs = np.array([[1, 0.1, 0], [1, 0, 0.1], [0.9, 0.1, 0.1], [0, 0, 1], [0, 1, 0]], np.float32)
    wv = KeyedVectors(["cat", "dog", "cow", "car", "sky"], vecs)
    assert wv.doesnt_match(["cat", "dog", "cow", "car"]) == "car"
    words = ["cat", "dog", "cow", "car", "sky"]
    units = unit(vecs)
    mean = unit(units.mean(axis=0))
    assert wv.doesnt_match(words) == words[int(np.argmin(units @ mean))]
    assert wv.most_similar_to_given("cat", ["car", "cow", "sky"]) == "cow"


def test_get_mean_vector(wv):
    keys = ["w1", "w2", "nope"]
    got = wv.get_mean_vector(keys)
    np.testing.assert_allclose(got, (unit(wv.vectors[1]) + unit(wv.vectors[2])) / 2, rtol=1e-5)
    got = wv.get_mean_vector(["w1", "w2"], weights=[2.0, -1.0], pre_normalize=False)
    np.testing.assert_allclose(got, (2 * wv.vectors[1] - wv.vectors[2]) / 3, rtol=1e-5, atol=1e-6)
    got = wv.get_mean_vector(["w1", wv.vectors[2]], post_normalize=True)
    np.testing.assert_allclose(got, unit(unit(wv.vectors[1]) + wv.vectors[2]), rtol=1e-5)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(wv.get_mean_vector(["nope"]), np.zeros(D))
    with pytest.raises(ValueError, match="weights"):
        wv.get_mean_vector(["w1", "w2"], weights=[1.0])


# ---------------------------------------------------------------- files


def test_native_roundtrip(tmp_path):
    keys = ["plain", "with space", "ünïcødé", "new\nline", "", "日本語", "\udcff"]
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(len(keys), 5)).astype(np.float32)
    wv = KeyedVectors(keys, vecs, counts=np.arange(len(keys)) + 1)
    path = tmp_path / "wv.cw2v"
    wv.save(path)
    for mmap in (False, True):
        back = KeyedVectors.load(path, mmap=mmap)
        assert back.index_to_key == keys
        np.testing.assert_array_equal(back.vectors, vecs)
        np.testing.assert_array_equal(back.counts, wv.counts)
        assert back.most_similar("plain", topn=2) == wv.most_similar("plain", topn=2)
    no_counts = KeyedVectors(["a"], np.ones((1, 2), np.float32))
    no_counts.save(path)
    assert KeyedVectors.load(path).counts is None


def test_native_load_rejects_other_files(tmp_path):
    from cw2v.formats import save_arrays

    wv = KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32))
    meta, arrays = wv._to_arrays()
    assert meta["format"] == "cw2v.KeyedVectors" and meta["format_version"] == 1
    json.dumps(meta)  # plain JSON, no pickle

    other = tmp_path / "other.cw2v"
    save_arrays(other, {**meta, "format": "cw2v.Word2Vec"}, arrays)
    with pytest.raises(ValueError, match="not a saved cw2v KeyedVectors"):
        KeyedVectors.load(other)
    newer = tmp_path / "newer.cw2v"
    save_arrays(newer, {**meta, "format_version": 99}, arrays)
    with pytest.raises(ValueError, match="upgrade cw2v"):
        KeyedVectors.load(newer)
    broken = tmp_path / "broken.cw2v"
    save_arrays(broken, meta, {**arrays, "keys_offsets": np.array([0, 1], np.int64)})
    with pytest.raises(ValueError, match="corrupt"):
        KeyedVectors.load(broken)


def _tampered_arrays() -> dict[str, tuple]:
    """name: (edit of the metadata, edit of the arrays, words of the expected message)."""

    def arrays(name, make):
        return None, lambda a: a.update({name: make(a[name])})

    return {
        "offsets float": (*arrays("keys_offsets", lambda x: x.astype(np.float64)), "integer"),
        "offsets 2-D": (*arrays("keys_offsets", lambda x: x[:, None]), "key offsets"),
        "offsets decreasing": (*arrays("keys_offsets", lambda x: x[::-1]), "non-decreasing"),
        "offsets past the keys": (
            *arrays("keys_offsets", lambda x: x * 2),
            "key offsets",
        ),
        "offsets out of order": (
            *arrays("keys_offsets", lambda x: np.array([0, 4, 2, 6])),
            "non-decreasing",
        ),
        "keys not utf-8": (*arrays("keys_utf8", lambda x: np.full_like(x, 0xFF)), "UTF-8"),
        "keys float": (*arrays("keys_utf8", lambda x: x.astype(np.float32)), "uint8"),
        "keys duplicated": (*arrays("keys_utf8", lambda x: np.full_like(x, ord("w"))), "dupl"),
        "counts 2-D": (*arrays("counts", lambda x: x[:, None]), "counts"),
        "counts float": (*arrays("counts", lambda x: x + 0.5), "counts"),
        "vectors float64": (*arrays("vectors", lambda x: x.astype(np.float64)), "float32"),
        "count str": (lambda m: m.update(count="3"), None, "count"),
        "count negative": (lambda m: m.update(count=-1), None, "count"),
    }


@pytest.mark.parametrize("case", list(_tampered_arrays()))
@pytest.mark.parametrize("mmap", [False, True])
def test_native_load_rejects_tampered_arrays_naming_the_file(tmp_path, case, mmap):
    from cw2v.formats import save_arrays

    edit_meta, edit_arrays, message = _tampered_arrays()[case]
    # Offsets [0, 2, 4, 6] into the 6 characters "wwxxyy"; ["ww", "ww", "ww"] once the keys
    # are overwritten with "w".
    wv = KeyedVectors(["ww", "xx", "yy"], np.eye(3, dtype=np.float32), counts=[3, 2, 1])
    meta, arrays = wv._to_arrays()
    arrays = {name: np.array(value) for name, value in arrays.items()}
    if edit_meta is not None:
        edit_meta(meta)
    if edit_arrays is not None:
        edit_arrays(arrays)
    path = tmp_path / "tampered.cw2v"
    save_arrays(path, meta, arrays)
    with pytest.raises(ValueError, match=r"tampered\.cw2v") as info:
        KeyedVectors.load(path, mmap=mmap)
    assert message in str(info.value)


@pytest.mark.parametrize("binary", [True, False])
def test_word2vec_format_roundtrip(tmp_path, binary):
    rng = np.random.default_rng(3)
    keys = ["the", "cat", "ünïcødé"]
    wv = KeyedVectors(keys, rng.normal(size=(3, 4)).astype(np.float32))
    path = tmp_path / ("v.bin" if binary else "v.txt")
    wv.save_word2vec_format(path, binary=binary)
    back = KeyedVectors.load_word2vec_format(path, binary=binary)
    assert back.index_to_key == keys
    np.testing.assert_allclose(back.vectors, wv.vectors, rtol=1e-6)
    detected = KeyedVectors.load_word2vec_format(path, limit=2)
    assert detected.index_to_key == keys[:2]


# ---------------------------------------------------------------- interop


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # gensim calls its own init_sims
def test_to_gensim(wv):
    gensim_models = pytest.importorskip("gensim.models")
    kv = wv.to_gensim()
    assert isinstance(kv, gensim_models.KeyedVectors)
    assert kv.index_to_key == wv.index_to_key
    np.testing.assert_array_equal(kv.vectors, wv.vectors)
    assert not np.shares_memory(kv.vectors, wv.vectors)
    assert kv.get_vecattr("w3", "count") == wv.counts[3]
    ours = wv.most_similar(positive=["w1", "w2"], negative=["w3"], topn=5)
    theirs = kv.most_similar(positive=["w1", "w2"], negative=["w3"], topn=5)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-5)
    theirs = kv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=5)
    ours = wv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=5)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    assert wv.doesnt_match(["w1", "w2", "w3", "w4"]) == kv.doesnt_match(["w1", "w2", "w3", "w4"])
    assert wv.closer_than("w1", "w9") == kv.closer_than("w1", "w9")


def _hide_module(monkeypatch, name: str) -> None:
    real_import = builtins.__import__

    def fake_import(module, *args, **kwargs):
        if module == name or module.startswith(name + "."):
            raise ImportError(f"No module named {name!r}")
        return real_import(module, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)


def test_to_gensim_without_gensim_says_how_to_install(wv, monkeypatch):
    _hide_module(monkeypatch, "gensim")
    with pytest.raises(ImportError, match="pip install gensim"):
        wv.to_gensim()


def test_to_torch_without_torch_says_how_to_install(wv, monkeypatch):
    _hide_module(monkeypatch, "torch")
    with pytest.raises(ImportError, match="pip install torch"):
        wv.to_torch()


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch not installed")
def test_to_torch(wv):
    emb = wv.to_torch()
    np.testing.assert_array_equal(emb.weight.detach().numpy(), wv.vectors)
    assert not emb.weight.requires_grad
    assert wv.to_torch(freeze=False).weight.requires_grad
