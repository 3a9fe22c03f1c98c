"""The exercise checker: right answers pass, and each kind of wrong answer gets its own message."""

import numpy as np
import pytest
import torch

from helpers.course.exercises import Case, CheckResult, Exercise, compare, describe


def reference(x, w, b):
    return np.tanh(w @ x + b)


CASES = [
    Case((np.array([[0.5, 0.3], [1.0, -1.0], [0.0, 2.0]]).T, np.array([2.0, -1.0]), 0.1))
]  # x: (2, 3) → result (3,)
exercise = Exercise("layer", reference, CASES, mistakes={"forget the bias b": lambda x, w, b: np.tanh(w @ x)})


WRONG_ANSWERS = {
    "wrong shape": (lambda x, w, b: np.tanh(w @ x + b)[:2], "shape (2,), but shape (3,) was expected"),
    "wrong dtype": (
        lambda x, w, b: np.tanh(w @ x + b).astype(np.float32),
        "dtype float32, but dtype float64 was expected",
    ),
    "integer dtype": (lambda x, w, b: np.round(np.tanh(w @ x + b)).astype(int), "integer dtype int64"),
    "NaN": (lambda x, w, b: np.tanh(w @ x + b) * np.array([1.0, np.nan, 1.0]), "contains NaN at index (1,)"),
    "inf": (lambda x, w, b: np.tanh(w @ x + b) + np.array([0.0, np.inf, 0.0]), "contains inf"),
    "None": (lambda x, w, b: None, "returned None. Did you forget a `return` statement?"),
    "exception": (lambda x, w, b: x @ w, "raised ValueError: matmul"),
    "not implemented": (
        lambda x, w, b: (_ for _ in ()).throw(NotImplementedError()),
        "raised NotImplementedError: replace the placeholder",
    ),
    "off by a little": (lambda x, w, b: np.round(np.tanh(w @ x + b), 2), "close but not within tolerance"),
    "swapped arguments": (lambda x, w, b: np.tanh(b @ x + w), "`w` and `b` swapped"),
    "list instead of array": (
        lambda x, w, b: np.tanh(w @ x + b).tolist(),
        "returned a Python list, but a numpy array of shape (3,) was expected",
    ),
    "tensor instead of array": (
        lambda x, w, b: torch.tanh(torch.tensor(w @ x + b)),
        "returned a torch tensor, but a numpy array was expected",
    ),
    "wrong sign": (lambda x, w, b: -np.tanh(w @ x + b), "wrong sign"),
    "known mistake": (lambda x, w, b: np.tanh(w @ x), "Hint: that is what you get if you forget the bias b"),
    "wrong value": (lambda x, w, b: np.tanh(w @ x + b) + 1.0, "but 0.664037 was expected"),
}


def test_a_right_answer_passes():
    result = exercise(lambda x, w, b: np.tanh(w @ x + b))
    assert result.passed and bool(result)
    assert result.message == "✔ layer: all 1 cases pass. Well done!"


@pytest.mark.parametrize("kind", WRONG_ANSWERS)
def test_each_wrong_answer_gets_a_specific_message(kind):
    student, expected_phrase = WRONG_ANSWERS[kind]
    result = exercise(student)
    assert not result.passed
    assert result.message.startswith("✘ Case 1 of 1: layer(x=")
    assert expected_phrase in result.message, result.message


def test_the_messages_are_all_different():
    messages = {exercise(student).message.split("\n", 1)[1] for student, _ in WRONG_ANSWERS.values()}
    assert len(messages) == len(WRONG_ANSWERS)


def test_an_exception_points_at_the_students_line_not_at_torch():
    def student(x, w, b):
        hidden = torch.tensor(x) @ torch.tensor(np.ones((4, 4)))
        return hidden.numpy()

    message = exercise(student).message
    assert "raised RuntimeError" in message
    assert "hidden = torch.tensor(x) @ torch.tensor(np.ones((4, 4)))" in message
    assert "Traceback" not in message and "site-packages" not in message


@pytest.mark.parametrize(
    "thing, phrase",
    [
        (None, "you passed None"),
        (3.5, "Expected a function to check, but got a float (3.5)"),
        (np.zeros(3), "Expected a function to check, but got a numpy array"),
    ],
)
def test_passing_something_that_is_not_a_function(thing, phrase):
    result = exercise(thing)
    assert not result.passed and phrase in result.message


def test_a_function_with_the_wrong_parameters():
    result = exercise(lambda x, w: x)
    assert "your function takes (x, w), but the exercise calls it as layer(x, w, b)" in result.message


def test_the_students_arguments_are_copies():
    def mutating(x, w, b):
        x *= 0
        return np.tanh(w @ x + b)

    exercise(mutating)
    assert CASES[0].args[0][0, 0] == 0.5


def test_a_transposed_matrix_is_named():
    problem = compare(np.zeros((3, 2)), np.zeros((2, 3)))
    assert "looks transposed" in problem


def test_scalars_accept_any_number_type_but_not_a_list():
    assert compare(np.float64(0.5), 0.5) is None
    assert compare(torch.tensor(0.5, dtype=torch.float64), 0.5) is None
    assert compare(np.array([0.5]), 0.5) is None
    assert "a single number was expected" in compare([0.5], 0.5)
    assert "a single number was expected" in compare(np.array([0.5, 0.5]), 0.5)
    assert "contains NaN" in compare(float("nan"), 0.5)


def test_tensors_are_compared_as_tensors():
    expected = torch.ones(2, 3)
    assert compare(torch.ones(2, 3), expected) is None
    assert "a torch tensor was expected" in compare(np.ones((2, 3), dtype=np.float32), expected)
    assert "dtype float64, but dtype float32" in compare(torch.ones(2, 3, dtype=torch.float64), expected)


def test_tuples_are_checked_element_by_element():
    assert compare((1.0, np.ones(2)), (1.0, np.ones(2))) is None
    assert "in element 1 of the returned tuple" in compare((1.0, np.zeros(2)), (1.0, np.ones(2)))
    assert "a tuple of 2 values was expected" in compare(1.0, (1.0, 2.0))


def test_results_display_as_text_and_html():
    result = CheckResult(False, "✘ nope <b>")
    assert repr(result) == "✘ nope <b>"
    assert "&lt;b&gt;" in result._repr_html_() and "#D55E00" in result._repr_html_()


def test_describe():
    assert describe(np.zeros((2, 3))) == "a numpy array of shape (2, 3) and dtype float64"
    assert describe([1, 2]) == "a list of length 2"
    assert describe(3) == "an int (3)"


def test_an_exercise_needs_cases():
    with pytest.raises(ValueError, match="needs at least one case"):
        Exercise("empty", reference, [])


@pytest.mark.parametrize("got, expected", [(5, 132), (np.int64(131), 132), (True, False), (np.array(2), np.array(3))])
def test_a_wrong_whole_number_is_caught(got, expected):
    problem = compare(got, expected)
    assert problem is not None and str(int(expected)) in problem.replace("False", "0")


def test_lists_of_whole_numbers_are_compared_by_value():
    assert compare([1, 2], [1, 2]) is None and compare([], []) is None
    assert compare((1, 2), [1, 2]) is None  # a tuple answer is fine
    assert compare([torch.tensor(1), torch.tensor(2)], [1, 2]) is None  # so are ids kept as tensors
    assert compare([1, 3], [1, 2]) == "value 3 at index (1,) should be 2."
    assert compare([5, 7, 2], [5, 7]) == "it returned [5, 7, 2], but [5, 7] was expected: 3 values instead of 2."
