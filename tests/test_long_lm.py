"""Notebook 03's longer-trained LSTM: the stored weights give the cached perplexity; a replay starts like the run."""

import json

import pytest

from helpers import long_lm
from helpers.cache import KEPT_LOSSES, differences
from helpers.lm import perplexity


@pytest.fixture(scope="module")
def cached(course_data):
    vocab, train_ids, val_ids = course_data
    return long_lm.load(len(vocab), train_ids, val_ids)


def test_the_record_has_its_checkpoints_and_the_weights_their_settings(cached):
    model, record = cached
    run = long_lm.LONG_RUN
    assert [step for step, _ in record["curve"]] == list(range(run.eval_every, run.steps + 1, run.eval_every))
    assert record["curve"][-1][1] == pytest.approx(
        record["perplexity"], rel=5e-3
    )  # the last checkpoint, before rounding
    assert model.rnn.hidden_size == run.hidden_size and record["parameters"] == sum(
        p.numel() for p in model.parameters()
    )


def test_the_stored_weights_score_the_cached_perplexity(course_data, cached):
    _, _, val_ids = course_data
    model, record = cached
    fresh = {"head_perplexity": perplexity(model, val_ids[: long_lm.HEAD])}
    tolerance = {"head_perplexity": long_lm.TOLERANCES["head_perplexity"]}
    assert differences({"head_perplexity": record["head_perplexity"]}, fresh, tolerance) == []
    assert differences({"head_perplexity": record["head_perplexity"] * 1.01}, fresh, tolerance) != []


def test_replaying_the_first_updates_reproduces_the_cached_losses(course_data, cached):
    vocab, train_ids, val_ids = course_data
    _, record = cached
    _, fresh, _ = long_lm.train_long(len(vocab), train_ids, val_ids[:1000], steps=KEPT_LOSSES // 10)
    replayed = len(fresh["first_losses"])
    tolerance = {"first_losses": long_lm.TOLERANCES["first_losses"]}
    assert differences({"first_losses": record["first_losses"][:replayed]}, fresh, tolerance) == []


def test_a_cache_of_other_settings_is_refused(course_data, tmp_path, monkeypatch):
    vocab, train_ids, val_ids = course_data
    copy = tmp_path / "long_lstm.json"
    body = json.loads(long_lm.PATH.read_text())
    body["settings"]["steps"] += 1
    copy.write_text(json.dumps(body))
    monkeypatch.setattr(long_lm, "PATH", copy)
    with pytest.raises(ValueError, match="other settings.*train_seed_runs.py long"):
        long_lm.load(len(vocab), train_ids, val_ids)
