"""Job packing, the learning-rate schedule and job seeds."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cw2v.corpus import as_corpus
from cw2v.dispatcher import Schedule, iter_jobs, job_seed, run_epoch

VOCAB = {"a": 0, "b": 1, "c": 2}
WORDS = list(VOCAB)


def chunks_of(sentences, chunk_words=3):
    return as_corpus(sentences).encoded_chunks(WORDS, VOCAB, chunk_words)


def jobs_of(sentences, job_words=4, schedule=None, words_before=0):
    schedule = schedule or Schedule(0.025, 0.0001, 100)
    return list(
        iter_jobs(
            chunks_of(sentences),
            job_words=job_words,
            schedule=schedule,
            words_before=words_before,
            seed=1,
            epoch=0,
        )
    )


def test_jobs_hold_every_word_with_unknown_words_as_minus_one():
    sentences = [["a", "b"], ["c", "zz", "a"], ["b"], ["a", "a", "a", "a", "a", "c"]]
    jobs = jobs_of(sentences)
    ids = np.concatenate([job.ids for job in jobs])
    expected = [VOCAB.get(w, -1) for s in sentences for w in s]
    assert ids.tolist() == expected
    assert all(job.ids.dtype == np.int32 and job.offsets.dtype == np.int64 for job in jobs)
    assert [len(job.ids) for job in jobs] == [4, 4, 4]
    # sentence boundaries survive, and a long sentence is cut, not truncated
    pieces = [np.split(job.ids, job.offsets[1:-1]) for job in jobs]
    assert [p.tolist() for job in pieces for p in job] == [
        [0, 1],
        [2, -1],
        [0],
        [1],
        [0, 0],
        [0, 0, 0, 2],
    ]


def test_learning_rate_falls_linearly_across_jobs_and_epochs():
    schedule = Schedule(0.1, 0.0, 24)
    first = jobs_of([["a"] * 12], job_words=4, schedule=schedule)
    second = jobs_of([["a"] * 12], job_words=4, schedule=schedule, words_before=12)
    alphas = [(j.alpha_start, j.alpha_end) for j in first + second]
    expected = [(0.1 - 0.1 * k * 4 / 24, 0.1 - 0.1 * (k + 1) * 4 / 24) for k in range(6)]
    np.testing.assert_allclose(alphas, expected, atol=1e-12)
    assert schedule.alpha(10**9) == 0.0


def test_job_seeds_differ_by_job_epoch_and_seed_and_are_stable():
    seeds = {job_seed(s, e, j) for s in range(3) for e in range(3) for j in range(50)}
    assert len(seeds) == 3 * 3 * 50
    assert job_seed(1, 2, 3) == job_seed(1, 2, 3)
    assert all(0 <= s < 2**64 for s in seeds)


def test_run_epoch_rejects_zero_workers():
    with pytest.raises(ValueError, match="workers must be >= 1"):
        run_epoch(None, [], workers=0)


def test_a_non_finite_loss_is_reported_as_divergence():
    class Diverging:
        def train_job(self, ids, offsets, alpha_start, alpha_end, seed):
            return len(ids), len(ids), 1, float("nan")

    from cw2v.dispatcher import TrainingDiverged

    with pytest.raises(TrainingDiverged, match="Lower the learning rate"):
        run_epoch(Diverging(), jobs_of([["a", "b"]] * 10), workers=2)


def test_text_pieces_and_text_jobs_cover_the_file_exactly(tmp_path, monkeypatch):
    from cw2v import _core
    from cw2v import corpus as corpus_module
    from cw2v.corpus import FileCorpus
    from cw2v.dispatcher import iter_text_jobs

    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 300)
    lines = [" ".join(f"w{(i * 7 + j) % 13}" for j in range(i % 9 + 1)) for i in range(200)]
    lines[50] = " ".join(["long"] * 120)  # a line longer than a piece
    path = tmp_path / "c.txt"
    path.write_text("\n".join(lines) + "\n")
    pieces = list(FileCorpus(path).text_pieces(piece_words=10))
    assert b"".join(text for text, _ in pieces) == path.read_bytes()
    assert all(count == len(text.split()) for text, count in pieces)
    assert max(count for _, count in pieces) <= 40
    schedule = Schedule(0.1, 0.0, sum(count for _, count in pieces))
    jobs = list(iter_text_jobs(pieces, schedule=schedule, words_before=0, seed=1, epoch=0))
    assert jobs[0].alpha_start == 0.1 and jobs[-1].alpha_end == pytest.approx(0.0)
    for previous, job in itertools.pairwise(jobs):
        assert job.alpha_start == previous.alpha_end
    table = _core.TokenTable.from_words([f"w{i}" for i in range(13)] + ["long"])
    encoded = [table.encode(job.text) for job in jobs]
    assert sum(len(ids) for ids, _ in encoded) == sum(len(line.split()) for line in lines)
