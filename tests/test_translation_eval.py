"""Notebook 08's evaluations: each metric on hand-made cases, and the cached records re-verified from the weights."""

import math

import numpy as np
import pytest
import torch

from helpers.cache import differences
from helpers.phrasebook import Pair, Splits
from helpers.translation import SEEDS, TRANSLATORS, course_data, load_translator
from helpers.translation_eval import (
    GREEDY,
    NORMALISED,
    TOLERANCES,
    TOTAL,
    accuracy_by_length,
    accuracy_by_position,
    beam_outcome,
    beam_per_seed,
    combination_groups,
    correct_prefix,
    edit_distance,
    evaluate,
    exposure_bias,
    length_matched_exact_match,
    load_evaluations,
    noun_positions,
    paired_difference,
    per_seed,
    positional_errors,
    teacher_forced_hits,
)

RECHECKED_BEAMS = 40  # sentences of seed 0's beam record re-run per translator


@pytest.fixture(scope="module")
def data():
    return course_data()


def test_one_dropped_word_is_one_edit_but_shifts_every_later_position():
    reference = "le petit chat noir dort ici".split()
    dropped = "le chat noir dort ici".split()
    assert edit_distance(dropped, reference) == 1
    assert positional_errors(dropped, reference) == 6  # chat≠petit, …, its end≠ici, and the reference end unmatched
    assert correct_prefix(dropped, reference) == 1
    assert edit_distance(reference, reference) == positional_errors(reference, reference) == 0
    assert correct_prefix(reference, reference) == len(reference) + 1  # the end too
    assert edit_distance([], ["a", "b"]) == 2 and edit_distance(["a", "b", "c"], ["c"]) == 2
    with pytest.raises(ValueError, match="token lists"):
        edit_distance("le chat", ["le", "chat"])


def test_exposure_bias_counts_local_mistakes_edits_and_positions():
    references = [["a", "b", "c"], ["x", "y"]]
    outputs = [["a", "c"], ["x", "y"]]  # the first drops b (one edit, three positions off); the second is right
    hits = [np.array([True, False, True, True]), np.array([True, True, True])]  # teacher forced: one wrong (b)
    bias = exposure_bias(hits, outputs, references)
    assert bias.teacher_forced == 0.5 and bias.edits == 0.5 and bias.positional == 1.5
    assert bias.excess == 0.0 and bias.same_first_mistake == 1.0
    with pytest.raises(ValueError, match="one hit per French word"):
        exposure_bias([np.array([True])], outputs[:1], references[:1])
    with pytest.raises(ValueError, match="as many hits"):
        exposure_bias(hits, outputs[:1], references)


def test_until_its_first_mistake_greedy_decoding_is_teacher_forcing(data):
    model = load_translator("plain", data)
    rows = torch.arange(60)
    part = data.test.select(rows)
    hits = teacher_forced_hits(model, part, batch_size=25)
    from helpers.seq2seq import decode_split

    outputs = decode_split(model, part, data.tgt_vocab, 40)
    references = [list(pair.french) for pair in data.splits.test[:60]]
    assert [len(h) for h in hits] == [len(r) + 1 for r in references]
    assert exposure_bias(hits, outputs, references).same_first_mistake == 1.0


def test_combination_groups_split_pairs_by_whether_training_saw_their_adjective_noun_pairs():
    splits = Splits([], [], [], frozenset({("red", "hat")}))
    pairs = [
        Pair(("the", "red", "hat", "sleeps"), ("x",)),
        Pair(("the", "big", "dog", "sleeps"), ("x",)),
        Pair(("she", "sleeps"), ("x",)),
        Pair(("the", "big", "dog", "sees", "some", "red", "hats"), ("x",)),
    ]
    assert combination_groups(pairs, splits) == {"unseen": [0, 3], "seen": [1]}


def test_length_matching_weights_each_length_as_the_other_group_has_it():
    lengths = [5, 5, 10, 10, 5, 10, 10, 10]
    right = [True, True, False, False, True, False, False, True]
    seen, unseen = [0, 1, 2, 3], [4, 5, 6, 7]  # seen: 100 % at length 5, 0 % at length 10
    assert length_matched_exact_match(right, lengths, seen, unseen) == pytest.approx(0.25)  # 1 of 4 unseen at 5
    assert length_matched_exact_match(right, lengths, seen, seen) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="both groups"):
        length_matched_exact_match(right, lengths, [], unseen)


def test_paired_difference_and_its_standard_error():
    codes = [GREEDY + TOTAL, TOTAL, TOTAL + NORMALISED, 0]  # beam total right on 3, greedy on 1
    difference, error = paired_difference(codes, TOTAL, GREEDY)
    assert difference == pytest.approx(0.5)
    assert error == pytest.approx(np.std([0, 1, 1, 0], ddof=1) / 2)
    with pytest.raises(ValueError, match="at least one"):
        paired_difference([], TOTAL, GREEDY)


def test_accuracy_by_position_and_by_length():
    hits = [np.array([False, True, True, True, True, True]), np.array([False, True, True])]  # 5 and 2 words + EOS
    assert accuracy_by_position(hits, bins=5) == [0.0, 0.5, 1.0, 1.0, 1.0]  # the 2-word one: fifths 1 and 3
    assert accuracy_by_position(hits, bins=1) == [5 / 7]
    keep = [np.array([False, True, False, False, True]), np.array([True, False])]  # 2nd and 5th; 1st
    kept = accuracy_by_position(hits, bins=5, keep=keep)
    assert kept[1] == 0.5 and kept[4] == 1.0  # fifth 1: the 5-word one's 2nd word (right), the 2-word one's 1st (wrong)
    assert all(math.isnan(kept[k]) for k in (0, 2, 3))
    with pytest.raises(ValueError, match="mark every French word"):
        accuracy_by_position(hits, keep=keep[:1])
    assert noun_positions(["le", "chat", "voit", "les", "oiseaux"]).tolist() == [False, True, False, False, True]
    by_length = accuracy_by_length(hits, [5, 2], bins=[(1, 3), (4, 6), (7, 9)])
    assert by_length[:2] == [2 / 3, 5 / 6] and math.isnan(by_length[2])
    with pytest.raises(ValueError, match="one English length"):
        accuracy_by_length(hits, [5])


def test_the_cache_was_made_from_todays_translators_and_holds_every_run(data):
    records = load_evaluations(data)  # refuses a cache made from other translators, pairs or settings
    assert {name: sorted(r) for name, r in records.items()} == {name: list(SEEDS) for name in TRANSLATORS}
    for by_seed in records.values():
        assert len(by_seed[0]["beam_codes"]) == len(by_seed[SEEDS[-1]]["beam_codes"]) > 0
        assert set(per_seed(by_seed, "unseen", "exact_match")) == set(SEEDS)
        assert all(0 <= v <= 1 for v in beam_per_seed(by_seed, TOTAL, 0).values())


@pytest.mark.slow
@pytest.mark.parametrize("name", TRANSLATORS)
def test_the_cached_weights_give_the_recorded_evaluation(name, data):
    cached = load_evaluations(data)[name][TRANSLATORS[name].seed]
    fresh, outputs = evaluate(load_translator(name, data), data, beam_sentences=0)
    assert differences(cached, fresh, TOLERANCES) == []
    for key in ("unseen", "seen"):
        assert differences(cached[key], fresh[key], {"exact_match": TOLERANCES["exact_match"]}) == []
    model = load_translator(name, data)
    codes = [beam_outcome(model, data, data.splits.test[i], outputs[i]).code for i in range(RECHECKED_BEAMS)]
    cached_codes = [int(c) for c in cached["beam_codes"][:RECHECKED_BEAMS]]
    assert sum(a != b for a, b in zip(codes, cached_codes)) <= 1


def test_an_altered_cached_number_fails_the_check(data):
    cached = load_evaluations(data)["plain"][0]
    altered = {**cached, "errors_edits": cached["errors_edits"] + 0.1}
    assert differences(altered, cached, TOLERANCES) == [
        f"errors_edits: cached {altered['errors_edits']:.6g}, re-run {cached['errors_edits']:.6g} "
        f"(tolerance rel 0, abs 0.03)"
    ]
