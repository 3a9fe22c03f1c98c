"""What the training scripts share: run the parts named on the command line (all of them when none is), timing each."""

import sys
import time
from collections.abc import Callable


def run_parts(jobs: dict[str, Callable[[], None]], parts: list[str]) -> None:
    """Run each named job in turn and print how long it took; an unknown name stops the script with the choices."""
    unknown = [part for part in parts if part not in jobs]
    if unknown:
        sys.exit(f"unknown part {unknown[0]!r}: choose from {sorted(jobs)}")
    for part in parts or list(jobs):
        start = time.monotonic()
        jobs[part]()
        print(f"{part}: {time.monotonic() - start:.0f} s", flush=True)
