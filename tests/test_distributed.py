"""Distributed training: the averaging algorithm, and runs on Ray and Spark.

The algorithm's tests need neither engine. The engine tests train on the
first 6,000 lines of the bundled sample corpus, split into two files, and
are skipped when Ray or PySpark is not installed (``pip install cw2v[ray]``,
``cw2v[spark]``).
"""

from __future__ import annotations

import gzip
import itertools
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import cw2v
from cw2v.datasets import sample_corpus_path
from cw2v.distributed import DistributedTrainingError
from cw2v.distributed._sync import (
    Block,
    ChunkCursor,
    RoundTask,
    RowUpdate,
    ShardTrainer,
    apply_updates,
    average_updates,
    build_model,
    build_vocabulary,
    check_params,
    merge_counts,
    plan_rounds,
    resolve_averaging,
)
from cw2v.vocab import count_words

PARAMS = {"vector_size": 40, "min_count": 3, "epochs": 5, "seed": 3}
RELATED = [("day", "night"), ("man", "woman"), ("father", "mother"), ("god", "lord")]


# ---------------------------------------------------------------------------
# the algorithm, without an engine
# ---------------------------------------------------------------------------


def test_rounds_follow_global_progress():
    shard_words = [30, 10, 25]
    plan = plan_rounds(shard_words, sync_every_words=10, epochs=2, alpha=0.5, min_alpha=0.1)
    assert len(plan) == 2 * 3  # the largest shard needs 3 rounds per epoch
    total = 2 * sum(shard_words)
    done = 0
    for position, tasks in enumerate(plan):
        assert [t.words for t in tasks] == [
            max(0, min(10, n - tasks[0].index * 10)) for n in shard_words
        ]
        # every shard starts and ends the round at the rate of the *global* progress
        assert [t.alpha_start for t in tasks] == pytest.approx([0.5 - 0.4 * done / total] * 3)
        done += sum(t.words for t in tasks)
        assert [t.alpha_end for t in tasks] == pytest.approx([0.5 - 0.4 * done / total] * 3)
        assert {t.round for t in tasks} == {position}
    assert done == total


def test_hot_rows_sync_every_round_and_all_rows_every_few():
    shard_words = [100, 60]
    plan = plan_rounds(
        shard_words,
        sync_every_words=40,
        epochs=2,
        alpha=0.5,
        min_alpha=0.1,
        hot_rows=5,
        hot_sync_every_words=10,
    )
    assert len(plan) == 2 * 10  # rounds of the hot interval
    # all rows every 40 words (4 rounds of 10) and at the end of every epoch
    full = [position for position, tasks in enumerate(plan) if tasks[0].hot_rows is None]
    assert full == [3, 7, 9, 13, 17, 19]
    assert all(t.hot_rows == 5 for p, tasks in enumerate(plan) if p not in full for t in tasks)
    assert [t.words for t in plan[9]] == [10, 0]
    total, done = 2 * sum(shard_words), 0
    for tasks in plan:  # the learning rate still follows the global progress
        assert tasks[0].alpha_start == pytest.approx(0.5 - 0.4 * done / total)
        done += sum(t.words for t in tasks)
    assert done == total
    # without hot rows, or with a hot interval no shorter than the full one: every sync is full
    for hot_rows, every in ((0, 10), (5, 40), (5, None)):
        plain = plan_rounds(
            shard_words,
            sync_every_words=40,
            epochs=2,
            alpha=0.5,
            min_alpha=0.1,
            hot_rows=hot_rows,
            hot_sync_every_words=every,
        )
        assert len(plain) == 2 * 3 and all(t.hot_rows is None for ts in plain for t in ts)


def test_cursor_hands_out_exact_word_counts_and_keeps_sentences():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 9, size=40)
    ends = np.cumsum(lengths)
    ids = np.arange(ends[-1], dtype=np.int32)
    chunks = []
    for lo, hi in ((0, 10), (10, 25), (25, 40)):  # chunks of whole sentences
        start = 0 if lo == 0 else ends[lo - 1]
        chunks.append((ids[start : ends[hi - 1]], np.concatenate(([0], ends[lo:hi] - start))))
    cursor = ChunkCursor(iter(chunks))
    taken, cuts, position = [], set(), 0
    for want in (7, 50, 1, 33, 10_000):
        got = list(cursor.take(want))
        words = sum(len(i) for i, _ in got)
        assert words == min(want, len(ids) - position)
        for part, offsets in got:
            assert offsets[0] == 0 and offsets[-1] == len(part)
            assert np.all(np.diff(offsets) > 0)
            cuts.update((position + offsets).tolist())
            taken.append(part)
            position += len(part)
    assert np.array_equal(np.concatenate(taken), ids)
    assert set(ends.tolist()) <= cuts  # every sentence end is still an end


def _block(size, rows, value, weights, d=3):
    return Block(
        0,
        size,
        np.array(rows, dtype=np.int64),
        np.full((len(rows), d), value, np.float32),
        np.array(weights, dtype=float),
    )


def _dense(block):
    """The block's changes as a full matrix, and its weights per row."""
    deltas = np.zeros((block.stop - block.start, block.deltas.shape[1]), np.float32)
    weights = np.zeros(block.stop - block.start)
    at = slice(None) if block.rows is None else block.rows - block.start
    deltas[at], weights[at] = block.deltas, block.weights
    return deltas, weights


def test_updates_combine_by_row():
    a = RowUpdate(_block(6, [0, 2], 1.0, [1, 3]), _block(4, [1], 4.0, [2]))
    b = RowUpdate(_block(6, [2, 5], 5.0, [1, 1]), _block(4, [1, 3], 1.0, [1, 7]))
    weighted = average_updates([a, b], "weighted")
    # a row sent by one trainer keeps its change; a shared row gets the weighted mean
    deltas, weights = _dense(weighted.input)
    assert weighted.input.changed_rows().tolist() == [0, 2, 5]
    assert np.allclose(deltas[:, 0], [1.0, 0, (3 * 1 + 1 * 5) / 4, 0, 0, 5.0])
    assert weights.tolist() == [1.0, 0, 4.0, 0, 0, 1.0]
    deltas, _ = _dense(weighted.output)
    assert np.allclose(deltas[:, 0], [0, (2 * 4 + 1 * 1) / 3, 0, 1.0])
    summed = average_updates([a, b], "sum")
    assert np.allclose(_dense(summed.input)[0][:, 0], [1.0, 0, 6.0, 0, 0, 5.0])
    assert np.allclose(_dense(summed.output)[0][:, 0], [0, 5.0, 0, 1.0])
    # split into consecutive row ranges, combined part by part: the same result
    pairs = zip(a.split(2), b.split(2), strict=True)
    parts = [average_updates(pair, "weighted") for pair in pairs]
    assert [(p.input.start, p.input.stop) for p in parts] == [(0, 3), (3, 6)]
    joined = np.concatenate([_dense(p.input)[0] for p in parts])
    assert np.allclose(joined, _dense(weighted.input)[0])
    # adding the combined changes to a synchronised matrix
    matrix = np.ones((6, 3), np.float32)
    summed.input.add_to(matrix)
    assert np.allclose(matrix[:, 0], [2.0, 1, 7.0, 1, 1, 6.0])
    with pytest.raises(ValueError, match="mode"):
        average_updates([a], "median")


def test_adaptive_sums_rare_rows_and_averages_settled_ones():
    # three trainers change rows 0 and 1 by 1.0 each; row 0 was updated twice
    # per trainer, row 1 ten thousand times
    updates = [
        RowUpdate(_block(2, [0, 1], 1.0, [2, 10_000]), _block(1, [], 0, [])) for _ in range(3)
    ]
    combined = average_updates(updates, "adaptive", alpha=0.025)
    rare, settled = _dense(combined.input)[0][:, 0]
    assert 2.8 < rare < 3.0  # nearly the sum
    assert settled == pytest.approx(1.0)  # the mean
    assert average_updates(updates, "sum").input.deltas[:, 0].tolist() == [3.0, 3.0]


def test_auto_sums_for_two_workers_only():
    assert resolve_averaging("auto", 2) == "sum"
    assert resolve_averaging("auto", 3) == "adaptive"
    assert resolve_averaging("weighted", 8) == "weighted"
    with pytest.raises(ValueError, match="averaging"):
        resolve_averaging("median", 2)


def test_a_block_is_dense_when_most_rows_changed():
    synced = np.zeros((10, 2), np.float32)
    few, most = synced.copy(), synced.copy()
    few[[1, 7]] = 1.0
    most[:8] = 2.0
    sparse = Block.of_change(few, synced, np.arange(10.0))
    assert sparse.rows.tolist() == [1, 7] and sparse.weights.tolist() == [1.0, 7.0]
    dense = Block.of_change(most, synced, np.zeros(10))
    assert dense.rows is None and dense.changed_rows().tolist() == list(range(8))
    halves = dense.split(2)
    assert [(h.start, h.stop) for h in halves] == [(0, 5), (5, 10)]
    assert all(np.shares_memory(h.deltas, dense.deltas) for h in halves)  # views, no copy
    target = np.zeros_like(synced)
    for block in (sparse, dense):
        block.add_to(target)
    assert np.array_equal(target, few + most)


def _sentences(lines):
    return [line.split() for line in lines]


@pytest.fixture(scope="module")
def sample_lines():
    with gzip.open(sample_corpus_path(), "rt", encoding="utf-8") as handle:
        return [next(handle).rstrip("\n") for _ in range(6000)]


def test_replicas_are_identical_and_match_the_single_machine_vocabulary(sample_lines):
    halves = _sentences(sample_lines[:3000]), _sentences(sample_lines[3000:])
    params = check_params(PARAMS)
    vocab = build_vocabulary(merge_counts(count_words(h) for h in halves), params)
    single = cw2v.Word2Vec(_sentences(sample_lines), workers=1, **PARAMS).build_vocab()
    assert vocab.index_to_key == single.vocab.index_to_key
    assert np.array_equal(vocab.counts, single.vocab.counts)
    assert vocab.total_words == single.vocab.total_words
    one, two = build_model(params, vocab, workers=1), build_model(params, vocab, workers=1)
    assert np.array_equal(one.wv.vectors, two.wv.vectors)
    assert np.array_equal(one.wv.vectors, single.wv.vectors)  # same seed, same start
    with pytest.raises(TypeError, match="threads_per_actor"):
        check_params({"workers": 2})
    with pytest.raises(TypeError):
        check_params({"no_such_parameter": 1})


def _trainer(vocab, averaging, shard):
    model = build_model(check_params(PARAMS), vocab, workers=1)
    return ShardTrainer(model, shard=shard, averaging=averaging, threads=1)


@pytest.mark.parametrize("averaging", ["weighted", "sum", "adaptive", "uniform"])
def test_a_word_seen_by_one_shard_keeps_its_whole_update(sample_lines, averaging):
    counts = count_words(_sentences(sample_lines))
    vocab = build_vocabulary(counts, check_params(PARAMS))
    index = vocab.key_to_index
    # shard 0 reads sentences with "gold", shard 1 sentences without it
    with_gold = [s for s in _sentences(sample_lines) if "gold" in s][:200]
    without = [s for s in _sentences(sample_lines) if "gold" not in s][:200]
    trainers = [_trainer(vocab, averaging, shard) for shard in (0, 1)]
    start = trainers[0].input_vectors.copy()
    updates = []
    for trainer, sentences in zip(trainers, (with_gold, without), strict=True):
        ids = np.array([index.get(w, -1) for s in sentences for w in s], dtype=np.int32)
        offsets = np.concatenate(([0], np.cumsum([len(s) for s in sentences])))
        task = RoundTask(0, 0, 0, len(ids), 0.025, 0.02)
        result, update = trainer.train_round([(ids, offsets.astype(np.int64))], task)
        assert result.stats.raw_words == len(ids)
        updates.append(update)
    gold = index["gold"]
    trained_gold = trainers[0].input_vectors[gold].copy()
    assert not np.array_equal(trained_gold, start[gold])
    if averaging != "uniform":
        seen = {vocab.index_to_key[i] for i in updates[1].input.changed_rows()}
        assert "gold" not in seen and seen <= {w for s in without for w in s}
    shared = set(updates[1].input.changed_rows().tolist())
    both = next(i for i in updates[0].input.changed_rows() if i in shared)
    deltas = [t.input_vectors[both] - start[both] for t in trainers]
    averaged = average_updates(updates, averaging)
    for trainer in trainers:
        trainer.apply([averaged])
    assert np.array_equal(trainers[0].input_vectors, trainers[1].input_vectors)
    assert np.array_equal(trainers[0].output_vectors, trainers[1].output_vectors)
    # plain averaging halves the update of a word only one shard saw
    expected = (trained_gold + start[gold]) / 2 if averaging == "uniform" else trained_gold
    assert np.allclose(trainers[0].input_vectors[gold], expected, atol=1e-6)
    if averaging == "sum":  # a word both saw keeps both updates
        assert np.allclose(trainers[0].input_vectors[both], start[both] + sum(deltas), atol=1e-6)
    read = {w for s in with_gold + without for w in s}
    untouched = [i for i, w in enumerate(vocab.index_to_key) if w not in read]
    assert untouched and np.array_equal(trainers[0].input_vectors[untouched], start[untouched])


@pytest.mark.parametrize(
    "loss", [{"sg": 1}, {"sg": 0}, {"hs": 1, "negative": 0}, {"softmax": True, "negative": 0}]
)
@pytest.mark.parametrize("averaging", ["sum", "adaptive", "weighted"])
def test_after_a_sync_every_replica_and_the_driver_agree(sample_lines, loss, averaging):
    params = check_params({**PARAMS, "max_final_vocab": 400, **loss})
    sentences = _sentences(sample_lines[:600])
    vocab = build_vocabulary(count_words(sentences), params)
    driver = build_model(params, vocab, workers=1)
    trainers = [
        ShardTrainer(build_model(params, vocab, workers=1), shard=k, averaging=averaging, threads=1)
        for k in range(3)
    ]
    start = driver.wv.vectors.copy(), driver.output_vectors.copy()
    for round_index in range(2):
        updates = []
        for k, trainer in enumerate(trainers):
            part = sentences[k * 200 + round_index * 100 : k * 200 + round_index * 100 + 100]
            ids = np.array([vocab.key_to_index.get(w, -1) for s in part for w in s], np.int32)
            offsets = np.concatenate(([0], np.cumsum([len(s) for s in part]))).astype(np.int64)
            task = RoundTask(0, round_index, round_index, len(ids), 0.025, 0.02)
            updates.append(trainer.train_round([(ids, offsets)], task)[1])
        # a sharded reduction gives the same as one over whole updates
        pieces = zip(*(u.split(2) for u in updates), strict=True)
        parts = [average_updates(piece, averaging) for piece in pieces]
        for trainer in trainers:
            trainer.apply(parts)
        apply_updates(
            driver.wv.vectors, driver.output_vectors, [average_updates(updates, averaging)]
        )
    for trainer in trainers:
        assert np.allclose(trainer.input_vectors, driver.wv.vectors, atol=1e-6)
        assert np.allclose(trainer.output_vectors, driver.output_vectors, atol=1e-6)
        assert np.array_equal(trainer.synced_input, trainer.input_vectors)
    assert not np.allclose(driver.wv.vectors, start[0])
    assert not np.allclose(driver.output_vectors, start[1])


@pytest.mark.parametrize("loss", [{"sg": 1}, {"hs": 1, "negative": 0}])
def test_a_hot_round_syncs_the_frequent_rows_and_the_next_full_one_the_rest(sample_lines, loss):
    params = check_params({**PARAMS, "max_final_vocab": 400, **loss})
    sentences = _sentences(sample_lines[:800])
    vocab = build_vocabulary(count_words(sentences), params)
    trainers = [
        ShardTrainer(build_model(params, vocab, workers=1), shard=k, averaging="sum", threads=1)
        for k in range(2)
    ]
    start_in, start_out = trainers[0].input_vectors.copy(), trainers[0].output_vectors.copy()
    hot = 30
    hot_in, hot_out = trainers[0].hot_ranges(hot)
    # the most used output rows: the first (negative sampling) or the last (the
    # inner nodes next to the root of the Huffman tree)
    assert hot_in == slice(0, hot)
    rows_out = len(start_out)
    assert hot_out == (slice(rows_out - hot, rows_out) if "hs" in loss else slice(0, hot))
    cold_in = np.arange(hot, len(start_in))
    cold_out = np.setdiff1d(np.arange(rows_out), np.arange(rows_out)[hot_out])

    def train(round_index, hot_rows):
        updates = []
        for k, trainer in enumerate(trainers):
            at = k * 400 + round_index * 200
            part = sentences[at : at + 200]
            ids = np.array([vocab.key_to_index.get(w, -1) for s in part for w in s], np.int32)
            offsets = np.concatenate(([0], np.cumsum([len(s) for s in part]))).astype(np.int64)
            task = RoundTask(0, round_index, round_index, len(ids), 0.025, 0.02, 1.0, hot_rows)
            updates.append((trainer.train_round([(ids, offsets)], task)[1], ids))
        return updates

    first = train(0, hot)
    for update, _ in first:  # only the hot rows travel
        assert (update.input.start, update.input.stop) == (hot_in.start, hot_in.stop)
        assert (update.output.start, update.output.stop) == (hot_out.start, hot_out.stop)
    combined = average_updates([u for u, _ in first], "sum")
    for trainer in trainers:
        trainer.apply([combined])
    a, b = trainers
    assert np.array_equal(a.input_vectors[hot_in], b.input_vectors[hot_in])
    assert np.array_equal(a.output_vectors[hot_out], b.output_vectors[hot_out])
    # the other rows keep each replica's own changes, not yet synchronised
    assert not np.array_equal(a.input_vectors[cold_in], b.input_vectors[cold_in])
    assert np.array_equal(a.synced_input[cold_in], start_in[cold_in])
    assert np.array_equal(a.synced_output[cold_out], start_out[cold_out])

    second = train(1, None)
    # a cold input row changed by shard 0 in the first round only is sent now,
    # with the expected updates of that round
    seen_first, seen_second = set(first[0][1].tolist()), set(second[0][1].tolist())
    row = next(i for i in cold_in if i in seen_first and i not in seen_second)
    update = second[0][0]
    deltas, weights = _dense(update.input)
    keep = vocab.keep_probabilities(trainers[0].model.sample)
    assert weights[row] == pytest.approx(np.sum(first[0][1] == row) * keep[row])
    assert np.allclose(deltas[row], a.input_vectors[row] - start_in[row])
    # after the full synchronisation the sum holds every change of both rounds
    cold_changes = [t.input_vectors[cold_in] - start_in[cold_in] for t in trainers]
    combined = average_updates([u for u, _ in second], "sum")
    for trainer in trainers:
        trainer.apply([combined])
    assert np.allclose(a.input_vectors[cold_in], start_in[cold_in] + sum(cold_changes), atol=1e-6)
    for matrix in ("input_vectors", "output_vectors"):
        assert np.array_equal(getattr(a, matrix), getattr(b, matrix))
    assert np.array_equal(a.synced_input, a.input_vectors)
    assert np.array_equal(a.synced_output, a.output_vectors)


# ---------------------------------------------------------------------------
# the engines
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_files(sample_lines, tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    parts = [folder / "part-0.txt", folder / "part-1.txt"]
    parts[0].write_text("\n".join(sample_lines[:3000]) + "\n", encoding="utf-8")
    parts[1].write_text("\n".join(sample_lines[3000:]) + "\n", encoding="utf-8")
    whole = folder / "whole.txt"
    whole.write_text("\n".join(sample_lines) + "\n", encoding="utf-8")
    return parts, whole


@pytest.fixture(scope="module")
def single_vocab(corpus_files):
    return cw2v.Word2Vec(corpus_files[1], workers=1, **PARAMS).build_vocab().vocab


def _check_model(model, vocab):
    assert model.vocab.index_to_key == vocab.index_to_key
    assert np.array_equal(model.vocab.counts, vocab.counts)
    assert model.vocab.total_words == vocab.total_words
    assert model.epochs_trained == PARAMS["epochs"]
    assert sum(s.raw_words for s in model.training_loss) == PARAMS["epochs"] * vocab.total_words
    wv = model.wv
    size = len(wv)
    rng = np.random.default_rng(0)
    for a, b in RELATED:
        # the related word is among the nearest 5% of the vocabulary,
        assert wv.rank(a, b) < 0.05 * size, (a, b, wv.rank(a, b))
        # and closer than random words are on average
        others = rng.choice(size, 200, replace=False)
        assert wv.similarity(a, b) > np.mean([wv.similarity(a, wv.index_to_key[i]) for i in others])


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    if started:
        ray.shutdown()


@pytest.fixture(scope="module")
def ray_model(ray_cluster, corpus_files):
    from cw2v.distributed import train_on_ray

    infos = []
    model = train_on_ray(
        corpus_files[0],
        num_actors=2,
        sync_every_words=60_000,
        hot_rows=200,
        hot_sync_every_words=20_000,
        on_sync=infos.append,
        **PARAMS,
    )
    return model, infos


def test_ray_two_actors_learn_the_single_machine_vocabulary(ray_model, single_vocab):
    model, infos = ray_model
    _check_model(model, single_vocab)
    assert infos[-1].words_done == infos[-1].total_words
    assert infos[-1].alpha == pytest.approx(model.min_alpha)
    assert all(len(info.worker_pids) == 2 for info in infos)
    # the hot rows were synchronised between the synchronisations of every row,
    # and every epoch ended with a synchronisation of every row
    assert any(not info.all_rows for info in infos)
    ends = [
        info
        for info, after in itertools.pairwise([*infos, None])
        if after is None or after.epoch != info.epoch
    ]
    assert len(ends) == PARAMS["epochs"] and all(info.all_rows for info in ends)
    hot = [info.rows_sent for info in infos if not info.all_rows]
    assert max(hot) <= 2 * 2 * 200  # two actors, two matrices, 200 rows each


def test_ray_model_saves_loads_and_continues(ray_model, corpus_files, tmp_path):
    model, _ = ray_model
    path = tmp_path / "model.cw2v"
    model.save(path)
    loaded = cw2v.Word2Vec.load(path)
    assert np.array_equal(loaded.wv.vectors, model.wv.vectors)
    before = loaded.wv.vectors.copy()
    loaded.workers = 1
    loaded.train(corpus_files[0][0], epochs=1)
    assert loaded.epochs_trained == model.epochs_trained + 1
    assert not np.array_equal(loaded.wv.vectors, before)


def test_ray_reads_a_dataset(ray_cluster, corpus_files, single_vocab):
    from cw2v.distributed import train_on_ray

    pytest.importorskip("ray.data")
    dataset = ray_cluster.data.read_text([str(p) for p in corpus_files[0]])
    model = train_on_ray(dataset, num_actors=2, sync_every_words=100_000, **{**PARAMS, "epochs": 1})
    assert model.vocab.index_to_key == single_vocab.index_to_key
    assert np.array_equal(model.vocab.counts, single_vocab.counts)


def test_a_killed_actor_stops_the_run_with_an_error(ray_cluster, corpus_files):
    from cw2v.distributed import train_on_ray

    def kill_one(info):
        if info.round == 1:
            os.kill(info.worker_pids[1], signal.SIGKILL)

    started = time.monotonic()
    with pytest.raises(DistributedTrainingError, match="actor 1") as caught:
        train_on_ray(
            corpus_files[0], num_actors=2, sync_every_words=20_000, on_sync=kill_one, **PARAMS
        )
    assert time.monotonic() - started < 60
    error = caught.value
    assert error.shard == 1 and error.rounds_completed == 2
    # the driver keeps the model of the last synchronisation, usable as any model
    assert error.model is not None and error.model.training_loss == []
    assert error.model.wv.most_similar("day", topn=3)


def test_an_actor_error_is_reported(ray_cluster, tmp_path):
    from cw2v.distributed import train_on_ray

    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt.gz"
    good.write_text("a b c\n" * 100)
    bad.write_bytes(b"this is not gzip data")
    with pytest.raises(DistributedTrainingError, match=r"bad\.txt\.gz.*counting") as caught:
        train_on_ray([good, bad], num_actors=2, min_count=1)
    assert caught.value.model is None


def test_ray_refuses_bad_arguments_early(ray_cluster, corpus_files):
    from cw2v.distributed import train_on_ray

    with pytest.raises(ValueError, match="at least 3 files"):
        train_on_ray(corpus_files[0], num_actors=3)
    with pytest.raises(TypeError, match="threads_per_actor"):
        train_on_ray(corpus_files[0], num_actors=2, workers=2)
    with pytest.raises(ValueError, match="hot_rows"):
        train_on_ray(corpus_files[0], num_actors=2, hot_rows=-1)
    with pytest.raises(ValueError, match="hot_sync_every_words"):
        train_on_ray(corpus_files[0], num_actors=2, hot_sync_every_words=0)
    with pytest.raises(FileNotFoundError):
        train_on_ray([Path(corpus_files[1]).parent / "missing-*.txt"], num_actors=1)


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        pytest.skip("Spark needs Java (17 or later for Spark 4)")

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("cw2v-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_two_partitions_learn_the_single_machine_vocabulary(
    spark, corpus_files, single_vocab
):
    from cw2v.distributed import train_on_spark

    lines = spark.read.text([str(p) for p in corpus_files[0]])
    model = train_on_spark(lines, num_partitions=2, sync_every_words=20_000, **PARAMS)
    _check_model(model, single_vocab)
