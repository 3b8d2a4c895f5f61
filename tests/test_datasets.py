"""Tests of the bundled sample corpus (cw2v/data/sample.txt.gz) and cw2v.datasets."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import re
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

import cw2v
from cw2v import datasets

REPO = Path(__file__).resolve().parents[1]
SAMPLE_MD = REPO / "cw2v" / "data" / "SAMPLE.md"
SIZE_BUDGET = 3 * 1024 * 1024  # bytes: the corpus ships in every wheel
TOKENS = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


def stated(label: str) -> str:
    """The value of the row *label* in SAMPLE.md's summary table."""
    match = re.search(rf"^\| {re.escape(label)} \| (.+?) \|$", SAMPLE_MD.read_text(), re.M)
    assert match, f"SAMPLE.md has no row {label!r}"
    return match.group(1)


def stated_int(label: str) -> int:
    return int(stated(label).split()[0].replace(",", ""))


@pytest.fixture(scope="module")
def sentences() -> list[list[str]]:
    return list(datasets.sample_corpus())


@pytest.fixture(scope="module")
def script() -> ModuleType:
    path = REPO / "scripts" / "make_sample_corpus.py"
    spec = importlib.util.spec_from_file_location("make_sample_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_path_is_package_data_within_budget() -> None:
    path = datasets.sample_corpus_path()
    assert path == Path(cw2v.__file__).resolve().parent / "data" / "sample.txt.gz"
    assert 0 < path.stat().st_size <= SIZE_BUDGET
    assert datasets.sample_corpus().path == path


def test_gzip_header_is_deterministic() -> None:
    header = datasets.sample_corpus_path().read_bytes()[:10]
    assert header[:3] == b"\x1f\x8b\x08"  # gzip, deflate
    assert header[3] == 0, "no file name or other optional fields"
    assert header[4:8] == b"\0\0\0\0", "mtime must be 0 for a reproducible file"


def test_checksum_matches_sample_md() -> None:
    digest = hashlib.sha256(datasets.sample_corpus_path().read_bytes()).hexdigest()
    assert f"`{digest}`" == stated("sha256 of `sample.txt.gz`")


def test_tokens_are_lowercase_ascii_words(sentences: list[list[str]]) -> None:
    assert sentences
    bad = [tokens for tokens in sentences if not TOKENS.fullmatch(" ".join(tokens))]
    assert not bad, f"{len(bad)} lines with other characters, e.g. {bad[0][:20]}"
    assert all(type(word) is str for tokens in sentences[:100] for word in tokens)


def test_counts_match_sample_md_and_constants(sentences: list[list[str]]) -> None:
    words = sum(len(tokens) for tokens in sentences)
    distinct = len({word for tokens in sentences for word in tokens})
    assert words == stated_int("words") == datasets.SAMPLE_WORDS
    assert len(sentences) == stated_int("lines") == datasets.SAMPLE_LINES
    assert distinct == stated_int("distinct words") == datasets.SAMPLE_DISTINCT_WORDS
    assert len(datasets.sample_corpus()) == len(sentences)
    assert f"{words:,} words" in datasets.describe()


def test_size_suits_a_quick_demo(sentences: list[list[str]]) -> None:
    words = sum(len(tokens) for tokens in sentences)
    assert 800_000 <= words <= 1_500_000
    frequent = Counter(word for tokens in sentences for word in tokens)
    assert sum(1 for count in frequent.values() if count >= 5) >= 5_000


def test_iteration_is_repeatable(sentences: list[list[str]]) -> None:
    corpus = datasets.sample_corpus()
    first = list(corpus)
    assert first == list(corpus)
    assert first == sentences


def test_frequent_words_are_english(sentences: list[list[str]]) -> None:
    counts = Counter(word for tokens in sentences for word in tokens)
    top = {word for word, _ in counts.most_common(10)}
    assert {"the", "and", "of"} <= top
    for word in ["king", "queen", "water", "river", "sea", "night", "gold", "silver", "woman"]:
        assert counts[word] >= 20, word


def test_max_lines_limits_each_pass() -> None:
    corpus = datasets.sample_corpus(max_lines=25)
    assert len(corpus) == 25
    assert list(corpus) == list(corpus)
    assert list(corpus) == list(datasets.sample_corpus(max_lines=30))[:25]
    assert list(datasets.sample_corpus(max_lines=0)) == []
    with pytest.raises(ValueError, match="max_lines"):
        datasets.sample_corpus(max_lines=-1)


def test_sample_corpus_reads_another_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write("the cat sat\n\n  a  dog \n")
    corpus = datasets.SampleCorpus(path)
    assert list(corpus) == [["the", "cat", "sat"], ["a", "dog"]]
    assert len(corpus) == 2
    assert "tiny.txt.gz" in repr(corpus)


def test_missing_file_fails_early(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nothing\.txt\.gz"):
        datasets.SampleCorpus(tmp_path / "nothing.txt.gz")


def test_normalize_folds_like_the_dev_corpus(script: ModuleType) -> None:
    assert script.normalize("Café—NAÏVE wife's Straße, {hack value}!") == (
        "cafe naive wife s strasse hack value"
    )
    assert script.normalize("über­all 1611 A.D.") == "uberall 1611 a d"  # soft hyphen joins


def test_dictd_reader_decodes_offsets(script: ModuleType, tmp_path: Path) -> None:
    bodies = ["00-database-info\nheader\n", "cat\n n.\n\n    A small pet.\n", "dog\n n.\n"]
    data = "".join(bodies).encode()
    index, offset = [], 0
    for headword, body in zip(["00databaseinfo", "cat", "dog"], bodies, strict=True):
        size = len(body.encode())
        index.append(f"{headword}\t{b64(offset)}\t{b64(size)}")
        offset += size
    index.append(f"kitty\t{b64(len(bodies[0]))}\t{b64(len(bodies[1]))}")  # an alias of cat
    (tmp_path / "x.index").write_text("\n".join(index) + "\n")
    (tmp_path / "x.dict.dz").write_bytes(gzip.compress(data))
    entries = list(script.dictd_entries(tmp_path / "x.index", tmp_path / "x.dict.dz"))
    assert entries == [("cat", bodies[1]), ("dog", bodies[2])]


def b64(number: int) -> str:
    digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    text = ""
    while True:
        number, rest = divmod(number, 64)
        text = digits[rest] + text
        if not number:
            return text


def test_rebuild_is_byte_identical(script: ModuleType, tmp_path: Path) -> None:
    versions = script.installed_versions()
    if versions != script.PACKAGES:
        pytest.skip(f"needs the Debian packages {script.PACKAGES} installed, have {versions}")
    if not Path("/usr/bin/bible").exists():
        pytest.skip("bible-kjv is not installed")
    output = tmp_path / "sample.txt.gz"
    script.build(Path("/"), output)
    assert output.read_bytes() == datasets.sample_corpus_path().read_bytes()
