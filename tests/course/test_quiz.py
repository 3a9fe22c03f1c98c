"""Quizzes: immediate feedback in the widget, and a readable static form."""

import pytest

from helpers.course.quiz import Question, Quiz, feedback

QUESTION = Question("2 + 2 = ?", ("3", "4", "5"), 1, "Two pairs make four.", {0: "One short."})


def test_feedback_for_right_and_wrong_options():
    assert feedback(QUESTION, 1) == (True, "✔ Right. Two pairs make four.")
    assert feedback(QUESTION, 0) == (False, "✘ Not quite. One short. Try another option.")
    right, message = feedback(QUESTION, 2)
    assert not right and "Have another look" in message
    with pytest.raises(ValueError, match="option index 0..2"):
        feedback(QUESTION, 3)


def test_picking_an_option_in_the_widget_shows_feedback_at_once():
    quiz = Quiz("Arithmetic", [QUESTION, Question("1 + 1 = ?", ("2", "11"), 0, "Addition.")])
    assert quiz.feedback[0].value == "" and "0 of 2 right" in quiz.score.value
    quiz.choices[0].value = "3"
    assert "Not quite. One short." in quiz.feedback[0].value
    quiz.choices[0].value = "4"
    assert "Right. Two pairs make four." in quiz.feedback[0].value
    assert "1 of 2 right" in quiz.score.value
    quiz.choices[1].value = "2"
    assert quiz.correct_count() == 2 and "2 of 2 right" in quiz.score.value


def test_static_forms_show_questions_options_and_answers():
    quiz = Quiz("Arithmetic", [QUESTION])
    bundle = quiz._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == "Arithmetic\n\n1. 2 + 2 = ?\n   a) 3\n   b) 4\n   c) 5\n\nAnswers: 1b"
    assert "<details><summary>Answer</summary>(b) 4. Two pairs make four.</details>" in bundle["text/html"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(options=("only",), answer=0), "at least 2 options"),
        (dict(options=("a", "a"), answer=0), "must differ"),
        (dict(options=("a", "b"), answer=2), "answer must be an option index 0..1"),
        (dict(options=("a", "b"), answer=0, hints={0: "x"}), "hints are for wrong options"),
    ],
)
def test_malformed_questions_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Question("?", explanation="", **kwargs)


def test_a_quiz_needs_questions():
    with pytest.raises(ValueError, match="at least one question"):
        Quiz("Empty", [])
