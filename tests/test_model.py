"""The Word2Vec model: training behaviour, determinism, callbacks, errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import cw2v
import cw2v.dispatcher
from cw2v.datasets import sample_corpus

RELATED = [
    ("gold", "silver"),
    ("day", "night"),
    ("sea", "waters"),
    ("father", "mother"),
    ("son", "daughter"),
    ("brass", "iron"),
]
UNRELATED = [
    ("gold", "night"),
    ("sea", "mother"),
    ("silver", "day"),
    ("father", "iron"),
    ("son", "waters"),
    ("brass", "daughter"),
]


@pytest.fixture(scope="module")
def real_text():
    """About 370k words of real English (the first lines of the sample corpus)."""
    return list(sample_corpus(max_lines=12_000))


def cw2v_threads():
    return [t for t in threading.enumerate() if t.name.startswith("cw2v-")]


@pytest.mark.parametrize(
    "params",
    [
        {"sg": 1},
        {"sg": 0, "alpha": 0.05},
        {"sg": 1, "hs": 1, "negative": 0},
        {"sg": 0, "hs": 1, "negative": 0},
    ],
    ids=["sg-ns", "cbow-ns", "sg-hs", "cbow-hs"],
)
def test_training_lowers_the_loss_and_brings_related_words_closer(real_text, params):
    model = cw2v.Word2Vec(real_text, vector_size=40, epochs=4, workers=2, **params)
    model.build_vocab()
    before = model.evaluate_loss().loss_per_word
    model.train()
    after = model.evaluate_loss().loss_per_word
    assert after < 0.95 * before
    assert model.training_loss[-1].loss_per_word < model.training_loss[0].loss_per_word
    related = np.mean([model.wv.similarity(a, b) for a, b in RELATED])
    unrelated = np.mean([model.wv.similarity(a, b) for a, b in UNRELATED])
    assert related > unrelated + 0.1


@pytest.mark.parametrize("sg", [1, 0])
def test_full_softmax_learns_predictable_contexts(sg):
    """Each word always appears beside its own partner: the full softmax
    must learn to predict it (loss far below the uniform log V)."""
    rng = np.random.default_rng(0)
    pairs = rng.integers(30, size=4000)
    sentences = [[f"left{k}", f"right{k}"] for k in pairs]
    model = cw2v.Word2Vec(
        sentences,
        sg=sg,
        softmax=True,
        negative=0,
        window=1,
        min_count=1,
        vector_size=16,
        epochs=10,
        alpha=0.05,
        sample=0,
        workers=2,
    )
    model.build_vocab()
    before = model.evaluate_loss().loss_per_word
    assert before == pytest.approx(np.log(60), rel=0.01)  # untrained: uniform over 60 words
    model.train()
    assert model.evaluate_loss().loss_per_word < 0.5 * before
    best = [model.wv.most_similar(f"left{k}", topn=1)[0][0] for k in range(3)]
    assert all(word.startswith("right") or word.startswith("left") for word in best)


def test_train_chains_and_trains_the_given_number_of_epochs(real_text):
    model = cw2v.Word2Vec(real_text[:2000], vector_size=10, epochs=2, workers=1).train()
    assert isinstance(model, cw2v.Word2Vec)
    assert model.epochs_trained == 2
    words = sum(len(s) for s in real_text[:2000])
    assert [stats.raw_words for stats in model.training_loss] == [words, words]
    assert all(stats.completed for stats in model.training_loss)
    model.train(epochs=1)
    assert model.epochs_trained == 3


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_training_loss_is_complete_with_any_number_of_workers(real_text, workers):
    text = real_text[:3000]
    model = cw2v.Word2Vec(text, vector_size=20, epochs=2, workers=workers, job_words=2000)
    model.train()
    words = sum(len(s) for s in text)
    for stats in model.training_loss:
        assert stats.raw_words == words  # every job's result was counted once
        assert stats.jobs == -(-words // 2000)  # full jobs, then the rest
        assert stats.loss > 0 and np.isfinite(stats.loss)
        assert isinstance(stats.loss, float)
        assert 0 < stats.effective_words < words
        assert stats.loss_per_word == pytest.approx(stats.loss / stats.effective_words)


DETERMINISM_SCRIPT = textwrap.dedent(
    """
    import hashlib, sys
    import cw2v
    from cw2v.datasets import sample_corpus
    text = list(sample_corpus(max_lines=1500))
    model = cw2v.Word2Vec(text, vector_size=16, epochs=2, workers=1, seed=int(sys.argv[1]),
                          min_count=2).train()
    digest = hashlib.sha256(model.wv.vectors.tobytes() + model.output_vectors.tobytes())
    print(digest.hexdigest(), " ".join(model.wv.index_to_key[:50]))
    """
)


def test_one_worker_and_a_seed_give_bit_identical_vectors_whatever_the_hash_seed():
    outputs = []
    for hash_seed, seed in (("0", 7), ("12345", 7), ("random", 7), ("0", 8)):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        run = subprocess.run(
            [sys.executable, "-c", DETERMINISM_SCRIPT, str(seed)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=True,
        )
        outputs.append(run.stdout.strip())
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[3].split()[0] != outputs[0].split()[0]  # another seed, other vectors


def test_callbacks_run_in_order_in_the_callers_thread(real_text):
    events = []

    class Recorder:
        def on_train_begin(self, model):
            events.append(("train_begin", threading.get_ident()))

        def on_epoch_begin(self, model):
            events.append(("epoch_begin", threading.get_ident()))

        def on_epoch_end(self, model):
            events.append(("epoch_end", model.epochs_trained))

        def on_train_end(self, model):
            events.append(("train_end", threading.get_ident()))

    cw2v.Word2Vec(real_text[:500], vector_size=8, epochs=2, callbacks=[Recorder()]).train()
    me = threading.get_ident()
    assert events == [
        ("train_begin", me),
        ("epoch_begin", me),
        ("epoch_end", 1),
        ("epoch_begin", me),
        ("epoch_end", 2),
        ("train_end", me),
    ]


class FailingCorpus:
    """Raises halfway through the second pass (the first pass builds the vocabulary)."""

    def __init__(self, sentences, fail_on_pass=2, fail_at=500):
        self.sentences = sentences
        self.passes = 0
        self.fail_on_pass = fail_on_pass
        self.fail_at = fail_at

    def __iter__(self):
        self.passes += 1
        for i, sentence in enumerate(self.sentences):
            if self.passes == self.fail_on_pass and i == self.fail_at:
                raise OSError("disk went away")
            yield sentence


def test_an_exception_in_the_users_iterator_reaches_the_caller(real_text):
    corpus = FailingCorpus(real_text[:3000])
    model = cw2v.Word2Vec(corpus, vector_size=8, workers=2, job_words=500)
    with pytest.raises(OSError, match="disk went away") as info:
        model.train()
    frames = [entry.name for entry in info.traceback]
    assert "__iter__" in frames  # the original traceback, down to the raising line
    assert not cw2v_threads()
    assert model.training_loss[-1].completed is False


def test_an_exception_in_a_callback_reaches_the_caller(real_text):
    class Broken:
        def on_epoch_end(self, model):
            raise RuntimeError("callback failed")

    model = cw2v.Word2Vec(real_text[:500], vector_size=8, callbacks=[Broken()])
    with pytest.raises(RuntimeError, match="callback failed"):
        model.train()
    assert model.epochs_trained == 1
    assert not cw2v_threads()


def test_an_exception_in_a_worker_reaches_the_caller(real_text, monkeypatch):
    model = cw2v.Word2Vec(real_text[:3000], vector_size=8, workers=2, job_words=500)
    make_kernel = model._make_kernel

    class FailingKernel:
        def __init__(self, kernel):
            self.kernel = kernel
            self.calls = 0

        def train_job(self, *args):
            self.calls += 1
            if self.calls == 4:
                raise MemoryError("worker ran out of memory")
            return self.kernel.train_job(*args)

    monkeypatch.setattr(model, "_make_kernel", lambda: FailingKernel(make_kernel()))
    with pytest.raises(MemoryError, match="worker ran out"):
        model.train()
    assert not cw2v_threads()


INTERRUPT_SCRIPT = textwrap.dedent(
    """
    import logging, sys
    import cw2v
    from cw2v.datasets import sample_corpus
    logging.basicConfig(level=logging.WARNING, stream=sys.stdout)
    text = list(sample_corpus(max_lines=20000))
    model = cw2v.Word2Vec(text, vector_size=50, epochs=1000, workers=2)
    model.build_vocab()
    print("training", flush=True)
    try:
        model.train()
    except KeyboardInterrupt:
        print("interrupted", model.epochs_trained, flush=True)
    neighbours = model.wv.most_similar("gold", topn=3)
    assert len(neighbours) == 3
    print("usable", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT cannot be sent to a child on Windows")
def test_keyboard_interrupt_stops_training_quickly_and_leaves_a_usable_model():
    process = subprocess.Popen(
        [sys.executable, "-c", INTERRUPT_SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "training"
        time.sleep(1.5)
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        stopped_after = time.monotonic() - sent
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "training interrupted in epoch" in out
    assert "interrupted" in out and "usable" in out
    assert stopped_after < 10  # a second or so, with slack for a loaded machine


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"vector_size": 0}, ValueError, "vector_size must be >= 1"),
        ({"window": 0}, ValueError, "window must be >= 1"),
        ({"negative": -1}, ValueError, "negative must be >= 0"),
        ({"sample": -0.1}, ValueError, "sample must be"),
        ({"alpha": 0}, ValueError, "alpha must be"),
        ({"alpha": float("nan")}, ValueError, "alpha must be"),
        ({"workers": 0}, ValueError, "workers must be >= 1"),
        ({"epochs": 0}, ValueError, "epochs must be >= 1"),
        ({"vector_size": 10.5}, TypeError, "vector_size must be an int"),
        ({"min_alpha": 0.5}, ValueError, "must not exceed alpha"),
        ({"sg": 2}, ValueError, "sg must be 1"),
        ({"hs": 1}, ValueError, "each choose a loss.*negative=0"),
        ({"softmax": True}, ValueError, "each choose a loss"),
        ({"negative": 0}, ValueError, "no loss chosen"),
        ({"cbow_update": "fast"}, ValueError, "cbow_update"),
        ({"callbacks": [object()]}, TypeError, "has none of the methods"),
        ({"trim_rule": 3}, TypeError, "trim_rule must be callable"),
        ({"window": 2**31 - 1}, ValueError, r"window must be >= 1 and <= 100000"),
        ({"negative": 2**40}, ValueError, r"negative must be >= 0 and <= 10000"),
        ({"shared_negatives": "no"}, TypeError, "shared_negatives must be True or False"),
        ({"cbow_mean": 2}, TypeError, "cbow_mean must be True or False"),
    ],
)
def test_invalid_parameters_are_rejected_with_a_clear_message(kwargs, error, message):
    with pytest.raises(error, match=message):
        cw2v.Word2Vec(**kwargs)


def test_bad_corpora_are_rejected_with_advice():
    with pytest.raises(TypeError, match="one-shot iterator"):
        cw2v.Word2Vec(line.split() for line in ["a b", "c d"])
    with pytest.raises(TypeError, match="is a str"):
        cw2v.Word2Vec(["not split"], min_count=1).train()
    with pytest.raises(TypeError, match="token of type int"):
        cw2v.Word2Vec([[1, 2, 3]], min_count=1).train()
    with pytest.raises(ValueError, match="no corpus"):
        cw2v.Word2Vec().train()
    with pytest.raises(ValueError, match="min_count"):
        cw2v.Word2Vec([["rare", "words"]], min_count=5).train()


def test_an_iterable_exhausted_after_one_pass_is_reported():
    class OnePass:
        def __init__(self):
            self.data = iter([["a", "b", "a", "b"]] * 20)

        def __iter__(self):
            return (sentence for sentence in self.data)

    with pytest.raises(ValueError, match=r"yielded no words.*re-iterable"):
        cw2v.Word2Vec(OnePass(), min_count=1, vector_size=4).train()


def test_sentences_longer_than_a_job_are_split_not_truncated():
    rng = np.random.default_rng(0)
    long_sentence = [f"w{i}" for i in rng.integers(50, size=25_000)]
    model = cw2v.Word2Vec([long_sentence], vector_size=8, job_words=10_000, epochs=1, workers=2)
    model.train()
    assert model.training_loss[0].raw_words == 25_000
    assert model.training_loss[0].jobs == 3


def test_build_vocab_update_keeps_known_vectors_and_adds_new_words(real_text):
    model = cw2v.Word2Vec(real_text[:2000], vector_size=12, epochs=1, workers=1).train()
    old_words = list(model.wv.index_to_key)
    old_vectors = model.wv.vectors.copy()
    extra = [["zyzzyva", "quokka", "the"]] * 10
    model.build_vocab(extra, update=True)
    assert model.wv.index_to_key[: len(old_words)] == old_words
    assert {"zyzzyva", "quokka"} <= set(model.wv.index_to_key[len(old_words) :])
    np.testing.assert_array_equal(model.wv.vectors[: len(old_words)], old_vectors)
    assert model.output_vectors.shape[0] == len(model.wv)
    quokka = model.wv["quokka"].copy()
    model.train(extra, epochs=2)
    assert not np.array_equal(model.wv["quokka"], quokka)


def test_continued_training_on_another_corpus_counts_its_words(real_text):
    model = cw2v.Word2Vec(real_text[:1000], vector_size=8, epochs=1, workers=1).train()
    other = real_text[1000:1500]
    model.train(other, epochs=1)
    assert model.training_loss[-1].raw_words == sum(len(s) for s in other)


def test_progress_bar_shows_words_per_second_and_loss(real_text, capsys):
    cw2v.Word2Vec(real_text[:2000], vector_size=8, epochs=1, progress=True).train()
    err = capsys.readouterr().err
    assert "training" in err and "word/s" in err and "loss=" in err


def test_file_corpus_feeds_the_kernel_the_same_words_as_sentences_in_memory(tmp_path, real_text):
    text = real_text[:1500]
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in text) + "\n")
    from_file = cw2v.Word2Vec(str(path), vector_size=8, workers=1, epochs=1).build_vocab()
    in_memory = cw2v.Word2Vec(text, vector_size=8, workers=1, epochs=1).build_vocab()
    assert from_file.wv.index_to_key == in_memory.wv.index_to_key
    np.testing.assert_array_equal(from_file.vocab.counts, in_memory.vocab.counts)
    # the workers' encoding of the file's pieces equals the producer's encoding
    # of the sentences: same ids, same sentence boundaries
    schedule = cw2v.dispatcher.Schedule(0.025, 0.0001, 1)
    file_jobs, encoder = from_file._jobs(from_file.corpus, schedule, 0, 0)
    memory_jobs, _ = in_memory._jobs(in_memory.corpus, schedule, 0, 0)

    def stream(jobs, encode):
        """All ids back to back, and where sentences end in that stream."""
        ids_all, ends, done = [], set(), 0
        for job in jobs:
            ids, offsets = encode(job)
            ids_all += ids.tolist()
            ends |= {done + int(end) for end in offsets[1:]}
            done += len(ids)
        return ids_all, ends

    file_ids, file_ends = stream(file_jobs, lambda job: encoder.encode(job.text))
    memory_ids, memory_ends = stream(memory_jobs, lambda job: (job.ids, job.offsets))
    assert file_ids == memory_ids
    # sentences end at the same places, except that the in-memory path also cuts
    # a sentence at every job boundary (every job_words words)
    assert file_ends <= memory_ends
    assert all(end % in_memory.job_words == 0 for end in memory_ends - file_ends)
    from_file.train()
    in_memory.train()
    assert from_file.evaluate_loss().loss_per_word == pytest.approx(
        in_memory.evaluate_loss().loss_per_word, rel=0.02
    )


def test_a_saved_model_resumes_training_exactly(tmp_path, real_text):
    text = real_text[:1500]
    straight = cw2v.Word2Vec(text, vector_size=12, workers=1, epochs=1, hs=1, negative=0)
    straight.train().train()
    first = cw2v.Word2Vec(text, vector_size=12, workers=1, epochs=1, hs=1, negative=0).train()
    first.save(tmp_path / "model.cw2v")
    resumed = cw2v.Word2Vec.load(tmp_path / "model.cw2v")
    assert resumed.epochs_trained == 1 and resumed.loss == "hs"
    assert resumed.training_loss == first.training_loss
    resumed.train(text)
    np.testing.assert_array_equal(resumed.wv.vectors, straight.wv.vectors)
    np.testing.assert_array_equal(resumed.output_vectors, straight.output_vectors)
    assert resumed.wv.index_to_key == straight.wv.index_to_key
    assert resumed.vocab.counts.tolist() == straight.vocab.counts.tolist()


def test_a_memory_mapped_model_answers_queries_but_refuses_to_train(tmp_path, real_text):
    model = cw2v.Word2Vec(real_text[:800], vector_size=8, workers=1, epochs=1).train()
    model.save(tmp_path / "model.cw2v")
    mapped = cw2v.Word2Vec.load(tmp_path / "model.cw2v", mmap=True)
    assert mapped.wv.most_similar("the", topn=3) == model.wv.most_similar("the", topn=3)
    with pytest.raises(ValueError, match="read-only"):
        mapped.train(real_text[:800])


def test_loading_something_else_than_a_model_is_a_clear_error(tmp_path, real_text):
    model = cw2v.Word2Vec(real_text[:800], vector_size=8, workers=1, epochs=1).train()
    model.wv.save(tmp_path / "vectors.cw2v")
    with pytest.raises(ValueError, match=r"not a saved cw2v model.*KeyedVectors\.load"):
        cw2v.Word2Vec.load(tmp_path / "vectors.cw2v")
    with pytest.raises(ValueError, match="nothing to save"):
        cw2v.Word2Vec(real_text[:10]).save(tmp_path / "empty.cw2v")


def test_plot_loss_draws_the_loss_per_epoch(tmp_path, real_text):
    pytest.importorskip("matplotlib")
    model = cw2v.Word2Vec(real_text[:500], vector_size=8, epochs=2, workers=1).train()
    path = model.plot_loss(tmp_path / "loss.png")
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_the_kernels_largest_window_and_negative_are_accepted():
    from cw2v import _core

    text = [["a", "b", "c", "d", "e"]] * 20
    for option in ({"window": _core.MAX_WINDOW}, {"negative": _core.MAX_NEGATIVE}):
        model = cw2v.Word2Vec(text, min_count=1, vector_size=4, workers=1, epochs=1, **option)
        assert model.train().training_loss[-1].completed


def test_words_added_with_add_vectors_train_after_build_vocab_update(tmp_path):
    text = [["a", "b", "c", "d"]] * 50
    model = cw2v.Word2Vec(text, min_count=1, vector_size=4, workers=1, epochs=1, sample=0)
    model.train()
    model.wv.add_vectors(["new", "absent"], np.full((2, 4), 0.5, dtype=np.float32))
    for step in (model.train, model.evaluate_loss, lambda: model.save(tmp_path / "m.cw2v")):
        with pytest.raises(ValueError, match=r"add_vectors.*build_vocab\(sentences, update=True\)"):
            step()
    more = [["new", "a", "b"]] * 20
    model.build_vocab(more, update=True)  # "absent" is not in it: dropped, with a warning
    assert model.wv.index_to_key == ["a", "b", "c", "d", "new"] == model.vocab.index_to_key
    assert model.wv["new"].tolist() == [0.5] * 4  # the added vector is its starting point
    model.train()
    assert model.wv["new"].tolist() != [0.5] * 4
    model.save(tmp_path / "m.cw2v")


def test_replaced_vectors_are_a_clear_error():
    model = cw2v.Word2Vec([["a", "b"]] * 20, min_count=1, vector_size=4, workers=1, epochs=1)
    model.build_vocab()
    model.wv = cw2v.KeyedVectors(["x", "y"], np.zeros((2, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="no longer holds the model's vocabulary"):
        model.train()
    with pytest.raises(ValueError, match="no longer holds the model's vocabulary"):
        model.build_vocab([["a"]], update=True)


def test_weights_that_become_non_finite_stop_training_as_divergence():
    """A NaN row of a word the corpus lacks never reaches the loss; the check of the
    weights after each epoch finds it."""
    model = cw2v.Word2Vec([["a", "b", "c"]] * 30 + [["rare"]], min_count=1, vector_size=4)
    model.build_vocab()
    model.wv.vectors[model.wv.key_to_index["rare"]] = np.nan
    calls = []

    class Recorder:
        def on_epoch_end(self, m):
            calls.append(m.epochs_trained)

    model.callbacks = (Recorder(),)
    with pytest.raises(cw2v.dispatcher.TrainingDiverged, match=r"epoch 1 the vectors.*alpha"):
        model.train([["a", "b", "c"]] * 30, epochs=2)
    assert calls == []  # callbacks never see the broken weights
    model.wv.vectors[model.wv.key_to_index["rare"]] = 0.0
    model.output_vectors[0] = np.inf
    with pytest.raises(cw2v.dispatcher.TrainingDiverged, match="output weights"):
        model.train([["rare"]] * 30, epochs=1)


@pytest.mark.parametrize(
    ("where", "key", "value", "message"),
    [
        ("params", "workers", 0, "workers must be >= 1"),
        ("params", "window", 10**9, "window must be"),
        ("params", "vector_size", 7, "dimension 6 but the parameter vector_size is 7"),
        ("params", "negative", 0, "no loss chosen"),
        ("state", "epochs_trained", "1", "epochs_trained must be an int"),
        ("state", "current_alpha", -0.5, "current_alpha must be finite and >= 0"),
        ("vocabulary", "total_words", -1, "total_words must be >= 0"),
        ("", "training_loss", [{"raw_words": "many"}], "raw_words must be an int"),
        ("", "training_loss", {"raw_words": 1}, "training_loss must be a list"),
        ("", "format_version", True, "format version True"),
        ("", "state", [], "'state' must be a mapping"),
    ],
)
def test_load_checks_every_stored_value_and_names_the_file(tmp_path, where, key, value, message):
    from cw2v.formats import load_arrays, save_arrays

    text = [["a", "b", "c"]] * 20
    cw2v.Word2Vec(text, min_count=1, vector_size=6, workers=1, epochs=1).train().save(
        tmp_path / "good.cw2v"
    )
    meta, arrays = load_arrays(tmp_path / "good.cw2v")
    (meta if where == "" else meta[where])[key] = value
    save_arrays(tmp_path / "bad.cw2v", meta, arrays)
    with pytest.raises(ValueError, match=rf"bad\.cw2v.*{message}"):
        cw2v.Word2Vec.load(tmp_path / "bad.cw2v")


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        ("output_vectors", np.asfortranarray, "not stored in C order"),
        ("output_vectors", lambda x: x[:-1], r"do not fit 3 words"),
        ("wv_counts", np.zeros_like, "count must be >= 1"),
        ("wv_counts", lambda x: x[:, None], "1-d array of integers"),
        ("wv_counts", lambda x: x.astype(np.float64), "1-d array of integers"),
    ],
)
def test_load_checks_the_arrays_and_names_the_file(tmp_path, name, edit, message):
    from cw2v.formats import load_arrays, save_arrays

    text = [["a", "b", "c"]] * 20
    cw2v.Word2Vec(text, min_count=1, vector_size=6, workers=1, epochs=1).train().save(
        tmp_path / "good.cw2v"
    )
    meta, arrays = load_arrays(tmp_path / "good.cw2v")
    arrays = {k: np.array(v) for k, v in arrays.items()}
    arrays[name] = edit(arrays[name])
    save_arrays(tmp_path / "bad.cw2v", meta, arrays)
    for mmap in (False, True):
        with pytest.raises(ValueError, match=rf"bad\.cw2v.*{message}"):
            cw2v.Word2Vec.load(tmp_path / "bad.cw2v", mmap=mmap)


def test_a_file_corpus_read_with_surrogateescape_trains_its_undecodable_words(tmp_path):
    from cw2v.corpus import FileCorpus

    path = tmp_path / "latin1.txt"
    path.write_bytes(b"caf\xe9 au lait\n" * 200)
    corpus = FileCorpus(path, errors="surrogateescape")
    model = cw2v.Word2Vec(corpus, min_count=1, vector_size=4, workers=1, sample=0)
    model.build_vocab()
    before = model.wv["caf\udce9"].copy()
    stats = model.train(epochs=1).training_loss[-1]
    assert stats.effective_words == stats.raw_words == 600  # no word is unknown
    assert not np.array_equal(model.wv["caf\udce9"], before)
