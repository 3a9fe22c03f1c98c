"""One check for every auto-checked exercise: the reference passes and each listed mistake is named, when
checked on the visible cases and when graded on the hidden ones too; the hidden cases catch each mistake."""

import copy
import warnings

from helpers.course.exercises import Exercise, compare


def assert_catches_every_listed_mistake(exercise: Exercise) -> None:
    """The reference solution passes; each listed mistake fails with its own description in the message."""
    assert exercise(exercise.reference).passed, f"{exercise.name}: the reference solution does not pass"
    graded = exercise.grade(exercise.reference)
    assert graded.passed, f"{exercise.name}: the reference solution does not pass its hidden cases: {graded.message}"
    assert f"({len(exercise.cases)} visible, {len(exercise.hidden_cases)} hidden)" in graded.message
    assert len(exercise.hidden_cases) >= 2, f"{exercise.name}: give it 2-3 hidden cases"
    for description, mistake in exercise.mistakes.items():
        with warnings.catch_warnings():  # a mistake may overflow on purpose
            warnings.simplefilter("ignore")
            result = exercise(mistake)
            graded = exercise.grade(mistake)
            caught = [
                compare(
                    mistake(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs)),
                    exercise.reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs)),
                    exercise.atol,
                    exercise.rtol,
                    exercise.check_dtype,
                )
                for case in exercise.hidden_cases
            ]
        assert not result.passed and description in result.message, (exercise.name, description, result.message)
        assert not graded.passed and description in graded.message, (exercise.name, description, graded.message)
        assert any(caught), f"{exercise.name}: no hidden case tells the mistake '{description}' from the reference"
