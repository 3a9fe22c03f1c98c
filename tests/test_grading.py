"""`make grade` end to end: nbgrader grades handed-in copies of notebook 02, good, empty and hostile ones.

One grading run (scripts/grade.py, as `make grade` calls it) over a folder of students, each handing in
notebook 02 in another state; then the grade sheet, the totals and each student's feedback are read.
"""

from __future__ import annotations

import copy
import csv
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from helpers import rnn
from scripts.editions import fill_answers, solved_edition, student_edition

pytestmark = pytest.mark.notebooks  # it runs notebooks (make unit leaves it out)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "02_vanilla_rnn"
CELL_TIMEOUT = 15
MISTAKE = next(iter(rnn.check_rnn_step.mistakes))  # a listed mistake, handed in as the student's function
SIGNATURE = "def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):\n"
ANSWERS = {
    "ada_solved": None,
    "bob_untouched": {},
    "cy_endless_loop": {"check_rnn_step": "while True:\n    pass\n"},
    "dee_exit_in_cell": {"check_rnn_step": SIGNATURE + "    return 0\n\n\nexit()\n"},
    "eve_rebinds_the_grader": {  # a wrong answer, and the grading function replaced to say nothing
        "check_rnn_step": SIGNATURE
        + "    return 0\n\n\nimport helpers.course.grading as g\ng.require = lambda *a: None\n"
    },
    "fay_listed_mistake": {
        "check_rnn_step": f"rnn_step = rnn.check_rnn_step.mistakes[{MISTAKE!r}]  # the mistake itself\n"
    },
    "gus_syntax_error": {"check_rnn_step": SIGNATURE + "    return np.tanh(x_t @ W_xh.T +\n"},
    "hal_deleted_cells": "delete",
    "ivy_not_a_notebook": "garbage",
    "jo_copied_cells_and_metadata": "copy",  # solved, the checker cell duplicated, the answer marked as graded
    "kim_misnamed": "misnamed",
}


def submission(student: str) -> str | nbformat.NotebookNode:
    course = nbformat.read(ROOT / "notebooks" / f"{NOTEBOOK}.ipynb", as_version=4)
    answers = ANSWERS[student]
    if answers is None:
        return solved_edition(course)
    if answers == "garbage":
        return '{"cells": [ this is not json'
    edition = student_edition(course, hidden_tests=False)
    if answers == "delete":
        edition.cells = [c for c in edition.cells if "nbgrader" not in c.metadata]
        return edition
    if answers in ("copy", "misnamed"):
        solved = solved_edition(course)
        if answers == "copy":
            checker = next(i for i, c in enumerate(solved.cells) if c.metadata.get("nbgrader", {}).get("grade"))
            solved.cells.insert(checker, copy.deepcopy(solved.cells[checker]))
            solved.cells[checker].id = "a-copy"
            answer = next(c for c in solved.cells if c.metadata.get("nbgrader", {}).get("solution"))
            answer.metadata["nbgrader"].update(grade=True, points=100)
        return solved
    return fill_answers(edition, answers)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    submissions, out = tmp_path_factory.mktemp("submissions"), tmp_path_factory.mktemp("grades")
    for student in ANSWERS:
        (submissions / student).mkdir()
        content = submission(student)
        path = submissions / student / f"{NOTEBOOK}{' (1)' if student == 'kim_misnamed' else ''}.ipynb"
        if isinstance(content, str):
            path.write_text(content)
        else:
            nbformat.write(content, path)
    (submissions / "ada_solved" / "notes.txt").write_text("not a notebook")
    start = time.monotonic()
    command = [sys.executable, "scripts/grade.py", str(submissions), "--out", str(out)]
    result = subprocess.run(
        [*command, "--cell-timeout", str(CELL_TIMEOUT)], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    seconds = time.monotonic() - start
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    with open(out / "grades.csv", newline="") as sheet:
        rows = {row["student"]: row for row in csv.DictReader(sheet)}
    return rows, out, seconds, result.stdout


def test_every_student_gets_a_row_a_total_and_feedback(graded):
    rows, out, _, _ = graded
    assert sorted(rows) == sorted(ANSWERS)
    assert all(row["notebook"] == NOTEBOOK and row["exercise"] == "check_rnn_step" for row in rows.values())
    with open(out / "totals.csv", newline="") as sheet:
        totals = {row["student"]: row for row in csv.DictReader(sheet)}
    assert sorted(totals) == sorted(ANSWERS) and all(t["max_score"] == "1" for t in totals.values())
    for student in ANSWERS:
        text = (out / "feedback" / f"{student}.md").read_text()
        assert text.startswith(f"# Feedback for {student}") and rows[student]["feedback"][:40] in text


def test_the_solved_edition_gets_full_marks_on_visible_and_hidden_cases(graded):
    rows, _, _, _ = graded
    assert rows["ada_solved"]["score"] == "1", rows["ada_solved"]["feedback"]
    assert "✔" in rows["ada_solved"]["feedback"] and "hidden" in rows["ada_solved"]["feedback"]


def test_the_untouched_student_edition_gets_zero_and_says_what_is_missing(graded):
    rows, _, _, _ = graded
    assert rows["bob_untouched"]["score"] == "0"
    assert "returned None" in rows["bob_untouched"]["feedback"]


def test_a_listed_mistake_gets_its_message(graded):
    rows, _, _, _ = graded
    assert rows["fay_listed_mistake"]["score"] == "0"
    assert f"Hint: that is what you get if you {MISTAKE}" in rows["fay_listed_mistake"]["feedback"]


def test_an_endless_loop_is_stopped_at_the_cell_limit_and_graded(graded):
    rows, _, seconds, _ = graded
    assert rows["cy_endless_loop"]["score"] == "0"
    assert f"ran longer than the {CELL_TIMEOUT} s a cell may take" in rows["cy_endless_loop"]["feedback"]
    assert seconds < 600, f"grading took {seconds:.0f} s"


def test_exit_in_a_cell_is_graded_not_fatal(graded):
    rows, _, _, _ = graded
    assert rows["dee_exit_in_cell"]["score"] == "0"
    assert "exit() was called" in rows["dee_exit_in_cell"]["feedback"]
    assert "numpy array of shape" in rows["dee_exit_in_cell"]["feedback"], "the checker ran after exit()"


def test_a_grader_silenced_from_the_answer_cell_gives_no_point(graded):
    rows, _, _, _ = graded
    assert rows["eve_rebinds_the_grader"]["score"] == "0"
    assert "No verdict from the checker" in rows["eve_rebinds_the_grader"]["feedback"]


def test_copied_cells_and_edited_metadata_do_not_stop_grading(graded):
    rows, _, _, _ = graded
    assert rows["jo_copied_cells_and_metadata"]["score"] == "1", rows["jo_copied_cells_and_metadata"]["feedback"]


def test_a_misnamed_notebook_gets_a_row_saying_so(graded):
    rows, _, _, stdout = graded
    assert rows["kim_misnamed"]["score"] == "0"
    assert "not handed in" in rows["kim_misnamed"]["feedback"] and "(1).ipynb" in rows["kim_misnamed"]["feedback"]


def test_a_syntax_error_deleted_cells_or_a_broken_file_get_zero_and_a_reason(graded):
    rows, _, _, stdout = graded
    assert "SyntaxError" in rows["gus_syntax_error"]["feedback"]
    assert rows["hal_deleted_cells"]["score"] == "0"
    assert "answer cell was missing (deleted?), so it was put back" in rows["hal_deleted_cells"]["feedback"]
    assert "returned None" in rows["hal_deleted_cells"]["feedback"], "the restored stub is checked"
    assert "not a readable notebook" in rows["ivy_not_a_notebook"]["feedback"]
    assert all(rows[s]["score"] == "0" for s in ("gus_syntax_error", "ivy_not_a_notebook"))
    assert "skipped notes.txt" in stdout


def test_a_missing_folder_of_submissions_is_a_clear_error(tmp_path):
    command = [sys.executable, "scripts/grade.py", str(tmp_path / "nowhere")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "no folder of submissions" in result.stderr
