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

import json
import os
import sys
import time
from multiprocessing import Pool

from parts import run_parts

from helpers import init_grid
from helpers.course.notebook import setup_notebook

PARTIAL = init_grid.PATH.with_suffix(".partial.jsonl")
WORKERS = int(os.environ.get("INIT_GRID_WORKERS", min(2, os.cpu_count() or 1)))


def _done() -> dict[tuple, dict]:
    """The cells a stopped run already finished (only if made with the same settings)."""
    if not PARTIAL.exists():
        return {}
    lines = [json.loads(line) for line in PARTIAL.read_text().splitlines() if line.strip()]
    if not lines or lines[0] != {"settings": json.loads(json.dumps(init_grid.cache().settings))}:
        PARTIAL.unlink()
        return {}
    return {init_grid.cache().key_of(record): record for record in lines[1:]}


def _run(cell: tuple[str, str, int, int]) -> tuple[dict, float]:
    setup_notebook(quiet=True)  # one thread, as in the notebooks
    start = time.process_time()
    record, _, _ = init_grid.run_cell(*cell)
    return record, time.process_time() - start


def train_grid() -> None:
    done = _done()
    if not done:
        PARTIAL.parent.mkdir(parents=True, exist_ok=True)
        PARTIAL.write_text(json.dumps({"settings": json.loads(json.dumps(init_grid.cache().settings))}) + "\n")
    cells = init_grid.grid_cells()
    todo = [cell for cell in cells if cell not in done][::-1]  # longest first: the pool ends evenly
    records = dict(done)
    start, cpu = time.monotonic(), 0.0
    with Pool(WORKERS) as pool:
        for record, seconds in pool.imap_unordered(_run, todo, chunksize=1):
            key = init_grid.cache().key_of(record)
            records[key] = record
            cpu += seconds
            with PARTIAL.open("a") as file:
                file.write(json.dumps(record) + "\n")
            print(
                f"[{len(records):3}/{len(cells)}] {' '.join(map(str, key)):28}: {record['accuracy']:.0%}, "
                f"log10 ratio {record['log10_ratio_untrained']:.1f} → {record['log10_ratio_trained']:.1f}, "
                f"{seconds:.0f} s of CPU (this run: {cpu:.0f} s of CPU, {time.monotonic() - start:.0f} s)",
                flush=True,
            )
    init_grid.cache().save([records[cell] for cell in cells])
    PARTIAL.unlink()


def main(parts: list[str]) -> None:
    run_parts({"grid": train_grid}, parts)


if __name__ == "__main__":
    main(sys.argv[1:])
