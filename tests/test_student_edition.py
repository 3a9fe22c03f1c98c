"""The handout runs: every notebook's student edition (`make student`), executed top to bottom in a kernel.

Every checker cell must say "not yet" (✘) about the untouched stub, and no cell may fail: a later cell
that needed a solution, or a checker that raises on a stub, would show here. The notebooks come in two
classes, which xdist (`--dist loadscope`) may hand to its two workers at once.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from scripts.editions import exercises, write_student_edition

pytestmark = pytest.mark.notebooks  # it runs notebooks (make unit leaves it out)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> Path:
    written = write_student_edition(tmp_path_factory.mktemp("edition") / "student")
    return written[0].parent


def text_of(cell: nbformat.NotebookNode) -> str:
    """What a cell printed or displayed, as text."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", "") or output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def run_student_edition(editions: Path, notebook: str) -> None:
    """Execute one student edition top to bottom; check that every checker says "not yet" and nothing fails."""
    edition = nbformat.read(editions / f"{notebook}.ipynb", as_version=4)
    client = NotebookClient(edition, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})
    client.execute()  # a failing cell raises CellExecutionError, naming the cell and the error
    checkers = [c for c in edition.cells if c.metadata.get("nbgrader", {}).get("grade")]
    course = nbformat.read(ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4)
    assert len(checkers) == len(exercises(course)), f"{notebook}: a checker cell is missing from the student edition"
    for cell in checkers:
        verdict = text_of(cell).strip()
        assert verdict.startswith("✘") and "Error" not in verdict.split("\n")[0], f"{notebook}: {verdict[:300]}"
    assert not any(o.get("output_type") == "error" for c in edition.cells for o in c.get("outputs", []))


class TestTheFirstHalf:
    @pytest.mark.parametrize("notebook", NOTEBOOKS[: len(NOTEBOOKS) // 2 + 1])
    def test_the_student_edition_runs_top_to_bottom_and_every_checker_says_not_yet(self, editions, notebook):
        run_student_edition(editions, notebook)


class TestTheSecondHalf:
    @pytest.mark.parametrize("notebook", NOTEBOOKS[len(NOTEBOOKS) // 2 + 1 :])
    def test_the_student_edition_runs_top_to_bottom_and_every_checker_says_not_yet(self, editions, notebook):
        run_student_edition(editions, notebook)
