"""Train notebook 08's translators and cache them in data/translators/ (a few minutes on one CPU thread).

    python scripts/train_translators.py             # all of them
    python scripts/train_translators.py attention   # just one

tests/test_translation.py re-verifies the cache, so re-run this whenever the phrasebook, the model or
the settings in helpers/translation.py change.
"""

import sys
import time

from helpers.course.notebook import setup_notebook
from helpers.translation import TRANSLATORS, course_data, save_translator, train_translator


def main(names: list[str]) -> None:
    setup_notebook(quiet=True)  # one thread, as in the notebooks
    data = course_data()
    for name in names or list(TRANSLATORS):
        start = time.monotonic()
        print(f"{name}: {TRANSLATORS[name]}", flush=True)
        model, losses = train_translator(TRANSLATORS[name], data, reports=10, report=lambda line: print(line, flush=True))
        record = save_translator(name, TRANSLATORS[name], model, losses, data)
        print(f"{name}: {time.monotonic() - start:.0f} s, {record}"[:400], flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
