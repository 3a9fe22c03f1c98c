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


# --- Hints only when a mistake explains every case; the false hints of a dtype-only difference ------------


def twice(x):
    return 2.0 * x


squares = Exercise(
    "square",
    reference=lambda x: x**2,
    cases=[Case((np.array([3.0, 1.0]),)), Case((np.array([5.0, -2.0]),))],
    mistakes={"double instead of squaring": twice},
)


def test_a_mistake_that_explains_every_case_is_named():
    assert "Hint: that is what you get if you double instead of squaring." in squares(twice).message


def test_a_mistake_that_explains_only_the_failing_case_is_not_named():
    def student(x):
        return 2.0 * x if x[0] == 3.0 else x + 1.0  # the mistake on case 1, something else on case 2

    message = squares(student).message
    assert message.startswith("✘ Case 1 of 2") and "Hint" not in message


def test_no_hint_when_the_student_fails_on_another_case_by_raising_or_hanging():
    def student(x):
        if x[0] == 3.0:
            return 2.0 * x
        raise ValueError("no")

    assert "Hint" not in squares(student).message


def test_float_ids_get_the_dtype_message_and_no_mistake_hint():
    from helpers.seq2seq import check_greedy_decode_one, greedy_decode_one

    message = check_greedy_decode_one(lambda *args: [float(word) for word in greedy_decode_one(*args)]).message
    assert "floats, but whole numbers were expected ([5, 3, 7])" in message and "Convert each with int(...)" in message
    assert "Hint" not in message and "use floats" not in message and "max_len" not in message.split("\n", 1)[1]


@pytest.mark.parametrize("name", ["check_clip_gradient", "check_temperature_probabilities"])
def test_a_float32_answer_gets_the_dtype_message_and_no_mistake_hint(name):
    import helpers.lm as lm

    exercise = getattr(lm, name)
    message = exercise(lambda *args: exercise.reference(*args).astype(np.float32)).message
    assert message.endswith("the result has dtype float32, but dtype float64 was expected."), message


def test_a_float_array_where_whole_numbers_are_expected_says_so():
    problem = compare(np.array([1.0, 2.0]), np.array([1, 2]))
    assert "floating-point dtype float64, but dtype int64 was expected" in problem and ".astype(int)" in problem


# --- Hidden cases for grading ------------------------------------------------------------------------------

graded = Exercise(
    "square",
    reference=lambda x: x**2,
    cases=[Case((np.array([3.0, 1.0]),)), Case((np.array([5.0, -2.0]),))],
    hidden_cases=[Case((np.array([0.0]),)), Case((np.array([[1.5, -4.0], [2.0, 7.0]]),))],
    mistakes={"double instead of squaring": twice},
)


def memorised(x):
    """Right on the visible cases only."""
    known = {3.0: np.array([9.0, 1.0]), 5.0: np.array([25.0, 4.0])}
    return known.get(float(x.flat[0]), np.zeros_like(x))


def test_grade_runs_visible_then_hidden_cases():
    assert graded.grade(lambda x: x * x).message == "✔ square: all 4 cases pass (2 visible, 2 hidden)."
    assert graded(memorised).passed  # the visible cases alone do not catch it...
    result = graded.grade(memorised)  # ...the hidden ones do
    assert not result.passed
    assert result.message.startswith("✘ Hidden case 2 of 2: square(x=[[ 1.5, -4. ], [ 2. , 7. ]])\n   got 0 at")


def test_grade_names_a_mistake_that_explains_the_hidden_cases_too():
    message = graded.grade(twice).message
    assert message.startswith("✘ Case 1 of 2") and "Hint: that is what you get if you double instead" in message


def test_calling_an_exercise_checks_the_visible_cases_only():
    assert graded(lambda x: x * x).message == "✔ square: all 2 cases pass. Well done!"
    assert (
        exercise.grade(lambda x, w, b: np.tanh(w @ x + b)).message == "✔ layer: all 1 cases pass (1 visible, 0 hidden)."
    )


def test_grade_protects_like_a_check():
    def hangs(x):
        if x.ndim == 2:  # only on a hidden case
            while True:
                pass
        return x * x

    quick = Exercise("square", lambda x: x**2, graded.cases, hidden_cases=graded.hidden_cases, time_limit=0.2)
    message = quick.grade(hangs).message
    assert message.startswith("✘ Hidden case 2 of 2") and "did not finish within 0.2 seconds" in message


def test_a_time_limit_must_be_positive():
    with pytest.raises(ValueError, match="time_limit must be a positive number of seconds or None, got 0"):
        Exercise("x", reference, CASES, time_limit=0)


# --- What the student's function printed ----------------------------------------------------------------


def test_a_failing_case_shows_what_the_function_printed():
    def student(x, w, b):
        print("shape of x:", x.shape)
        return np.tanh(w @ x)

    message = exercise(student).message
    assert message.endswith("forget the bias b.\n   Your function printed 1 line:\n   | shape of x: (2, 3)")


def test_a_passing_check_only_counts_what_was_printed(capsys):
    def student(x, w, b):
        print("debugging")
        return np.tanh(w @ x + b)

    message = exercise(student).message
    assert (
        message
        == "✔ layer: all 1 cases pass. Well done!\n   (Your function printed 1 line while it was checked; not shown.)"
    )
    assert capsys.readouterr().out == ""


# --- Every exercise of the course -------------------------------------------------------------------------


def course_exercises() -> dict[str, Exercise]:
    import importlib
    import pkgutil

    import helpers

    found = {}
    for module in pkgutil.iter_modules(helpers.__path__):
        if module.name in {"course", "demos"}:
            continue
        for value in vars(importlib.import_module(f"helpers.{module.name}")).values():
            if isinstance(value, Exercise):
                found[value.name] = value
    return found


EXERCISES = course_exercises()


def test_every_exercise_of_the_course_is_found():
    assert len(EXERCISES) == 18


@pytest.mark.parametrize("name", EXERCISES)
def test_every_exercise_has_hidden_cases_its_reference_passes(name):
    exercise = EXERCISES[name]
    assert 2 <= len(exercise.hidden_cases) <= 3
    total = len(exercise.cases) + len(exercise.hidden_cases)
    expected = f"✔ {name}: all {total} cases pass ({len(exercise.cases)} visible, {len(exercise.hidden_cases)} hidden)."
    assert exercise.grade(exercise.reference).message == expected


@pytest.mark.parametrize("name", ["neuron_output", "tanh_derivative", "bag_of_words"])
def test_the_exercises_no_topic_test_covers_catch_their_mistakes_when_graded(name):
    from exercise_checks import assert_catches_every_listed_mistake

    assert_catches_every_listed_mistake(EXERCISES[name])
