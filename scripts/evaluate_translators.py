"""Evaluate notebook 08's translators, every kind and seed, and cache the records in data/translation_eval/.

    python scripts/evaluate_translators.py                # re-trains seeds 1 and 2 (about 20 minutes on 2 busy cores)
    python scripts/evaluate_translators.py --weights DIR  # their weights from DIR/<name>_<seed>.pt (about 3 minutes)

Seed 0's weights are cached in data/translators/. The other seeds keep only their records there: this script
takes their weights from DIR when `python scripts/train_translators.py --weights DIR` kept them (and checks the
losses kept beside them against the records), or else re-trains them with `translation.train_translator` (same
settings and seed) and checks that their first losses match the record. Either way it writes whether every
loss equals the record into each record's "model". tests/test_translation_eval.py re-verifies seed 0.
"""

import argparse
import json
import os
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import torch

from helpers.course.notebook import setup_notebook
from helpers.translation import (
    SEEDS,
    TRANSLATORS,
    course_data,
    load_records,
    load_translator,
    new_model,
    train_translator,
)
from helpers.translation_eval import evaluate, evaluation_cache

WORKERS = min(2, os.cpu_count() or 1)


def _evaluate(job: tuple[str, int, str | None]) -> dict:
    setup_notebook(quiet=True)  # one thread, as in the notebooks
    name, seed, weights = job
    start = time.monotonic()
    data = course_data()
    record = load_records(name, data)[seed]
    path = Path(weights) / f"{name}_{seed}.pt" if weights else None
    if seed == TRANSLATORS[name].seed:
        model, source = load_translator(name, data), "cached weights"
    elif path is not None and path.exists():
        model = new_model(TRANSLATORS[name], data)
        model.load_state_dict(torch.load(path, weights_only=True))
        model.eval()
        source = "weights given by --weights"
        losses_path = path.with_suffix(".json")  # the losses of that training, if it kept them
        if losses_path.exists():
            losses = json.loads(losses_path.read_text())
            if not np.allclose(losses[:50], record["losses"][:50], rtol=2e-3):
                raise RuntimeError(f"{path} does not start like the cached record of {name} seed {seed}")
            same = bool(np.allclose(losses, record["losses"], rtol=2e-3, atol=1e-4))
            source += f"; every loss equals the record: {same}"
    else:
        model, losses = train_translator(TRANSLATORS[name], data, report=None, seed=seed)
        if not np.allclose(losses[:50], record["losses"][:50], rtol=2e-3):
            raise RuntimeError(f"{name} seed {seed}: re-training does not start like the cached record")
        same = bool(np.allclose(losses, record["losses"], rtol=2e-3, atol=1e-4))
        source = f"re-trained here; every loss equals the record: {same}"
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            torch.save(model.state_dict(), path)
            path.with_suffix(".json").write_text(json.dumps(losses))
    result, _ = evaluate(model, data)
    print(f"{name} seed {seed} ({source}): {time.monotonic() - start:.0f} s", flush=True)
    return {"name": name, "seed": seed, "model": source, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="a folder of <name>_<seed>.pt to use (and to fill with re-trained seeds)")
    args = parser.parse_args()
    jobs = [(name, seed, args.weights) for seed in reversed(SEEDS) for name in TRANSLATORS]  # slow ones first
    with Pool(WORKERS) as pool:  # every run is seeded on its own: in parallel it gives what it gives alone
        records = pool.map(_evaluate, jobs, chunksize=1)
    order = {(name, seed): i for i, (name, seed) in enumerate((n, s) for n in TRANSLATORS for s in SEEDS)}
    evaluation_cache(course_data()).save(sorted(records, key=lambda r: order[r["name"], r["seed"]]))


if __name__ == "__main__":
    main()
