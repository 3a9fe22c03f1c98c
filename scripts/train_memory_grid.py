"""Train notebook 09's measured grids and cache them in data/memory/ (about half an hour on two cores).

    python scripts/train_memory_grid.py              # the delayed-recall grid and the benchmarks
    python scripts/train_memory_grid.py recall       # just the delayed-recall grid
    python scripts/train_memory_grid.py benchmarks   # just the copy task and the adding problem
    python scripts/train_memory_grid.py frozen       # untrained RNNs and clamped-forget LSTMs, readout only (2 min)

Every cell is seeded on its own, so cells train in parallel (one process per core, one thread each)
and give the same numbers as when trained alone. tests/test_recall.py and tests/test_benchmarks.py
re-train a sample of cells and compare them with the cache, so re-run this whenever the tasks, the
models or the settings change.
"""

import os
import sys
from multiprocessing import Pool

from parts import run_parts

from helpers import benchmarks, recall
from helpers.course.notebook import setup_notebook

WORKERS = min(2, os.cpu_count() or 1)


def _recall_cell(cell: tuple) -> recall.CellRun:
    setup_notebook(quiet=True)  # one thread, as in the notebooks
    kind, length, seed, radius = cell
    run, _ = recall.train_cell(kind, length, seed, recall.GRID, radius)
    print(
        f"recall {kind:4} L={length:3} seed={seed} radius={radius}: {run.accuracy:.0%} in {run.seconds:.0f} s",
        flush=True,
    )
    return run


def _benchmark_cell(cell: tuple) -> dict:
    setup_notebook(quiet=True)
    task, kind, length, seed = cell
    run = benchmarks.train_benchmark(task, kind, length, seed, benchmarks.SETTINGS[task])
    print(f"{task:6} {kind:4} L={length:3} seed={seed}: {run.accuracy:.0%} in {run.seconds:.0f} s", flush=True)
    return benchmarks.grid_record(cell, run)


def _frozen_cell(cell: tuple) -> dict:
    setup_notebook(quiet=True)
    return recall.measure_frozen(*cell)


def measure_frozen() -> None:
    cells = recall.frozen_cells()
    with Pool(WORKERS) as pool:
        records = pool.map(_frozen_cell, cells[::-1], chunksize=4)[::-1]
    recall.save_frozen(records)


def train_recall() -> None:
    cells = recall.grid_cells()
    with Pool(WORKERS) as pool:
        runs = pool.map(_recall_cell, cells[::-1], chunksize=1)[::-1]  # longest first: the pool ends evenly
    recall.save_grid(recall.Grid(recall.GRID, runs))


def train_benchmarks() -> None:
    cells = benchmarks.grid_cells()
    with Pool(WORKERS) as pool:
        records = pool.map(_benchmark_cell, cells[::-1], chunksize=1)[::-1]
    benchmarks.save_grid(records)


def main(parts: list[str]) -> None:
    run_parts({"recall": train_recall, "benchmarks": train_benchmarks, "frozen": measure_frozen}, parts)


if __name__ == "__main__":
    main(sys.argv[1:])
