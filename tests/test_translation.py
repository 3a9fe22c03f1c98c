"""The cached translators are what the code makes, and the widget's reading of typed text is clear."""

import dataclasses
from dataclasses import asdict

import pytest
import torch

from helpers import translation
from helpers.cache import differences
from helpers.translation import (
    MAX_WORDS,
    SEEDS,
    TOLERANCES,
    TRANSLATORS,
    check_subset,
    course_data,
    examples,
    known_pairs,
    load_record,
    load_records,
    load_translator,
    new_model,
    read_sentence,
    score,
    teacher_forcing_schedule,
    train_translator,
)

REPLAYED_STEPS = 15


@pytest.fixture(scope="module")
def data():
    return course_data()


@pytest.fixture(scope="module")
def untrained(data):
    torch.manual_seed(0)
    return new_model(TRANSLATORS["attention"], data).eval(), new_model(TRANSLATORS["plain"], data).eval()


@pytest.mark.parametrize("name", TRANSLATORS)
def test_the_cache_was_made_with_todays_settings_and_pairs(name, data):
    records = load_records(name, data)  # refuses other settings or pairs
    assert sorted(records) == list(SEEDS) and load_record(name, data)["seed"] == TRANSLATORS[name].seed
    assert all(len(record["losses"]) == TRANSLATORS[name].steps for record in records.values())


@pytest.mark.parametrize("name, seed", [(name, seed) for name in TRANSLATORS for seed in (0, SEEDS[-1])])
def test_retraining_reproduces_the_cached_losses(name, seed, data):
    _, losses = train_translator(TRANSLATORS[name], data, steps=REPLAYED_STEPS, report=None, seed=seed)
    cached = {"losses": load_records(name, data)[seed]["losses"][:REPLAYED_STEPS]}
    assert differences(cached, {"losses": losses}, {"losses": TOLERANCES["losses"]}) == []


@pytest.mark.parametrize("name", TRANSLATORS)
def test_the_cached_weights_give_the_recorded_scores(name, data):
    scores, _ = score(load_translator(name, data), data, *check_subset(data))
    recorded = load_record(name, data)["scores"]
    assert differences(recorded, asdict(scores), {field: TOLERANCES[field] for field in recorded}) == []


def test_an_altered_cached_score_or_loss_fails_the_check(data):
    scores, _ = score(load_translator("plain", data), data, *check_subset(data))
    recorded = dict(load_record("plain", data)["scores"], exact_match=scores.exact_match + 0.05)
    assert differences(recorded, asdict(scores), {"exact_match": TOLERANCES["exact_match"]})[0].startswith(
        "exact_match"
    )
    cached = load_record("plain", data)["losses"][:3]
    altered = [cached[0], cached[1] * 1.01, cached[2]]
    assert differences({"losses": altered}, {"losses": cached}, {"losses": TOLERANCES["losses"]}) == [
        f"losses[1]: cached {altered[1]:.6g}, re-run {cached[1]:.6g} (tolerance rel 0.002, abs 0)"
    ]


def test_attention_wins_on_the_longest_sentences_in_the_record(data):
    """The cached models, re-scored: attention beats the plain model on test sentences of 20 or more words."""
    long = [i for i, pair in enumerate(data.splits.test) if len(pair.english) >= 20][:200]
    pairs, encoded = [data.splits.test[i] for i in long], data.test.select(torch.tensor(long))
    plain, _ = score(load_translator("plain", data), data, pairs, encoded)
    attention, _ = score(load_translator("attention", data), data, pairs, encoded)
    assert attention.exact_match > plain.exact_match + 0.3


def test_a_stale_cache_is_refused(data, monkeypatch):
    monkeypatch.setattr(translation, "pairs_fingerprint", lambda pairs: "something else")
    with pytest.raises(ValueError, match="made from other data"):
        load_translator("plain", data)
    monkeypatch.undo()
    monkeypatch.setitem(TRANSLATORS, "plain", dataclasses.replace(TRANSLATORS["plain"], steps=10))
    with pytest.raises(ValueError, match="other settings.*train_translators.py"):
        load_translator("plain", data)
    with pytest.raises(ValueError, match="unknown translator 'french'"):
        load_translator("french", data)


def test_teacher_forcing_schedules():
    assert teacher_forcing_schedule(TRANSLATORS["plain"]) == 1.0
    schedule = teacher_forcing_schedule(TRANSLATORS["plain_scheduled"])
    last = TRANSLATORS["plain_scheduled"].steps - 1
    assert (
        schedule(0) == 1.0
        and schedule(last) == pytest.approx(0.5)
        and schedule(last // 2) == pytest.approx(0.75, abs=1e-3)
    )


def test_examples_spread_over_lengths(data):
    chosen = examples(data.splits.test, (4, 11, 23))
    assert [len(pair.english) for pair in chosen] == [4, 11, 23]
    with pytest.raises(ValueError, match="no pair has an English sentence of 99 words"):
        examples(data.splits.test, (99,))


@pytest.mark.parametrize("text", ["", "   ", "?!", "..."])
def test_empty_input_asks_for_a_sentence(text, data, untrained):
    reading = read_sentence(text, *untrained, data)
    assert reading.problem.startswith("Type an English sentence") and reading.with_attention is None


def test_unknown_words_are_named_with_suggestions(data, untrained):
    reading = read_sentence("The zebra eats an aple, the zebra!", *untrained, data)
    assert reading.with_attention is None
    assert reading.problem.startswith("Unknown words: 'zebra', 'aple' (did you mean 'apple'")
    assert reading.problem.count("zebra") == 1  # named once, though typed twice
    assert "261 English words" in reading.problem


def test_a_sentence_longer_than_the_widget_takes_is_refused(data, untrained):
    reading = read_sentence(" ".join(["the cat sleeps"] * 11), *untrained, data)
    assert reading.problem.startswith(f"That is 33 words; type at most {MAX_WORDS}")


def test_a_phrasebook_sentence_comes_with_its_reference(data, untrained):
    pair = data.splits.test[0]
    typed = pair.english_text.capitalize() + "."  # capitals and a full stop are fine
    reading = read_sentence(typed, *untrained, data, known_pairs(data))
    assert reading.problem is None and reading.words == list(pair.english)
    assert (reading.reference, reading.split) == (pair.french_text, "test")
    assert reading.with_attention.attention.shape == (len(reading.with_attention.tokens), len(pair.english))
    assert reading.without_attention.attention is None
    assert read_sentence("i see the cat", *untrained, data, {}).reference is None
