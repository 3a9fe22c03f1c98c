"""Every committed notebook is fully executed, in order, without errors, paths or warnings."""

import copy
import json
import re
from pathlib import Path

import pytest
from notebook_guard import notebook_problems

from scripts.slides import mark_slides, slide_type

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def code_cell(source, count, outputs=()):
    return {"cell_type": "code", "source": source, "execution_count": count, "metadata": {}, "outputs": list(outputs)}


def test_the_course_has_its_first_notebooks():
    assert [p.name for p in NOTEBOOKS][:2] == ["00_course_map.ipynb", "01_neurons.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_is_executed_and_clean(path):
    assert notebook_problems(json.loads(path.read_text())) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_the_course_structure(path):
    cells = json.loads(path.read_text())["cells"]
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "".join(cells[0]["source"]).startswith(f"# {path.name[:2]} · ")
    for heading in ("## Learning goals", "## Quiz", "## Exercise", "## Summary", "What's next"):
        assert heading in markdown, f"{path.name} has no '{heading}' section"
    first_code = next(c for c in cells if c["cell_type"] == "code")
    assert "setup_notebook(" in "".join(first_code["source"]), "the first code cell sets the notebook up"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_ready_to_present_as_slides(path):
    notebook = json.loads(path.read_text())
    assert notebook == mark_slides(copy.deepcopy(notebook)), f"slide metadata is stale: run make slides NB={path}"
    types = [cell["metadata"].get("slideshow", {}).get("slide_type") for cell in notebook["cells"]]
    assert types[0] == "slide" and types.count("slide") >= 5
    for cell in notebook["cells"]:  # the deck splits slides between cells, so a heading must open its cell
        if cell["cell_type"] == "markdown":
            later_lines = "".join(cell["source"]).strip().split("\n")[1:]
            assert not [line for line in later_lines if re.match(r"#{1,3} ", line)], cell["source"][:1]


@pytest.mark.parametrize(
    "source, cell_type, metadata, expected",
    [
        ("# 03 · Title\n\nIntro", "markdown", {}, "slide"),
        ("## Quiz", "markdown", {}, "slide"),
        ("\n### A worked example", "markdown", {}, "subslide"),
        ("#### A small heading", "markdown", {}, None),
        ("Plain text with a # sign", "markdown", {}, None),
        ("print(1)", "code", {}, None),
        ("# Solution\nanswer = 42", "code", {"jupyter": {"source_hidden": True}}, "skip"),
    ],
    ids=["title", "section", "subsection", "h4", "text", "code", "solution"],
)
def test_slide_type_follows_the_structure(source, cell_type, metadata, expected):
    assert slide_type({"cell_type": cell_type, "source": source, "metadata": metadata}) == expected


def test_continuing_cells_carry_no_slide_type_because_the_deck_hides_dash():
    notebook = {"cells": [{"cell_type": "markdown", "source": "text", "metadata": {"slideshow": {"slide_type": "-"}}}]}
    assert mark_slides(notebook)["cells"][0]["metadata"] == {}


def test_guard_accepts_a_clean_notebook():
    notebook = {
        "cells": [
            code_cell("1 + 1", 1, [{"output_type": "execute_result", "data": {"text/plain": "2"}}]),
            code_cell("x = 2", 2),
        ]
    }
    assert notebook_problems(notebook) == []


@pytest.mark.parametrize(
    "cells, expected",
    [
        ([code_cell("1 + 1", None)], "never executed"),
        ([code_cell("a = 1", 2), code_cell("b = 2", 1)], "not 1..2 in order"),
        ([code_cell("a = 1", 1), code_cell("b = 2", 3)], "not 1..2 in order"),
        (
            [
                code_cell(
                    "1 / 0", 1, [{"output_type": "error", "ename": "ZeroDivisionError", "evalue": "", "traceback": []}]
                )
            ],
            "error output",
        ),
        (
            [
                code_cell(
                    "print(p)", 1, [{"output_type": "stream", "name": "stdout", "text": "saved to /root/course/x.png"}]
                )
            ],
            "machine path",
        ),
        (
            [code_cell("p", 1, [{"output_type": "execute_result", "data": {"text/plain": "'/home/ana/rnn'"}}])],
            "machine path",
        ),
        (
            [code_cell("warn()", 1, [{"output_type": "stream", "name": "stderr", "text": "UserWarning: careful"}])],
            "stderr",
        ),
        (
            [
                code_cell(
                    "plt.plot(x)", 1, [{"output_type": "display_data", "data": {"image/png": "iVBOR"}, "metadata": {}}]
                )
            ],
            "figure without alt text",
        ),
    ],
    ids=[
        "unexecuted",
        "out-of-order",
        "skipped-count",
        "error",
        "path-in-stream",
        "path-in-result",
        "warning",
        "no-alt",
    ],
)
def test_guard_catches_each_problem(cells, expected):
    problems = notebook_problems({"cells": cells})
    assert any(expected in problem for problem in problems), problems
