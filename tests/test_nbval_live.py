"""nbval really compares outputs: a tampered notebook fails, and our Output-widget patch hides nothing.

Each test runs nbval in a fresh pytest process on a copy of a notebook, with the repository's own
conftest.py (the Output-widget patch) and sanitize file, exactly as `make test` does. That the
untouched course notebooks pass is what `make test`'s own nbval run shows, so it is not run again here.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.notebooks

ROOT = Path(__file__).resolve().parent.parent
COURSE_NOTEBOOK = ROOT / "notebooks" / "00_course_map.ipynb"


def run_nbval(notebook: Path, with_patch: bool = True) -> subprocess.CompletedProcess:
    """Run nbval (strict mode) on one notebook in its own folder; return the finished process."""
    folder = notebook.parent
    shutil.copy(ROOT / "tests" / "nbval_sanitize.cfg", folder / "sanitize.cfg")
    if with_patch:
        shutil.copy(ROOT / "conftest.py", folder / "conftest.py")
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "sanitize.cfg",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "-q",
        notebook.name,
    ]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)


def tamper_first_stdout(notebook: dict) -> str:
    """Change the first stored stdout line of a notebook in place; return the original text."""
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                original = "".join(output["text"])
                output["text"] = original.replace(original.split()[0], "TAMPERED", 1)
                return original
    raise AssertionError("no stdout output to tamper with")


def executed_notebook(folder: Path, sources: list[str]) -> Path:
    """Write and execute a notebook as `make notebooks` does (widgets' output stays in the widgets)."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(notebook, kernel_name="python3", timeout=120).execute()
    path = folder / "widgets.ipynb"
    nbformat.write(notebook, path)
    return path


OUTPUT_WIDGET_CELLS = [
    "import ipywidgets as w\nout = w.Output()\nout",
    "with out:\n    print('captured by the widget')\nprint('printed by the cell')",
    "w.interact(lambda n: print('square:', n * n), n=(0, 9));",
]


def test_a_changed_stored_output_fails_nbval(tmp_path):
    notebook = json.loads(COURSE_NOTEBOOK.read_text())
    tamper_first_stdout(notebook)
    (tmp_path / "course.ipynb").write_text(json.dumps(notebook))
    result = run_nbval(tmp_path / "course.ipynb")
    assert result.returncode == 1, result.stdout[-3000:]
    assert "Cell outputs differ" in result.stdout
    assert "TAMPERED" in result.stdout


def test_output_widget_notebook_passes_with_the_patch_and_fails_without(tmp_path):
    (tmp_path / "patched").mkdir()
    (tmp_path / "plain").mkdir()
    path = executed_notebook(tmp_path / "patched", OUTPUT_WIDGET_CELLS)
    patched = run_nbval(path, with_patch=True)
    assert patched.returncode == 0, patched.stdout[-3000:]
    plain = run_nbval(Path(shutil.copy(path, tmp_path / "plain")), with_patch=False)
    assert plain.returncode == 1, plain.stdout[-3000:]
    assert "Cell outputs differ" in plain.stdout  # the captured print counted as a cell output


@pytest.mark.parametrize("change", ["stored output", "callback error"])
def test_patch_still_catches_real_failures(tmp_path, change):
    if change == "stored output":
        path = executed_notebook(tmp_path, OUTPUT_WIDGET_CELLS)
        notebook = json.loads(path.read_text())
        assert tamper_first_stdout(notebook) == "printed by the cell\n"
        path.write_text(json.dumps(notebook))
        expected = "Cell outputs differ"
    else:
        path = executed_notebook(tmp_path, ["import ipywidgets as w", "w.interact(lambda n: 1 / (n - n), n=(0, 9));"])
        expected = "ZeroDivisionError"
    result = run_nbval(path, with_patch=True)
    assert result.returncode == 1, result.stdout[-3000:]
    assert expected in result.stdout
