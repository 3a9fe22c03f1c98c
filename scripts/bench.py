"""Time every notebook top to bottom and every widget's update; print a table and save it.

Usage: python scripts/bench.py [--repeats N] [--out build/bench.md]   (or `make bench`)

Budgets: each notebook ≤ 60 s (fresh kernel, Restart & Run All), each widget update ≤ 15 ms of
kernel-side compute; a demo that must do more (generating text) declares its own `budget_ms`.
Widgets are timed in this process: a control's value is set and its observer runs synchronously,
exactly as when a reader moves it; the median update is held to the budget (the worst is shown).
Exits 1 if anything is over budget.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from helpers.course.notebook import setup_notebook
from helpers.course.widgets import sweep_values
from helpers.demos import DEMOS, demos_of

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_BUDGET_S = 60.0


def time_notebook(path: Path) -> float:
    """Seconds to start a fresh kernel and run the notebook top to bottom (outputs are discarded)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def time_demo(builder, repeats: int) -> list[tuple[str, float, float, float]]:
    """(control, median ms, worst ms, budget ms) for each control of a demo, over its sweep values."""
    demo = builder()
    for (
        control
    ) in demo.controls.values():  # one untimed sweep: the first updates fill caches, as a reader's first move does
        for value in sweep_values(control):
            control.value = value
    rows = []
    for name, control in demo.controls.items():
        timings = []
        for _ in range(repeats):
            for value in sweep_values(control):
                start = time.perf_counter()
                control.value = value
                timings.append((time.perf_counter() - start) * 1000)
        rows.append((name, statistics.median(timings), max(timings), demo.budget_ms))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="sweeps of each control (default 5)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.md", help="where to write the table")
    args = parser.parse_args()
    setup_notebook(quiet=True)

    lines = ["| notebook | what | time | budget | ok |", "|---|---|---:|---:|---|"]
    over = 0
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        seconds = time_notebook(path)
        ok = seconds <= NOTEBOOK_BUDGET_S
        over += not ok
        lines.append(
            f"| {path.stem} | Restart & Run All | {seconds:.1f} s | {NOTEBOOK_BUDGET_S:.0f} s "
            f"| {'yes' if ok else 'OVER'} |"
        )
        print(lines[-1], flush=True)
    time.sleep(2)  # let the last kernel shut down before timing widgets in this process
    for path in paths:
        for builder in demos_of(path.stem) if path.stem in DEMOS else []:
            for control, median, worst, budget in time_demo(builder, args.repeats):
                ok = median <= budget  # the typical update; one slow outlier is the machine, not the widget
                over += not ok
                lines.append(
                    f"| {path.stem} | {builder.__name__}: {control} | {median:.1f} ms (worst {worst:.1f}) "
                    f"| {budget:.0f} ms | {'yes' if ok else 'OVER'} |"
                )
                print(lines[-1], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    verdict = "All within budget." if not over else f"{over} item(s) over budget."
    written = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    print(f"\n{verdict} Table written to {written}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
