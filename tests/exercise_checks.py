"""One check for every auto-checked exercise: the reference passes and each listed mistake is named."""

import warnings

from helpers.course.exercises import Exercise


def assert_catches_every_listed_mistake(exercise: Exercise) -> None:
    """The reference solution passes; each listed mistake fails with its own description in the message."""
    assert exercise(exercise.reference).passed, f"{exercise.name}: the reference solution does not pass"
    for description, mistake in exercise.mistakes.items():
        with warnings.catch_warnings():  # a mistake may overflow on purpose
            warnings.simplefilter("ignore")
            result = exercise(mistake)
        assert not result.passed and description in result.message, (exercise.name, description, result.message)
