"""Train the seeds behind notebooks 03 and 05's comparisons and cache them in data/seeds/ (a few minutes).

    python scripts/train_seed_runs.py          # both
    python scripts/train_seed_runs.py lm       # notebook 03: five language models (matched sizes, tied), 5 seeds each
    python scripts/train_seed_runs.py lstm     # notebook 05: forget bias, memory span, gradients and gates, 5 seeds
    python scripts/train_seed_runs.py long     # notebook 03: one larger LSTM trained longer (about 40 minutes)

Every run is seeded on its own, so runs train in parallel (one process per core, one thread each) and give
the numbers they give alone. tests/test_lm_seeds.py and tests/test_lstm_seeds.py re-run seed 0 and compare
it with the cache, so re-run this whenever the models, the data or the settings change.
"""

import os
import sys
from multiprocessing import Pool

from parts import run_parts

from helpers import lm_seeds, long_lm, lstm_seeds
from helpers.course.notebook import setup_notebook

WORKERS = min(2, os.cpu_count() or 1)


def _lm_run(cell: tuple[str, int]) -> tuple[dict, dict | None]:
    setup_notebook(quiet=True)  # one thread, as in the notebooks
    name, seed = cell
    vocab, train_ids, val_ids = lm_seeds.course_ids()
    model, record = lm_seeds.train_seed(name, seed, len(vocab), train_ids, val_ids)
    print(f"lm {name:9} seed {seed}: perplexity {record['perplexity']:.3f} in {record['seconds']:.0f} s", flush=True)
    return record, (model.state_dict() if seed == 0 and name in lm_seeds.SAVED else None)


def _lstm_run(seed: int) -> dict:
    setup_notebook(quiet=True)
    record = lstm_seeds.run_seed(seed)
    print(f"lstm seed {seed}: {record}"[:300], flush=True)
    return record


def train_lm() -> None:
    cells = [(name, seed) for name in lm_seeds.BUDGET.models for seed in lm_seeds.BUDGET.seeds]
    with Pool(WORKERS) as pool:
        results = pool.map(_lm_run, cells, chunksize=1)
    vocab, train_ids, val_ids = lm_seeds.course_ids()
    lm_seeds.cache(train_ids, val_ids).save([record for record, _ in results])
    saved = {name: lm_seeds.build(name, len(vocab)) for name in lm_seeds.SAVED}
    for (name, _seed), (_, state) in zip(cells, results):
        if state is not None:
            saved[name].load_state_dict(state)
    lm_seeds.save_weights(saved)


def train_lstm() -> None:
    with Pool(WORKERS) as pool:
        records = pool.map(_lstm_run, lstm_seeds.SETTINGS.seeds, chunksize=1)
    lstm_seeds.cache().save(records)


def train_long() -> None:
    setup_notebook(quiet=True)
    vocab, train_ids, val_ids = lm_seeds.course_ids()
    model, record, _ = long_lm.train_long(len(vocab), train_ids, val_ids)
    print(f"long lstm: perplexity {record['perplexity']:.3f} in {record['seconds']:.0f} s", flush=True)
    long_lm.save(model, record, train_ids, val_ids)


def main(parts: list[str]) -> None:
    run_parts({"lm": train_lm, "lstm": train_lstm, "long": train_long}, parts)


if __name__ == "__main__":
    main(sys.argv[1:])
