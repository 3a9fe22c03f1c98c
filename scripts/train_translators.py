"""Train notebook 08's translators and cache them in data/translators/ (about 16 minutes on two cores).

    python scripts/train_translators.py             # all of them, seeds 0, 1 and 2 each (about 10 minutes on 2 cores)
    python scripts/train_translators.py attention   # just one
    python scripts/train_translators.py --weights DIR   # also keep every seed's weights in DIR/<name>_<seed>.pt

The cache keeps the weights of seed 0 only. With --weights, every seed's weights and losses are written to
DIR too, so scripts/evaluate_translators.py --weights DIR need not re-train seeds 1 and 2.

The weights go to data/translators/<name>.pt and the records to data/translators/translators.json (the
course's one cache format, helpers.cache). tests/test_translation.py re-verifies the cache, so re-run this
whenever the phrasebook, the model or the settings in helpers/translation.py change.
"""

import argparse
import json
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import torch

from helpers.course.notebook import setup_notebook
from helpers.translation import SEEDS, TRANSLATORS, course_data, save_translators, train_translator

WORKERS = min(2, os.cpu_count() or 1)


def _train(run: tuple[str, int]):
    setup_notebook(quiet=True)  # one thread, as in the notebooks
    name, seed = run
    start = time.monotonic()
    trained = train_translator(TRANSLATORS[name], course_data(), report=None, seed=seed)
    print(f"{name} seed {seed}: trained in {time.monotonic() - start:.0f} s", flush=True)
    return trained


def main(names: list[str], weights: Path | None = None) -> None:
    unknown = [name for name in names if name not in TRANSLATORS]
    if unknown:
        sys.exit(f"unknown translators {unknown}: choose from {list(TRANSLATORS)}")
    runs = [(name, seed) for name in names or list(TRANSLATORS) for seed in SEEDS]
    with Pool(WORKERS) as pool:  # every run is seeded on its own: in parallel it gives what it gives alone
        trained = dict(zip(runs, pool.map(_train, runs, chunksize=1)))
    for record in save_translators(trained, course_data()):
        print(f"{record['name']} seed {record['seed']}: scores on the check pairs {record['scores']}", flush=True)
    if weights is not None:
        weights.mkdir(parents=True, exist_ok=True)
        for (name, seed), (model, losses) in trained.items():
            torch.save(model.state_dict(), weights / f"{name}_{seed}.pt")
            (weights / f"{name}_{seed}.json").write_text(json.dumps(losses))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"translators to train (default: all of {', '.join(TRANSLATORS)})")
    parser.add_argument("--weights", type=Path, help="also write every seed's weights and losses to this folder")
    args = parser.parse_args()
    main(args.names, args.weights)
