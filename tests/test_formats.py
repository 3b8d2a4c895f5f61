"""Tests for cw2v.formats: word2vec text/binary files and the native array container."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import pathlib
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

from cw2v import formats
from cw2v.formats import load_arrays, load_word2vec_format, save_arrays, save_word2vec_format

UNICODE_WORDS = ["the", "café", "naïve", "日本語", "Ελλάδα", "🙂", "x" * 120, "a.b-c_d", "Ünïcødé"]


def random_vectors(n: int, d: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)


def w2v_binary(words: list[str], vectors: np.ndarray, *, newline: bool | list[bool]) -> bytes:
    """Lay out a binary word2vec file by hand (word2vec.c: newline after each vector)."""
    n, d = vectors.shape
    out = [f"{n} {d}\n".encode()]
    flags = newline if isinstance(newline, list) else [newline] * n
    for word, row, nl in zip(words, vectors, flags, strict=True):
        out.append(word.encode() + b" " + row.astype("<f4").tobytes() + (b"\n" if nl else b""))
    return b"".join(out)


def w2v_text(
    words: list[str], vectors: np.ndarray, *, header: bool = True, end: str = "\n"
) -> bytes:
    n, d = vectors.shape
    lines = [f"{n} {d}{end}"] if header else []
    lines += [
        w + " " + " ".join(repr(float(x)) for x in row) + end
        for w, row in zip(words, vectors, strict=True)
    ]
    return "".join(lines).encode()


def assert_loaded(result: tuple[list[str], np.ndarray], words: list[str], vectors: np.ndarray):
    keys, loaded = result
    assert keys == list(words)
    assert loaded.dtype == np.float32 and loaded.flags.c_contiguous
    assert loaded.shape == vectors.shape
    np.testing.assert_array_equal(loaded, vectors)


# ---------------------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize(
    ("n", "d"), [(len(UNICODE_WORDS), 7), (len(UNICODE_WORDS), 1), (1, 5), (1, 1)]
)
def test_round_trip_exact(tmp_path, binary, n, d):
    words = UNICODE_WORDS[:n]
    vectors = random_vectors(n, d)
    path = tmp_path / "v.bin"
    save_word2vec_format(path, words, vectors, binary=binary)
    for detect in (binary, None):
        assert_loaded(load_word2vec_format(path, binary=detect), words, vectors)
    assert_loaded(load_word2vec_format(str(path)), words, vectors)


@pytest.mark.parametrize("binary", [True, False])
def test_round_trip_every_float32_kind(tmp_path, binary):
    # Random bit patterns cover every exponent, subnormals and signed zeros: %.9g must be exact.
    bits = np.random.default_rng(1).integers(0, 2**32, size=20_000, dtype=np.uint64)
    values = bits.astype(np.uint32).view(np.float32)
    values = values[np.isfinite(values)]
    special = [0.0, -0.0, np.inf, -np.inf, 1e-45, 3.4028235e38, -1.1754944e-38, 0.1]
    vectors = np.concatenate([values[:9992], np.array(special, dtype=np.float32)]).reshape(-1, 4)
    words = [f"w{i}" for i in range(len(vectors))]
    path = tmp_path / "v"
    save_word2vec_format(path, words, vectors, binary=binary)
    keys, loaded = load_word2vec_format(path)
    assert keys == words
    assert np.array_equal(loaded.view(np.uint32), vectors.view(np.uint32))  # bit-exact, -0.0


@pytest.mark.parametrize("binary", [True, False])
def test_nan_survives(tmp_path, binary):
    vectors = np.array([[np.nan, 1.0]], dtype=np.float32)
    save_word2vec_format(tmp_path / "v", ["a"], vectors, binary=binary)
    _, loaded = load_word2vec_format(tmp_path / "v")
    assert np.isnan(loaded[0, 0]) and loaded[0, 1] == 1.0


@pytest.mark.parametrize("binary", [True, False])
def test_empty_file_round_trip(tmp_path, binary):
    save_word2vec_format(tmp_path / "v", [], np.zeros((0, 3), dtype=np.float32), binary=binary)
    assert (tmp_path / "v").read_bytes() == b"0 3\n"
    keys, vectors = load_word2vec_format(tmp_path / "v", binary=binary)
    assert keys == [] and vectors.shape == (0, 3)


def test_save_casts_to_float32_and_writes_word2vec_c_layout(tmp_path):
    vectors = np.array([[1.5, -2.0], [0.25, 3.0]])  # float64 in
    save_word2vec_format(tmp_path / "v.bin", ["a", "bc"], vectors)
    expected = w2v_binary(["a", "bc"], vectors.astype(np.float32), newline=True)
    assert (tmp_path / "v.bin").read_bytes() == expected


def test_text_layout(tmp_path):
    save_word2vec_format(tmp_path / "v.txt", ["a", "b"], [[0.5, -1.0], [3.0, 1e-5]], binary=False)
    assert (tmp_path / "v.txt").read_bytes() == b"2 2\na 0.5 -1\nb 3 9.99999975e-06\n"


# ---------------------------------------------------------------------------------------
# Reading other writers' files
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", [True, False, [True, False, False, True, False, True]])
def test_binary_with_and_without_newlines(tmp_path, newline):
    words = ["one", "two", "three", "four", "five", "six"]
    vectors = random_vectors(6, 3)
    # A vector byte that equals b" " or b"\n" must not confuse the reader.
    vectors[1] = np.frombuffer(b"  \n \n\n\n    \n", dtype="<f4")
    path = tmp_path / "v.bin"
    path.write_bytes(w2v_binary(words, vectors, newline=newline))
    for binary in (True, None):
        assert_loaded(load_word2vec_format(path, binary=binary), words, vectors)


def test_binary_single_dimension_is_detected(tmp_path):
    # With d=1 a record is only 4 bytes of numbers: detection must still say binary.
    words = [f"w{i}" for i in range(50)]
    vectors = np.linspace(-1, 1, 50, dtype=np.float32).reshape(50, 1)
    path = tmp_path / "v.bin"
    path.write_bytes(w2v_binary(words, vectors, newline=False))
    assert_loaded(load_word2vec_format(path), words, vectors)


@pytest.mark.parametrize("end", [" \n", "\n", "\r\n", " \r\n"])
def test_fasttext_vec_and_line_endings(tmp_path, end):
    vectors = random_vectors(4, 3)
    words = ["a", "é", "c", "d"]
    path = tmp_path / "v.vec"
    path.write_bytes(w2v_text(words, vectors, end=end))
    for binary in (False, None):
        assert_loaded(load_word2vec_format(path, binary=binary), words, vectors)


def test_text_with_tabs_and_repeated_spaces(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 3\na\t1  2\t 3\nb 4 5 6   \n\n")
    keys, vectors = load_word2vec_format(path)
    assert keys == ["a", "b"]
    np.testing.assert_array_equal(vectors, [[1, 2, 3], [4, 5, 6]])


def test_no_header(tmp_path):
    vectors = random_vectors(5, 4)
    words = ["a", "b", "c", "d", "e"]
    path = tmp_path / "v.txt"
    path.write_bytes(w2v_text(words, vectors, header=False, end=" \n"))
    assert_loaded(load_word2vec_format(path, no_header=True), words, vectors)
    assert_loaded(load_word2vec_format(path, no_header=True, limit=2), words[:2], vectors[:2])
    assert_loaded(load_word2vec_format(path, no_header=True, limit=0), [], vectors[:0])
    with pytest.raises(ValueError, match="no_header"):
        load_word2vec_format(path)  # the first line is not a header
    with pytest.raises(ValueError, match="text format"):
        load_word2vec_format(path, no_header=True, binary=True)


def test_no_header_on_file_with_header_hints(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(w2v_text(["a", "b"], random_vectors(2, 3)))
    with pytest.raises(ValueError, match=r"line 2 .*header"):
        load_word2vec_format(path, no_header=True)


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress), ("", gzip.compress)],
)
@pytest.mark.parametrize("binary", [True, False])
def test_compressed_files(tmp_path, suffix, compress, binary):
    words = UNICODE_WORDS
    vectors = random_vectors(len(words), 6)
    plain = w2v_binary(words, vectors, newline=True) if binary else w2v_text(words, vectors)
    path = tmp_path / f"v{suffix}"  # detected by magic bytes, whatever the name
    path.write_bytes(compress(plain))
    for detect in (binary, None):
        assert_loaded(load_word2vec_format(path, binary=detect), words, vectors)
    assert_loaded(load_word2vec_format(path, limit=3), words[:3], vectors[:3])


@pytest.mark.parametrize(("suffix", "opener"), [(".gz", gzip.open), (".bz2", bz2.open)])
def test_save_compressed_by_suffix(tmp_path, suffix, opener):
    vectors = random_vectors(3, 2)
    path = tmp_path / f"v.bin{suffix}"
    save_word2vec_format(path, ["a", "b", "c"], vectors)
    with opener(path, "rb") as f:
        assert f.read() == w2v_binary(["a", "b", "c"], vectors, newline=True)
    assert_loaded(load_word2vec_format(path), ["a", "b", "c"], vectors)


@pytest.mark.parametrize("binary", [True, False])
def test_limit_reads_only_the_start(tmp_path, binary):
    words = [f"w{i}" for i in range(10)]
    vectors = random_vectors(10, 3)
    path = tmp_path / "v"
    save_word2vec_format(path, words, vectors, binary=binary)
    assert_loaded(load_word2vec_format(path, limit=4), words[:4], vectors[:4])
    assert_loaded(load_word2vec_format(path, limit=0), [], vectors[:0])
    assert_loaded(load_word2vec_format(path, limit=100), words, vectors)
    # Garbage after the first records: only a reader that stops early can succeed.
    data = path.read_bytes()
    cut = data.index(b"w5 ")
    path.write_bytes(data[:cut] + b"\xff garbage \x00" * 100)
    assert_loaded(load_word2vec_format(path, limit=5, binary=binary), words[:5], vectors[:5])
    with pytest.raises(ValueError):
        load_word2vec_format(path, binary=binary)
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(ValueError, match="limit"):
            load_word2vec_format(path, limit=bad)


def test_unicode_errors_and_encoding(tmp_path):
    vectors = random_vectors(3, 2)
    for binary in (True, False):
        data = w2v_binary(["ok", "BAD", "fine"], vectors, newline=True)
        if not binary:
            data = w2v_text(["ok", "BAD", "fine"], vectors)
        path = tmp_path / "v"
        path.write_bytes(data.replace(b"BAD", b"ba\xff\xfed"))
        with pytest.raises(ValueError, match=r"(record 1|line 3).*unicode_errors") as info:
            load_word2vec_format(path)
        assert isinstance(info.value.__cause__, UnicodeDecodeError)
        keys, loaded = load_word2vec_format(path, unicode_errors="replace")
        assert keys == ["ok", "ba\ufffd\ufffdd", "fine"]
        np.testing.assert_array_equal(loaded, vectors)
        assert load_word2vec_format(path, unicode_errors="ignore")[0] == ["ok", "bad", "fine"]
        assert load_word2vec_format(path, encoding="latin-1")[0][1] == "ba\xff\xfed"
    with pytest.raises(ValueError, match="encoding"):
        load_word2vec_format(path, encoding="no-such-codec")
    with pytest.raises(ValueError, match="unicode_errors"):
        load_word2vec_format(path, unicode_errors="no-such-handler")


def test_truncated_utf8_word_from_word2vec_c(tmp_path):
    # word2vec.c may cut a word inside a multi-byte character.
    path = tmp_path / "v.bin"
    vectors = random_vectors(2, 2)
    path.write_bytes(w2v_binary(["caf", "x"], vectors, newline=True).replace(b"caf ", b"caf\xc3 "))
    with pytest.raises(ValueError, match="record 0"):
        load_word2vec_format(path)
    assert load_word2vec_format(path, unicode_errors="ignore")[0] == ["caf", "x"]


# ---------------------------------------------------------------------------------------
# gensim interoperability
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("binary", [True, False])
def test_gensim_reads_our_files(tmp_path, binary):
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    words = UNICODE_WORDS
    vectors = random_vectors(len(words), 5)
    save_word2vec_format(tmp_path / "v", words, vectors, binary=binary)
    kv = gensim_kv.KeyedVectors.load_word2vec_format(str(tmp_path / "v"), binary=binary)
    assert kv.index_to_key == words
    np.testing.assert_array_equal(kv.vectors, vectors)


@pytest.mark.parametrize("binary", [True, False])
def test_we_read_gensim_files(tmp_path, binary):
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    words = UNICODE_WORDS
    vectors = random_vectors(len(words), 5)
    kv = gensim_kv.KeyedVectors(5)
    kv.add_vectors(words, vectors)
    kv.save_word2vec_format(str(tmp_path / "v"), binary=binary)
    for detect in (binary, None):
        assert_loaded(load_word2vec_format(tmp_path / "v", binary=detect), words, vectors)


# ---------------------------------------------------------------------------------------
# Damaged files
# ---------------------------------------------------------------------------------------


def test_truncated_binary_everywhere(tmp_path):
    words = ["alpha", "b", "gamma"]
    data = w2v_binary(words, random_vectors(3, 4), newline=True)
    path = tmp_path / "v.bin"
    header = data.index(b"\n") + 1
    # Dropping only the final newline leaves a valid gensim-style file.
    for cut in [*range(header, len(data) - 1), 0, 2]:
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError):
            load_word2vec_format(path, binary=True)
        path.write_bytes(gzip.compress(data[:cut]))
        with pytest.raises(ValueError):
            load_word2vec_format(path, binary=True)
    path.write_bytes(data[:-1])
    assert load_word2vec_format(path)[0] == words


def test_truncated_binary_names_the_record(tmp_path):
    data = w2v_binary(["a" * 30, "b", "c"], random_vectors(3, 4), newline=True)
    path = tmp_path / "v.bin"
    path.write_bytes(data[:-10])  # long words: the size check passes, the scan fails
    with pytest.raises(ValueError, match=r"record 2 .*byte offset"):
        load_word2vec_format(path, binary=True)


def test_truncated_text(tmp_path):
    data = w2v_text(["a", "b", "c"], random_vectors(3, 4))
    path = tmp_path / "v.txt"
    path.write_bytes(data[: data.rindex(b"c ")])  # last line missing
    with pytest.raises(ValueError, match="ends after 2 of the 3"):
        load_word2vec_format(path, binary=False)
    last = data.rindex(b" ")
    path.write_bytes(data[:last])  # last line lacks a field
    with pytest.raises(ValueError, match="line 4 has 4 fields"):
        load_word2vec_format(path, binary=False)


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("binary", [True, False, None])
def test_header_larger_than_file_allocates_nothing(tmp_path, compressed, binary):
    data = b"1000000000 1000000\nw " + b"\x00" * 12
    path = tmp_path / "v"
    path.write_bytes(gzip.compress(data) if compressed else data)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="header"):
            load_word2vec_format(path, binary=binary)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20


@pytest.mark.parametrize(
    "header",
    [
        b"",
        b"\n",
        b"-3 4\n",
        b"3 -4\n",
        b"3 0\n",
        b"abc def\n",
        b"3\n",
        b"3 4 5\n",
        b"3.0 4\n",
        b"0x3 4\n",
        b"3" * 2000,
    ],
)
def test_bad_headers(tmp_path, header):
    path = tmp_path / "v"
    path.write_bytes(header + b"w 1 2 3 4\n" * 3)
    for binary in (True, False, None):
        with pytest.raises(ValueError, match=r"header|empty"):
            load_word2vec_format(path, binary=binary)


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize(
    "header", [b"4611686018427387904 4611686018427387904", b"1073741824 1073741824"]
)
def test_absurd_header_sizes_are_refused_before_reading(tmp_path, compressed, header):
    # 2**62 x 2**62 once made numpy raise "array is too big" (no file named) from a
    # compressed file, whose size is unknown; 2**30 x 2**30 declares 4 EiB.
    data = header + b"\nw " + bytes(16)
    path = tmp_path / "absurd.bin"
    path.write_bytes(gzip.compress(data) if compressed else data)
    tracemalloc.start()
    try:
        for binary in (True, False, None):
            with pytest.raises(ValueError, match=r"absurd\.bin.*header"):
                load_word2vec_format(path, binary=binary)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


COMPRESSORS = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}


@pytest.mark.parametrize("suffix", list(COMPRESSORS))
def test_damage_inside_a_compressed_stream_is_a_value_error_naming_the_file(tmp_path, suffix):
    packed = COMPRESSORS[suffix](b"3 2\na 1 2\nb 3 4\nc 5 6\n" + bytes(8))
    path = tmp_path / f"v.txt{suffix}"
    undecodable = 0
    for at in range(len(packed)):
        damaged = bytearray(packed)
        damaged[at] ^= 0xA5
        path.write_bytes(bytes(damaged))
        for binary in (True, False, None):
            try:
                load_word2vec_format(path, binary=binary)
            except ValueError as err:
                assert path.name in str(err), (at, err)
                undecodable += "cannot decompress" in str(err)
    assert undecodable > 0  # the decompressor's own errors were among them


def test_damaged_gzip_block_names_the_file_and_the_codec(tmp_path):
    packed = bytearray(gzip.compress(b"3 2\na 1 2\nb 3 4\nc 5 6\n" + bytes(8)))
    packed[10] ^= 0xA5  # the first deflate block header: zlib.error "invalid block type"
    path = tmp_path / "v.txt.gz"
    path.write_bytes(bytes(packed))
    with pytest.raises(ValueError, match=r"v\.txt\.gz: cannot decompress \(gzip\)"):
        load_word2vec_format(path)


def test_empty_file(tmp_path):
    (tmp_path / "v").write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        load_word2vec_format(tmp_path / "v")
    with pytest.raises(ValueError, match="no vectors"):
        load_word2vec_format(tmp_path / "v", no_header=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"3 2\na 1 2\nb 1 2 3\nc 5 6\n", "line 3 has 4 fields"),
        (b"3 2\na 1 2\nb 1 2\nc 1 2 3 4\n", "line 4 has 5 fields"),
        (b"3 2\na 1 2\nb 1 x\nc 5 6\n", r"line 3, field 3: b'x' is not a number"),
        (b"3 2\na 1 2\nb 1,5 2\nc 5 6\n", "line 3, field 2"),
        (b"3 2\na 1 2\n\nb 1 2\nc 5 6\n", "line 3 is empty"),
        (b"3 2\na 1 2\nb 1 2\nc 1 2\nd 1 2\n", "line 5 is a record beyond the 3"),
        (b"3 2\na 1 2\nb\nc 5 6\n", "line 3 has 1 fields"),
        (b"3 2\na 1 2\nb 3 4\n", "ends after 2 of the 3"),
    ],
)
def test_bad_text_lines(tmp_path, data, message):
    path = tmp_path / "v.txt"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=message):
        load_word2vec_format(path, binary=False)


def test_more_binary_records_than_declared(tmp_path):
    data = w2v_binary(["a", "b", "c"], random_vectors(3, 2), newline=True)
    path = tmp_path / "v.bin"
    path.write_bytes(b"2" + data[1:])
    with pytest.raises(ValueError, match="more data after the 2 vectors"):
        load_word2vec_format(path, binary=True)
    assert load_word2vec_format(path, binary=True, limit=2)[0] == ["a", "b"]
    path.write_bytes(gzip.compress(b"2" + data[1:]))
    with pytest.raises(ValueError, match="more data after the 2 vectors"):
        load_word2vec_format(path, binary=True)


def test_detection_explains_itself(tmp_path):
    path = tmp_path / "v"
    path.write_bytes(b"2 3\na 1 2 3\nb 1 2\n")  # a broken text file
    with pytest.raises(ValueError, match="detected as binary because line 3"):
        load_word2vec_format(path)
    with pytest.raises(ValueError, match="line 3 has 3 fields"):
        load_word2vec_format(path, binary=False)


def test_empty_word_in_binary(tmp_path):
    data = b"2 1\n" + b"a " + struct.pack("<f", 1.0) + b"\n" + b" " + struct.pack("<f", 2.0)
    (tmp_path / "v").write_bytes(data)
    with pytest.raises(ValueError, match=r"record 1 .*empty word"):
        load_word2vec_format(tmp_path / "v", binary=True)


# ---------------------------------------------------------------------------------------
# Saving: invalid input and atomicity
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word", ["a b", "a\nb", "", "\tx", "x\u00a0y", "a\u2003b", "x\x1cy", "end ", "nul\x00"]
)
@pytest.mark.parametrize("binary", [True, False])
def test_unwritable_words(tmp_path, word, binary):
    path = tmp_path / "v"
    with pytest.raises(ValueError, match="index 1"):
        save_word2vec_format(path, ["ok", word, "fine"], random_vectors(3, 2), binary=binary)
    assert os.listdir(tmp_path) == []  # nothing written, no temporary file left


def test_unencodable_and_non_str_keys(tmp_path):
    with pytest.raises(ValueError, match="UTF-8"):
        save_word2vec_format(tmp_path / "v", ["\udcff"], random_vectors(1, 2))
    with pytest.raises(TypeError, match="str"):
        save_word2vec_format(tmp_path / "v", ["a", 3], random_vectors(2, 2))


def test_bad_vectors(tmp_path):
    with pytest.raises(ValueError, match="2 keys but 3 vectors"):
        save_word2vec_format(tmp_path / "v", ["a", "b"], random_vectors(3, 2))
    with pytest.raises(ValueError, match="2-D"):
        save_word2vec_format(tmp_path / "v", ["a"], np.zeros(3))
    with pytest.raises(ValueError, match="at least one dimension"):
        save_word2vec_format(tmp_path / "v", ["a"], np.zeros((1, 0)))
    with pytest.raises(TypeError, match="numeric"):
        save_word2vec_format(tmp_path / "v", ["a"], np.array([["x"]]))


@pytest.mark.parametrize("binary", [True, False])
def test_failed_save_keeps_previous_file(tmp_path, monkeypatch, binary):
    path = tmp_path / "v"
    save_word2vec_format(path, ["old"], random_vectors(1, 2), binary=binary)
    before = path.read_bytes()
    with pytest.raises(ValueError):
        save_word2vec_format(path, ["new word"], random_vectors(1, 2), binary=binary)
    assert path.read_bytes() == before

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(formats, "_binary_block" if binary else "_text_block", broken)
    with pytest.raises(OSError, match="disk full"):
        save_word2vec_format(path, ["new"] * 3, random_vectors(3, 2), binary=binary)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["v"]


def test_save_keeps_default_permissions(tmp_path):
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    umask = os.umask(0o022)
    os.umask(umask)
    save_word2vec_format(tmp_path / "v", ["a"], random_vectors(1, 2))
    assert (tmp_path / "v").stat().st_mode & 0o777 == 0o666 & ~umask


def test_save_writes_through_a_symlink(tmp_path):
    target = tmp_path / "real.bin"
    link = tmp_path / "link.bin"
    try:
        link.symlink_to(target)
    except OSError:
        pytest.skip("symbolic links are not available")
    vectors = random_vectors(2, 3)
    save_word2vec_format(link, ["a", "b"], vectors)
    assert link.is_symlink()
    assert_loaded(load_word2vec_format(target), ["a", "b"], vectors)


# ---------------------------------------------------------------------------------------
# Native container
# ---------------------------------------------------------------------------------------


def sample_arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    return {
        "vectors": rng.standard_normal((50, 7)).astype(np.float32),
        "ids": np.arange(11, dtype=np.int32),
        "counts": np.array([5, 3, 1], dtype=np.uint64),
        "fortran": np.asfortranarray(rng.standard_normal((4, 3))),
        "empty": np.zeros((0, 5), dtype=np.float32),
        "words": np.array(["the", "café", "日本語"]),
        "scalar": np.array(2.5),
        "flags": np.array([True, False]),
        "wv.vectors_lockf": np.ones(3, dtype=np.float32),
    }


META = {
    "vector_size": 7,
    "window": 5,
    "sg": True,
    "name": "café",
    "alpha": 0.025,
    "nested": {"list": [1, 2, 3], "none": None},
}


@pytest.mark.parametrize("mmap", [False, True])
def test_container_round_trip(tmp_path, mmap):
    arrays = sample_arrays()
    path = tmp_path / "model.cw2v"
    save_arrays(path, META, arrays)
    meta, loaded = load_arrays(path, mmap=mmap)
    assert meta == META
    assert list(loaded) == list(arrays)
    for name, arr in arrays.items():
        got = loaded[name]
        assert got.dtype == arr.dtype and got.shape == arr.shape, name
        np.testing.assert_array_equal(got, arr)
        if mmap:
            assert not got.flags.writeable
            if got.size:
                assert isinstance(got, np.memmap)
                assert got.ctypes.data % 64 == 0  # aligned data
        else:
            assert got.flags.writeable
    if mmap:
        with pytest.raises(ValueError):
            loaded["vectors"][0, 0] = 1.0


def test_container_layout_is_documented_zip(tmp_path):
    path = tmp_path / "model.cw2v"
    save_arrays(path, {"a": 1}, {"x": np.arange(3)})
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
        assert sorted(zf.namelist()) == ["meta.json", "x.npy"]
        doc = json.loads(zf.read("meta.json"))
        assert doc["format"] == "cw2v-arrays" and doc["meta"] == {"a": 1}
        assert doc["arrays"]["x"]["shape"] == [3]
        np.testing.assert_array_equal(np.load(io.BytesIO(zf.read("x.npy"))), np.arange(3))


def test_container_converts_numpy_scalars_in_meta(tmp_path):
    save_arrays(tmp_path / "m", {"n": np.int64(3), "t": (1, 2)}, {})
    assert load_arrays(tmp_path / "m")[0] == {"n": 3, "t": [1, 2]}


def test_container_refuses_bad_input(tmp_path):
    path = tmp_path / "m"
    with pytest.raises(ValueError, match="pickle"):
        save_arrays(path, {}, {"x": np.array([object()], dtype=object)})
    with pytest.raises(ValueError, match="name"):
        save_arrays(path, {}, {"../x": np.zeros(1)})
    with pytest.raises(ValueError, match="JSON"):
        save_arrays(path, {"x": object()}, {})
    with pytest.raises(ValueError, match="JSON"):
        save_arrays(path, {"x": float("nan")}, {})
    assert not path.exists()


def test_container_failed_save_keeps_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "m"
    save_arrays(path, {"v": 1}, {"x": np.arange(3)})
    before = path.read_bytes()
    with pytest.raises(ValueError):
        save_arrays(path, {}, {"x": np.array([None])})

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(formats.npy_format, "write_array", broken)
    with pytest.raises(OSError, match="disk full"):
        save_arrays(path, {"v": 2}, {"x": np.arange(5)})
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m"]


def write_zip(path: pathlib.Path, members: dict[str, bytes], compress: bool = False) -> None:
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def npy_bytes(arr: np.ndarray, **kwargs) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, **kwargs)
    return buf.getvalue()


def meta_bytes(arrays: dict[str, tuple[str, list[int]]]) -> bytes:
    doc = {
        "format": "cw2v-arrays",
        "format_version": 1,
        "meta": {},
        "arrays": {n: {"file": f"{n}.npy", "dtype": d, "shape": s} for n, (d, s) in arrays.items()},
    }
    return json.dumps(doc).encode()


class Marker:
    """Unpickling this creates a file: proof that code was executed."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path

    def __reduce__(self):
        return (pathlib.Path.touch, (self.path,))


@pytest.mark.parametrize("mmap", [False, True])
@pytest.mark.parametrize("declared", ["|O", "<f8"])
def test_container_pickle_payload_is_never_executed(tmp_path, mmap, declared):
    marker = tmp_path / "pwned"
    payload = npy_bytes(np.array([Marker(marker)], dtype=object), allow_pickle=True)
    path = tmp_path / "evil.cw2v"
    write_zip(path, {"meta.json": meta_bytes({"x": (declared, [1])}), "x.npy": payload})
    with pytest.raises(ValueError, match=r"pickle|dtype"):
        load_arrays(path, mmap=mmap)
    assert not marker.exists()


@pytest.mark.parametrize("mmap", [False, True])
def test_tampered_containers(tmp_path, mmap):
    path = tmp_path / "m.cw2v"
    good = npy_bytes(np.arange(6, dtype="<f4").reshape(2, 3))
    cases = {
        "missing": {"meta.json": meta_bytes({"x": ("<f4", [2, 3])})},
        "shape": {"meta.json": meta_bytes({"x": ("<f4", [3, 2])}), "x.npy": good},
        "dtype": {"meta.json": meta_bytes({"x": ("<f8", [2, 3])}), "x.npy": good},
        "no meta": {"x.npy": good},
        "bad json": {"meta.json": b"{not json", "x.npy": good},
        "not utf8": {"meta.json": b'{"a": "\xff"}', "x.npy": good},
        "not ours": {"meta.json": b'{"hello": 1}', "x.npy": good},
        "future": {"meta.json": b'{"format": "cw2v-arrays", "format_version": 99}'},
        "bad entry": {"meta.json": meta_bytes({"x": ("<f4", [-1])}), "x.npy": good},
        "bad npy": {"meta.json": meta_bytes({"x": ("<f4", [2, 3])}), "x.npy": b"NOTNUMPY" * 20},
        "short npy": {"meta.json": meta_bytes({"x": ("<f4", [2, 3])}), "x.npy": good[:-4]},
        "long npy": {"meta.json": meta_bytes({"x": ("<f4", [2, 3])}), "x.npy": good + b"1234"},
    }
    messages = {
        "missing": "missing",
        "shape": "shape",
        "dtype": "dtype",
        "no meta": "meta.json",
        "bad json": "JSON",
        "not utf8": "JSON",
        "not ours": "cw2v-arrays",
        "future": "version",
        "bad entry": "invalid entry",
        "bad npy": "header",
        "short npy": "should hold",
        "long npy": "should hold",
    }
    for case, members in cases.items():
        write_zip(path, members)
        with pytest.raises(ValueError, match=messages[case]):
            load_arrays(path, mmap=mmap)


@pytest.mark.parametrize("mmap", [False, True])
def test_not_a_container(tmp_path, mmap):
    path = tmp_path / "m"
    for data in (b"", b"hello world\n", os.urandom(1000)):
        path.write_bytes(data)
        with pytest.raises(ValueError, match="not a zip"):
            load_arrays(path, mmap=mmap)
    save_arrays(path, {}, {"x": np.arange(1000)})
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 10):
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError):
            load_arrays(path, mmap=mmap)


def test_corrupted_array_data_fails_crc(tmp_path):
    path = tmp_path / "m"
    save_arrays(path, {}, {"x": np.arange(1000, dtype=np.int64)})
    data = bytearray(path.read_bytes())
    at = data.index((500).to_bytes(8, "little"))
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="damaged"):
        load_arrays(path)


def edit_directory_entry(data: bytes, member: int, **fields: int) -> bytes:
    """Overwrite fields of the ``member``-th central directory entry (sizes: ``compress``,
    ``file``)."""
    out = bytearray(data)
    entry = -1
    for _ in range(member + 1):
        entry = out.index(b"PK\x01\x02", entry + 1)
    at = {"compress": 20, "file": 24}
    for name, value in fields.items():
        struct.pack_into("<I", out, entry + at[name], value)
    return bytes(out)


def forged_member(n: int, compress: bool) -> bytes:
    """A container whose x.npy header and zip directory claim n float32 (4n bytes) while
    the member holds 64 bytes of data."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (n,)}
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as zf:
        zf.writestr("meta.json", meta_bytes({"x": ("<f4", [n])}))
        zf.writestr("x.npy", header.getvalue() + bytes(64))
    declared = len(header.getvalue()) + 4 * n
    if compress:  # only the uncompressed size: the compressed data is all there
        return edit_directory_entry(buf.getvalue(), 1, file=declared)
    return edit_directory_entry(buf.getvalue(), 1, compress=declared, file=declared)


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("mmap", [False, True])
def test_sizes_in_the_zip_directory_are_not_trusted(tmp_path, mmap, compress):
    path = tmp_path / "forged.cw2v"
    path.write_bytes(forged_member(2**28, compress))  # claims 1 GiB
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"forged\.cw2v.*(end of the file|truncated)"):
            load_arrays(path, mmap=mmap)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


@pytest.mark.parametrize("mmap", [False, True])
def test_stored_member_whose_two_sizes_disagree(tmp_path, mmap):
    path = tmp_path / "m.cw2v"
    save_arrays(path, {}, {"x": np.arange(8, dtype=np.float32)})
    data = path.read_bytes()
    path.write_bytes(edit_directory_entry(data, 1, compress=64))
    with pytest.raises(ValueError, match=r"m\.cw2v: array 'x'.*stored bytes"):
        load_arrays(path, mmap=mmap)


@pytest.mark.parametrize("mmap", [False, True])
def test_shifted_or_zeroed_zip_offsets(tmp_path, mmap):
    # Dropping the first byte moves every offset one byte past its header; zipfile then
    # seeks to -1 (OSError EINVAL), which must be reported as a damaged file.
    path = tmp_path / "m.cw2v"
    save_arrays(path, {"k": 1}, {"x": np.arange(8, dtype=np.float32)})
    data = path.read_bytes()
    directory = data.rindex(b"PK\x01\x02")
    for damaged in (data[1:], data[:directory] + bytes(len(data) - directory)):
        path.write_bytes(damaged)
        with pytest.raises(ValueError, match=r"m\.cw2v"):
            load_arrays(path, mmap=mmap)


@pytest.mark.parametrize("mmap", [False, True])
def test_bytes_before_the_zip_are_allowed(tmp_path, mmap):
    path = tmp_path / "m.cw2v"
    arr = np.arange(8, dtype=np.float32)
    save_arrays(path, {"k": 1}, {"x": arr})
    path.write_bytes(b"#!/bin/sh\nexit 0\n" + path.read_bytes())  # a self-extracting stub
    meta, loaded = load_arrays(path, mmap=mmap)
    assert meta == {"k": 1}
    np.testing.assert_array_equal(loaded["x"], arr)


def test_encrypted_members_are_refused(tmp_path):
    path = tmp_path / "m.cw2v"
    save_arrays(path, {}, {"x": np.arange(8, dtype=np.float32)})
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 4)
    data[entry + 8] |= 1  # general purpose flag bit 0: encrypted
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="encrypted"):
        load_arrays(path)


@pytest.mark.parametrize("version", [True, 0, "1", None])
def test_format_versions_must_be_positive_ints(tmp_path, version):
    path = tmp_path / "m.cw2v"
    doc = {"format": "cw2v-arrays", "format_version": version, "meta": {}, "arrays": {}}
    write_zip(path, {"meta.json": json.dumps(doc).encode()})
    with pytest.raises(ValueError, match=r"m\.cw2v.*invalid container format version"):
        load_arrays(path)
    meta = {"format": "thing", "format_version": version}
    with pytest.raises(ValueError, match="invalid thing format version"):
        formats.check_format(meta, "thing", 1, "src", "thing")


def test_a_newer_container_version_asks_for_an_upgrade(tmp_path):
    path = tmp_path / "m.cw2v"
    doc = {"format": "cw2v-arrays", "format_version": 99, "meta": {}, "arrays": {}}
    write_zip(path, {"meta.json": json.dumps(doc).encode()})
    with pytest.raises(
        ValueError, match=r"m\.cw2v.*container format version 99.*upgrade cw2v"
    ) as err:
        load_arrays(path)
    assert "written by" not in str(err.value)  # the container names no writer


def test_impossible_shape_of_an_empty_array(tmp_path):
    # No data, so the sizes agree, but numpy cannot even describe (2**62, 0) float32.
    path = tmp_path / "m.cw2v"
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        npy, {"descr": "<f4", "fortran_order": False, "shape": (2**62, 0)}
    )
    write_zip(path, {"meta.json": meta_bytes({"x": ("<f4", [2**62, 0])}), "x.npy": npy.getvalue()})
    for mmap in (False, True):
        with pytest.raises(ValueError, match=r"m\.cw2v.*impossible shape"):
            load_arrays(path, mmap=mmap)


def test_compressed_members_fall_back_to_reading_with_mmap(tmp_path):
    path = tmp_path / "m"
    arr = np.arange(1000, dtype="<f4")
    write_zip(
        path,
        {"meta.json": meta_bytes({"x": ("<f4", [1000])}), "x.npy": npy_bytes(arr)},
        compress=True,
    )
    _, loaded = load_arrays(path, mmap=True)
    np.testing.assert_array_equal(loaded["x"], arr)
    assert not loaded["x"].flags.writeable


# ---------------------------------------------------------------------------------------
# Block boundaries: tiny read blocks make every record cross one
# ---------------------------------------------------------------------------------------


@pytest.fixture(params=[7, 64, 1000])
def tiny_blocks(request, monkeypatch):
    monkeypatch.setattr(formats, "_BLOCK_MIN", request.param)
    monkeypatch.setattr(formats, "_BLOCK_MAX", 4 * request.param)
    monkeypatch.setattr(formats, "_TEXT_BLOCK_MAX", 4 * request.param)
    return request.param


def test_text_across_blocks(tmp_path, tiny_blocks, monkeypatch):
    words = [f"w{i}" for i in range(300)]
    vectors = random_vectors(300, 3)
    block_lines = []
    parse = formats._parse_text_fast
    monkeypatch.setattr(
        formats,
        "_parse_text_fast",
        lambda lines, dim: block_lines.append(len(lines)) or parse(lines, dim),
    )
    path = tmp_path / "v.txt"
    path.write_bytes(w2v_text(words, vectors) + b"\n \n\n")
    assert_loaded(load_word2vec_format(path), words, vectors)
    assert len(block_lines) > 1 and max(block_lines) < 300  # really read in blocks
    assert_loaded(load_word2vec_format(path, limit=150), words[:150], vectors[:150])
    path.write_bytes(gzip.compress(w2v_text(words, vectors, header=False)))
    assert_loaded(load_word2vec_format(path, no_header=True), words, vectors)
    data = w2v_text(words, vectors)
    path.write_bytes(data.replace(b"\nw200 ", b"\n\n \n\nw200 "))
    with pytest.raises(ValueError, match="line 202 is empty"):
        load_word2vec_format(path)


@pytest.mark.parametrize("newline", [True, False])
def test_compressed_binary_across_blocks(tmp_path, tiny_blocks, newline):
    words = [f"word{i}" for i in range(200)]
    vectors = random_vectors(200, 5)
    data = w2v_binary(words, vectors, newline=newline)
    path = tmp_path / "v.bin.gz"
    path.write_bytes(gzip.compress(data))
    assert_loaded(load_word2vec_format(path), words, vectors)
    assert_loaded(load_word2vec_format(path, limit=77), words[:77], vectors[:77])
    path.write_bytes(gzip.compress(data + b"\n\n  extra"))
    with pytest.raises(ValueError, match="more data after the 200"):
        load_word2vec_format(path, binary=True)
    path.write_bytes(gzip.compress(data[:-3]))
    with pytest.raises(ValueError, match="record 199"):
        load_word2vec_format(path, binary=True)


def test_loading_reports_progress_for_text_and_binary(tmp_path):
    keys = [f"w{i}" for i in range(50)]
    vectors = np.arange(50 * 3, dtype=np.float32).reshape(50, 3)
    for binary in (True, False):
        path = tmp_path / f"v{binary}"
        save_word2vec_format(path, keys, vectors, binary=binary)
        seen: list[tuple[int, int | None]] = []
        load_word2vec_format(
            path, progress=lambda done, total, seen=seen: seen.append((done, total))
        )
        assert seen and seen[-1] == (50, 50)
        assert [done for done, _ in seen] == sorted(done for done, _ in seen)
