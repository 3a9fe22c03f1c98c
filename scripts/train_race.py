"""Train notebook 06's race at 16 and 64 units and cache it in data/seeds/race.json (32 units: notebook 05's grid).

    python scripts/train_race.py            # every cell: about 8 minutes of one core's time
    python scripts/train_race.py race       # the same

Every cell is seeded on its own and trains on one thread, as in the notebooks, so cells run in parallel (one
process per core) and give the numbers they give alone.
Every finished cell is also appended to data/seeds/race.partial.jsonl: a run that is stopped resumes where it
stopped, and the partial file is removed once the cache is written. tests/test_race.py re-trains one cell and
compares it with the cache, so re-run this whenever the tasks, the models or the settings change.
"""

import os
import sys

from parts import resumable_grid, run_parts

from helpers import race

PARTIAL = race.PATH.with_suffix(".partial.jsonl")
WORKERS = int(os.environ.get("RACE_WORKERS", min(2, os.cpu_count() or 1)))


def _describe(record: dict) -> str:
    return f"{record['accuracy']:.0%}"


def train_race() -> None:
    resumable_grid(race.cache(), race.race_cells(), race.run_cell, PARTIAL, WORKERS, _describe)


def main(parts: list[str]) -> None:
    run_parts({"race": train_race}, parts)


if __name__ == "__main__":
    main(sys.argv[1:])
