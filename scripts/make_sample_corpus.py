"""Rebuild ``cw2v/data/sample.txt.gz``, the public-domain sample corpus.

The corpus is made from three public-domain English texts shipped by Debian:

* the King James Bible (packages ``bible-kjv-text`` and its reader ``bible-kjv``),
  one verse a line;
* Ambrose Bierce's *The Devil's Dictionary* (``dict-devil``), one paragraph a line;
* the Jargon File 4.4.7 (``dict-jargon``), one paragraph a line.

Each text is normalized like the project's development corpus: Unicode NFKD,
combining marks dropped, lowercased, every run of characters other than ``a-z0-9``
turned into one space. Verse references, dictionary headwords, pronunciations,
part-of-speech tags, sense numbers, attributions, URLs and e-mail addresses are
dropped, as are dictionary paragraphs of fewer than three words. The lines are then cut into
blocks of about 20,000 words that are interleaved in a seeded shuffle (order inside
a block is kept), so no source is bunched at the end of an epoch where the learning
rate is smallest. The output is gzip with mtime 0, so a rebuild is byte-identical.

Usage (Debian or Ubuntu; needs ``apt-get`` and ``dpkg-deb``, no root)::

    python scripts/make_sample_corpus.py --fetch

downloads the four packages into a temporary folder with ``apt-get download``,
unpacks them with ``dpkg-deb -x`` and writes the corpus. Where the packages are
already installed, ``python scripts/make_sample_corpus.py`` reads them from ``/``.
The script prints the package versions and the statistics recorded in
``cw2v/data/SAMPLE.md``; it warns when a version differs from the one recorded
there, since another version may give another file.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import random
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

PACKAGES = {
    "bible-kjv": "4.38",
    "bible-kjv-text": "4.38",
    "dict-devil": "1.0-13.1",
    "dict-jargon": "4.4.7-3.1",
}
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "cw2v" / "data" / "sample.txt.gz"
BLOCK_WORDS = 20_000
SHUFFLE_SEED = 20240601
# Dictionary paragraphs this short are leftovers (tags, "See {foo}."); verses are kept whole.
MIN_PARAGRAPH_WORDS = 3

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NOT_TOKEN = re.compile(r"[^a-z0-9]+")
_URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+|\S+@\S+\.\S+")
# Letters that NFKD does not decompose into ASCII.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
        "Ð": "D",
        "\u00ad": "",
    }
)
_KJV_REF = re.compile(r"^\S+\d+:\d+ ")
# "CONFIDANT, CONFIDANTE, n.", "INFERIAE,n.", "HABEAS CORPUS." then two spaces.
_DEVIL_HEAD = re.compile(r"^[A-Z][A-Z0-9 ,.'?()\-]*(?:,?\s*(?:[a-z]+\.)+)?\s{2,}")
_LATIN_TAG = re.compile(r"^\[[A-Za-z]+\]\s+")
# Jargon File paragraph openers: "2. ", "n. ", "vt. ", "adj.,n. ".
_SENSE = re.compile(r"^(?:\d+\.\s+)?(?:(?:[a-z]{1,5}\.,?)+\s+)?")


def normalize(text: str) -> str:
    """Fold *text* to lowercase ASCII words separated by single spaces."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NOT_TOKEN.sub(" ", text).strip()


def dictd_entries(index: Path, data: Path) -> Iterator[tuple[str, str]]:
    """Yield ``(headword, body)`` of a dictd database, each body once, in file order."""

    def number(field: str) -> int:
        value = 0
        for char in field:
            value = value * 64 + _B64.index(char)
        return value

    raw = gzip.decompress(data.read_bytes())  # .dict.dz is gzip-compatible (dictzip)
    spans: dict[tuple[int, int], str] = {}
    for line in index.read_text(encoding="utf-8").splitlines():
        headword, offset, length = line.split("\t")
        spans.setdefault((number(offset), number(length)), headword)
    for (start, size), headword in sorted(spans.items()):
        if headword.startswith("00database"):
            continue  # dictfmt metadata: the database's header and URL, not text
        yield headword, raw[start : start + size].decode("utf-8")


def kjv_lines(root: Path) -> Iterator[str]:
    """Yield the King James Bible one verse a line, references removed."""
    bible = root / "usr" / "bin" / "bible"
    command = [str(bible), "-p", str(root / "usr" / "lib"), "-f", "gen1:1-rev22:21"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    verses = out.splitlines()
    if len(verses) != 31_102:
        raise SystemExit(f"expected the 31,102 verses of the KJV from {bible}, got {len(verses)}")
    for verse in verses:
        if not _KJV_REF.match(verse):
            raise SystemExit(f"unexpected line from {bible}: {verse[:60]!r}")
        yield _KJV_REF.sub("", verse)


def devil_lines(root: Path) -> Iterator[str]:
    """Yield The Devil's Dictionary one paragraph (or stanza) a line, headwords removed."""
    folder = root / "usr" / "share" / "dictd"
    for _, body in dictd_entries(folder / "devil.index", folder / "devil.dict.dz"):
        body = _LATIN_TAG.sub("", _DEVIL_HEAD.sub("", body, count=1))
        paragraph: list[str] = []
        previous_indented = False
        for line in body.splitlines():
            indent = len(line) - len(line.lstrip(" "))
            if not line.strip() or indent >= 20:  # blank, or a right-aligned attribution
                yield " ".join(paragraph)
                paragraph, previous_indented = [], False
                continue
            # An indented line after prose opens a paragraph; after another indented
            # line it continues a stanza of verse.
            if indent and not previous_indented and paragraph:
                yield " ".join(paragraph)
                paragraph = []
            paragraph.append(line.strip())
            previous_indented = indent > 0
        yield " ".join(paragraph)


def jargon_lines(root: Path) -> Iterator[str]:
    """Yield the Jargon File one paragraph a line, headword and pronunciation removed."""
    folder = root / "usr" / "share" / "dictd"
    for _, body in dictd_entries(folder / "jargon.index", folder / "jargon.dict.dz"):
        # The first block is the headword, its pronunciation and part of speech.
        for block in re.split(r"\n\s*\n", body.strip())[1:]:
            paragraph = " ".join(line.strip() for line in block.splitlines())
            yield _SENSE.sub("", paragraph, count=1)


def clean(lines: Iterable[str], min_words: int = 1) -> Iterator[str]:
    """Normalize each line, dropping URLs, e-mail addresses and lines under *min_words*."""
    for line in lines:
        words = normalize(_URL.sub(" ", line))
        if words.count(" ") + 1 >= min_words:
            yield words


def blocks(lines: Iterable[str], size: int = BLOCK_WORDS) -> Iterator[list[str]]:
    """Group consecutive lines into blocks of at least *size* words (the last may be shorter)."""
    block: list[str] = []
    words = 0
    for line in lines:
        block.append(line)
        words += line.count(" ") + 1
        if words >= size:
            yield block
            block, words = [], 0
    if block:
        yield block


def fetch(folder: Path) -> dict[str, str]:
    """Download and unpack the Debian packages into *folder*; return their versions."""
    subprocess.run(["apt-get", "download", *PACKAGES], cwd=folder, check=True)
    versions = {}
    for deb in sorted(folder.glob("*.deb")):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(folder / "root")], check=True)
        name = subprocess.run(
            ["dpkg-deb", "-f", str(deb), "Package"], check=True, capture_output=True, text=True
        ).stdout.strip()
        versions[name] = subprocess.run(
            ["dpkg-deb", "-f", str(deb), "Version"], check=True, capture_output=True, text=True
        ).stdout.strip()
    return versions


def installed_versions() -> dict[str, str]:
    """Versions of the packages installed on this system (empty string if absent)."""
    versions = {}
    for name in PACKAGES:
        try:
            result = subprocess.run(
                ["dpkg-query", "-W", "-f", "${Version}", name], capture_output=True, text=True
            )
        except FileNotFoundError:  # not a Debian system
            return {}
        versions[name] = result.stdout.strip() if result.returncode == 0 else ""
    return versions


def build(root: Path, output: Path) -> None:
    """Write the corpus from the packages unpacked under *root* and print its statistics."""
    sources = {
        "kjv": list(clean(kjv_lines(root))),
        "devil": list(clean(devil_lines(root), MIN_PARAGRAPH_WORDS)),
        "jargon": list(clean(jargon_lines(root), MIN_PARAGRAPH_WORDS)),
    }
    all_blocks = [block for lines in sources.values() for block in blocks(lines)]
    random.Random(SHUFFLE_SEED).shuffle(all_blocks)

    text = "".join(line + "\n" for block in all_blocks for line in block).encode("ascii")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(text)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(buffer.getvalue())

    counts = Counter(text.decode("ascii").split())
    for name, lines in sources.items():
        print(
            f"{name:8s} {sum(line.count(' ') + 1 for line in lines):>10,} words "
            f"{len(lines):>8,} lines"
        )
    print(f"words          {sum(counts.values()):,}")
    print(f"lines          {len(text.splitlines()):,}")
    print(f"distinct       {len(counts):,}")
    print(f"count >= 5     {sum(1 for c in counts.values() if c >= 5):,}")
    print(f"blocks         {len(all_blocks)}")
    print(f"gzip bytes     {output.stat().st_size:,}")
    print(f"sha256 (gz)    {hashlib.sha256(output.read_bytes()).hexdigest()}")
    print(f"sha256 (text)  {hashlib.sha256(text).hexdigest()}")
    print(f"written        {output}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--fetch",
        action="store_true",
        help="apt-get download the Debian packages instead of reading /",
    )
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        if args.fetch:
            versions, root = fetch(Path(tmp)), Path(tmp) / "root"
        else:
            versions, root = installed_versions(), Path("/")
        for name, expected in PACKAGES.items():
            got = versions.get(name, "")
            print(f"{name:15s} {got or 'missing'}")
            if not got:
                raise SystemExit(
                    f"{name} is not installed: run with --fetch, or "
                    f"`apt-get install {' '.join(PACKAGES)}`"
                )
            if got != expected:
                print(
                    f"warning: {name} {got} differs from {expected} recorded in SAMPLE.md; "
                    "the output may differ",
                    file=sys.stderr,
                )
        build(root, args.output)


if __name__ == "__main__":
    main()
