"""The website's sources as scripts/site.py writes them (fast: no Sphinx, no browser; tests/test_site.py has those)."""

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def write_sources(folder: Path) -> Path:
    command = [sys.executable, str(ROOT / "scripts" / "site.py"), "--sources-only", "--sources", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return folder


def test_the_landing_page_has_the_two_commands_and_every_notebook(tmp_path):
    landing = (write_sources(tmp_path / "src") / "index.md").read_text()
    assert "make lab" in landing and "make test" in landing and "## Who it is for" in landing
    for name in NOTEBOOKS:
        assert f"](notebooks/{name}): " in landing, f"{name} is not listed with its line"
        assert f"\nnotebooks/{name}\n" in landing, f"{name} is not in the navigation"


def test_the_instructors_page_keeps_only_links_the_site_can_follow(tmp_path):
    page = (write_sources(tmp_path / "src") / "instructors.md").read_text()
    for heading in ("## Presenting a notebook", "## Handing out and grading", "## The playground without code"):
        assert heading in page
    assert "](CONTRIBUTING.md)" not in page and "](../" not in page


def test_solutions_are_folded_and_every_widget_has_its_note(tmp_path):
    folder = write_sources(tmp_path / "src")
    notebook = nbformat.read(folder / "notebooks" / "04_vanishing_gradients.ipynb", as_version=4)
    folded = [c for c in notebook.cells if "hide-input" in c.metadata.get("tags", [])]
    assert len(folded) == 2 and all(c.source.startswith("# Solution") for c in folded)
    notes = [c.source for c in notebook.cells if c.cell_type == "markdown" and "{admonition}" in c.source]
    assert len(notes) == 2 and "make lab" in notes[0] and "Answer" in notes[1]
    assert not any("slideshow" in c.metadata for c in notebook.cells)
