"""Train notebook 06's race at 16 and 64 units and cache it in data/seeds/race.json (32 units: notebook 05's grid).

    python scripts/train_race.py            # every cell: about 8 minutes of one core's time
    python scripts/train_race.py race       # the same

Every cell is seeded on its own and trains on one thread, as in the notebooks, so cells run in parallel (one
process per core) and give the numbers they give alone.
Every finished cell is also appended to data/seeds/race.partial.jsonl: a run that is stopped resumes where it
stopped, and the partial file is removed once the cache is written. tests/test_race.py re-trains one cell and
compares it with the cache, so re-run this whenever the tasks, the models or the settings change.
"""

import json
import os
import sys
import time
from multiprocessing import Pool

from parts import run_parts

from helpers import race
from helpers.course.notebook import setup_notebook

PARTIAL = race.PATH.with_suffix(".partial.jsonl")
WORKERS = int(os.environ.get("RACE_WORKERS", min(2, os.cpu_count() or 1)))


def _done() -> dict[tuple, dict]:
    """The cells a stopped run already finished (only if made with the same settings)."""
    if not PARTIAL.exists():
        return {}
    lines = [json.loads(line) for line in PARTIAL.read_text().splitlines() if line.strip()]
    if not lines or lines[0] != {"settings": json.loads(json.dumps(race.cache().settings))}:
        PARTIAL.unlink()
        return {}
    return {race.cache().key_of(record): record for record in lines[1:]}


def _run(cell: tuple[str, str, int, int, int]) -> tuple[dict, float]:
    setup_notebook(quiet=True)  # one thread, as in the notebooks
    start = time.process_time()
    record = race.run_cell(*cell)
    return record, time.process_time() - start


def train_race() -> None:
    done = _done()
    if not done:
        PARTIAL.parent.mkdir(parents=True, exist_ok=True)
        PARTIAL.write_text(json.dumps({"settings": json.loads(json.dumps(race.cache().settings))}) + "\n")
    cells = race.race_cells()
    todo = [cell for cell in cells if cell not in done][::-1]  # longest first: the pool ends evenly
    records = dict(done)
    start, cpu = time.monotonic(), 0.0
    with Pool(WORKERS) as pool:
        for record, seconds in pool.imap_unordered(_run, todo, chunksize=1):
            key = race.cache().key_of(record)
            records[key] = record
            cpu += seconds
            with PARTIAL.open("a") as file:
                file.write(json.dumps(record) + "\n")
            print(
                f"[{len(records):3}/{len(cells)}] {' '.join(map(str, key)):30}: {record['accuracy']:.0%}, "
                f"{seconds:.0f} s of CPU (this run: {cpu:.0f} s of CPU, {time.monotonic() - start:.0f} s)",
                flush=True,
            )
    race.cache().save([records[cell] for cell in cells])
    PARTIAL.unlink()


def main(parts: list[str]) -> None:
    run_parts({"race": train_race}, parts)


if __name__ == "__main__":
    main(sys.argv[1:])
