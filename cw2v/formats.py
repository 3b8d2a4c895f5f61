"""Reading and writing word vectors: the word2vec formats and cw2v's own array container.

word2vec formats
----------------
Both start with a header line ``"V d\\n"`` (number of vectors, dimension).

* text: one line per vector, ``word v1 v2 ... vd\\n``. fastText's ``.vec`` files (a space
  before each newline) and files without the header line (``no_header=True``) are read too.
* binary: per vector the UTF-8 word, one space, then ``d`` little-endian float32 (``4 d``
  bytes). word2vec.c writes a newline after each vector and gensim writes none; both (and
  mixtures) are read, and cw2v writes word2vec.c's form, which every reader accepts.

Files compressed with gzip, bzip2 or xz are read transparently (recognised by their magic
bytes, whatever the name) and written compressed when the name ends in ``.gz``, ``.bz2`` or
``.xz``. Parsing is vectorised: one ``bytes.find`` per binary record and numpy's C
``loadtxt`` parser for blocks of text lines, never a Python step per number.

Native container (``save_arrays`` / ``load_arrays``)
----------------------------------------------------
One uncompressed zip file (every member ``ZIP_STORED``) holding:

* ``meta.json``: UTF-8 JSON object::

      {"format": "cw2v-arrays", "format_version": 1,
       "meta": {...the caller's metadata...},
       "arrays": {"NAME": {"file": "NAME.npy", "dtype": "<f4", "shape": [V, d]}, ...}}

* one ``NAME.npy`` per array, in NumPy's ``.npy`` format (written with
  ``allow_pickle=False``; object arrays are refused). Each member's local header is padded
  (zip extra field ``0xD935``) so the array data starts at a multiple of 64 bytes in the
  file, which lets ``load_arrays(..., mmap=True)`` return aligned, read-only memory maps
  straight into the zip file.

Nothing is ever pickled or unpickled. Every save writes a temporary file in the target's
directory, flushes and fsyncs it, then renames it over the target, so an interrupted save
never destroys the previous file.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import io
import json
import lzma
import math
import mmap
import os
import re
import secrets
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Literal, TypeAlias, TypeGuard, cast

import numpy as np
from numpy.lib import format as npy_format

__all__ = [
    "check_format",
    "load_arrays",
    "load_word2vec_format",
    "save_arrays",
    "save_word2vec_format",
]

PathLike: TypeAlias = "str | os.PathLike[str]"

_FLOAT = np.dtype("<f4")
_HEADER_MAX = 1024  # a header line "V d" longer than this is not a header
_DETECT_LINES = 8  # text lines inspected when guessing text vs binary
_DETECT_MAX = 1 << 22  # at most this many bytes are inspected
_BLOCK_MIN = 1 << 20  # first read of a stream; later reads double up to _BLOCK_MAX
_BLOCK_MAX = 1 << 24
_TEXT_BLOCK_MAX = 1 << 22  # text blocks stay small: their temporaries are several copies
_WRITE_BLOCK = 1 << 23  # bytes of vector data formatted per write
_WHITESPACE = b" \t\n\r\x0b\x0c"
# The most data a header may declare (count * (4 d + 2) bytes, 256 TiB): far beyond any
# real file, and small enough that no size computed from it overflows an int64.
_DECLARED_MAX = 1 << 48
# What decompressing a damaged gzip, bzip2 or xz stream raises (gzip.BadGzipFile is an
# OSError; truncated streams raise EOFError).
_DECOMPRESSION_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)

# ---------------------------------------------------------------------------------------
# Atomic writes
# ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _atomic_write(path: PathLike) -> Iterator[io.BufferedWriter]:
    """Yield a binary file that replaces ``path`` only once everything was written.

    The temporary file lives in the same directory (so ``os.replace`` is atomic), is
    created with the default permissions (umask applies), and is removed on any error.
    """
    target = Path(os.path.realpath(path))  # write through a symbolic link, not over it
    if target.is_dir():
        raise IsADirectoryError(f"cannot save to {str(target)!r}: it is a directory")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 collisions of 32 random bits
        raise FileExistsError(f"could not create a temporary file next to {str(target)!r}")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(target.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable where the platform allows it (POSIX)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory if str(directory) else ".", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _compressed_writer(f: io.BufferedIOBase, path: PathLike) -> Iterator[io.BufferedIOBase]:
    """Wrap ``f`` in a compressor chosen by the suffix of ``path`` (or not at all)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".gz":
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=6, mtime=0) as z:
            yield z
    elif suffix == ".bz2":
        with bz2.BZ2File(f, "wb") as z:
            yield z
    elif suffix == ".xz":
        with lzma.LZMAFile(cast(IO[bytes], f), "wb") as z:
            yield z
    else:
        yield f


# ---------------------------------------------------------------------------------------
# word2vec formats: saving
# ---------------------------------------------------------------------------------------


def _check_keys(keys: Sequence[str]) -> list[bytes]:
    """Return the UTF-8 encoded keys, or raise naming the first key that cannot be written."""
    keys = list(keys)
    for i, key in enumerate(keys):
        if not isinstance(key, str):
            raise TypeError(f"keys must be str, got {type(key).__name__} {key!r} at index {i}")
    # One C-level comparison for the common case; the loop below only names the culprit.
    joined = " ".join(keys)
    if joined.split() != keys or "\x00" in joined:
        for i, key in enumerate(keys):
            if key == "":
                raise ValueError(f"cannot write the empty string (key at index {i}) as a word")
            if key.split() != [key] or "\x00" in key:
                raise ValueError(
                    f"cannot write word {key!r} (index {i}): words in the word2vec formats "
                    "cannot contain whitespace, newlines or NUL characters; rename it first"
                )
    try:
        return joined.encode("utf-8").split(b" ") if keys else []
    except UnicodeEncodeError as err:
        i = joined.count(" ", 0, err.start)
        raise ValueError(f"cannot encode word {keys[i]!r} (index {i}) as UTF-8: {err}") from err


def _check_vectors(vectors: Any, n_keys: int) -> np.ndarray:
    arr = np.asarray(vectors)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"vectors must be a real numeric array, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"vectors must be a 2-D (words, dim) array, got shape {arr.shape}")
    if arr.shape[0] != n_keys:
        raise ValueError(f"got {n_keys} keys but {arr.shape[0]} vectors; they must match")
    if arr.shape[1] < 1:
        raise ValueError("vectors must have at least one dimension")
    return np.ascontiguousarray(arr, dtype=_FLOAT)


def save_word2vec_format(
    path: PathLike, keys: Sequence[str], vectors: np.ndarray, *, binary: bool = True
) -> None:
    """Save words and their vectors in the word2vec text or binary format.

    Parameters
    ----------
    path : str or os.PathLike
        Destination. A name ending in ``.gz``, ``.bz2`` or ``.xz`` is compressed.
    keys : sequence of str
        The words, one per row of `vectors`.
    vectors : numpy.ndarray
        A ``(len(keys), d)`` real array; it is stored as float32.
    binary : bool, default True
        Write the binary format (word2vec.c's layout, a newline after each vector) if
        True, else the text format (``%.9g``, so float32 values survive a round trip).

    Raises
    ------
    ValueError
        If a word is empty or contains whitespace, a newline or NUL (checked before
        anything is written), or the shapes do not match.
    TypeError
        If a key is not a str or `vectors` is not numeric.

    Notes
    -----
    The file is written to a temporary file in the same directory and renamed over
    `path` at the end, so a failing save leaves an existing file untouched.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "vectors.bin")
    >>> save_word2vec_format(path, ["cat", "dog"], np.eye(2, dtype=np.float32))
    >>> load_word2vec_format(path)[0]
    ['cat', 'dog']
    """
    encoded = _check_keys(keys)
    data = _check_vectors(vectors, len(encoded))
    n, d = data.shape
    rows_per_block = max(1, _WRITE_BLOCK // (4 * d))
    with _atomic_write(path) as raw, _compressed_writer(raw, path) as f:
        f.write(f"{n} {d}\n".encode("ascii"))
        for start in range(0, n, rows_per_block):
            words = encoded[start : start + rows_per_block]
            rows = data[start : start + rows_per_block]
            f.write(_binary_block(words, rows) if binary else _text_block(words, rows))


def _binary_block(words: list[bytes], rows: np.ndarray) -> bytes:
    raw = rows.data.cast("B")
    nb = rows.shape[1] * 4
    pieces: list[bytes | memoryview] = []
    append = pieces.append
    for i, word in enumerate(words):
        append(word)
        append(b" ")
        append(raw[i * nb : (i + 1) * nb])
        append(b"\n")
    return b"".join(pieces)


def _text_block(words: list[bytes], rows: np.ndarray) -> bytes:
    # %.9g of the float64 widening is exact for float32: 9 significant digits round-trip.
    fmt = " ".join(["%.9g"] * rows.shape[1])
    lines = [fmt % tuple(row) for row in rows.tolist()]
    return b"".join(
        w + b" " + line.encode("ascii") + b"\n" for w, line in zip(words, lines, strict=True)
    )


# ---------------------------------------------------------------------------------------
# word2vec formats: loading
# ---------------------------------------------------------------------------------------


def _compression(head: bytes) -> str | None:
    """Name the compression whose magic bytes start ``head``, if any."""
    if head[:3] == b"\x1f\x8b\x08":
        return "gzip"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    # 'BZh' + block size digit + the magic of a block (pi) or of the end of stream (sqrt pi)
    if (
        head[:3] == b"BZh"
        and head[3:4].isdigit()
        and head[4:10] in (b"\x31\x41\x59\x26\x53\x59", b"\x17\x72\x45\x38\x50\x90")
    ):
        return "bzip2"
    return None


class _Input:
    """A byte stream (decompressed if needed) with look-ahead, and mmap for plain files."""

    def __init__(self, path: PathLike) -> None:
        self.path = os.fspath(path)
        self._file: io.BufferedReader = open(self.path, "rb")
        try:
            head = self._file.read(16)
            self._file.seek(0)
            self.compression = _compression(head)
            self._stream: io.BufferedIOBase
            if self.compression == "gzip":
                self._stream = gzip.GzipFile(fileobj=self._file, mode="rb")
            elif self.compression == "bzip2":
                self._stream = bz2.BZ2File(self._file, "rb")
            elif self.compression == "xz":
                self._stream = lzma.LZMAFile(self._file, "rb")
            else:
                self._stream = self._file
            self.size = None if self.compression else os.fstat(self._file.fileno()).st_size
        except BaseException:
            self._file.close()
            raise
        self._pending = b""
        self.offset = 0  # bytes consumed so far (in the decompressed stream)

    def close(self) -> None:
        if self._stream is not self._file:
            self._stream.close()
        self._file.close()

    def __enter__(self) -> _Input:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_raw(self, n: int) -> bytes:
        try:
            return self._stream.read(n)
        except _DECOMPRESSION_ERRORS as err:
            if not self.compression:  # an I/O error of a plain file: not the data's fault
                raise
            raise ValueError(
                f"{self.path}: cannot decompress ({self.compression}) after byte {self.offset} "
                f"of data: {err}; the file is damaged or truncated"
            ) from err

    def peek(self, n: int) -> bytes:
        """Return up to ``n`` next bytes without consuming them (fewer only at the end)."""
        while len(self._pending) < n:
            more = self._read_raw(max(n - len(self._pending), 1 << 16))
            if not more:
                break
            self._pending += more
        return self._pending[:n]

    def read(self, n: int) -> bytes:
        """Consume and return up to ``n`` bytes (fewer only at the end)."""
        if self._pending:
            out = self._pending[:n]
            self._pending = self._pending[n:]
            if len(out) < n:
                out += self._read_exactly(n - len(out))
        else:
            out = self._read_exactly(n)
        self.offset += len(out)
        return out

    def _read_exactly(self, n: int) -> bytes:
        chunks = []
        while n > 0:
            chunk = self._read_raw(n)
            if not chunk:
                break
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def mmap(self) -> mmap.mmap | None:
        """Map the whole (uncompressed, non-empty) file, or return None if impossible."""
        if self.compression or not self.size:
            return None
        try:
            return mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None


def _parse_header(inp: _Input) -> tuple[int, int]:
    head = inp.peek(_HEADER_MAX)
    if not head:
        raise ValueError(f"{inp.path}: the file is empty; expected a header line 'V d'")
    end = head.find(b"\n")
    line = head if end < 0 else head[:end]
    fields = line.split()
    shown = line[:80]
    hint = (
        "expected a header line 'V d' (number of vectors, dimension); if the file has no "
        "header line pass no_header=True"
    )
    if end < 0 and len(head) == _HEADER_MAX:
        raise ValueError(f"{inp.path}: line 1 is too long for a header ({shown!r}...): {hint}")
    if len(fields) != 2 or not all(re.fullmatch(rb"[+-]?[0-9]+", x) for x in fields):
        raise ValueError(f"{inp.path}: invalid header line {shown!r}: {hint}")
    count, dim = (int(x) for x in fields)
    if count < 0 or dim < 1:
        raise ValueError(
            f"{inp.path}: invalid header line {shown!r}: the number of vectors must be >= 0 "
            "and the dimension >= 1"
        )
    if count * (4 * dim + 2) > _DECLARED_MAX:
        raise ValueError(
            f"{inp.path}: invalid header line {shown!r}: {count} vectors of dimension {dim} "
            f"would take over {_DECLARED_MAX >> 40} TiB; the header is damaged or the file is "
            "not in a word2vec format"
        )
    inp.read(len(line) + (end >= 0))
    return count, dim


def _text_record_problem(line: bytes, dim: int) -> str | None:
    """Why ``line`` is not a text record of dimension ``dim`` (None if it is one)."""
    fields = line.split()
    if len(fields) != dim + 1:
        return f"it has {len(fields)} fields, not {dim + 1}"
    for field in fields[1:]:
        try:
            float(field)
        except ValueError:
            return f"{field[:40]!r} is not a number"
    return None


def _detect_binary(inp: _Input, count: int, dim: int) -> tuple[bool, str]:
    """Guess the format from the first records; return (binary, why).

    Text iff the first lines (up to ``_DETECT_LINES``) are text records of dimension
    ``dim``: a binary file would need every vector's bytes to spell decimal numbers.
    """
    want = min(count, _DETECT_LINES)
    if want == 0:
        return False, "the file declares no vectors"
    size = min(_BLOCK_MIN + 32 * dim * want, _DETECT_MAX)
    sample = inp.peek(size)
    lines = sample.split(b"\n")
    partial = lines.pop() if len(sample) == size else None  # may be cut anywhere
    for i, line in enumerate(lines[:want]):
        problem = _text_record_problem(line, dim)
        if problem is not None:
            return True, f"line {i + 2} is not a text record ({problem})"
    if not lines and partial is not None:  # a line longer than the sample
        fields = partial.split()[:-1]  # the last field may be cut
        if len(fields) > dim + 1 or not all(_is_float(x) for x in fields[1:]):
            return True, "line 2 is not a text record"
    return False, "the first records are valid text lines"


def _decoder(encoding: str, unicode_errors: str) -> tuple[str, bool]:
    """Validate the codec arguments; return (canonical encoding, joinable)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError as err:
        raise ValueError(f"unknown encoding {encoding!r}") from err
    try:
        codecs.lookup_error(unicode_errors)
    except LookupError as err:
        raise ValueError(
            f"unknown unicode_errors handler {unicode_errors!r}; use 'strict', 'replace' "
            "or 'ignore'"
        ) from err
    # In these encodings b" " always decodes alone, so all words can be decoded in one call.
    return name, name in ("utf-8", "ascii", "latin-1", "iso8859-1", "cp1252")


def _decode_words(
    words: list[bytes],
    encoding: str,
    unicode_errors: str,
    where: Callable[[int], str],
) -> list[str]:
    """Decode the words (dropping leading newlines); ``where(i)`` names word ``i`` in errors."""
    name, joinable = _decoder(encoding, unicode_errors)
    keys: list[str] | None = None
    joined = b" ".join(words)
    if joinable:  # one decode call for all words; words never contain b" "
        try:
            keys = joined.decode(name, unicode_errors).split(" ")
        except UnicodeDecodeError:
            keys = None  # the loop below finds and names the word
        if keys is not None and len(keys) != len(words):
            keys = None
    if keys is None:
        keys = []
        for i, word in enumerate(words):
            try:
                keys.append(word.decode(name, unicode_errors))
            except UnicodeDecodeError as err:
                hint = ""
                if re.search(rb"[\x00-\x08\x0e-\x1f]", word):
                    hint = " It contains control bytes: is the dimension in the header right?"
                raise ValueError(
                    f"{where(i)}: the word {word[:60]!r} is not valid {encoding} ({err.reason} "
                    f"at byte {err.start} of the word); pass unicode_errors='replace' or "
                    f"'ignore' to load it anyway, or the right encoding=.{hint}"
                ) from err
    if b"\n" in joined:  # more than one newline between records (gensim strips them too)
        keys = [key.lstrip("\n") for key in keys]
    if "" in keys:
        i = keys.index("")
        raise ValueError(
            f"{where(i)}: empty word {words[i][:60]!r}; the file is damaged or not in this "
            "format (or unicode_errors='ignore' removed every character: try 'replace')"
        )
    return keys


def load_word2vec_format(
    path: PathLike,
    *,
    binary: bool | None = None,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    no_header: bool = False,
    progress: Callable[[int, int | None], object] | None = None,
) -> tuple[list[str], np.ndarray]:
    """Load words and vectors from a word2vec text or binary file.

    Parameters
    ----------
    path : str or os.PathLike
        The file; gzip, bzip2 and xz compression are recognised by their magic bytes.
    binary : bool or None, default None
        The format; None detects it from the first records.
    limit : int or None, default None
        Read only the first `limit` vectors (the rest of the file is not read).
    encoding : str, default "utf-8"
        Encoding of the words (an ASCII-compatible encoding).
    unicode_errors : str, default "strict"
        How to handle words that are not valid in `encoding`: "strict" raises, "replace"
        and "ignore" are passed to :meth:`bytes.decode` (word2vec.c may cut a word in the
        middle of a multi-byte character).
    no_header : bool, default False
        The file has no "V d" header line (text format only): the number of vectors and
        the dimension are inferred.
    progress : callable, optional
        Called as ``progress(vectors_read, vectors_expected)`` as reading goes on (the
        expected count is None without a header), e.g. to draw a progress bar.

    Returns
    -------
    keys : list of str
        The words, in file order (duplicates are kept).
    vectors : numpy.ndarray
        A C-contiguous ``(len(keys), d)`` float32 array.

    Raises
    ------
    ValueError
        For any malformed file (bad header, truncated data, wrong counts, wrong field
        counts, non-numeric fields, invalid words with ``unicode_errors="strict"``), with
        the line, record or byte offset at fault.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "vectors.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("2 3\\ncat 1 0 0\\ndog 0 1 0.5\\n")
    >>> keys, vectors = load_word2vec_format(path)
    >>> keys, vectors.shape, float(vectors[1, 2])
    (['cat', 'dog'], (2, 3), 0.5)
    """
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int | np.integer) or limit < 0:
            raise ValueError(f"limit must be None or an int >= 0, got {limit!r}")
        limit = int(limit)
    _decoder(encoding, unicode_errors)
    if no_header and binary:
        raise ValueError("no_header=True is only possible for the text format (binary=False)")
    with _Input(path) as inp:
        if no_header:
            return _read_text(inp, None, None, limit, encoding, unicode_errors, progress)
        count, dim = _parse_header(inp)
        n = count if limit is None else min(count, limit)
        why = ""
        if binary is None:
            binary, why = _detect_binary(inp, n, dim)
        try:
            if binary:
                result = _read_binary(inp, count, dim, limit, encoding, unicode_errors)
                if progress is not None:
                    progress(len(result[0]), n)
                return result
            return _read_text(inp, count, dim, limit, encoding, unicode_errors, progress)
        except ValueError as err:
            if why and binary:  # the detection may be what went wrong: say why it chose
                err.args = (
                    f"{err} (the format was detected as binary because {why}; pass "
                    "binary=False to read it as text)",
                )
            raise


# ---- binary --------------------------------------------------------------------------


def _scan_binary(
    buf: Any, pos: int, stop: int, n: int, nb: int, words: list[bytes], offsets: list[int]
) -> tuple[int, int]:
    """Find up to ``n`` complete records in ``buf[pos:stop]``: one ``find`` per record.

    Appends each word to ``words`` (without the newline word2vec.c writes after each
    vector) and the offset of its vector to ``offsets``; returns (records found, position
    after them).
    """
    find = buf.find
    add_word = words.append
    add_offset = offsets.append
    before = len(offsets)
    for _ in range(n):
        space = find(b" ", pos, stop)
        if space < 0 or space + 1 + nb > stop:
            break
        if buf[pos] == 10:  # b"\n": more of them are stripped when decoding
            pos += 1
        add_word(buf[pos:space])
        space += 1
        add_offset(space)
        pos = space + nb
    return len(offsets) - before, pos


def _gather(buf: Any, offsets: list[int], dim: int) -> np.ndarray:
    """Copy the ``dim`` float32 at each offset of ``buf`` into a new ``(n, dim)`` array.

    A 1-D view of ``buf`` whose items are whole vectors (``void`` of ``4 dim`` bytes) with a
    stride of one byte turns the gather into a single fancy-indexing copy.
    """
    nb = 4 * dim
    if not offsets:
        return np.empty((0, dim), dtype=_FLOAT)
    raw = np.frombuffer(buf, dtype=np.uint8)
    records = np.ndarray(
        (len(raw) - nb + 1,), dtype=np.dtype((np.void, nb)), buffer=raw, strides=(1,)
    )
    return records[np.asarray(offsets, dtype=np.intp)].view(_FLOAT).reshape(len(offsets), dim)


def _read_binary(
    inp: _Input, count: int, dim: int, limit: int | None, encoding: str, unicode_errors: str
) -> tuple[list[str], np.ndarray]:
    n = count if limit is None else min(count, limit)
    nb = 4 * dim
    words: list[bytes] = []
    offsets: list[int] = []  # file offset of each vector (for error messages)
    path = inp.path
    mm = inp.mmap()
    if mm is not None:
        assert inp.size is not None
        available = inp.size - inp.offset
        # Smallest record: a one-byte word, a space and the vector.
        if n * (nb + 2) > available:
            raise ValueError(
                f"{path}: the header declares {count} vectors of dimension {dim} (at least "
                f"{n * (nb + 2)} bytes for {n}) but only {available} bytes follow it; the file "
                "is truncated or not in the word2vec binary format"
            )
        try:
            got, pos = _scan_binary(mm, inp.offset, len(mm), n, nb, words, offsets)
            vectors = _gather(mm, offsets, dim) if got == n else np.empty((0, dim), _FLOAT)
            trailing = b""
            if got == n and limit is None:  # anything but whitespace after the records?
                while pos < len(mm) and not trailing:
                    chunk = mm[pos : pos + _BLOCK_MIN]
                    trailing = chunk.lstrip(_WHITESPACE)
                    pos += len(chunk) - len(trailing)
        finally:
            with contextlib.suppress(BufferError):  # a view still held by a traceback
                mm.close()
        at = pos
    else:
        got, at, trailing, vectors = _read_binary_stream(inp, n, dim, limit, words, offsets)
    if got < n:
        raise ValueError(
            f"{path}: binary record {got} (at byte offset {at}) is incomplete: the file ends "
            f"after {got} of the {count} vectors the header declares; it is truncated or the "
            "header is wrong"
        )
    if trailing.strip(_WHITESPACE):
        raise ValueError(
            f"{path}: found more data after the {count} vectors the header declares (at byte "
            f"offset {at}: {trailing[:20]!r}...); the header count is wrong or the file is "
            f"damaged (pass limit={count} to read only the declared vectors)"
        )
    keys = _decode_words(
        words,
        encoding,
        unicode_errors,
        lambda i: f"{path}: binary record {i} (byte offset {offsets[i] - 1 - len(words[i])})",
    )
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
        vectors = vectors.astype(np.float32)
    return keys, vectors


def _read_binary_stream(
    inp: _Input, n: int, dim: int, limit: int | None, words: list[bytes], offsets: list[int]
) -> tuple[int, int, bytes, np.ndarray]:
    """Binary records from a stream, in growing blocks (never trusting the header's size).

    Returns (records read, file offset after them, data found after them, vectors).
    """
    nb = 4 * dim
    blocks: list[np.ndarray] = []
    got = 0
    buf = b""
    base = inp.offset  # stream offset of buf[0]
    pos = 0
    size = _BLOCK_MIN
    eof = False
    while got < n and not eof:
        more = inp.read(size)
        eof = len(more) < size
        base += pos
        buf = buf[pos:] + more
        local: list[int] = []
        k, pos = _scan_binary(buf, 0, len(buf), n - got, nb, words, local)
        if k:
            blocks.append(_gather(buf, local, dim))
            offsets.extend([base + o for o in local])
            got += k
            size = min(size * 2, _BLOCK_MAX)
        else:
            size = max(size, 2 * len(buf))  # a record longer than the buffer
    trailing = b""
    if got == n and limit is None:  # anything after the declared records?
        trailing = buf[pos:].strip(_WHITESPACE)
        while not trailing and not eof:
            more = inp.read(_BLOCK_MAX)
            eof = len(more) < _BLOCK_MAX
            trailing = more.strip(_WHITESPACE)
    vectors = (
        blocks[0]
        if len(blocks) == 1
        else np.concatenate(blocks)
        if blocks
        else np.empty((0, dim), dtype=_FLOAT)
    )
    return got, base + pos, trailing, vectors


# ---- text ----------------------------------------------------------------------------


class _TextError(ValueError):
    pass


def _parse_text_fast(lines: list[bytes], dim: int) -> tuple[list[bytes], np.ndarray] | None:
    """Parse well-formed lines in bulk; None if anything is unusual (the slow path decides)."""
    words = []
    rests = []
    try:
        for line in lines:
            word, rest = line.split(None, 1)
            words.append(word)
            rests.append(rest)
        text = b"\n".join(rests).decode("ascii")
        values = np.loadtxt(
            text.split("\n"), dtype=np.float32, comments=None, ndmin=2, quotechar=None
        )
    except (ValueError, UnicodeDecodeError):
        return None
    if values.shape != (len(lines), dim):
        return None
    return words, values


def _parse_text_slow(
    lines: list[bytes], dim: int, first_line: int, path: str
) -> tuple[list[bytes], np.ndarray]:
    """Parse line by line, raising a precise error for the first bad line."""
    words = []
    rows = []
    for i, line in enumerate(lines):
        lineno = first_line + i
        fields = line.split()
        if not fields:
            raise _TextError(f"{path}: line {lineno} is empty")
        if len(fields) != dim + 1:
            raise _TextError(
                f"{path}: line {lineno} has {len(fields)} fields but a word and {dim} numbers "
                f"({dim + 1} fields) were expected: {line[:60]!r}"
            )
        try:
            rows.append([float(x) for x in fields[1:]])
        except ValueError as err:
            bad = next(j for j, x in enumerate(fields[1:], 2) if not _is_float(x))
            raise _TextError(
                f"{path}: line {lineno}, field {bad}: {fields[bad - 1][:40]!r} is not a number"
            ) from err
        words.append(fields[0])
    return words, np.array(rows, dtype=np.float32).reshape(len(rows), dim)


def _is_float(x: bytes) -> bool:
    try:
        float(x)
    except ValueError:
        return False
    return True


def _text_lines(inp: _Input) -> Iterator[list[bytes]]:
    """Yield blocks of complete lines (without their newlines).

    Whitespace-only lines at the end of the file are dropped, so every blank line that is
    yielded has a record after it.
    """
    size = _BLOCK_MIN
    carry = b""
    while True:
        chunk = inp.read(size)
        data = carry + chunk if carry else chunk
        if len(chunk) < size:  # end of the data
            data = data.rstrip(_WHITESPACE)
            if data:
                yield data.split(b"\n")
            return
        size = min(size * 2, _TEXT_BLOCK_MAX)
        # Cut after the last complete line that is not blank: an incomplete last line and
        # a run of blank lines before it wait for the next block.
        cut = data.rfind(b"\n")
        while cut >= 0:
            start = data.rfind(b"\n", 0, cut) + 1
            if data[start:cut].strip(_WHITESPACE):
                break
            cut = start - 1
        if cut < 0:
            carry = data
            continue
        carry = data[cut + 1 :]
        yield data[:cut].split(b"\n")


def _read_text(
    inp: _Input,
    count: int | None,
    dim: int | None,
    limit: int | None,
    encoding: str,
    unicode_errors: str,
    progress: Callable[[int, int | None], object] | None = None,
) -> tuple[list[str], np.ndarray]:
    """Read text records; ``count``/``dim`` None means no header (infer them)."""
    path = inp.path
    header_lines = 0 if count is None else 1
    # want: records to read (None: to the end); with a header and no limit, exactly count.
    want = count if limit is None else limit if count is None else min(count, limit)
    words: list[bytes] = []
    blocks: list[np.ndarray] = []
    got = 0
    first_line: bytes | None = None
    for lines in _text_lines(inp):
        lineno = header_lines + got  # lines before this block
        if first_line is None:
            first_line = lines[0]
        if dim is None:  # no header: the first record fixes the dimension
            dim = len(first_line.split()) - 1
            if dim < 1:
                what = "is empty" if dim < 0 else f"has no numbers: {first_line[:60]!r}"
                raise ValueError(f"{path}: line 1 {what}")
        extra: list[bytes] = []
        if want is not None and got + len(lines) > want:
            lines, extra = lines[: want - got], lines[want - got :]
        if lines:
            parsed = _parse_text_fast(lines, dim)
            if parsed is None:
                try:
                    parsed = _parse_text_slow(lines, dim, lineno + 1, path)
                except _TextError as err:
                    hint = ""
                    if count is None and re.fullmatch(rb"\s*\d+\s+\d+\s*", first_line):
                        hint = " (line 1 looks like a 'V d' header: omit no_header=True)"
                    raise ValueError(str(err) + hint) from None
            words.extend(parsed[0])
            blocks.append(parsed[1])
            got += len(lines)
            if progress is not None:
                progress(got, want)
        if extra and limit is None:
            raise ValueError(
                f"{path}: line {header_lines + got + 1} is a record beyond the {count} the "
                f"header declares; the header count is wrong or the file is damaged (pass "
                f"limit={count} to read only the declared vectors)"
            )
        if limit is not None and want is not None and got >= want:
            break  # limit reached: the rest of the file is not read
    if want is not None and count is not None and got < want:
        raise ValueError(
            f"{path}: the file ends after {got} of the {count} vectors the header declares; it "
            "is truncated or the header count is wrong"
        )
    if dim is None:
        raise ValueError(f"{path}: the file contains no vectors")
    vectors = (
        blocks[0]
        if len(blocks) == 1
        else np.concatenate(blocks)
        if blocks
        else np.empty((0, dim), dtype=np.float32)
    )
    keys = _decode_words(
        words, encoding, unicode_errors, lambda i: f"{path}: line {header_lines + i + 1}"
    )
    return keys, np.ascontiguousarray(vectors, dtype=np.float32)


# ---------------------------------------------------------------------------------------
# Native array container
# ---------------------------------------------------------------------------------------

_CONTAINER = "cw2v-arrays"
_CONTAINER_VERSION = 1
_META_MEMBER = "meta.json"
_META_MAX = 1 << 29  # refuse a meta.json larger than this (512 MiB)
_ARRAY_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,199}")
_ALIGN = 64  # array data starts at a multiple of this in the file (as .npy headers do)
_PAD_EXTRA_ID = 0xD935  # zip extra field used for alignment padding (as Android's zipalign)
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed member timestamps: identical inputs, identical files
_READ_CHUNK = 1 << 24


def check_format(
    meta: Mapping[str, Any], name: str, max_version: int, source: str, what: str, hint: str = ""
) -> None:
    """Check that a container's metadata names the expected format and a version
    this cw2v reads.

    Parameters
    ----------
    meta : mapping
        The metadata returned by :func:`load_arrays`.
    name : str
        The expected ``meta["format"]``.
    max_version : int
        The newest ``meta["format_version"]`` this cw2v reads.
    source : str
        The file, for messages.
    what : str
        What the file should be, for messages (e.g. ``"cw2v model"``).
    hint : str, optional
        Appended to the message when the format is another one.

    Raises
    ------
    ValueError
        If the format differs, or the version is missing, invalid or newer.
    """
    if meta.get("format") != name:
        raise ValueError(
            f"{source} is not a saved {what} (format {meta.get('format')!r}, expected "
            f"{name!r}){hint}"
        )
    version = meta.get("format_version")
    if not _is_version(version):
        raise ValueError(
            f"{source} has an invalid {what} format version {version!r} (not an int >= 1); "
            "the file is damaged"
        )
    if version > max_version:
        writer = meta.get("cw2v_version")
        written = f", written by cw2v {writer}" if writer else ""
        raise ValueError(
            f"{source} has {what} format version {version!r}{written}; this cw2v reads "
            f"version {max_version} or lower: upgrade cw2v"
        )


def _is_version(value: object) -> TypeGuard[int]:
    """Whether ``value`` is a format version: an int >= 1 (JSON's true is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} {value!r} is not JSON-serializable")


def _member_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def save_arrays(path: PathLike, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    """Save metadata and named arrays in one uncompressed zip file, without pickling.

    The layout is described in the module docstring: ``meta.json`` plus one ``NAME.npy``
    per array, each array's data aligned to 64 bytes so it can be memory-mapped.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file (conventionally ``*.cw2v``; any name works).
    meta : mapping
        JSON-serializable metadata (str keys; numpy scalars are converted to Python ones;
        tuples come back as lists).
    arrays : mapping of str to numpy.ndarray
        The arrays. Names may contain letters, digits, ``_``, ``.`` and ``-``.

    Raises
    ------
    ValueError
        If a name is invalid, an array has an object dtype (it would need pickle), or
        `meta` is not JSON-serializable (NaN and infinity are not JSON either).

    Notes
    -----
    The file is written to a temporary file in the same directory and renamed over `path`
    at the end, so a failing save leaves an existing file untouched.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "model.cw2v")
    >>> save_arrays(path, {"window": 5}, {"vectors": np.ones((3, 2), dtype=np.float32)})
    >>> meta, arrays = load_arrays(path)
    >>> meta, arrays["vectors"].shape
    ({'window': 5}, (3, 2))
    """
    if not isinstance(meta, Mapping):
        raise TypeError(f"meta must be a mapping (dict), got {type(meta).__name__}")
    checked: dict[str, np.ndarray] = {}
    for name, value in arrays.items():
        if not isinstance(name, str) or not _ARRAY_NAME.fullmatch(name):
            raise ValueError(
                f"invalid array name {name!r}: use 1 to 200 letters, digits, '_', '.' or '-', "
                "not starting with '.' or '-'"
            )
        arr = np.asarray(value)
        if arr.dtype.hasobject:
            raise ValueError(
                f"array {name!r} has dtype {arr.dtype}, which holds Python objects and would "
                "need pickle; convert it to a numeric or fixed-width string dtype first"
            )
        if not str(npy_format.dtype_to_descr(arr.dtype)).isascii():
            raise ValueError(f"array {name!r}: use ASCII field names in its dtype {arr.dtype}")
        checked[name] = arr
    doc = {
        "format": _CONTAINER,
        "format_version": _CONTAINER_VERSION,
        "meta": dict(meta),
        "arrays": {
            name: {
                "file": f"{name}.npy",
                "dtype": npy_format.dtype_to_descr(arr.dtype),
                "shape": list(arr.shape),
            }
            for name, arr in checked.items()
        },
    }
    try:
        meta_json = json.dumps(doc, ensure_ascii=False, allow_nan=False, default=_json_default)
    except (TypeError, ValueError) as err:
        raise ValueError(f"meta is not JSON-serializable: {err}") from err
    with _atomic_write(path) as f, zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(_member_info(_META_MEMBER), meta_json.encode("utf-8"))
        for name, arr in checked.items():
            _write_npy_member(zf, f, f"{name}.npy", arr)


def _write_npy_member(
    zf: zipfile.ZipFile, f: io.BufferedWriter, member: str, arr: np.ndarray
) -> None:
    """Write ``arr`` as a .npy member whose data starts at a multiple of ``_ALIGN``."""
    info = _member_info(member)
    # Local header: 30 fixed bytes, the name, our padding field, then the ZIP64 field that
    # force_zip64=True adds (20 bytes); the .npy header itself is a multiple of 64 bytes.
    # If zipfile ever lays this out differently the data is merely unaligned (still valid).
    before = f.tell() + 30 + len(member.encode("ascii")) + 20 + 6
    pad = -before % _ALIGN
    info.extra = struct.pack("<HHH", _PAD_EXTRA_ID, 2 + pad, _ALIGN) + bytes(pad)
    with zf.open(info, "w", force_zip64=True) as out:
        npy_format.write_array(out, arr, allow_pickle=False)


def load_arrays(path: PathLike, *, mmap: bool = False) -> tuple[dict, dict[str, np.ndarray]]:
    """Load metadata and arrays saved by :func:`save_arrays`; nothing is ever unpickled.

    Parameters
    ----------
    path : str or os.PathLike
        The container file.
    mmap : bool, default False
        Return read-only :class:`numpy.memmap` arrays that map the data straight from the
        file instead of reading it (the file must then stay in place; on Windows it cannot
        be replaced while mapped). Members that someone stored compressed cannot be mapped
        and are read into memory instead (also read-only).

    Returns
    -------
    meta : dict
        The metadata given to :func:`save_arrays`.
    arrays : dict of str to numpy.ndarray
        The arrays, in the order they were saved.

    Raises
    ------
    ValueError
        If the file is not a zip file, has no valid ``meta.json``, lacks an array that
        ``meta.json`` lists, or an array's dtype or shape differs from what ``meta.json``
        records, or an array would need pickle (object dtype).

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "model.cw2v")
    >>> save_arrays(path, {}, {"ids": np.arange(4, dtype=np.int32)})
    >>> _, arrays = load_arrays(path, mmap=True)
    >>> arrays["ids"].tolist(), arrays["ids"].flags.writeable
    ([0, 1, 2, 3], False)
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        try:
            zf = zipfile.ZipFile(f)
        except (*_ZIP_ERRORS, ValueError) as err:  # ValueError: e.g. a name not in UTF-8
            raise ValueError(
                f"{path} is not a cw2v array container (not a zip file, or a damaged one): {err}"
            ) from err
        with zf:
            size = os.fstat(f.fileno()).st_size
            meta, entries = _read_container_meta(zf, path, size)
            arrays: dict[str, np.ndarray] = {}
            for name, (info, dtype_descr, shape) in entries.items():
                where = f"{path}: array {name!r} ({info.filename})"
                arrays[name] = _load_member(zf, info, path, size, where, dtype_descr, shape, mmap)
    return meta, arrays


# What zipfile raises for a damaged archive besides BadZipFile: an offset before the start
# of the file (OSError EINVAL), a member that ends early (EOFError), a damaged compressed
# member (zlib.error, LZMAError, OSError from bz2), an unknown compression method.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    NotImplementedError,
)


@contextlib.contextmanager
def _zip_errors(where: str) -> Iterator[None]:
    """Turn what zipfile raises for a damaged archive into a ValueError naming the file."""
    try:
        yield
    except _ZIP_ERRORS as err:
        raise ValueError(
            f"{where} cannot be read ({type(err).__name__}: {err}); the file is damaged or "
            "truncated"
        ) from err


def _member_data_offset(zf: zipfile.ZipFile, info: zipfile.ZipInfo, size: int, where: str) -> int:
    """Check that a member lies inside the file (``size`` bytes); return its data offset.

    The sizes in the zip directory are not trusted: a member must fit in the file before
    anything is allocated for it, and a stored member's two sizes must agree.
    """
    if info.flag_bits & 1:
        raise ValueError(f"{where} is encrypted; cw2v never writes encrypted members")
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        raise ValueError(
            f"{where}: the zip directory records {info.compress_size} stored bytes but "
            f"{info.file_size} uncompressed bytes; the file is damaged"
        )
    if not 0 <= info.header_offset <= size - 30:
        raise ValueError(f"{where}: its zip header lies outside the file; the file is damaged")
    assert zf.fp is not None
    with _zip_errors(where):
        zf.fp.seek(info.header_offset)
        local = zf.fp.read(30)
    if len(local) != 30 or local[:4] != b"PK\x03\x04":
        raise ValueError(f"{where}: bad zip local header; the file is damaged")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    offset = info.header_offset + 30 + name_len + extra_len
    if offset + info.compress_size > size:
        raise ValueError(
            f"{where}: the zip directory records {info.compress_size} bytes of data, which run "
            f"past the end of the file ({size} bytes); the file is truncated or damaged"
        )
    return offset


def _read_container_meta(
    zf: zipfile.ZipFile, path: str, size: int
) -> tuple[dict, dict[str, tuple[zipfile.ZipInfo, Any, tuple[int, ...]]]]:
    """Parse and check meta.json; return the user meta and each array's member and header."""
    try:
        info = zf.getinfo(_META_MEMBER)
    except KeyError:
        raise ValueError(
            f"{path} is not a cw2v array container: it has no {_META_MEMBER}"
        ) from None
    if info.file_size > _META_MAX:
        raise ValueError(f"{path}: {_META_MEMBER} is implausibly large ({info.file_size} bytes)")
    where = f"{path}: {_META_MEMBER}"
    _member_data_offset(zf, info, size, where)
    with _zip_errors(where):
        raw = zf.read(info)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except ValueError as err:  # JSONDecodeError, UnicodeDecodeError
        raise ValueError(f"{where} is not valid UTF-8 JSON: {err}") from err
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: {_META_MEMBER} does not describe a {_CONTAINER!r} container")
    check_format(doc, _CONTAINER, _CONTAINER_VERSION, f"{path}: {_META_MEMBER}", "container")
    meta, listed = doc.get("meta"), doc.get("arrays")
    if not isinstance(meta, dict) or not isinstance(listed, dict):
        raise ValueError(f"{path}: {_META_MEMBER} lacks the 'meta' or 'arrays' object")
    entries = {}
    for name, entry in listed.items():
        shape = entry.get("shape") if isinstance(entry, dict) else None
        member = entry.get("file") if isinstance(entry, dict) else None
        if (
            not isinstance(member, str)
            or not isinstance(shape, list)
            or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in shape)
            or "dtype" not in entry
        ):
            raise ValueError(f"{path}: {_META_MEMBER} has an invalid entry for array {name!r}")
        try:
            entries[name] = (zf.getinfo(member), entry["dtype"], tuple(shape))
        except KeyError:
            raise ValueError(
                f"{path}: array {name!r} is listed in {_META_MEMBER} but its member {member!r} "
                "is missing; the file is damaged"
            ) from None
    return meta, entries


def _read_npy_header(fp: IO[bytes], where: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """Parse a .npy header (without evaluating code) and refuse object dtypes."""
    try:
        version = npy_format.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = npy_format.read_array_header_1_0(fp)
        elif version == (2, 0):
            shape, fortran, dtype = npy_format.read_array_header_2_0(fp)
        else:
            raise ValueError(f"unsupported .npy format version {version}")
    except (ValueError, SyntaxError, struct.error, EOFError) as err:
        raise ValueError(f"{where} has an invalid .npy header: {err}") from err
    if dtype.hasobject:
        raise ValueError(
            f"{where} holds Python objects (dtype {dtype}), which would need pickle; "
            "cw2v never unpickles: the file is not one cw2v wrote, or it was tampered with"
        )
    return shape, fortran, dtype


def _empty(shape: tuple[int, ...], dtype: np.dtype, where: str) -> np.ndarray:
    """``np.empty`` of an array whose size was checked, naming the file if numpy refuses."""
    try:
        return np.empty(shape, dtype=dtype)
    except ValueError as err:  # "array is too big": e.g. (2**62, 0) float32
        raise ValueError(f"{where} has an impossible shape {shape} ({err})") from err


def _load_member(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    path: str,
    size: int,
    where: str,
    dtype_descr: Any,
    shape: tuple[int, ...],
    use_mmap: bool,
) -> np.ndarray:
    data_offset = _member_data_offset(zf, info, size, where)
    stored = info.compress_type == zipfile.ZIP_STORED
    with _zip_errors(where), zf.open(info) as fp:
        got_shape, fortran, dtype = _read_npy_header(fp, where)
        if got_shape != shape or json.loads(
            json.dumps(npy_format.dtype_to_descr(dtype))
        ) != json.loads(json.dumps(dtype_descr)):
            raise ValueError(
                f"{where} has dtype {dtype} and shape {got_shape} but {_META_MEMBER} records "
                f"dtype {dtype_descr!r} and shape {shape}; the file is damaged"
            )
        if dtype.itemsize == 0 and math.prod(shape, start=1):
            raise ValueError(f"{where} has dtype {dtype}, whose items have no size")
        header_len = fp.tell()
        nbytes = dtype.itemsize * math.prod(shape, start=1)  # Python ints: no overflow
        if header_len + nbytes != info.file_size:
            raise ValueError(
                f"{where} should hold {nbytes} bytes of data after its header but holds "
                f"{info.file_size - header_len}; the file is damaged"
            )
        # Fortran order is the transpose of a C-ordered array of the reversed shape.
        c_shape = shape[::-1] if fortran else shape
        if not (use_mmap and stored):  # else mapped below, once the member is closed
            if stored:  # nbytes <= the file's size (checked above): safe to allocate
                c_array = _empty(c_shape, dtype, where)
                if nbytes:
                    _read_into(fp, c_array.reshape(-1).view(np.uint8), where)
            else:  # a compressed member may claim any size: grow with the data read
                c_array = _read_growing(fp, nbytes, where, dtype, c_shape)
            arr = c_array.T if fortran else c_array
            fp.read(1)  # reach the end of the member so that zipfile checks its CRC-32
            if use_mmap:
                arr.flags.writeable = False
            return arr
    order: Literal["C", "F"] = "F" if fortran else "C"
    return _map_member(path, size, where, data_offset + header_len, dtype, shape, order)


def _read_into(fp: IO[bytes], flat: np.ndarray, where: str) -> None:
    """Fill the 1-D uint8 array ``flat`` from ``fp``."""
    nbytes = len(flat)
    done = 0
    while done < nbytes:
        data = fp.read(min(_READ_CHUNK, nbytes - done))
        if not data:
            raise ValueError(f"{where} is truncated after {done} of {nbytes} bytes")
        flat[done : done + len(data)] = np.frombuffer(data, dtype=np.uint8)
        done += len(data)


def _read_growing(
    fp: IO[bytes], nbytes: int, where: str, dtype: np.dtype, c_shape: tuple[int, ...]
) -> np.ndarray:
    """Read ``nbytes`` into a buffer that grows with the data, then view it as an array."""
    if nbytes == 0:
        return _empty(c_shape, dtype, where)
    buf = bytearray()
    while len(buf) < nbytes:
        data = fp.read(min(_READ_CHUNK, nbytes - len(buf)))
        if not data:
            raise ValueError(f"{where} is truncated after {len(buf)} of {nbytes} bytes")
        buf += data
    return np.frombuffer(buf, dtype=dtype).reshape(c_shape)  # writable: it owns a bytearray


def _map_member(
    path: str,
    size: int,
    where: str,
    offset: int,
    dtype: np.dtype,
    shape: tuple[int, ...],
    order: Literal["C", "F"],
) -> np.ndarray:
    """Memory-map a stored member's array data, after checking it lies inside the file."""
    nbytes = dtype.itemsize * math.prod(shape, start=1)
    if offset + nbytes > size:
        raise ValueError(f"{where}: the array data runs past the end of the file (truncated)")
    if nbytes == 0:
        arr = _empty(shape, dtype, where)
        arr.flags.writeable = False
        return arr
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape, order=order)
