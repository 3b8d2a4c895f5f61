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
