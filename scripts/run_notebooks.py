"""Re-execute notebooks top to bottom and store their outputs (and slide metadata), as nbval will compare them.

Usage: python scripts/run_notebooks.py notebooks/01_neurons.ipynb [more.ipynb ...]
(or `make notebooks NB=notebooks/01_neurons.ipynb`; with no arguments, every notebook).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from slides import mark_slides

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def run(path: Path, timeout: int = 600) -> float:
    """Execute one notebook in place with a fresh kernel; return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["kernelspec"] = KERNELSPEC
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(mark_slides(notebook), path)
    return seconds


def main(arguments: list[str]) -> None:
    paths = [Path(a) for a in arguments] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        print(f"{path.name}: {run(path):.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
