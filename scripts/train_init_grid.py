"""Train notebook 05's initialisation × architecture grid and cache it in data/seeds/init_grid.json.

    python scripts/train_init_grid.py            # the whole grid: about 20 minutes of one core's time
    python scripts/train_init_grid.py grid       # the same

Every cell is seeded on its own and trains on one thread, as in the notebooks, so cells run in parallel (one
process per core) and give the numbers they give alone.
Every finished cell is also appended to data/seeds/init_grid.partial.jsonl: a run that is stopped resumes
where it stopped, and the partial file is removed once the cache is written. tests/test_init_grid.py
re-trains one cell and compares it with the cache, so re-run this whenever the tasks, the models or the
settings change.
"""

import os
import sys

from parts import resumable_grid, run_parts

from helpers import init_grid

PARTIAL = init_grid.PATH.with_suffix(".partial.jsonl")
WORKERS = int(os.environ.get("INIT_GRID_WORKERS", min(2, os.cpu_count() or 1)))


def _describe(record: dict) -> str:
    ratios = f"{record['log10_ratio_untrained']:.1f} → {record['log10_ratio_trained']:.1f}"
    return f"{record['accuracy']:.0%}, log10 ratio {ratios}"


def _record(arch: str, init: str, distance: int, seed: int) -> dict:
    return init_grid.run_cell(arch, init, distance, seed)[0]


def train_grid() -> None:
    resumable_grid(init_grid.cache(), init_grid.grid_cells(), _record, PARTIAL, WORKERS, _describe)


def main(parts: list[str]) -> None:
    run_parts({"grid": train_grid}, parts)


if __name__ == "__main__":
    main(sys.argv[1:])
