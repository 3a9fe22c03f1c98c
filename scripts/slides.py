"""Slide metadata for presenting a notebook with jupyterlab-slideshow (its "deck" mode).

The slides follow the notebook's own structure, so nobody sets them by hand:
`#` and `##` headings start a slide, `###` headings a sub-slide (reached with the down arrow),
hidden solution cells are skipped, and every other cell continues the slide above it.

A continuing cell carries *no* slide type. The nbformat value "-" means the same thing, but
jupyterlab-slideshow 0.3.4 never shows a cell marked "-", so we leave the key out.

Usage: python scripts/slides.py notebooks/01_neurons.ipynb [...]   (run_notebooks.py calls it too)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat


def slide_type(cell: dict) -> str | None:
    """The slide type a cell should have, or None when it continues the slide above it."""
    source = "".join(cell.get("source", ""))
    if cell["cell_type"] == "markdown":
        first_line = source.lstrip().split("\n", 1)[0]
        if re.match(r"#{1,2} ", first_line):
            return "slide"
        if first_line.startswith("### "):
            return "subslide"
    if cell["cell_type"] == "code" and cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"):
        return "skip"  # an exercise's solution: not for the screen
    return None


def mark_slides(notebook: dict) -> dict:
    """Set every cell's slide type from the notebook's structure (in place) and return the notebook."""
    for cell in notebook["cells"]:
        wanted = slide_type(cell)
        metadata = cell.setdefault("metadata", {})
        if wanted is None:
            metadata.pop("slideshow", None)
        else:
            metadata["slideshow"] = {"slide_type": wanted}
    return notebook


def main(arguments: list[str]) -> None:
    for path in map(Path, arguments):
        notebook = nbformat.read(path, as_version=4)
        nbformat.write(mark_slides(notebook), path)
        print(f"{path.name}: slide metadata set")


if __name__ == "__main__":
    main(sys.argv[1:])
