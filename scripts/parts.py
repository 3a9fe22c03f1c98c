"""What the training scripts share: run the parts named on the command line (all of them when none is), timing each."""

import json
import sys
import time
from collections.abc import Callable
from functools import partial as bind
from multiprocessing import Pool
from pathlib import Path

from helpers.cache import ResultCache
from helpers.course.notebook import setup_notebook


def run_parts(jobs: dict[str, Callable[[], None]], parts: list[str]) -> None:
    """Run each named job in turn and print how long it took; an unknown name stops the script with the choices."""
    unknown = [part for part in parts if part not in jobs]
    if unknown:
        sys.exit(f"unknown part {unknown[0]!r}: choose from {sorted(jobs)}")
    for part in parts or list(jobs):
        start = time.monotonic()
        jobs[part]()
        print(f"{part}: {time.monotonic() - start:.0f} s", flush=True)


def _timed(run: Callable[..., dict], cell: tuple) -> tuple[dict, float]:
    """One cell's record and its CPU seconds, on one thread as in the notebooks."""
    setup_notebook(quiet=True)
    start = time.process_time()
    record = run(*cell)
    return record, time.process_time() - start


def resumable_grid(
    cache: ResultCache,
    cells: list[tuple],
    run: Callable[..., dict],
    partial: Path,
    workers: int,
    describe: Callable[[dict], str],
) -> None:
    """Train every cell with `run(*cell)` (its record) in `workers` processes and save the records to `cache`.

    Every finished cell is appended to `partial` too, so a stopped run resumes where it stopped (only if
    made with the same settings); `partial` is removed once the cache is written. Longest cells go first,
    so the pool ends evenly. `describe(record)` says what a finished cell scored, for the progress line.
    """
    settings = {"settings": json.loads(json.dumps(cache.settings))}
    done: dict[tuple, dict] = {}
    if partial.exists():
        lines = [json.loads(line) for line in partial.read_text().splitlines() if line.strip()]
        if lines and lines[0] == settings:
            done = {cache.key_of(record): record for record in lines[1:]}
    if not done:
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(settings) + "\n")
    todo = [cell for cell in cells if cell not in done][::-1]
    records = dict(done)
    start, cpu = time.monotonic(), 0.0
    with Pool(workers) as pool:
        for record, seconds in pool.imap_unordered(bind(_timed, run), todo, chunksize=1):
            key = cache.key_of(record)
            records[key] = record
            cpu += seconds
            with partial.open("a") as file:
                file.write(json.dumps(record) + "\n")
            print(
                f"[{len(records):3}/{len(cells)}] {' '.join(map(str, key)):30}: {describe(record)}, "
                f"{seconds:.0f} s of CPU (this run: {cpu:.0f} s of CPU, {time.monotonic() - start:.0f} s)",
                flush=True,
            )
    cache.save([records[cell] for cell in cells])
    partial.unlink()
