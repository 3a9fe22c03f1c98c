"""Grade a folder of submitted notebooks with nbgrader: a grade sheet (CSV) and feedback for each student.

Usage: python scripts/grade.py SUBMISSIONS [--out build/grades] [--cell-timeout 120] [--notebook-timeout 900]
(what `make grade SUBMISSIONS=...` runs). SUBMISSIONS holds one folder per student with the notebooks they
hand in, named as in the course: SUBMISSIONS/ada/02_vanilla_rnn.ipynb.

Each notebook runs top to bottom in a fresh kernel (nbgrader's autograde) with a time limit per cell and
one per notebook; the checker cells are restored from the course (a student cannot edit them) and run
their hidden cases too. Whatever a submission does (a syntax error, a deleted cell, an endless loop,
`exit()`), it gets a score and a message: a notebook that cannot be graded scores 0 and says why.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from editions import NOTEBOOKS, exercises, nbgrader_api, release, write_sources
from nbgrader.api import Gradebook, MissingEntry

ROOT = Path(__file__).resolve().parent.parent
# Run in every grading kernel before the notebook: `exit()` and `quit()` in a cell would shut the kernel
# down and lose the rest of the notebook, so in grading they only stop the cell they are in.
KERNEL_GUARD = '''\
class _NoExit:
    """exit() and quit() while grading: stop this cell only, keep the kernel for the cells after it."""

    def __repr__(self):
        return "exit() is switched off while grading"

    def __call__(self, *args, **kwargs):
        raise SystemExit("exit() was called; grading goes on with the next cell")


exit = quit = _NoExit()
'''


@dataclass
class Mark:
    """One exercise of one student's notebook: the points and what the student reads."""

    student: str
    notebook: str
    exercise: str
    score: float
    max_score: float
    feedback: str


def course_notebooks() -> dict[str, int]:
    """The course's notebooks that have exercises, with how many each has."""
    counts = {}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        count = len(exercises(nbformat.read(path, as_version=4)))
        if count:
            counts[path.stem] = count
    return counts


def prepare(course: Path, names: list[str]) -> None:
    """A fresh nbgrader course folder with the named notebooks' sources and handouts in its gradebook."""
    shutil.rmtree(course, ignore_errors=True)
    course.mkdir(parents=True)
    write_sources(course, names)
    release(course, names)
    startup = course / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-grading-guard.py").write_text(KERNEL_GUARD)


def autograde_one(course: Path, student: str, notebook: str, cell_timeout: int) -> None:
    """nbgrader's autograde of one notebook of one student (run in a child process: see `autograde`)."""
    result = nbgrader_api(course, cell_timeout).autograde(notebook, student, force=True, create=True)
    if not result["success"]:  # the cause is in the log's traceback, e.g. "KeyError: 'grade_id'"
        log = (result.get("log") or "") + "\n" + (result.get("error") or "")
        causes = [line.strip() for line in log.splitlines() if re.match(r"\s*[\w.]*(Error|Exception)\b.*:", line)]
        causes = [c for c in causes if "NbGraderException" not in c] or ["nbgrader's autograde failed"]
        sys.exit(causes[-1])


def autograde(course: Path, student: str, notebook: str, cell_timeout: int, notebook_timeout: int) -> str | None:
    """Autograde in a child process with a time limit; None when it worked, else the reason it did not."""
    command = [sys.executable, __file__, "--autograde-one", str(course), student, notebook, str(cell_timeout)]
    env = {**os.environ, "IPYTHONDIR": str(course / "ipython"), "PYTHONPATH": str(ROOT / "scripts")}
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            code = process.wait(timeout=notebook_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the kernel too: it is in the same session
            process.wait()
            return f"the notebook did not finish within {notebook_timeout} s, so it could not be graded"
        log.seek(0)
        text = log.read()
    if code == 0:
        return None
    last = [line for line in text.strip().splitlines() if line.strip()][-1:] or ["no message"]
    return f"nbgrader could not grade this notebook: {last[0][:300]}"


def _text(output: nbformat.NotebookNode) -> str:
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return f"{output.ename}: {output.evalue}"
    return output.get("data", {}).get("text/plain", "")


def _error(cell: nbformat.NotebookNode, cell_timeout: int) -> str | None:
    errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
    if not errors:
        return None
    if errors[-1].ename == "CellTimeoutError":
        return f"it ran longer than the {cell_timeout} s a cell may take and was stopped (a loop that never ends?)"
    return f"{errors[-1].ename}: {errors[-1].evalue}".strip()


def feedback(
    notebook: nbformat.NotebookNode, grade_id: str, function: str, cell_timeout: int = 120, restored: tuple = ()
) -> str:
    """What the student reads for one exercise of an autograded notebook: the checker's verdict, or why none."""
    cells = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell for cell in notebook.cells}
    check, answer = cells.get(grade_id), cells.get(f"{grade_id}_answer")
    notes = []
    if f"{grade_id}_answer" in restored:
        notes.append("Your answer cell was missing (deleted?), so it was put back as handed out.")
    if grade_id in restored:
        notes.append("The checker cell was missing (deleted?), so it was put back.")
    if answer is not None and _error(answer, cell_timeout):
        notes.append(f"Your answer cell stopped: {_error(answer, cell_timeout)}.")
    if check is None:
        return " ".join(notes + ["The checker cell did not run."])
    from helpers.course.grading import GRADE_MARK  # here, so the autograde child does not import torch

    text = "".join(_text(o) for o in check.get("outputs", []))
    if GRADE_MARK in text:
        verdict = text.split(GRADE_MARK, 1)[1].strip()
        verdict = verdict.split("NotYet:")[0].strip()
        return "\n".join(notes + [verdict])
    error = _error(check, cell_timeout) or "the checker printed nothing"
    if error.startswith("NameError") and f"'{function}'" in error:
        error = f"`{function}` is not defined, so the checker had nothing to check ({error})."
    return " ".join(notes + [error])


def marks_of(course: Path, student: str, notebook: str, problem: str | None, cell_timeout: int) -> list[Mark]:
    """Every exercise's mark of one student's notebook, from the gradebook and the autograded notebook."""
    source = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4)
    graded_path = course / "autograded" / student / notebook / f"{notebook}.ipynb"
    graded = nbformat.read(graded_path, as_version=4) if problem is None and graded_path.exists() else None
    restored_path = course / "submitted" / student / notebook / "restored.json"
    restored = tuple(json.loads(restored_path.read_text())) if restored_path.exists() else ()
    marks = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for exercise in exercises(source):
            score = 0.0
            if graded is not None:
                try:
                    grade = gradebook.find_grade(exercise.grade_id, notebook, notebook, student)
                    score = float(grade.score or 0.0)
                except MissingEntry:
                    problem = "nbgrader kept no grade for this notebook"
            text = (
                feedback(graded, exercise.grade_id, exercise.function, cell_timeout, restored)
                if graded is not None
                else str(problem)
            )
            if score and "✔" not in text:  # the point needs the checker's own verdict, not just a quiet cell
                score, text = 0.0, f"No verdict from the checker (was the grading code changed?), so no point. {text}"
            marks.append(Mark(student, notebook, exercise.grade_id, score, 1.0, text))
    return marks


def reset_metadata(submitted: nbformat.NotebookNode, handout: nbformat.NotebookNode) -> None:
    """nbgrader's metadata of each exercise cell as handed out: a copied, edited or stray one is cleared.

    (A duplicated checker cell or an answer cell marked as graded would otherwise stop nbgrader.)
    """
    wanted = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"] for c in handout.cells if "nbgrader" in c.metadata
    }
    seen = set()
    for cell in submitted.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell.metadata.pop("nbgrader", None)
        if grade_id in wanted and grade_id not in seen:
            cell.metadata["nbgrader"] = copy.deepcopy(wanted[grade_id])
            seen.add(grade_id)


def restore_missing(submitted: nbformat.NotebookNode, handout: nbformat.NotebookNode) -> list[str]:
    """Put back the answer and checker cells a student deleted, as handed out; return their grade ids.

    (nbgrader restores a missing checker cell only while its answer cell is there.)
    """
    present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in submitted.cells}
    restored = []
    for position, cell in enumerate(handout.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is None or grade_id in present:
            continue
        # after the cell that comes before it in the handout (found by its id, else by its text), else at the end
        before = handout.cells[position - 1] if position else None
        at = len(submitted.cells)
        for index, candidate in enumerate(submitted.cells):
            if before is not None and (candidate.get("id") == before.get("id") or candidate.source == before.source):
                at = index + 1
        submitted.cells.insert(at, copy.deepcopy(cell))
        present.add(grade_id)
        restored.append(grade_id)
    return restored


def read_submission(path: Path) -> str | None:
    """None when a submitted file reads as a notebook; else why it does not."""
    try:
        nbformat.validate(nbformat.read(path, as_version=4))
    except Exception as error:  # any unreadable file gets a grade and this message
        return f"the file is not a readable notebook ({type(error).__name__}: {str(error)[:200]})"
    return None


def grade(submissions: Path, out: Path, cell_timeout: int = 120, notebook_timeout: int = 900) -> list[Mark]:
    """Grade every student's notebooks; write out/grades.csv, out/totals.csv and out/feedback/<student>.md."""
    if not submissions.is_dir():
        raise SystemExit(f"no folder of submissions at {submissions}: expected SUBMISSIONS/<student>/<notebook>.ipynb")
    known = course_notebooks()
    students = sorted(p.name for p in submissions.iterdir() if p.is_dir())
    handed_in = {s: sorted(p.stem for p in (submissions / s).glob("*.ipynb") if p.stem in known) for s in students}
    names = sorted({name for notebooks in handed_in.values() for name in notebooks})
    course = out / "nbgrader"
    prepare(course, names)
    marks: list[Mark] = []
    for student in students:
        for notebook in handed_in[student]:
            path = submissions / student / f"{notebook}.ipynb"
            problem = read_submission(path)
            if problem is None:
                target = course / "submitted" / student / notebook
                target.mkdir(parents=True, exist_ok=True)
                submitted = nbformat.read(path, as_version=4)
                handout = nbformat.read(course / "release" / notebook / f"{notebook}.ipynb", as_version=4)
                reset_metadata(submitted, handout)
                restored = restore_missing(submitted, handout)
                nbformat.write(submitted, target / f"{notebook}.ipynb")
                (target / "restored.json").write_text(json.dumps(restored))
                problem = autograde(course, student, notebook, cell_timeout, notebook_timeout)
            marks += marks_of(course, student, notebook, problem, cell_timeout)
            print(f"{student} {notebook}: {sum(m.score for m in marks[-known[notebook] :]):g}/{known[notebook]}")
        strays = sorted(p.name for p in (submissions / student).iterdir() if p.stem not in known)
        for stray in strays:
            print(f"{student}: skipped {stray}, which is not a course notebook with exercises")
        for notebook in sorted(set(names) - set(handed_in[student])):  # everyone is graded on the same notebooks
            reason = f"not handed in: no {student}/{notebook}.ipynb" + (
                f" (found {', '.join(strays)}: name the notebook as in the course)" if strays else ""
            )
            marks += marks_of(course, student, notebook, reason, cell_timeout)
    write_results(marks, out)
    return marks


def write_results(marks: list[Mark], out: Path) -> None:
    """The grade sheet (one row per exercise), the totals (one row per student) and each student's feedback."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "grades.csv", "w", newline="") as sheet:
        writer = csv.writer(sheet)
        writer.writerow(["student", "notebook", "exercise", "score", "max_score", "feedback"])
        for m in marks:
            writer.writerow([m.student, m.notebook, m.exercise, f"{m.score:g}", f"{m.max_score:g}", m.feedback])
    with open(out / "totals.csv", "w", newline="") as sheet:
        writer = csv.writer(sheet)
        writer.writerow(["student", "score", "max_score"])
        for student in sorted({m.student for m in marks}):
            own = [m for m in marks if m.student == student]
            writer.writerow([student, f"{sum(m.score for m in own):g}", f"{sum(m.max_score for m in own):g}"])
    shutil.rmtree(out / "feedback", ignore_errors=True)
    (out / "feedback").mkdir()
    for student in sorted({m.student for m in marks}):
        lines = [f"# Feedback for {student}", ""]
        for notebook in sorted({m.notebook for m in marks if m.student == student}):
            own = [m for m in marks if m.student == student and m.notebook == notebook]
            lines += [f"## {notebook}: {sum(m.score for m in own):g} of {sum(m.max_score for m in own):g}", ""]
            for m in own:
                lines += [f"### {m.exercise}: {m.score:g} of {m.max_score:g}", "", "```", m.feedback, "```", ""]
        (out / "feedback" / f"{student}.md").write_text("\n".join(lines))


def main(arguments: list[str]) -> None:
    if arguments[:1] == ["--autograde-one"]:
        course, student, notebook, cell_timeout = arguments[1:5]
        autograde_one(Path(course), student, notebook, int(cell_timeout))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "grades")
    parser.add_argument("--cell-timeout", type=int, default=120, help="seconds a cell may run")
    parser.add_argument("--notebook-timeout", type=int, default=900, help="seconds a notebook may run")
    options = parser.parse_args(arguments)
    marks = grade(options.submissions.resolve(), options.out.resolve(), options.cell_timeout, options.notebook_timeout)
    total = sum(m.score for m in marks)
    print(f"{total:g} of {sum(m.max_score for m in marks):g} points; grades in {options.out}/grades.csv")


if __name__ == "__main__":
    main(sys.argv[1:])
