"""Train notebook 08's translators and cache them in data/translators/ (a few minutes on one CPU thread).

    python scripts/train_translators.py             # all of them
    python scripts/train_translators.py attention   # just one

The weights go to data/translators/<name>.pt and the records to data/translators/translators.json (the
course's one cache format, helpers.cache). tests/test_translation.py re-verifies the cache, so re-run this
whenever the phrasebook, the model or the settings in helpers/translation.py change.
"""

import sys
import time

from helpers.course.notebook import setup_notebook
from helpers.translation import TRANSLATORS, course_data, save_translators, train_translator


def main(names: list[str]) -> None:
    setup_notebook(quiet=True)  # one thread, as in the notebooks
    unknown = [name for name in names if name not in TRANSLATORS]
    if unknown:
        sys.exit(f"unknown translators {unknown}: choose from {list(TRANSLATORS)}")
    data = course_data()
    trained = {}
    for name in names or list(TRANSLATORS):
        start = time.monotonic()
        print(f"{name}: {TRANSLATORS[name]}", flush=True)
        trained[name] = train_translator(
            TRANSLATORS[name], data, reports=10, report=lambda line: print(line, flush=True)
        )
        print(f"{name}: trained in {time.monotonic() - start:.0f} s", flush=True)
    for record in save_translators(trained, data):
        print(f"{record['name']}: scores on the check pairs {record['scores']}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
