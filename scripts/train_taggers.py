"""Train notebook 07's taggers (one way vs both ways; 1, 2 and 3 stacked layers) over seeds; cache them.

    python scripts/train_taggers.py           # 12 runs: about 2 minutes of one core's time (6 minutes here, busy)
    python scripts/train_taggers.py taggers   # the same

Writes data/seeds/taggers.json (one record per direction, depth and seed) and data/seeds/taggers.pt (seed 0's
weights of every run, for the notebook's widget). Every run is seeded on its own and trains on one thread, so
runs train in parallel (one process per core) and give the numbers they give alone. tests/test_tagging.py
re-trains the start of one run and compares it with the cache, so re-run this whenever the data, the model or
the settings change.
"""

import os
import sys
import time
from multiprocessing import Pool

import torch
from parts import run_parts

from helpers import tagging
from helpers.course.notebook import setup_notebook

WORKERS = int(os.environ.get("TAGGER_WORKERS", min(2, os.cpu_count() or 1)))


def _run(run: tuple[str, int, int]) -> tuple[dict, dict, float]:
    setup_notebook(quiet=True)  # one thread, as in the notebook
    start = time.process_time()
    record, model = tagging.run_record(*run, tagging.notebook_data())
    return record, model.state_dict(), time.process_time() - start


def train_taggers() -> None:
    runs = [(d, n, seed) for d, n in tagging.RUNS for seed in tagging.RUN_SEEDS]
    records, weights = {}, {}
    with Pool(WORKERS) as pool:
        for record, state, seconds in pool.imap_unordered(_run, runs[::-1], chunksize=1):
            key = (record["direction"], record["layers"], record["seed"])
            records[key] = record
            if record["seed"] == 0:
                weights[tagging.run_name(record["direction"], record["layers"])] = state
            print(
                f"[{len(records):2}/{len(runs)}] {key}: right {record['test_right']:.0%}, "
                f"both sides {record['test_both']:.0%}, {seconds:.0f} s of CPU",
                flush=True,
            )
    tagging.runs_cache().save([records[run] for run in runs])
    torch.save({name: weights[name] for name in sorted(weights)}, tagging.WEIGHTS_PATH)


def main(parts: list[str]) -> None:
    run_parts({"taggers": train_taggers}, parts)


if __name__ == "__main__":
    main(sys.argv[1:])
