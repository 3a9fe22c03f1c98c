"""The course's notebooks in other editions: the student edition (no solutions) and nbgrader's source.

Every exercise in a notebook is a pair of code cells: a stub the student fills in, which ends with the
checker call (`rnn.check_rnn_step(rnn_step)`), and right after it a folded cell whose first line is
`# Solution`. From that pair:

- the **student edition** drops the solution cell with its outputs and splits the stub in two: the
  student's answer (an nbgrader solution cell) and a locked cell that calls the checker (an nbgrader
  grade cell worth one point). Its hidden part, which nbgrader strips from the handout and restores
  when grading, calls `require`, which grades on the visible and the hidden cases;
- the **solved edition** is the student edition with each answer replaced by the solution, which
  grading must give full marks.

Usage: python scripts/editions.py student [OUT]   (what `make student` runs; OUT is build/student)
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader import preprocessors
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTION_MARK = "# Solution"
CHECK_CALL = re.compile(r"^(?P<checker>[A-Za-z_][\w.]*\.check_\w+|check_\w+)\((?P<function>\w+)\)\s*$", re.M)
NBGRADER_SCHEMA = 3
# what the course's notebooks say about their folded solutions, and what the student edition says instead
FOLDED = re.compile(
    r"(The solutions? (is|are) folded away below( each exercise)?; try first!|Solutions are folded away below\.)"
)
NO_SOLUTIONS = "Your instructor has the solutions."


@dataclass
class Exercise:
    """One exercise of a notebook: its checker call, the student's function and the two cells."""

    checker: str  # as the notebook calls it, e.g. "rnn.check_rnn_step"
    function: str  # the function the student writes, e.g. "rnn_step"
    stub: int  # index of the stub cell
    solution: int  # index of the solution cell

    @property
    def grade_id(self) -> str:
        """nbgrader's id of the exercise's grade cell (the checker's own name)."""
        return self.checker.rsplit(".", 1)[-1]


def exercises(notebook: NotebookNode) -> list[Exercise]:
    """Every exercise of a notebook, found from its `# Solution` cells; a ValueError if one is malformed."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.startswith(SOLUTION_MARK):
            continue
        call = CHECK_CALL.search(cell.source)
        if call is None:
            raise ValueError(f"solution cell {index} does not end with a checker call such as check_x(x)")
        stub = index - 1
        while stub >= 0 and notebook.cells[stub].cell_type != "code":
            stub -= 1
        if stub < 0 or call.group(0).strip() not in notebook.cells[stub].source:
            raise ValueError(f"solution cell {index} has no stub cell before it that calls {call.group(0).strip()}")
        found.append(Exercise(call.group("checker"), call.group("function"), stub, index))
    return found


def split_stub(source: str, exercise: Exercise) -> tuple[str, str]:
    """A stub cell's code as (the student's part, the checker call)."""
    call = CHECK_CALL.search(source)
    assert call is not None and call.group("checker") == exercise.checker
    answer = (source[: call.start()] + source[call.end() :]).strip() + "\n"
    return answer, call.group(0).strip()


def _cell_id(notebook: NotebookNode, wanted: str) -> str:
    taken = {cell.get("id") for cell in notebook.cells}
    name, number = wanted, 1
    while name in taken:
        number += 1
        name = f"{wanted}-{number}"
    return name


def _nbgrader(cell: NotebookNode, grade_id: str, *, solution: bool, grade: bool) -> None:
    cell.metadata["nbgrader"] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": grade,
        "schema_version": NBGRADER_SCHEMA,
        "solution": solution,
        "task": False,
        **({"points": 1} if grade else {}),
    }
    cell.metadata.pop("jupyter", None)  # not folded: the student must see both


def student_edition(notebook: NotebookNode, hidden_tests: bool = True) -> NotebookNode:
    """The notebook without its solution cells, each stub split into an answer cell and a checker cell.

    With `hidden_tests`, the checker cells carry nbgrader's hidden part (this is nbgrader's source);
    nbgrader's `generate_assignment` strips it for the handout.
    """
    edition = copy.deepcopy(notebook)
    found = exercises(edition)
    # the solution cell and any note between it and its stub ("### Solution: try it yourself first!")
    solutions = {index for exercise in found for index in range(exercise.stub + 1, exercise.solution + 1)}
    by_stub = {exercise.stub: exercise for exercise in found}
    cells = []
    for index, cell in enumerate(edition.cells):
        if index in solutions:
            continue
        if index not in by_stub:
            if cell.cell_type == "markdown":
                cell.source = FOLDED.sub(NO_SOLUTIONS, cell.source)
            cells.append(cell)
            continue
        exercise = by_stub[index]
        answer_source, call = split_stub(cell.source, exercise)
        answer = nbformat.v4.new_code_cell(answer_source)
        answer.id = cell.get("id", f"{exercise.grade_id}-answer")
        _nbgrader(answer, f"{exercise.grade_id}_answer", solution=True, grade=False)
        check_source = call
        if hidden_tests:
            check_source += (
                "\n### BEGIN HIDDEN TESTS\n"
                "from helpers.course.grading import require\n\n"
                f"require({exercise.checker}, {exercise.function})\n"
                "### END HIDDEN TESTS"
            )
        check = nbformat.v4.new_code_cell(check_source)
        _nbgrader(check, exercise.grade_id, solution=False, grade=True)
        check.metadata["slideshow"] = {"slide_type": "-"}
        cells += [answer, check]
    edition.cells = cells
    for cell in edition.cells:
        if cell.get("id") is None or [c.get("id") for c in edition.cells].count(cell.get("id")) > 1:
            cell.id = _cell_id(edition, "cell")
    return edition


def solutions(notebook: NotebookNode) -> dict[str, str]:
    """Each exercise's solution code (without its `# Solution` line and checker call), by grade id."""
    found = {}
    for exercise in exercises(notebook):
        source = notebook.cells[exercise.solution].source
        body = source[len(SOLUTION_MARK) :]
        call = CHECK_CALL.search(body)
        assert call is not None
        found[exercise.grade_id] = (body[: call.start()] + body[call.end() :]).strip() + "\n"
    return found


def fill_answers(edition: NotebookNode, answers: dict[str, str]) -> NotebookNode:
    """A copy of a student edition with the answer cells of the given grade ids replaced."""
    filled = copy.deepcopy(edition)
    for cell in filled.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("_answer") and grade_id[: -len("_answer")] in answers:
            cell.source = answers[grade_id[: -len("_answer")]]
            cell.outputs = []
    return filled


def solved_edition(notebook: NotebookNode) -> NotebookNode:
    """The student edition with every answer filled in from the notebook's own solutions."""
    return fill_answers(student_edition(notebook, hidden_tests=False), solutions(notebook))


def clear_exercise_outputs(notebook: NotebookNode) -> NotebookNode:
    """Outputs of the answer and checker cells removed (the rest keep theirs, figures included)."""
    for cell in notebook.cells:
        if "nbgrader" in cell.metadata and cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook


def write_sources(course: Path, names: list[str] | None = None) -> list[str]:
    """nbgrader's source folder: course/source/<notebook>/<notebook>.ipynb for each course notebook."""
    written = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        if names is not None and path.stem not in names:
            continue
        folder = course / "source" / path.stem
        folder.mkdir(parents=True, exist_ok=True)
        edition = clear_exercise_outputs(student_edition(nbformat.read(path, as_version=4)))
        nbformat.write(edition, folder / path.name)
        written.append(path.stem)
    return written


def nbgrader_api(course: Path, cell_timeout: int = 120) -> NbGraderAPI:
    """nbgrader's API on a course folder (its gradebook lives there too), configured for this course."""
    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
    # the handout keeps the outputs of the cells it shares with the course (figures, tables); the
    # exercise cells have none (clear_exercise_outputs), so nbgrader's ClearOutput is left out. The
    # source holds the stubs, not the solutions, so there is nothing for ClearSolutions to clear.
    config.GenerateAssignment.preprocessors = [
        preprocessors.IncludeHeaderFooter,
        preprocessors.LockCells,
        preprocessors.CheckCellMetadata,
        preprocessors.ComputeChecksums,
        preprocessors.SaveCells,
        preprocessors.ClearHiddenTests,
        preprocessors.ComputeChecksums,
        preprocessors.CheckCellMetadata,
    ]
    config.Execute.timeout = cell_timeout  # seconds per cell; a cell past it is interrupted
    config.OverwriteCells.add_missing_cells = True  # a deleted checker cell comes back (and fails)
    config.Autograde.create_student = True
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")  # alembic
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def release(course: Path, names: list[str]) -> None:
    """nbgrader's handout of each named notebook, in course/release/<notebook>/ (hidden tests removed)."""
    api = nbgrader_api(course)
    for name in names:
        result = api.generate_assignment(name, force=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader could not generate the handout of {name}:\n{result.get('error', '')}")


def write_student_edition(out: Path) -> list[Path]:
    """Every notebook's student edition (and the playground as it is) in `out`, ready to hand out."""
    course = out.parent / f"{out.name}-nbgrader"
    shutil.rmtree(course, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    course.mkdir(parents=True)
    names = write_sources(course)
    release(course, names)
    written = []
    (out / "notebooks").mkdir(parents=True)
    for name in names:
        target = out / "notebooks" / f"{name}.ipynb"
        shutil.copy(course / "release" / name / f"{name}.ipynb", target)
        written.append(target)
    shutil.copytree(ROOT / "playground", out / "playground", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return written


def main(arguments: list[str]) -> None:
    if not arguments or arguments[0] != "student":
        sys.exit("usage: python scripts/editions.py student [OUT]")
    out = Path(arguments[1]) if len(arguments) > 1 else ROOT / "build" / "student"
    written = write_student_edition(out.resolve())
    count = sum(len(exercises(nbformat.read(NOTEBOOKS / p.name, as_version=4))) for p in written)
    print(f"Student edition: {len(written)} notebooks with {count} exercises (no solutions) in {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
