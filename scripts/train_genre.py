"""Train notebook 07's genre classifier over seeds and cache it in data/seeds/genre.json.

    python scripts/train_genre.py            # 5 seeds, each about 2.5 minutes of one core (measured: 150-165 s)
    python scripts/train_genre.py genre      # the same

Each seed draws its own held-out plays and passages, trains class-balanced on one thread and keeps the weights
that score best on its validation plays; seeds run in parallel (one process per core) and give the numbers they
give alone. tests/test_genre.py re-trains the start of one seed and compares it with the cache, so re-run this
whenever the data, the model or the settings change.
"""

import os
import sys
import time
from multiprocessing import Pool

from parts import run_parts

from helpers import genre
from helpers.course.notebook import setup_notebook

WORKERS = int(os.environ.get("GENRE_WORKERS", min(2, os.cpu_count() or 1)))


def _run(seed: int) -> tuple[dict, float]:
    setup_notebook(quiet=True)  # one thread, as in the notebook
    start = time.process_time()
    record = genre.run_seed(seed)
    return record, time.process_time() - start


def train_genre() -> None:
    records = {}
    with Pool(WORKERS) as pool:
        for record, seconds in pool.imap_unordered(_run, genre.SEEDS, chunksize=1):
            records[record["seed"]] = record
            print(
                f"seed {record['seed']}: test {record['test']:.0%}, bag of words {record['bow_test']:.0%}, "
                f"best update {record['best_step']}, {seconds:.0f} s of CPU",
                flush=True,
            )
    genre.genre_cache().save([records[seed] for seed in genre.SEEDS])


def main(parts: list[str]) -> None:
    run_parts({"genre": train_genre}, parts)


if __name__ == "__main__":
    main(sys.argv[1:])
