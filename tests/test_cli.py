"""The ``cw2v`` command, run as ``python -m cw2v`` in subprocesses (plus a few in-process
checks of argument handling and of the plotting helpers)."""

from __future__ import annotations

import collections
import importlib.util
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from cw2v.cli import main
from cw2v.datasets import sample_corpus
from cw2v.dispatcher import EpochStats
from cw2v.model import Word2Vec
from cw2v.plotting import pca_2d, plot_loss
from cw2v.vectors import KeyedVectors

REPO = Path(__file__).resolve().parents[1]
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
needs_matplotlib = pytest.mark.skipif(not HAS_MATPLOTLIB, reason="matplotlib is not installed")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CW2V_DEBUG", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def run(*args: str, cwd: Path, env: dict[str, str] | None = None, code: str | None = None):
    """Run ``python -m cw2v ARGS`` (or ``python -c CODE ARGS``) and return the result."""
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "cw2v"]
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        env=env or _env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_error_line(stderr: str) -> str:
    """The error is one ``cw2v: error:`` line and there is no traceback."""
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if "error" in line]
    assert len(errors) == 1, stderr
    assert errors[0].startswith("cw2v: error: ")
    return errors[0]


def neighbour_words(stdout: str) -> list[str]:
    """The words of the ranked lines ``  1  word  0.1234``."""
    return [m.group(1) for m in re.finditer(r"^\s+\d+\s+(\S+)\s+-?\d\.\d{4}$", stdout, re.M)]


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A corpus of 3000 lines of real text and the vectors and model trained on it."""
    root = tmp_path_factory.mktemp("cli")
    lines = [" ".join(tokens) for tokens in sample_corpus(max_lines=3000)]
    (root / "corpus.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    extra = ["--plot-loss", "loss.png"] if HAS_MATPLOTLIB else []
    result = run(
        "train", "corpus.txt", "-o", "vectors.bin", "--save-model", "model.cw2v",
        "--dim", "20", "--epochs", "2", "--min-count", "2", "--workers", "1", "--seed", "7",
        "--quiet", *extra,
        cwd=root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    counts = collections.Counter(word for line in lines for word in line.split())
    return SimpleNamespace(
        root=root,
        result=result,
        counts=counts,
        wv=KeyedVectors.load_word2vec_format(root / "vectors.bin", binary=True),
    )


# --------------------------------------------------------------------------- train


def test_train_quiet_writes_vectors_and_model_and_prints_nothing(work):
    assert work.result.stdout == ""
    assert work.result.stderr == ""
    expected = {word for word, n in work.counts.items() if n >= 2}  # --min-count 2
    assert set(work.wv.index_to_key) == expected
    assert work.wv.vector_size == 20
    model = Word2Vec.load(work.root / "model.cw2v")
    assert (model.vector_size, model.epochs_trained, model.min_count) == (20, 2, 2)
    assert model.wv.index_to_key == work.wv.index_to_key
    np.testing.assert_array_equal(model.wv.vectors, work.wv.vectors)


@needs_matplotlib
def test_train_plot_loss_writes_a_png(work):
    data = (work.root / "loss.png").read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 5000


def test_train_sample_prints_a_summary_and_logs(tmp_path):
    result = run(
        "train", "sample", "-o", "sample.txt", "--epochs", "1", "--dim", "10", "--workers", "2",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    wv = KeyedVectors.load_word2vec_format(tmp_path / "sample.txt", binary=False)
    assert (tmp_path / "sample.txt").read_text(encoding="utf-8").startswith(f"{len(wv)} 10\n")
    assert f"vocabulary: {len(wv):,} words" in result.stdout
    assert "sample.txt (text word2vec format)" in result.stdout
    assert "final loss:" in result.stdout
    assert "cw2v: vocabulary:" in result.stderr  # INFO log lines go to stderr
    assert "Traceback" not in result.stderr


def test_train_shows_the_neighbours_of_the_words_asked_for(tmp_path):
    result = run(
        "train", "sample", "-o", "v.bin", "--epochs", "1", "--dim", "10", "--workers", "2",
        "--show", "gold", "notaword", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    wv = KeyedVectors.load_word2vec_format(tmp_path / "v.bin")
    expected = ", ".join(word for word, _ in wv.most_similar("gold", topn=6))
    assert f"neighbours of 'gold': {expected}" in result.stdout
    assert "neighbours of 'notaword': not in the vocabulary" in result.stdout


def test_word2vec_c_spelling_trains_a_binary_file(work):
    result = run(
        "-train", "corpus.txt", "-output", "w2v.bin", "-size", "20", "-cbow", "0", "-iter", "1",
        "-min-count", "2", "-threads", "2", "-binary", "1", "--quiet",
        cwd=work.root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    wv = KeyedVectors.load_word2vec_format(work.root / "w2v.bin", binary=True)
    assert wv.vector_size == 20
    assert wv.index_to_key == work.wv.index_to_key  # same vocabulary, same order


def test_word2vec_c_defaults_are_word2vec_c_s(work):
    result = run(
        "train", "-train", "corpus.txt", "-output", "w2v-defaults", "-size", "10", "-iter", "1",
        "-min-count", "2", "-threads", "1", "-debug", "0", "--save-model", "w2v.cw2v",
        cwd=work.root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")  # -debug 0 is silent
    header, first = (work.root / "w2v-defaults").read_bytes().split(b"\n")[:2]
    assert header == f"{len(work.wv)} 10".encode()
    assert len(first.split()) == 11  # -binary 0: text, word and 10 numbers
    model = Word2Vec.load(work.root / "w2v.cw2v")
    assert model.sg == 0  # -cbow 1 by default
    assert model.alpha == pytest.approx(0.05)  # word2vec.c's CBOW rate
    assert model.min_alpha == pytest.approx(0.05 * 1e-4)
    assert (model.loss, model.negative, model.window) == ("ns", 5, 5)


def test_word2vec_c_hs_with_negative_asks_for_negative_0(tmp_path, capsys):
    code = main(["-train", str(tmp_path / "c.txt"), "-output", "o.bin", "-hs", "1"])
    assert code == 2
    line = assert_one_error_line(capsys.readouterr().err)
    assert "-negative 0" in line


def test_mixing_spellings_is_a_usage_error(capsys):
    assert main(["train", "corpus.txt", "-o", "v.bin", "-size", "10"]) == 2
    assert "-size" in assert_one_error_line(capsys.readouterr().err)


# --------------------------------------------------------------------------- queries


@pytest.mark.parametrize("source", ["vectors.bin", "model.cw2v"])
def test_similar_lists_the_nearest_words(work, source):
    word = work.wv.index_to_key[50]
    result = run("similar", source, word, "-n", "5", cwd=work.root)
    assert result.returncode == 0, result.stderr
    expected = [w for w, _ in work.wv.most_similar(word, topn=5)]
    assert neighbour_words(result.stdout) == expected


def test_analogy_is_b_minus_a_plus_c(work):
    a, b, c = work.wv.index_to_key[30:33]
    result = run("analogy", "vectors.bin", a, b, c, "-n", "4", cwd=work.root)
    assert result.returncode == 0, result.stderr
    expected = work.wv.most_similar(positive=[b, c], negative=[a], topn=4)
    assert neighbour_words(result.stdout) == [w for w, _ in expected]


def test_evaluate_reads_given_pair_and_analogy_files(work):
    wv, root = work.wv, work.root
    rng = np.random.default_rng(0)
    words = wv.index_to_key[20:400]
    pairs = [tuple(rng.choice(words, 2, replace=False)) for _ in range(30)]
    # Human scores that are exactly the model's cosines: both correlations are 1.
    lines = [f"{a}\t{b}\t{wv.similarity(a, b):.6f}" for a, b in pairs]
    lines += ["qqqzz\tthe\t5.0", "the\tzzqqq\t1.0"]  # unknown words
    (root / "pairs.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Analogies: two answered right (d is the model's answer), one answered wrong.
    quads = []
    for a, b, c in (words[0:3], words[3:6], words[6:9]):
        quads.append((a, b, c, wv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0]))
    quads[2] = (*quads[2][:3], next(w for w in words if w not in quads[2]))
    text = ": section\n" + "".join(" ".join(q) + "\n" for q in quads)
    (root / "questions.txt").write_text(text, encoding="utf-8")

    result = run(
        "evaluate", "vectors.bin", "--pairs", "pairs.txt", "--analogies", "questions.txt",
        cwd=root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("pairs.txt"))
    spearman, pearson, used, unknown = row.split()[1:]
    assert float(spearman) == pytest.approx(1.0, abs=1e-3)
    assert float(pearson) == pytest.approx(1.0, abs=1e-3)
    assert int(used) == 30
    assert unknown == f"{100 * 2 / 32:.1f}%"
    total = next(line for line in result.stdout.splitlines() if line.startswith("total"))
    assert "(2/3)" in total
    assert "wordsim353" not in result.stdout  # the bundled sets run only by default


# --------------------------------------------------------------------------- convert


def test_convert_round_trips_between_every_format(work):
    root, wv = work.root, work.wv
    steps = [
        ("vectors.bin", "c.txt", []),
        ("c.txt", "c.cw2v", []),
        ("c.cw2v", "c.out", ["--to", "binary"]),
        ("model.cw2v", "m.vec", []),  # a native model gives its vectors
    ]
    for source, target, extra in steps:
        result = run("convert", source, target, *extra, cwd=root)
        assert result.returncode == 0, result.stderr
    assert (root / "c.txt").read_text(encoding="utf-8").startswith(f"{len(wv)} 20\n")
    assert (root / "c.cw2v").read_bytes().startswith(b"PK\x03\x04")
    loaded = {
        "c.txt": KeyedVectors.load_word2vec_format(root / "c.txt", binary=False),
        "c.cw2v": KeyedVectors.load(root / "c.cw2v"),
        "c.out": KeyedVectors.load_word2vec_format(root / "c.out", binary=True),
        "m.vec": KeyedVectors.load_word2vec_format(root / "m.vec", binary=False),
    }
    for name, other in loaded.items():
        assert other.index_to_key == wv.index_to_key, name
        np.testing.assert_array_equal(other.vectors, wv.vectors, err_msg=name)


def test_convert_needs_a_format_it_can_tell(capsys):
    assert main(["convert", "vectors.bin", "vectors.unknown"]) == 2
    assert "--to" in assert_one_error_line(capsys.readouterr().err)


# --------------------------------------------------------------------------- plot


@needs_matplotlib
def test_plot_draws_a_png_map(work):
    words = work.wv.index_to_key[40:43]
    result = run("plot", "vectors.bin", *words, "-o", "map.png", "--neighbours", "6", cwd=work.root)
    assert result.returncode == 0, result.stderr
    data = (work.root / "map.png").read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 5000


def test_without_matplotlib_plotting_says_how_to_install_it(work):
    # Simulate a missing matplotlib: a None entry in sys.modules makes the import fail.
    code = "import sys; sys.modules['matplotlib'] = None; from cw2v.cli import main; "
    code += "sys.exit(main(sys.argv[1:]))"
    word = work.wv.index_to_key[40]
    result = run("plot", "vectors.bin", word, "-o", "nompl.png", cwd=work.root, code=code)
    assert result.returncode == 1
    assert 'pip install "cw2v[plot]"' in assert_one_error_line(result.stderr)
    result = run(
        "train", "corpus.txt", "-o", "nompl.bin", "--plot-loss", "nompl-loss.png",
        cwd=work.root, code=code,
    )  # fmt: skip
    assert result.returncode == 1
    assert 'pip install "cw2v[plot]"' in assert_one_error_line(result.stderr)
    assert not (work.root / "nompl.bin").exists()  # refused before training, not after


def test_pca_2d_keeps_distances_of_planar_points():
    rng = np.random.default_rng(1)
    flat = rng.normal(size=(12, 2)) * [5.0, 1.0]
    basis, _ = np.linalg.qr(rng.normal(size=(7, 2)))  # an orthonormal plane in 7-D
    xy = pca_2d(flat @ basis.T + 3.0)

    def distances(points):
        return np.linalg.norm(points[:, None] - points[None], axis=-1)

    np.testing.assert_allclose(distances(xy), distances(flat), atol=1e-9)
    assert xy[:, 0].var() >= xy[:, 1].var()  # the first axis has the most variance


@needs_matplotlib
def test_plot_loss_draws_partial_epochs_and_refuses_nothing(tmp_path):
    history = [
        EpochStats(raw_words=100, effective_words=90, loss=300.0, completed=True),
        EpochStats(raw_words=40, effective_words=30, loss=80.0, completed=False),
    ]
    path = plot_loss(history, tmp_path / "loss.png")
    assert path.read_bytes().startswith(PNG_MAGIC)
    with pytest.raises(ValueError, match="no epoch"):
        plot_loss([], tmp_path / "empty.png")


# --------------------------------------------------------------------------- errors


def test_missing_corpus_is_one_line_and_exit_1(tmp_path):
    result = run("train", "no-such-corpus.txt", "-o", "v.bin", cwd=tmp_path)
    assert result.returncode == 1
    assert "no-such-corpus.txt" in assert_one_error_line(result.stderr)
    assert result.stdout == ""


def test_unknown_word_is_named_and_exit_1(work):
    result = run("similar", "vectors.bin", "zzqqxxunknown", cwd=work.root)
    assert result.returncode == 1
    assert "zzqqxxunknown" in assert_one_error_line(result.stderr)
    assert result.stdout == ""


def test_usage_error_exits_2(work):
    result = run("similar", "vectors.bin", cwd=work.root)  # no WORD
    assert result.returncode == 2
    assert "WORD" in assert_one_error_line(result.stderr)


@pytest.mark.parametrize(
    "argv, mentions",
    [
        ([], "COMMAND"),
        (["frobnicate"], "frobnicate"),
        (["train", "corpus.txt", "-o", "v.bin", "--dim", "0"], "--dim"),
        (["train", "corpus.txt"], "-o"),
        (["train", "corpus.txt", "-o", "v.bin", "--hs", "--negative", "5"], "--negative"),
        (["-train", "corpus.txt"], "-output"),
    ],
)
def test_usage_errors_in_process(argv, mentions, capsys):
    assert main(argv) == 2
    assert mentions in assert_one_error_line(capsys.readouterr().err)


def test_debug_shows_the_traceback(work):
    env = _env()
    env["CW2V_DEBUG"] = "1"
    result = run("similar", "vectors.bin", "zzqqxxunknown", cwd=work.root, env=env)
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "KeyError" in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_interrupt_saves_what_was_learnt_and_exits_130(tmp_path):
    command = [
        sys.executable, "-m", "cw2v", "train", "sample", "-o", "partial.bin",
        "--epochs", "100", "--dim", "30", "--workers", "1",
    ]  # fmt: skip
    proc = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell may start background jobs with SIGINT ignored; Python must see it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        seen = []
        for line in proc.stderr:  # the vocabulary log line: training starts next
            seen.append(line)
            if "cw2v: vocabulary:" in line:
                break
        else:
            pytest.fail(f"no vocabulary line: {''.join(seen)}")
        time.sleep(1.0)  # into the first epoch (100 epochs take minutes)
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in rest
    assert "interrupted" in rest
    wv = KeyedVectors.load_word2vec_format(tmp_path / "partial.bin", binary=True)
    assert wv.vector_size == 30
    assert "saved vectors: partial.bin" in rest


def test_loading_a_vectors_file_can_show_a_progress_bar(work, capsys):
    from cw2v.cli import load_vectors

    wv = load_vectors(str(work.root / "vectors.bin"), progress=True)
    err = capsys.readouterr().err
    assert "loading: 100%" in err and "vector/s" in err and len(wv) > 1000
