"""The student edition and nbgrader's source, built from the course's notebooks without running them."""

import re
from pathlib import Path

import nbformat
import pytest

from helpers.course.grading import NotYet, require
from scripts.editions import CHECK_CALL, FOLDED, exercises, solutions, solved_edition, student_edition

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WITH_EXERCISES = [p for p in NOTEBOOKS if exercises(nbformat.read(p, as_version=4))]


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def grade_cells(notebook: nbformat.NotebookNode, kind: str) -> list[nbformat.NotebookNode]:
    return [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get(kind)]


def test_every_notebook_has_its_exercises_in_stub_and_solution_pairs():
    found = {p.stem: [e.grade_id for e in exercises(read(p))] for p in NOTEBOOKS}
    assert sum(len(ids) for ids in found.values()) == 18
    every_id = [grade_id for ids in found.values() for grade_id in ids]
    assert len(set(every_id)) == len(every_id), "two exercises share a checker"
    assert all(found[p.stem] for p in NOTEBOOKS), "a notebook without an exercise"


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_the_student_edition_has_no_solutions_and_one_answer_and_checker_per_exercise(path):
    notebook = read(path)
    edition = student_edition(notebook, hidden_tests=False)
    every_source = "\n".join(cell.source for cell in edition.cells)
    for code in solutions(notebook).values():
        body = [line for line in code.splitlines() if line.strip() and not line.startswith(("def ", "import "))]
        assert not any(line in every_source for line in body if len(line.strip()) > 12), "a solution line is left"
    assert not any(c.cell_type == "code" and c.source.startswith("# Solution") for c in edition.cells)
    assert not FOLDED.search(every_source), "the edition still says the solution is folded away below"
    answers, checkers = grade_cells(edition, "solution"), grade_cells(edition, "grade")
    assert len(answers) == len(checkers) == len(exercises(notebook))
    for checker in checkers:
        assert CHECK_CALL.fullmatch(checker.source.strip()) and checker.metadata["nbgrader"]["locked"]
    assert len({c.id for c in edition.cells}) == len(edition.cells), "cell ids must stay unique"


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_nbgraders_source_grades_on_the_hidden_cases(path):
    for checker in grade_cells(student_edition(read(path)), "grade"):
        assert re.search(r"### BEGIN HIDDEN TESTS\n.*require\(.+\)\n### END HIDDEN TESTS", checker.source, re.S)


def run_exercise_cells(notebook: nbformat.NotebookNode, source_of_answers: str) -> dict:
    """The notebook's imports, then the answer code: a namespace to call the checkers in, without training."""
    namespace: dict = {}
    imports = [
        line
        for cell in notebook.cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if re.match(r"(import|from) \w", line)
    ]
    exec("\n".join(imports), namespace)
    exec(source_of_answers, namespace)
    return namespace


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_each_notebooks_own_solution_passes_every_case_hidden_ones_too(path, capsys):
    notebook = read(path)
    for exercise in exercises(notebook):
        namespace = run_exercise_cells(notebook, solutions(notebook)[exercise.grade_id])
        require(eval(exercise.checker, namespace), namespace[exercise.function])  # raises NotYet on a failure
        verdict = capsys.readouterr().out
        assert "✔" in verdict and "hidden" in verdict, verdict


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_each_untouched_stub_gets_a_not_yet_and_raises_for_the_grader(path, capsys):
    notebook = read(path)
    edition = student_edition(notebook, hidden_tests=False)
    for exercise, answer in zip(exercises(notebook), grade_cells(edition, "solution")):
        namespace = run_exercise_cells(notebook, answer.source)
        with pytest.raises(NotYet):
            require(eval(exercise.checker, namespace), namespace[exercise.function])
        assert "✘" in capsys.readouterr().out


def test_the_solved_edition_fills_every_answer_with_the_solution():
    notebook = read(ROOT / "notebooks" / "02_vanilla_rnn.ipynb")
    solved = solved_edition(notebook)
    (answer,) = grade_cells(solved, "solution")
    assert answer.source.startswith("def rnn_step") and "np.tanh" in answer.source
