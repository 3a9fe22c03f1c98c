"""Notebook 03's language models over seeds: the cache matches the code and the data, and a re-run matches it."""

import json

import pytest

from helpers import lm_seeds
from helpers.cache import KEPT_LOSSES, differences
from helpers.lm import perplexity


@pytest.fixture(scope="module")
def runs(course_data):
    _, train_ids, val_ids = course_data
    return lm_seeds.load_runs(train_ids, val_ids)


def test_the_cache_has_every_kind_and_seed_with_todays_budget(runs):
    assert sorted(runs) == sorted(lm_seeds.BUDGET.models)
    for name in runs:
        assert sorted(runs[name]) == list(lm_seeds.BUDGET.seeds)
        for record in runs[name].values():
            assert 1 < record["perplexity"] < 76 and len(record["first_losses"]) == KEPT_LOSSES


# the three slowest models replay in make test only (slow); the other two in make unit too
QUICK_TO_REPLAY = [
    m if m not in ("rnn_240", "lstm", "lstm_tied") else pytest.param(m, marks=pytest.mark.slow)
    for m in lm_seeds.BUDGET.models
]


@pytest.mark.parametrize("kind", QUICK_TO_REPLAY)
def test_replaying_the_first_updates_of_seed_0_reproduces_the_cache(course_data, runs, kind):
    vocab, train_ids, val_ids = course_data
    _, fresh = lm_seeds.train_seed(kind, 0, len(vocab), train_ids, val_ids, steps=KEPT_LOSSES)
    tolerance = {"first_losses": lm_seeds.TOLERANCES["first_losses"]}
    assert differences(runs[kind][0], fresh, tolerance) == []
    altered = dict(runs[kind][0], first_losses=[x * 1.01 for x in runs[kind][0]["first_losses"]])
    assert len(differences(altered, fresh, tolerance)) == KEPT_LOSSES  # an altered cache fails


@pytest.mark.slow
def test_retraining_the_rnn_of_seed_0_in_full_reproduces_its_record(course_data, runs):
    vocab, train_ids, val_ids = course_data
    _, fresh = lm_seeds.train_seed("rnn", 0, len(vocab), train_ids, val_ids)
    assert differences(runs["rnn"][0], fresh, lm_seeds.TOLERANCES) == []
    altered = dict(runs["rnn"][0], perplexity=runs["rnn"][0]["perplexity"] + 0.1)
    assert [line.split(":")[0] for line in differences(altered, fresh, lm_seeds.TOLERANCES)] == ["perplexity"]


def test_a_cache_of_other_data_or_settings_is_refused(course_data, tmp_path, monkeypatch):
    _, train_ids, val_ids = course_data
    copy = tmp_path / "language_models.json"
    copy.write_text(lm_seeds.PATH.read_text())
    monkeypatch.setattr(lm_seeds, "PATH", copy)
    with pytest.raises(ValueError, match="other data"):
        lm_seeds.load_runs(train_ids[:-1], val_ids)
    body = json.loads(copy.read_text())
    body["settings"]["steps"] = 801
    copy.write_text(json.dumps(body))
    with pytest.raises(ValueError, match="other settings.*train_seed_runs.py lm"):
        lm_seeds.load_runs(train_ids, val_ids)


@pytest.mark.parametrize("name", lm_seeds.SAVED)
def test_the_stored_seed_0_weights_score_the_cached_perplexity(course_data, runs, name):
    vocab, _, val_ids = course_data
    model = lm_seeds.load_weights(name, len(vocab))
    # the record is of the full-precision model; the file keeps half precision, which moves it by < 0.01 here
    assert abs(perplexity(model, val_ids) - runs[name][0]["perplexity"]) < 0.02
    with pytest.raises(ValueError, match="only seed 0 of"):
        lm_seeds.load_weights("rnn_240", len(vocab))
