"""Notebook 00's helpers: bags of words, distances, n-gram windows, task shapes, quiz, exercise, demo."""

import random

import matplotlib.pyplot as plt
import pytest

from helpers import course_map
from helpers.course_map import (
    BLANK,
    MAX_GAP,
    NOTEBOOKS,
    STAGES,
    TASK_SHAPES,
    bag_of_words,
    check_bag_of_words,
    course_quiz,
    course_table,
    draw_course_map,
    draw_task_shapes,
    history_coverage,
    landmarks,
    long_range_sentence,
    lookback,
    lookback_readout,
    ngram_window,
    shape_layout,
    signal_left,
    task_shape_table,
    task_shape_widths,
    token_distance,
    tokenize,
    words_of,
)
from helpers.demos import demos_of
from helpers.demos.course_map import lookback_demo

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --- words and order ---------------------------------------------------------------------------


def test_tokenize_lower_cases_and_splits_on_whitespace():
    assert tokenize("  The Cat\tsat\n ") == ["the", "cat", "sat"]


@pytest.mark.parametrize("bad", ["", "   ", None, 42])
def test_tokenize_rejects_empty_or_non_text(bad):
    with pytest.raises(ValueError, match="sentence"):
        tokenize(bad)


def test_reordered_sentences_have_the_same_bag_but_different_sequences():
    assert bag_of_words("dog bites man") == bag_of_words("man bites dog") == {"bites": 1, "dog": 1, "man": 1}
    assert tokenize("dog bites man") != tokenize("man bites dog")


def test_bag_of_words_counts_repeats_and_sorts_its_keys():
    bag = bag_of_words("The cat saw the other cat")
    assert bag == {"cat": 2, "other": 1, "saw": 1, "the": 2}
    assert list(bag) == sorted(bag)


def test_bag_of_words_rejects_an_empty_sentence():
    with pytest.raises(ValueError, match="empty"):
        bag_of_words("")


# --- distance and n-gram windows ----------------------------------------------------------------


def test_long_range_sentence_frames_the_gap():
    assert long_range_sentence(0) == ["i", "grew", "up", "in", "france", "i", "speak", BLANK]
    assert MAX_GAP == 30
    tokens = long_range_sentence(MAX_GAP)
    assert len(tokens) == 38
    assert tokens[:5] == ["i", "grew", "up", "in", "france"] and tokens[-3:] == ["i", "speak", BLANK]


@pytest.mark.parametrize("gap", [-1, MAX_GAP + 1])
def test_long_range_sentence_rejects_gaps_out_of_range(gap):
    with pytest.raises(ValueError, match="gap"):
        long_range_sentence(gap)


@pytest.mark.parametrize("gap", [0, 1, 10, 30])
def test_france_is_gap_plus_three_words_before_the_blank(gap):
    assert token_distance(long_range_sentence(gap), "france", BLANK) == gap + 3


def test_token_distance_names_a_missing_word():
    with pytest.raises(ValueError, match="'spain'"):
        token_distance(["i", "speak"], "spain", "speak")


def test_trigram_window_is_the_two_previous_words():
    tokens = long_range_sentence(30)
    blank = tokens.index(BLANK)
    assert ngram_window(tokens, blank, n=3) == ["i", "speak"]
    assert "france" not in ngram_window(tokens, blank, n=3)
    assert "france" not in ngram_window(tokens, blank, n=33)
    assert "france" in ngram_window(tokens, blank, n=34)


def test_ngram_window_at_the_start_and_for_a_unigram():
    tokens = ["a", "b", "c"]
    assert ngram_window(tokens, 0, n=3) == []
    assert ngram_window(tokens, 1, n=3) == ["a"]
    assert ngram_window(tokens, 2, n=1) == []


@pytest.mark.parametrize("position, n, message", [(3, 3, "position"), (-1, 3, "position"), (1, 0, "n ≥ 1")])
def test_ngram_window_rejects_bad_arguments(position, n, message):
    with pytest.raises(ValueError, match=message):
        ngram_window(["a", "b", "c"], position, n)


def test_signal_left_is_the_telephone_game_preview():
    assert signal_left(0) == 1.0
    assert signal_left(20) == pytest.approx(0.1216, abs=1e-4)
    with pytest.raises(ValueError, match="steps"):
        signal_left(-1)


@pytest.mark.parametrize("gap", range(MAX_GAP + 1))
def test_a_trigram_never_reaches_france_but_the_right_ngram_does(gap):
    info = lookback(gap)
    assert info["words"] == gap + 7
    assert info["distance"] == gap + 3
    assert info["window"] == ["i", "speak"] and info["reaches"] is False
    assert info["order_needed"] == gap + 4
    tokens = info["tokens"]
    assert "france" in ngram_window(tokens, info["words"], n=info["order_needed"])
    assert "france" not in ngram_window(tokens, info["words"], n=info["order_needed"] - 1)


def test_lookback_readout_states_the_numbers():
    assert lookback_readout(0) == (
        "gap 0: 7 words before the blank, 'france' is 3 back; trigram sees 'i speak', "
        "reaches 'france': no (it would take a 4-gram); preview 0.9^3 = 0.7290"
    )


# --- the course map ------------------------------------------------------------------------------


def test_the_map_runs_in_historical_order_with_rnns_in_the_middle():
    assert [s.name for s in STAGES] == [
        "n-gram models",
        "word embeddings",
        "RNNs",
        "seq2seq",
        "attention / transformers",
    ]
    assert STAGES[course_map.RNN_STAGE].name == "RNNs"
    assert {stage.name: stage.notebooks for stage in STAGES}["seq2seq"] == ("08", "10")


def test_every_stage_points_at_real_notebooks_and_the_rnn_core_is_covered():
    for stage in STAGES:
        assert set(stage.notebooks) <= set(NOTEBOOKS)
    assert {"02", "03", "04", "05", "06", "07", "09"} <= set(STAGES[course_map.RNN_STAGE].notebooks)
    assert list(NOTEBOOKS) == [f"{i:02d}" for i in range(11)]


def test_every_stage_names_the_papers_behind_its_year():
    lines = landmarks().splitlines()
    assert len(lines) == len(STAGES) + 1
    for stage, line in zip(STAGES, lines):
        assert line.startswith(f"{stage.name} ({stage.year})") and stage.year[:4] in stage.source
    assert "Elman 1990" in lines[-1]


def test_course_table_has_one_row_per_notebook():
    lines = course_table().splitlines()
    assert len(lines) == 1 + len(NOTEBOOKS)
    assert lines[3].startswith("02  The vanilla RNN") and lines[3].endswith("RNNs")


def test_course_map_figure_is_titled_and_labelled():
    fig, ax = plt.subplots()
    draw_course_map(ax)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.get_xticklabels()) == len(STAGES) and len(ax.get_yticklabels()) == len(NOTEBOOKS)
    plt.close(fig)


# --- task shapes ---------------------------------------------------------------------------------


def test_task_shapes_lengths():
    lengths = {s.name: (len(s.inputs), len(s.outputs)) for s in TASK_SHAPES}
    assert lengths == {
        "one-to-one": (1, 1),
        "one-to-many": (1, 5),
        "many-to-one": (4, 1),
        "many-to-many, aligned": (3, 3),
        "many-to-many, unaligned": (3, 2),
    }
    assert {s.name: s.task for s in TASK_SHAPES}["many-to-many, unaligned"] == "translation"


def test_shape_layouts_place_inputs_and_outputs_in_time():
    layouts = {s.name: shape_layout(s) for s in TASK_SHAPES}
    assert layouts["one-to-one"] == ([0], [0], 1)
    assert layouts["one-to-many"] == ([0], [0, 1, 2, 3, 4], 5)
    assert layouts["many-to-one"] == ([0, 1, 2, 3], [3], 4)
    assert layouts["many-to-many, aligned"] == ([0, 1, 2], [0, 1, 2], 3)
    assert layouts["many-to-many, unaligned"] == ([0, 1, 2], [3, 4], 5)
    assert task_shape_widths() == [1, 5, 4, 3, 5]


def test_aligned_shapes_need_equal_lengths():
    with pytest.raises(ValueError, match="one output per input"):
        course_map.TaskShape("bad", "tagging", ("a", "b"), ("X",), aligned=True)
    with pytest.raises(ValueError, match="at least one input"):
        course_map.TaskShape("bad", "nothing", (), ("X",))


def test_task_shape_table_rows():
    lines = task_shape_table().splitlines()
    assert len(lines) == 1 + len(TASK_SHAPES)
    assert lines[5].split()[:6] == ["many-to-many,", "unaligned", "translation", "n", "→", "m"]
    assert lines[5].split()[6:8] == ["3", "2"]


def test_task_shape_figures_are_titled_and_labelled():
    fig, axes = plt.subplots(1, 5, width_ratios=task_shape_widths())
    draw_task_shapes(axes)
    assert all(ax.get_title() and ax.get_xlabel() for ax in axes)
    assert axes[0].get_ylabel() == "layer"
    plt.close(fig)
    fig, axes = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="need 5 axes"):
        draw_task_shapes(axes)
    plt.close(fig)


# --- how often a long history has been seen ------------------------------------------------------


def test_words_of_keeps_letters_and_apostrophes():
    assert words_of("'Tis so, my Lord!  Hath-he") == ["'tis", "so", "my", "lord", "hath", "he"]


def test_history_coverage_counts_sequences_seen_in_the_other_text():
    seen = "the cat sat on the mat".split()
    new = "the cat sat on a mat".split()
    coverage = history_coverage(seen, new, [1, 2, 3, 4, 5])
    assert coverage == {1: 5 / 6, 2: 3 / 5, 3: 2 / 4, 4: 1 / 3, 5: 0.0}
    assert history_coverage(seen, seen, [6]) == {6: 1.0}


def test_history_coverage_agrees_with_sets_of_tuples_on_random_text():
    rng = random.Random(0)
    seen, new = [rng.choice("abc") for _ in range(300)], [rng.choice("abc") for _ in range(200)]
    coverage = history_coverage(seen, new, [1, 2, 3, 5, 8])
    for k, share in coverage.items():
        counted = {tuple(seen[i : i + k]) for i in range(len(seen) - k + 1)}
        histories = [tuple(new[i : i + k]) for i in range(len(new) - k + 1)]
        assert share == sum(history in counted for history in histories) / len(histories)


@pytest.mark.parametrize("lengths", [[0], [7], []])
def test_history_coverage_rejects_impossible_lengths(lengths):
    with pytest.raises(ValueError, match="lengths must be 1..6 words"):
        history_coverage("a b c d e f".split(), "a b c d e f g".split(), lengths)


def test_long_histories_of_the_held_out_plays_never_occur_in_the_training_plays():
    seen, held_out = course_map.shakespeare_words()
    assert len(seen) > 10 * len(held_out) > 500_000
    coverage = history_coverage(seen, held_out, [1, 4, 10])
    assert coverage[1] > 0.95 and coverage[4] < 0.05 and coverage[10] == 0.0


# --- quiz and exercise ---------------------------------------------------------------------------


def test_quiz_has_three_questions_with_hints_for_every_wrong_option():
    quiz = course_quiz()
    assert len(quiz.questions) == 3
    for question in quiz.questions:
        assert set(question.hints) == set(range(len(question.options))) - {question.answer}
    assert quiz.questions[0].options[quiz.questions[0].answer] == "many-to-many, unaligned"
    assert quiz.questions[2].options[quiz.questions[2].answer] == "An RNN"


def test_exercise_passes_the_reference_and_a_hand_written_solution():
    def student(sentence):
        counts = {}
        for word in sentence.lower().split():
            counts[word] = counts.get(word, 0) + 1
        return counts

    assert check_bag_of_words(bag_of_words)
    result = check_bag_of_words(student)
    assert result and "all 5 cases pass" in result.message


def test_exercise_explains_a_missing_return():
    result = check_bag_of_words(lambda sentence: None)
    assert not result
    assert "Case 1 of 5" in result.message and "forget a `return`" in result.message


@pytest.mark.parametrize(
    "student, hint",
    [
        (lambda s: {w: s.split().count(w) for w in s.split()}, "lower-case"),
        (lambda s: dict.fromkeys(s.lower().split(), 1), "counting repeats"),
        (lambda s: {w: s.lower().split(" ").count(w) for w in s.lower().split(" ")}, ".split()"),
    ],
    ids=["no-lower", "set", "split-space"],
)
def test_exercise_recognises_common_mistakes(student, hint):
    result = check_bag_of_words(student)
    assert not result and hint in result.message


# --- the demo ------------------------------------------------------------------------------------


def test_demo_is_registered_for_notebook_00():
    assert demos_of("00_course_map") == [lookback_demo]


def test_demo_readout_follows_the_slider_and_draws_png():
    demo = lookback_demo()
    gap = demo.controls["gap"]
    assert (gap.min, gap.max) == (0, MAX_GAP)
    gap.value = gap.min
    low = demo.text
    assert bytes(demo.figure.image.value).startswith(PNG_MAGIC)
    gap.value = gap.max
    high = demo.text
    assert bytes(demo.figure.image.value).startswith(PNG_MAGIC)
    assert low != high
    assert low.startswith("gap 0: 7 words before the blank, 'france' is 3 back")
    assert high.startswith("gap 30: 37 words before the blank, 'france' is 33 back")
    assert "reaches 'france': no" in low and "reaches 'france': no" in high
    assert "0.9^33 = 0.0309" in high
    text = demo._repr_mimebundle_()[0]["text/plain"]
    assert "gap=30" in text and high in text
