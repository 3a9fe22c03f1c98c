"""What a graded notebook runs in its checker cells' hidden part: the verdict on every case, hidden ones too.

nbgrader gives a checker cell its point when the cell runs without an error, so `require` prints the
verdict (the student's feedback) and raises when a case fails.
"""

from __future__ import annotations

from typing import Any

from helpers.course.exercises import Exercise

GRADE_MARK = "Graded on every case, hidden ones included:"


class NotYet(AssertionError):
    """An exercise that does not pass all its cases yet (the message says which and why)."""


def require(exercise: Exercise, student: Any) -> None:
    """Grade `student` on the visible and hidden cases; print the verdict; raise NotYet unless it passes."""
    result = exercise.grade(student)
    print(f"{GRADE_MARK}\n{result.message}")
    if not result.passed:
        raise NotYet(result.message.splitlines()[0])
