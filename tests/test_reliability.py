"""Reliability (issue 8): bad input, faults mid-training, damaged and untrusted files,
atomic saves, and the bounds of the compiled kernels.

Anything that could crash the interpreter runs in a child process with a time limit, so
that a segmentation fault or a hang fails one test instead of killing the test run.

Where each item of the issue is tested (tests elsewhere are not repeated here):

Bad input
- empty corpus: test_vocab::test_empty_corpus_is_an_error; here for the model (empty
  list, empty sentences, empty and blank files, a directory).
- vocabulary emptied by min_count: test_model::test_bad_corpora_are_rejected_with_advice,
  test_vocab::test_everything_below_min_count_is_an_error.
- a sentence given as a str, non-str tokens: test_model::test_bad_corpora_are_rejected_with_advice,
  test_corpus::test_sentences_given_as_strings_or_with_non_str_tokens_are_rejected,
  test_vocab::test_string_sentences_are_an_error, test_vocab::test_non_str_tokens_are_an_error;
  here: the same mistakes in the corpus given to train() (raised in the producer thread).
- one-shot iterator: test_corpus::test_one_shot_iterators_are_rejected_with_advice,
  test_model::test_an_iterable_exhausted_after_one_pass_is_reported.
- invalid hyper-parameters: test_model::test_invalid_parameters_are_rejected_with_a_clear_message;
  here: values beyond what the kernel can represent.
- divergence: test_dispatcher::test_a_non_finite_loss_is_reported_as_divergence (a fake
  kernel); here: provoked for real (alpha=1e6, huge and NaN vectors), every model x loss.
- unknown words, empty query: test_vectors::test_unknown_word_raises_keyerror_naming_it,
  test_vectors::test_empty_query_raises_valueerror.
- add_vectors of the wrong dimension: test_vectors::test_add_vectors_errors.

Faults mid-training
- in process: test_model::test_an_exception_in_the_users_iterator_reaches_the_caller, the
  same for a callback and a worker, and
  test_model::test_keyboard_interrupt_stops_training_quickly_and_leaves_a_usable_model (SIGINT).
- here, in child processes with a time limit: iterator, callback, worker, and a
  KeyboardInterrupt raised by the iterator (in the producer thread), 1 and 3 workers.

Files
- word2vec files, truncated, bad headers, wrong counts, huge declared sizes, invalid UTF-8:
  test_formats (test_truncated_*, test_bad_headers, test_bad_text_lines,
  test_more_binary_records_than_declared, test_header_larger_than_file_allocates_nothing,
  test_unicode_errors_and_encoding); here: more absurd headers, each error naming the
  file; random damage in test_fuzz.
- native container: test_formats (test_container_pickle_payload_is_never_executed,
  test_tampered_containers, test_not_a_container, test_corrupted_array_data_fails_crc);
  here: sizes forged in the zip directory, and tampering seen by Word2Vec.load and
  KeyedVectors.load.
- atomic saves: test_formats::test_failed_save_keeps_previous_file (an exception); here:
  SIGKILL in the middle of real saves.

Kernel bounds
- test_core::test_train_job_rejects_bad_jobs, test_core::test_kernel_rejects_inconsistent_arrays;
  here: out-of-range states built through the public API, more malformed jobs and tables,
  non-finite values in the sigmoid tables; random ones in test_fuzz.
"""

from __future__ import annotations

import bz2
import contextlib
import copy
import functools
import gc
import gzip
import io
import json
import lzma
import os
import re
import signal
import struct
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import cw2v
from cw2v.formats import load_arrays, load_word2vec_format, save_arrays
from cw2v.vectors import KeyedVectors

#: Where the parent imported cw2v from: children import the same build.
IMPORT_ROOT = str(Path(cw2v.__file__).resolve().parents[1])
CHILD_TIMEOUT = 120  # seconds; every child here normally exits in a few


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (IMPORT_ROOT, env.get("PYTHONPATH")) if p)
    env["PYTHONFAULTHANDLER"] = "1"  # a crash prints the Python stack
    return env


def run_script(
    tmp_path: Path, source: str, *args: str, timeout: float = CHILD_TIMEOUT
) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``source`` as a script file (so tracebacks show source lines) in a child."""
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(source))
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, str(script), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=child_env(),
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the child hung (still running after {timeout} s)\n{exc.stderr}")
    return done, time.monotonic() - started


def assert_no_crash(done: subprocess.CompletedProcess, *, interrupted: bool = False) -> None:
    """Fail unless the child ended normally (an uncaught KeyboardInterrupt ends Python
    by SIGINT on POSIX, on purpose: allowed when ``interrupted``)."""
    sigint = -getattr(signal, "SIGINT", 2)
    by_signal = done.returncode < 0 and not (interrupted and done.returncode == sigint)
    crashed = by_signal or done.returncode > 255 or "Fatal Python error" in done.stderr
    assert not crashed, (
        f"the child crashed (return code {done.returncode})\n"
        f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    )


def tiny_corpus() -> list[list[str]]:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    return [[words[i] for i in rng.integers(40, size=12)] for _ in range(200)]


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------


def test_an_empty_corpus_is_a_clear_error(tmp_path):
    empty_file = tmp_path / "empty.txt"
    empty_file.write_bytes(b"")
    blank_file = tmp_path / "blank.txt"
    blank_file.write_bytes(b"\n \n\t\n")
    for corpus in ([], [[]], [[], []], str(empty_file), blank_file, tmp_path):
        model = cw2v.Word2Vec(corpus, min_count=1, vector_size=4, workers=1)
        with pytest.raises(ValueError, match="corpus is empty"):
            model.train()
        assert model.vocab is None and model.wv is None


def test_bad_sentences_in_the_training_corpus_are_reported_from_the_producer():
    """The vocabulary comes from a good corpus; train() reads another, bad one."""
    good = tiny_corpus()
    cases = [
        (["w1 w2 w3"], TypeError, "is a str"),
        ([["w1"], b"w1 w2"], TypeError, "is a bytes"),
        ([["w1", "w2"], [1, 2]], TypeError, "token of type int"),
        ([["w1"], None], TypeError, None),
    ]
    for corpus, error, message in cases:
        model = cw2v.Word2Vec(good, min_count=1, vector_size=4, workers=2, epochs=1)
        model.build_vocab()
        with pytest.raises(error, match=message):
            model.train(corpus)
        model.wv.most_similar("w1", topn=2)  # still usable


@pytest.mark.parametrize(
    ("name", "value"),
    [("window", 2**40), ("negative", 2**40), ("window", 2**31 - 1), ("negative", 2**31)],
)
def test_parameters_beyond_the_kernels_range_are_a_clear_error(name, value):
    """Values the compiled kernel cannot hold are refused with the parameter's name, or,
    if accepted, train: not OverflowError 'value too large to convert to int' from the
    kernel, nor a MemoryError after 2 * window overflowed a C int in its buffer sizes."""
    try:
        model = cw2v.Word2Vec(
            tiny_corpus(), min_count=1, vector_size=4, workers=1, epochs=1, **{name: value}
        )
        model.train()
    except ValueError as err:
        assert name in str(err)
    else:
        assert model.training_loss[-1].completed


DIVERGE_SCRIPT = """
    import sys, threading
    import numpy as np
    import cw2v
    from cw2v.dispatcher import TrainingDiverged

    loss = sys.argv[1]
    options = {
        "ns": {}, "hs": {"hs": 1, "negative": 0}, "softmax": {"softmax": True, "negative": 0}
    }
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    text = [[words[i] for i in rng.integers(30, size=10)] for _ in range(300)]

    def provoke(how, sg):
        common = dict(vector_size=16, min_count=1, workers=2, epochs=2, sg=sg, job_words=200)
        if how == "alpha":
            model = cw2v.Word2Vec(text, alpha=1e6, min_alpha=1e6, **common, **options[loss])
        else:
            model = cw2v.Word2Vec(text, **common, **options[loss]).build_vocab()
            model.wv.vectors[:] = {"huge": 1e30, "nan": np.nan}[how]
        try:
            model.train()
        except TrainingDiverged as err:
            assert "alpha" in str(err), err
            assert not [t for t in threading.enumerate() if t.name.startswith("cw2v-")]
            print("diverged", how, sg, flush=True)
            return
        raise AssertionError(f"{how} sg={sg}: training returned without TrainingDiverged")

    for how in ("alpha", "huge", "nan"):
        for sg in (1, 0):
            print("start", how, sg, flush=True)
            provoke(how, sg)
"""


@pytest.mark.parametrize("loss", ["ns", "hs", "softmax"])
def test_divergence_is_detected_and_explained_for_real(tmp_path, loss):
    done, _ = run_script(tmp_path, DIVERGE_SCRIPT, loss)
    assert_no_crash(done)
    assert done.returncode == 0, done.stderr
    for how in ("alpha", "huge", "nan"):
        for sg in (1, 0):
            assert f"diverged {how} {sg}" in done.stdout


# ---------------------------------------------------------------------------------------
# Faults mid-training, in child processes with a time limit
# ---------------------------------------------------------------------------------------

FAULT_SCRIPT = """
    import sys, threading
    import cw2v
    from cw2v.datasets import sample_corpus

    where, workers = sys.argv[1], int(sys.argv[2])
    text = list(sample_corpus(max_lines=3000))


    class FailingCorpus:
        def __init__(self, sentences, error):
            self.sentences, self.error, self.passes = sentences, error, 0

        def __iter__(self):
            self.passes += 1
            for i, sentence in enumerate(self.sentences):
                if self.passes == 2 and i == len(self.sentences) // 2:
                    raise self.error
                yield sentence


    class BrokenCallback:
        def on_epoch_end(self, model):
            raise RuntimeError("callback failed")


    class FailingKernel:
        def __init__(self, kernel):
            self.kernel, self.calls = kernel, 0

        def train_job(self, *args):
            self.calls += 1
            if self.calls == 4:
                raise MemoryError("worker ran out of memory")
            return self.kernel.train_job(*args)


    common = dict(vector_size=16, workers=workers, job_words=1000, epochs=3)
    if where == "iterator":
        model = cw2v.Word2Vec(FailingCorpus(text, OSError("disk went away")), **common)
    elif where == "interrupt":
        model = cw2v.Word2Vec(FailingCorpus(text, KeyboardInterrupt()), **common)
    elif where == "callback":
        model = cw2v.Word2Vec(text, callbacks=[BrokenCallback()], **common)
    else:
        model = cw2v.Word2Vec(text, **common)
        make_kernel = model._make_kernel
        model._make_kernel = lambda: FailingKernel(make_kernel())
    try:
        model.train()
    except BaseException:
        alive = [t.name for t in threading.enumerate() if t.name.startswith("cw2v-")]
        print("alive:", alive, flush=True)
        print("epochs:", model.epochs_trained, flush=True)
        assert len(model.wv.most_similar("the", topn=3)) == 3
        print("usable", flush=True)
        raise
    print("no exception", flush=True)
"""

FAULTS = {
    # where: (exception line in the traceback, a source line of the raising frame)
    "iterator": ("OSError: disk went away", "raise self.error"),
    "interrupt": ("KeyboardInterrupt", "raise self.error"),
    "callback": ("RuntimeError: callback failed", 'raise RuntimeError("callback failed")'),
    "worker": ("MemoryError: worker ran out of memory", 'raise MemoryError("worker ran out'),
}


@pytest.mark.parametrize("workers", [1, 3])
@pytest.mark.parametrize("where", list(FAULTS))
def test_a_fault_stops_every_thread_and_reaches_the_caller_with_its_traceback(
    tmp_path, where, workers
):
    done, seconds = run_script(tmp_path, FAULT_SCRIPT, where, str(workers), timeout=90)
    assert_no_crash(done, interrupted=where == "interrupt")
    exception_line, raising_line = FAULTS[where]
    assert done.returncode != 0 and "no exception" not in done.stdout, done.stdout
    assert "alive: []" in done.stdout  # no thread left running
    assert "usable" in done.stdout  # the model answers queries
    last = done.stderr.strip().splitlines()[-1]
    assert last == exception_line, done.stderr  # the original exception, not a wrapper
    assert raising_line in done.stderr  # and its original traceback, down to the raise
    assert "Traceback" in done.stderr and "threads still running" not in done.stderr
    assert seconds < 60


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def forged_container(path: Path, n: int) -> None:
    """A container whose x.npy header and zip directory claim n float32 (4n bytes) while
    the file holds 64: only the sizes in the zip's central directory were edited."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (n,)}
    )
    doc = {
        "format": "cw2v-arrays",
        "format_version": 1,
        "meta": {},
        "arrays": {"x": {"file": "x.npy", "dtype": "<f4", "shape": [n]}},
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("meta.json", json.dumps(doc))
        zf.writestr("x.npy", header.getvalue() + bytes(64))
    data = bytearray(buf.getvalue())
    entry = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 4)  # x.npy's entry
    declared = len(header.getvalue()) + 4 * n
    struct.pack_into("<II", data, entry + 20, declared, declared)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("mmap", [False, True])
def test_sizes_forged_in_a_container_allocate_nothing(tmp_path, mmap):
    path = tmp_path / "forged.cw2v"
    forged_container(path, 2**28)  # claims 1 GiB
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=re.escape("forged.cw2v")):
            load_arrays(path, mmap=mmap)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


@pytest.mark.parametrize(
    "data",
    [
        b"1 1099511627776\nw " + bytes(16),  # dimension 2**40
        b"1099511627776 1\nw " + bytes(8),  # 2**40 vectors
        b"4611686018427387904 4611686018427387904\nw " + bytes(4),  # both 2**62
        b"1 100000000\n" + b"w" * 5000,
    ],
    ids=["dim", "count", "both", "long word"],
)
@pytest.mark.parametrize("compressed", [False, True])
def test_absurd_word2vec_headers_allocate_nothing_and_name_the_file(tmp_path, data, compressed):
    path = tmp_path / "absurd.bin"
    path.write_bytes(gzip.compress(data) if compressed else data)
    for binary in (True, False, None):
        tracemalloc.start()
        try:
            with pytest.raises(ValueError, match=re.escape("absurd.bin")):
                KeyedVectors.load_word2vec_format(path, binary=binary)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 16 << 20


@pytest.mark.parametrize("damage", ["first byte dropped", "directory zeroed"])
def test_a_container_with_shifted_offsets_is_a_clear_error(tmp_path, damage):
    """Damage that leaves every offset in the zip directory pointing elsewhere (zipfile
    then seeks before the start of the file: OSError EINVAL). Bytes added in front are
    fine: zip readers allow them (self-extracting archives)."""
    path = saved_model(tmp_path)
    data = path.read_bytes()
    directory = data.rindex(b"PK\x01\x02")
    damaged = {
        "first byte dropped": data[1:],
        "directory zeroed": data[:directory] + bytes(len(data) - directory),
    }[damage]
    path.write_bytes(damaged)
    for mmap in (False, True):
        for load in (load_arrays, KeyedVectors.load, cw2v.Word2Vec.load):
            with pytest.raises(ValueError, match=re.escape(path.name)):
                load(path, mmap=mmap)


COMPRESSORS = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}


@pytest.mark.parametrize("suffix", list(COMPRESSORS))
def test_damaged_compressed_files_are_a_clear_error(tmp_path, suffix):
    """Every single-byte change or cut inside the compressed stream of a word2vec file
    or a corpus: ValueError naming the file (not zlib.error, EOFError, OSError...)."""
    vectors = tmp_path / f"vectors.txt{suffix}"
    text = tmp_path / f"corpus.txt{suffix}"
    body = b"3 2\na 1 2\nb 3 4\nc 5 6\n" * 40
    packed = COMPRESSORS[suffix](body)
    damages = {f"cut {n}": packed[:n] for n in (len(packed) // 2, len(packed) - 3)}
    for at in range(10, len(packed) - 10, max(1, len(packed) // 60)):
        flipped = bytearray(packed)
        flipped[at] ^= 0x5A
        damages[f"flip {at}"] = bytes(flipped)
    for what, data in damages.items():
        vectors.write_bytes(data)
        text.write_bytes(data)
        try:
            load_word2vec_format(vectors, binary=False)
        except ValueError as err:
            assert vectors.name in str(err), (what, err)
        except Exception as err:
            pytest.fail(f"{what}: word2vec reader raised {type(err).__name__}: {err}")
        try:
            cw2v.Word2Vec(text, min_count=1, vector_size=4, workers=1).build_vocab()
        except ValueError as err:
            assert text.name in str(err), (what, err)
        except Exception as err:
            pytest.fail(f"{what}: corpus reader raised {type(err).__name__}: {err}")


def saved_model(tmp_path: Path, **options) -> Path:
    model = cw2v.Word2Vec(
        tiny_corpus(), min_count=1, vector_size=6, workers=1, epochs=1, **options
    ).train()
    path = tmp_path / "model.cw2v"
    model.save(path)
    return path


def tamper(path: Path, edit_meta=None, edit_arrays=None) -> Path:
    meta, arrays = load_arrays(path)
    meta = copy.deepcopy(meta)
    arrays = {name: np.array(array) for name, array in arrays.items()}
    if edit_meta is not None:
        edit_meta(meta)
    if edit_arrays is not None:
        edit_arrays(arrays)
    out = path.with_name("tampered.cw2v")
    save_arrays(out, meta, arrays)
    return out


def _set(where: str, key: str, value):
    def edit(meta):
        (meta if where == "" else meta[where])[key] = value

    return edit


def _array(name: str, make):
    def edit(arrays):
        arrays[name] = make(arrays[name])

    return edit


def _drop(where: str, key: str):
    def edit(meta):
        del (meta if where == "" else meta[where])[key]

    return edit


MODEL_TAMPERING = {
    "format_version_bool": (_set("", "format_version", True), None),
    "format_version_str": (_set("", "format_version", "1"), None),
    "params_missing": (_drop("", "params"), None),
    "param_wrong_type": (_set("params", "window", "5"), None),
    "param_out_of_range": (_set("params", "workers", 0), None),
    "vector_size_disagrees": (_set("params", "vector_size", 7), None),
    "loss_disagrees": (_set("params", "negative", 0), None),
    "epochs_trained_str": (_set("state", "epochs_trained", "1"), None),
    "epochs_trained_float": (_set("state", "epochs_trained", 1.5), None),
    "current_alpha_str": (_set("state", "current_alpha", "fast"), None),
    "total_words_str": (_set("vocabulary", "total_words", "many"), None),
    "training_loss_bad_entry": (_set("", "training_loss", [{"bogus": 1}]), None),
    "training_loss_not_a_list": (_set("", "training_loss", 5), None),
    "count_str": (_set("vectors", "count", "x"), None),
    "output_missing": (None, lambda a: a.pop("output_vectors")),
    "output_float64": (None, _array("output_vectors", lambda x: x.astype(np.float64))),
    "output_fortran": (None, _array("output_vectors", np.asfortranarray)),
    "output_one_row_short": (None, _array("output_vectors", lambda x: x[:-1])),
    "vectors_extra_row": (None, _array("wv_vectors", lambda x: np.vstack([x, x[:1]]))),
    "vectors_no_columns": (None, _array("wv_vectors", lambda x: x[:, :0])),
    "vectors_1d": (None, _array("wv_vectors", lambda x: x.ravel())),
    "counts_missing": (None, lambda a: a.pop("wv_counts")),
    "counts_zero": (None, _array("wv_counts", np.zeros_like)),
    "counts_2d": (None, _array("wv_counts", lambda x: x[:, None])),
    "offsets_float": (None, _array("wv_keys_offsets", lambda x: x.astype(np.float64))),
    "offsets_decreasing": (None, _array("wv_keys_offsets", lambda x: x[::-1])),
    "keys_invalid_utf8": (None, _array("wv_keys_utf8", lambda x: np.full_like(x, 0xFF))),
    "keys_duplicated": (None, _array("wv_keys_utf8", lambda x: np.full_like(x, ord("w")))),
    "keys_missing": (None, lambda a: a.pop("wv_keys_utf8")),
}


@pytest.mark.parametrize("case", list(MODEL_TAMPERING))
def test_a_tampered_model_file_is_a_clear_error_when_loaded(tmp_path, case):
    """Every inconsistency is found by Word2Vec.load (not later, in train or a query),
    reported as ValueError naming the file."""
    edit_meta, edit_arrays = MODEL_TAMPERING[case]
    path = tamper(saved_model(tmp_path), edit_meta, edit_arrays)
    with pytest.raises(ValueError, match=re.escape("tampered.cw2v")):
        cw2v.Word2Vec.load(path)


KEYED_TAMPERING = {
    name: spec
    for name, spec in MODEL_TAMPERING.items()
    if name.startswith(("keys_", "offsets_", "count_", "vectors_"))
    and name != "vectors_no_columns"  # a KeyedVectors of dimension 0 is valid, if useless
}


@pytest.mark.parametrize("case", list(KEYED_TAMPERING))
def test_a_tampered_vectors_file_is_a_clear_error_when_loaded(tmp_path, case):
    edit_meta, edit_arrays = KEYED_TAMPERING[case]
    model = cw2v.Word2Vec.load(saved_model(tmp_path))
    path = tmp_path / "wv.cw2v"
    model.wv.save(path)

    def unprefixed(edit):
        if edit is None:
            return None

        def apply(arrays):
            prefixed = {f"wv_{k}": v for k, v in arrays.items()}
            edit(prefixed)
            arrays.clear()
            arrays.update({k[3:]: v for k, v in prefixed.items()})

        return apply

    def vectors_meta(edit):
        if edit is None:
            return None
        return lambda meta: edit({"vectors": meta})

    bad = tamper(path, vectors_meta(edit_meta), unprefixed(edit_arrays))
    with pytest.raises(ValueError, match=re.escape("tampered.cw2v")):
        KeyedVectors.load(bad)


@pytest.mark.parametrize("what", ["model", "vectors"])
def test_a_pickle_payload_in_a_model_file_is_never_executed(tmp_path, what):
    class Marker:
        def __reduce__(self):
            return (Path.touch, (tmp_path / "pwned",))

    path = saved_model(tmp_path)
    if what == "vectors":
        cw2v.Word2Vec.load(path).wv.save(path)
    member = "wv_vectors.npy" if what == "model" else "vectors.npy"
    payload = io.BytesIO()
    np.lib.format.write_array(payload, np.array([Marker()], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    members[member] = payload.getvalue()
    doc = json.loads(members["meta.json"])
    doc["arrays"][member[:-4]].update(dtype="|O", shape=[1])
    members["meta.json"] = json.dumps(doc).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    load = cw2v.Word2Vec.load if what == "model" else KeyedVectors.load
    for mmap in (False, True):
        with pytest.raises(ValueError, match="pickle"):
            load(path, mmap=mmap)
    assert not (tmp_path / "pwned").exists()


# ---------------------------------------------------------------------------------------
# Atomic saves: SIGKILL in the middle of real saves
# ---------------------------------------------------------------------------------------

#: Rows and columns of the saved arrays: large enough that a save takes a good part of a
#: second (0.4 s for 100k x 300 here), so that most kills land inside one.
KILL_ROWS = int(os.environ.get("CW2V_KILL_ROWS", 100_000))
KILL_DIM = 300
#: Seconds between the saver's start of saving and the kill, one kill per entry.
KILL_DELAYS = (0.05, 0.35, 0.8)

SAVER_SCRIPT = """
    import sys
    import numpy as np
    import cw2v
    from cw2v.formats import save_word2vec_format
    from cw2v.vectors import KeyedVectors

    kind, path, rows, dim, first = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
    base = np.random.default_rng(0).random((rows, dim), dtype=np.float32)
    keys = [f"w{i}" for i in range(rows)]
    if kind == "model":
        model = cw2v.Word2Vec(vector_size=dim, min_count=1, workers=1)
        model.build_vocab_from_freq({key: rows - i for i, key in enumerate(keys)})
        assert model.wv.index_to_key == keys
        model.wv.vectors[:] = base
        model.output_vectors[:] = base

        def save(version):
            model.wv.vectors[:, 0] = version
            model.save(path)
    elif kind == "vectors":
        wv = KeyedVectors(keys, base)

        def save(version):
            wv.vectors[:, 0] = version
            wv.save(path)
    else:
        def save(version):
            base[:, 0] = version
            save_word2vec_format(path, keys, base, binary=True)

    version = first
    print("ready", flush=True)
    while True:
        save(version)
        print("saved", version, flush=True)
        version += 1
"""


def load_saved(kind: str, path: Path) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    if kind == "model":
        model = cw2v.Word2Vec.load(path)
        return model.wv.index_to_key, model.wv.vectors, model.output_vectors
    if kind == "vectors":
        wv = KeyedVectors.load(path)
        return wv.index_to_key, wv.vectors, None
    wv = KeyedVectors.load_word2vec_format(path, binary=True)
    return wv.index_to_key, wv.vectors, None


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("kind", ["model", "vectors", "word2vec"])
def test_a_save_killed_midway_leaves_the_previous_file_intact(tmp_path, kind):
    path = tmp_path / ("saved.bin" if kind == "word2vec" else "saved.cw2v")
    script = tmp_path / "saver.py"
    script.write_text(textwrap.dedent(SAVER_SCRIPT))
    rows, dim = (KILL_ROWS // 2 if kind == "model" else KILL_ROWS), KILL_DIM  # model: 2 arrays
    base = np.random.default_rng(0).random((rows, dim), dtype=np.float32)
    keys = [f"w{i}" for i in range(rows)]
    completed: list[int] = []  # versions whose save returned, in order
    mid_save = 0  # kills that left a temporary file behind: they hit a save in progress
    for run, delay in enumerate(KILL_DELAYS):
        first = 1000 * (run + 1)
        saver = subprocess.Popen(
            [sys.executable, str(script), kind, str(path), str(rows), str(dim), str(first)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        try:
            assert saver.stdout.readline().strip() == "ready", saver.stderr.read()
            if not completed:  # the first run lets one save finish: there is an old file
                assert saver.stdout.readline().split() == ["saved", str(first)]
                completed.append(first)
            time.sleep(delay)
            saver.send_signal(signal.SIGKILL)
            saver.wait(timeout=30)
            out = saver.stdout.read()
        finally:
            saver.kill()
            saver.stdout.close()
            saver.stderr.close()
        completed += [int(line.split()[1]) for line in out.splitlines() if line.startswith("saved")]
        in_progress = (completed[-1] + 1) if completed[-1] >= first else first
        leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(f".{path.name}.")]
        mid_save += bool(leftovers)
        for leftover in leftovers:
            leftover.unlink()
        # The file is the last completed version, or the one in progress if the kill came
        # between its rename and its "saved" line: never a mixture, never damaged.
        loaded_keys, vectors, output = load_saved(kind, path)
        version = int(vectors[0, 0])
        assert version in (completed[-1], in_progress), (version, completed[-1])
        assert loaded_keys == keys
        assert np.all(vectors[:, 0] == version)
        np.testing.assert_array_equal(vectors[:, 1:], base[:, 1:])
        if output is not None:
            np.testing.assert_array_equal(output, base)
        if version != completed[-1]:
            completed.append(version)
    assert mid_save >= 1, "no kill hit a save in progress: make the saves larger"


# ---------------------------------------------------------------------------------------
# The kernel's bounds: out-of-range states built through the public API
# ---------------------------------------------------------------------------------------
# Each case runs in a child process: a read or write outside an array may crash, and a
# crash must fail one case, not the test run. The cases are functions of this module; a
# child imports it and runs the cases it is given, printing one result line per case.


LOSSES = {"ns": {}, "hs": {"hs": 1, "negative": 0}, "softmax": {"softmax": True, "negative": 0}}


@functools.cache
def _trained_arrays(loss: str) -> cw2v.Word2Vec:
    return cw2v.Word2Vec(
        tiny_corpus(), min_count=1, vector_size=4, workers=1, epochs=1, **LOSSES[loss]
    ).train()


def _trained(loss: str = "ns", sg: int = 1) -> cw2v.Word2Vec:
    """A fresh copy of a small trained model (training it once per loss)."""
    model = copy.deepcopy(_trained_arrays(loss))
    model.sg = sg
    return model


def _state_cases() -> dict[str, Callable[[], object]]:
    """Models whose arrays were changed through the public attributes, then trained."""
    from cw2v.vocab import Vocabulary

    def add_words(model):
        model.wv.add_vectors(["new1", "new2"], np.ones((2, 4), np.float32))

    def small_output(model):
        model.output_vectors = np.zeros((2, 4), np.float32)

    def bigger_vocab(model):
        model.vocab = Vocabulary.from_counts({f"x{i}": 5 for i in range(90)}, min_count=1)
        model._tables = None

    def smaller_vocab(model):
        model.vocab = Vocabulary.from_counts({"w1": 5, "w2": 3}, min_count=1)
        model._tables = None

    def wider_vectors(model):
        model.wv.vectors = np.zeros((len(model.wv), 9), np.float32)

    def fortran_output(model):
        model.output_vectors = np.asfortranarray(model.output_vectors)

    def swapped_mid_training(model):
        """A callback replaces the arrays while workers run: the kernel keeps the old ones
        alive (Kernel.arrays), so nothing is freed under a worker."""

        class Swap:
            def on_epoch_begin(self, model):
                model.wv.vectors = np.zeros_like(model.wv.vectors)
                model.output_vectors = np.zeros_like(model.output_vectors)
                gc.collect()

        model.callbacks = (Swap(),)
        model.epochs = 3

    changes = [add_words, small_output, bigger_vocab, smaller_vocab, wider_vectors]
    changes += [fortran_output, swapped_mid_training]
    cases = {}
    for loss in LOSSES:
        for change in changes:

            def case(change=change, loss=loss):
                model = _trained(loss)
                change(model)
                model.train([*tiny_corpus(), ["new1", "new2", "w1"] * 4])

            cases[f"state-{loss}-{change.__name__}"] = case
    return cases


def _job_cases() -> dict[str, Callable[[], object]]:
    """Malformed jobs given to train_job of every model x loss."""
    from cw2v import _core

    def job(ids, offsets, ids_dtype=np.int32, offsets_dtype=np.int64):
        def case():
            for loss in LOSSES:
                for sg in (1, 0):
                    _trained(loss, sg)._make_kernel().train_job(
                        np.asarray(ids, dtype=ids_dtype),
                        np.asarray(offsets, dtype=offsets_dtype),
                        0.025,
                        0.0,
                        1,
                    )

        return case

    V = len(tiny_vocabulary())

    def strided():
        kernel = _trained()._make_kernel()
        kernel.train_job(np.arange(8, dtype=np.int32)[::2], np.array([0, 4]), 0.1, 0.0, 1)

    def example_bounds():
        kernel = _trained()._make_kernel()
        for inputs, target in (([0], V), ([0], -1), ([V], 0), ([-1], 0), ([], 0)):
            with contextlib.suppress(ValueError):
                kernel.train_example(np.array(inputs, dtype=np.int32), target, 0.1, 1)
                raise AssertionError(f"train_example accepted inputs {inputs}, target {target}")

    def nan_sigmoid():
        for x in (float("nan"), float("inf"), -float("inf"), 1e30, -1e30):
            _core.sigmoid(x)
            _core.log_sigmoid(x)

    def token_table_huge():
        _core.TokenTable(2**61)

    return {
        "job-ids_int32_min": job([0, -(2**31), 1], [0, 3]),
        "job-ids_int32_max": job([0, 2**31 - 1], [0, 2]),
        "job-ids_vocab_size": job([V], [0, 1]),
        "job-offsets_negative": job([0, 1], [-1, 2]),
        "job-offsets_past_end": job([0, 1], [0, 2**40]),
        "job-offsets_huge_negative": job([0, 1], [-(2**62), 2]),
        "job-offsets_decrease": job([0, 1, 2], [0, 3, 1, 3]),
        "job-offsets_empty": job([0, 1], []),
        "job-ids_int64": job([0, 1], [0, 2], ids_dtype=np.int64),
        "job-offsets_int32": job([0, 1], [0, 2], offsets_dtype=np.int32),
        "job-ids_2d": job([[0, 1]], [0, 2]),
        "job-strided": strided,
        "job-example_bounds": example_bounds,
        "job-nan_sigmoid": nan_sigmoid,
        "job-token_table_huge": token_table_huge,
    }


def tiny_vocabulary() -> list[str]:
    return sorted({word for sentence in tiny_corpus() for word in sentence})


def _table_cases() -> dict[str, Callable[[], object]]:
    """Kernels built from tables that do not fit the vectors."""
    from cw2v import _core

    def hs(**changes):
        def case():
            model = _trained("hs")
            huffman = model.vocab.huffman_codes()
            tables = {
                "codes": huffman.codes,
                "points": huffman.points,
                "code_offsets": huffman.offsets,
            }
            tables.update({k: change(tables[k]) for k, change in changes.items()})
            V = len(model.wv)
            kernel = _core.Kernel(model.wv.vectors, model.output_vectors, loss="hs", **tables)
            kernel.train_job(np.arange(V, dtype=np.int32), np.array([0, V]), 0.1, 0.0, 1)

        return case

    def ns(**changes):
        def case():
            model = _trained("ns")
            prob, alias = model.vocab.alias_table(0.75)
            tables = {"noise_prob": prob, "noise_alias": alias, "keep_thresholds": None}
            tables.update({k: change(tables[k]) for k, change in changes.items()})
            V = len(model.wv)
            kernel = _core.Kernel(model.wv.vectors, model.output_vectors, **tables)
            kernel.train_job(np.arange(V, dtype=np.int32), np.array([0, V]), 0.1, 0.0, 1)

        return case

    def kernel(loss="ns", **options):
        def case():
            model = _trained(loss)
            syn0, syn1 = model.wv.vectors, model.output_vectors
            tables = model._make_kernel().arrays[2:]
            names = ("keep_thresholds", "noise_prob", "noise_alias", "codes", "points")
            given = dict(zip((*names, "code_offsets"), tables, strict=True))
            given = {k: v for k, v in given.items() if v is not None}
            _core.Kernel(syn0, syn1.copy(), loss=loss, **given, **options)

        return case

    def swap_12(offsets):
        out = offsets.copy()
        out[1], out[2] = out[2], out[1] + 1
        return out

    return {
        "table-hs_offsets_short": hs(code_offsets=lambda o: o[:-1].copy()),
        "table-hs_offsets_not_spanning": hs(code_offsets=lambda o: np.append(o[:-1], o[-1] - 1)),
        "table-hs_offsets_start_negative": hs(code_offsets=lambda o: o - 1),
        "table-hs_offsets_decreasing": hs(code_offsets=swap_12),
        "table-hs_code_too_long": hs(code_offsets=lambda o: np.r_[0, np.full(len(o) - 1, o[-1])]),
        "table-hs_code_not_binary": hs(codes=lambda c: np.full_like(c, 2)),
        "table-hs_point_negative": hs(points=lambda p: np.full_like(p, -1)),
        "table-hs_point_past_inner_nodes": hs(points=lambda p: np.full_like(p, p.max() + 1)),
        "table-hs_points_short": hs(points=lambda p: p[:-1].copy()),
        "table-ns_alias_negative": ns(noise_alias=lambda a: np.full_like(a, -1)),
        "table-ns_alias_past_end": ns(noise_alias=lambda a: np.full_like(a, len(a))),
        "table-ns_prob_short": ns(noise_prob=lambda p: p[:-1].copy()),
        "table-ns_keep_short": ns(keep_thresholds=lambda _: np.ones(3, np.uint32)),
        "table-ns_missing": ns(noise_prob=lambda _: None),
        "table-ns_negative_zero": kernel("ns", negative=0),
        "table-window_zero": kernel("ns", window=0),
        "table-hs_one_word": lambda: _core.Kernel(
            np.ones((1, 4), np.float32),
            np.ones((0, 4), np.float32),
            loss="hs",
            codes=np.zeros(0, np.uint8),
            points=np.zeros(0, np.int32),
            code_offsets=np.zeros(2, np.int64),
        ),
        "table-softmax_on_hs_rows": _softmax_on_hs_rows,
        "table-empty_vectors": lambda: _core.Kernel(
            np.zeros((0, 4), np.float32), np.zeros((0, 4), np.float32), loss="softmax"
        ),
    }


def _stride_cases() -> dict[str, Callable[[], object]]:
    """Row-strided vectors (the kernel accepts views): sound ones train, rows that overlap
    or run backwards are refused."""
    from numpy.lib.stride_tricks import as_strided

    def train_with(make_syn0, make_syn1=lambda syn1: syn1):
        def case():
            for loss in LOSSES:
                model = _trained(loss)
                model._make_kernel()
                given = {k: v for k, v in model._tables.items() if v is not None}
                syn0 = make_syn0(model.wv.vectors)
                syn1 = make_syn1(model.output_vectors)
                V = len(model.wv)
                for hot_rows in (0, 3, 10**6):
                    _core.Kernel(syn0, syn1, loss=loss, hot_rows=hot_rows, **given).train_job(
                        np.arange(V, dtype=np.int32), np.array([0, V]), 0.1, 0.0, 1
                    )

        return case

    from cw2v import _core

    def wider(rows):
        """The same rows as a view into a wider array (row stride > dimension)."""
        base = np.zeros((rows.shape[0], rows.shape[1] + 5), np.float32)
        base[:, : rows.shape[1]] = rows
        return base[:, : rows.shape[1]]

    return {
        "stride-wider_rows": train_with(wider, wider),
        "stride-reversed_rows": train_with(lambda a: a[::-1]),
        "stride-zero_row_stride": train_with(
            lambda a: as_strided(a, shape=a.shape, strides=(0, 4))
        ),
        "stride-overlapping_rows": train_with(
            lambda a: as_strided(a, shape=(a.shape[0] // 2, a.shape[1]), strides=(4, 4))
        ),
        "stride-columns_not_contiguous": train_with(lambda a: a[:, ::2]),
    }


def _softmax_on_hs_rows() -> None:
    from cw2v import _core

    model = _trained("hs")
    _core.Kernel(model.wv.vectors, model.output_vectors, loss="softmax")


def _huffman_overflow() -> None:
    """Counts near 2**62 each (a tampered file, or a real count) overflow int64 sums."""
    from cw2v.vocab import Vocabulary

    vocab = Vocabulary([f"w{i}" for i in range(6)], np.full(6, 2**62, dtype=np.int64))
    codes = vocab.huffman_codes()
    V = len(vocab)
    assert codes.points.min() >= 0 and codes.points.max() <= V - 2, codes.points
    assert len({tuple(codes.code(i)) for i in range(V)}) == V


def all_bounds_cases() -> dict[str, Callable[[], object]]:
    return {
        **_state_cases(),
        **_job_cases(),
        **_table_cases(),
        **_stride_cases(),
        "huffman_overflow": _huffman_overflow,
    }


#: Allowed outcomes: "ValueError" (refused before any memory is touched) or None (it
#: runs, inside its arrays). Anything else (a crash, another exception) fails.
BOUNDS_OUTCOMES: dict[str, set[str | None]] = {
    **{f"state-{loss}-swapped_mid_training": {None} for loss in LOSSES},
    "job-example_bounds": {None},
    "job-nan_sigmoid": {None},
    "job-token_table_huge": {"MemoryError", "ValueError"},
    "table-hs_code_too_long": {None, "ValueError"},  # a long but valid path
    "stride-wider_rows": {None},
    "huffman_overflow": {None},
}
BOUNDS_CASES = list(all_bounds_cases())


def run_bounds_cases(names: list[str]) -> None:
    """Child side: run the named cases, printing one JSON line before and after each."""
    cases = all_bounds_cases()
    for name in names:
        print(json.dumps({"start": name}), flush=True)
        try:
            cases[name]()
            outcome = {"case": name, "error": None, "message": ""}
        except Exception as err:  # the parent judges the type
            outcome = {"case": name, "error": type(err).__name__, "message": str(err)[:300]}
        print(json.dumps(outcome), flush=True)


@pytest.fixture(scope="module")
def bounds_results() -> dict[str, dict]:
    """Run every case in children; after a crash, go on in a new child after the case."""
    results: dict[str, dict] = {}
    todo = list(BOUNDS_CASES)
    tests_dir = str(Path(__file__).resolve().parent)
    while todo:
        code = (
            f"import sys; sys.path.insert(0, {tests_dir!r}); import test_reliability as t; "
            f"t.run_bounds_cases({todo!r})"
        )
        try:
            done = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                timeout=CHILD_TIMEOUT,
                env=child_env(),
            )
            stdout, stderr, returncode = done.stdout, done.stderr, done.returncode
        except subprocess.TimeoutExpired as exc:
            stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
            stderr, returncode = "the child hung", None
        started = None
        for line in stdout.splitlines():
            record = json.loads(line)
            if "start" in record:
                started = record["start"]
            else:
                results[record["case"]] = record
                started = None
        if started is None:
            if returncode != 0:  # died outside any case
                for name in todo:
                    results.setdefault(name, {"error": "CHILD FAILED", "message": stderr})
            break
        results[started] = {
            "case": started,
            "error": "CRASH" if returncode is not None else "HANG",
            "message": f"return code {returncode}: {stderr[-3000:]}",
        }
        todo = todo[todo.index(started) + 1 :]
    return results


@pytest.mark.parametrize("case", BOUNDS_CASES)
def test_out_of_range_states_are_refused_never_used(bounds_results, case):
    result = bounds_results.get(case)
    assert result is not None, f"{case} never ran"
    allowed = BOUNDS_OUTCOMES.get(case, {"ValueError"})
    assert result["error"] in allowed, (
        f"{case}: expected {' or '.join(map(str, allowed))}, got {result['error']}: "
        f"{result['message']}"
    )
