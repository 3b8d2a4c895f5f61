"""Sentence sources: files, folders, compression, text8-style text, bad input."""

from __future__ import annotations

import bz2
import gzip
import lzma
from collections import Counter

import pytest

from cw2v import corpus as corpus_module
from cw2v.corpus import FileCorpus, IterableCorpus, as_corpus

LINES = [
    "the quick brown fox",
    "jumps over   the lazy dog",
    "",
    "  café naïve  words\twith tabs ",
]
EXPECTED = [line.split() for line in LINES if line.split()]


@pytest.mark.parametrize(
    ("suffix", "opener"),
    [(".txt", open), (".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)],
)
def test_file_corpus_reads_plain_and_compressed_files(tmp_path, suffix, opener):
    path = tmp_path / f"corpus{suffix}"
    with opener(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(LINES) + "\n")
    corpus = as_corpus(path)
    assert isinstance(corpus, FileCorpus)
    assert list(corpus) == EXPECTED
    assert list(corpus) == EXPECTED  # re-iterable
    counted = corpus.count()
    assert counted.counts == Counter(t for s in EXPECTED for t in s)
    assert counted.total_words == corpus.total_words() == sum(map(len, EXPECTED))


def test_directory_means_every_file_in_sorted_order(tmp_path):
    (tmp_path / "b.txt").write_text("second file\n")
    (tmp_path / "a.txt").write_text("first file\n")
    (tmp_path / ".hidden").write_text("never read\n")
    with gzip.open(tmp_path / "c.gz", "wt") as handle:
        handle.write("third file\n")
    assert list(as_corpus(str(tmp_path))) == [
        ["first", "file"],
        ["second", "file"],
        ["third", "file"],
    ]


def test_text_without_newlines_is_read_in_pieces_without_losing_words(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 64)
    words = [f"w{i % 97}x{i}" for i in range(2000)]
    path = tmp_path / "text8"
    path.write_text(" ".join(words))
    pieces = list(FileCorpus(path))
    assert len(pieces) > 10  # never one sentence holding the whole file
    assert [t for piece in pieces for t in piece] == words
    assert FileCorpus(path).count().counts == Counter(words)


def test_missing_file_and_empty_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        as_corpus(tmp_path / "nope.txt")
    with pytest.raises(ValueError, match="holds no files"):
        as_corpus(tmp_path)


def test_one_shot_iterators_are_rejected_with_advice():
    with pytest.raises(TypeError, match=r"one-shot iterator.*Pass a list"):
        as_corpus(s.split() for s in LINES)
    with pytest.raises(TypeError, match="one-shot"):
        as_corpus(iter([["a"]]))
    with pytest.raises(TypeError, match="iterable of token lists"):
        as_corpus(42)


def test_sentences_given_as_strings_or_with_non_str_tokens_are_rejected():
    with pytest.raises(TypeError, match=r"sentence 1 is a str.*split"):
        list(as_corpus([["fine"], "not split"]))
    with pytest.raises(TypeError, match=r"sentence 0 holds a token of type int"):
        list(as_corpus([[1, 2, 3]]))


def test_iterable_corpus_passes_sentences_through():
    data = [["a", "b"], ("c",)]
    corpus = as_corpus(data)
    assert isinstance(corpus, IterableCorpus)
    assert list(corpus) == data
    assert as_corpus(corpus) is corpus


def test_file_count_can_leave_out_rare_words_but_counts_every_token(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a a a b b c\nd a\n")
    counted = FileCorpus(path).count(min_count=2)
    assert counted.counts == Counter({"a": 4, "b": 2})
    assert counted.total_words == 8


def test_read_ahead_yields_everything_and_reraises_the_producers_error():
    assert list(corpus_module.read_ahead(iter(range(100)), depth=2)) == list(range(100))

    def failing():
        yield 1
        raise OSError("disk went away")

    reader = corpus_module.read_ahead(failing())
    assert next(reader) == 1
    with pytest.raises(OSError, match="disk went away"):
        next(reader)


def test_read_ahead_stops_its_thread_when_closed_early():
    import threading

    reader = corpus_module.read_ahead(iter(range(10**9)), depth=2)
    assert next(reader) == 0
    reader.close()
    assert not [t for t in threading.enumerate() if t.name == "cw2v-reader"]


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)],
)
def test_a_damaged_compressed_corpus_is_a_value_error_naming_the_file(tmp_path, suffix, compress):
    packed = compress(b"some words here\n" * 200)
    flipped = bytearray(packed)
    flipped[len(packed) // 2] ^= 0xFF
    for name, data in (("cut", packed[: len(packed) - 5]), ("flipped", bytes(flipped))):
        path = tmp_path / f"{name}{suffix}"
        path.write_bytes(data)
        corpus = FileCorpus(path)
        for read in (list, FileCorpus.count, FileCorpus.total_words):
            with pytest.raises(ValueError, match=rf"{name}\{suffix}.*damaged or truncated"):
                read(corpus)


def test_an_io_error_of_a_plain_file_is_not_called_damage(tmp_path, monkeypatch):
    path = tmp_path / "c.txt"
    path.write_text("a b\n")

    class Failing:
        def __init__(self, *args):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, n):
            raise OSError("disk went away")

    monkeypatch.setattr("builtins.open", Failing)
    with pytest.raises(OSError, match="disk went away"):
        list(FileCorpus(path))


def test_a_strict_decoding_error_names_the_file_and_the_ways_out(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"fine words\nbad \xff\xfeword\n")
    corpus = FileCorpus(path)
    for read in (list, FileCorpus.count):
        with pytest.raises(UnicodeDecodeError, match=r"bad\.txt.*errors='replace'"):
            read(corpus)


def test_surrogateescape_words_keep_their_bytes_in_training(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes(b"caf\xe9 ok\nok caf\xe9 \xff\n")
    corpus = FileCorpus(path, errors="surrogateescape")
    counted = corpus.count()
    keys = sorted(counted.counts)
    assert "caf\udce9" in keys and "\udcff" in keys
    index = {k: i for i, k in enumerate(keys)}
    (ids, _), *_ = corpus.encoded_chunks(keys, index, 100)
    want = [index[t] for sentence in corpus for t in sentence]
    assert ids.tolist() == want and -1 not in want


def test_words_that_cannot_occur_in_the_text_encode_as_unknown(tmp_path):
    """A vocabulary word that the corpus's encoding cannot write (here from a replaced
    byte, U+FFFD, in a cp1252 text) matches no token instead of failing to encode."""
    path = tmp_path / "c.txt"
    path.write_bytes(b"a \x81 b ?\n")  # 0x81 is undefined in cp1252
    corpus = FileCorpus(path, encoding="cp1252", errors="replace")
    keys = sorted(corpus.count().counts)
    assert "\ufffd" in keys and "?" in keys
    index = {k: i for i, k in enumerate(keys)}
    (ids, _), *_ = corpus.encoded_chunks(keys, index, 100)
    assert ids.tolist() == [index["a"], -1, index["b"], index["?"]]
