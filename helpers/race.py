"""Notebook 06's race: RNN, LSTM and GRU on the first-symbol task, each with a fair start, over seeds and widths.

The race reuses notebook 05's initialisation × architecture grid (`helpers.init_grid`): the same task,
budget (400 updates of 64 sequences, Adam 3·10⁻³, clipping at 1), test set and seeds 0–2, and every
architecture with two starts: PyTorch's defaults, and the best-known long-memory start (RNN: an
orthogonal W_hh; LSTM and GRU: chrono initialisation). The grid ran at 32 units; this module trains the
same setups at 16 and 64 units (distances 10, 25 and 50) so that the comparison holds at more than one
width. Sizes are matched by width (the same number of units): at equal width the LSTM has 4× and the GRU
3× the RNN's recurrent weights, so a 64-unit RNN has about the parameters of a 32-unit LSTM or GRU.

`scripts/train_race.py` trains the new widths once and caches them in data/seeds/race.json; a test
re-trains one cell and compares it with the cache, and notebook 06 re-trains another live.

It also times the three torch layers per step (`step_times`), interleaved and repeated.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, replace

from helpers import init_grid, tasks
from helpers.cache import DATA_DIR, ResultCache
from helpers.tasks import first_symbol_fingerprint

PATH = DATA_DIR / "seeds" / "race.json"
SCRIPT = "python scripts/train_race.py"
SETUPS = tuple(setup for setup in init_grid.SETUPS if setup != ("lstm", "forget1"))  # all but forget bias 1
FAIR = {"rnn": "orthogonal", "lstm": "chrono", "gru": "chrono"}  # each architecture's long-memory start
KINDS = ("rnn", "lstm", "gru")
DISTANCES = (10, 25, 50)
NEW_WIDTHS = (16, 64)  # trained here; 32 comes from notebook 05's grid
WIDTHS = (16, 32, 64)
SETTINGS = {
    width: replace(init_grid.GRID, setups=SETUPS, distances=DISTANCES, hidden_size=width) for width in NEW_WIDTHS
}
TOLERANCES = init_grid.TOLERANCES


def check_cell(arch: str, init: str, width: int, distance: int, seed: int) -> None:
    """Refuse a cell that is not in the race, naming what it has."""
    if (arch, init) not in SETUPS:
        raise ValueError(f"(arch, init) must be one of {list(SETUPS)}, got {(arch, init)}")
    if width not in WIDTHS:
        raise ValueError(f"width must be one of {WIDTHS}, got {width}")
    if distance not in DISTANCES:
        raise ValueError(f"distance must be one of {DISTANCES}, got {distance}")
    if seed not in init_grid.GRID.seeds:
        raise ValueError(f"seed must be one of {init_grid.GRID.seeds}, got {seed}")


def run_cell(arch: str, init: str, width: int, distance: int, seed: int) -> dict:
    """Train one new-width cell of the race (16 or 64 units) and return its record (init_grid.run_cell's + width)."""
    check_cell(arch, init, width, distance, seed)
    if width not in NEW_WIDTHS:
        raise ValueError(f"width {width} is notebook 05's grid (init_grid.run_cell); this trains {NEW_WIDTHS}")
    record, _, _ = init_grid.run_cell(arch, init, distance, seed, SETTINGS[width])
    return {"width": width, **record}


def race_cells() -> list[tuple[str, str, int, int, int]]:
    """Every new (arch, init, width, distance, seed) to train, shortest distances first."""
    return [
        (arch, init, width, distance, seed)
        for width in NEW_WIDTHS
        for distance in DISTANCES
        for arch, init in SETUPS
        for seed in init_grid.GRID.seeds
    ]


def cache() -> ResultCache:
    """Where the new widths are cached, how to rebuild them, and what must match: the settings and the task's data."""
    settings = {str(width): asdict(SETTINGS[width]) for width in NEW_WIDTHS}
    grid = init_grid.GRID
    data = first_symbol_fingerprint([d + 1 for d in DISTANCES], grid.symbols, (grid.test_seed, 1000 + grid.seeds[0]))
    return ResultCache(PATH, SCRIPT, settings, data, key=("arch", "init", "width", "distance", "seed"))


def load_race() -> list[dict]:
    """Every race record at every width: the cached 16 and 64 units, and notebook 05's grid at 32 (width added)."""
    new = cache().load(expected=race_cells())
    grid = [
        {"width": init_grid.GRID.hidden_size, **record}
        for record in init_grid.load_grid()
        if (record["arch"], record["init"]) in SETUPS and record["distance"] in DISTANCES
    ]
    return grid + new


def per_seed(
    records: list[dict], arch: str, init: str, width: int, distance: int, field: str = "accuracy"
) -> dict[int, float]:
    """One measured field of one race cell over its seeds, by seed."""
    check_cell(arch, init, width, distance, init_grid.GRID.seeds[0])
    found = {
        r["seed"]: r[field]
        for r in records
        if (r["arch"], r["init"], r["width"], r["distance"]) == (arch, init, width, distance)
    }
    if not found:
        raise ValueError(f"no record of {(arch, init, width, distance)} among the {len(records)} given")
    return found


def solved(records: list[dict], arch: str, init: str, width: int, distance: int, threshold: float = 0.9) -> int:
    """On how many seeds the cell reached `threshold` test accuracy."""
    return sum(value >= threshold for value in per_seed(records, arch, init, width, distance).values())


# --- Time per step ----------------------------------------------------------------------------


def step_times(
    kinds: tuple[str, ...] = KINDS,
    widths: tuple[int, ...] = (32, 256),
    length: int = 50,
    batch_size: int = 64,
    input_size: int = 8,
    repeats: int = 7,
) -> dict[tuple[str, int], list[float]]:
    """Seconds per step of each torch layer, every repeat, by (kind, width): `tasks.step_times` at race sizes."""
    return tasks.step_times(kinds, widths, length, batch_size, input_size, repeats)


def median(values: list[float]) -> float:
    """The median of some timings (refuses an empty list)."""
    if not values:
        raise ValueError("need at least one timing")
    return statistics.median(values)


def ratio_range(times: dict[tuple[str, int], list[float]], a: str, b: str, width: int) -> tuple[float, float]:
    """The lowest and highest repeat-by-repeat time ratio a / b at one width (repeats pair up: same round)."""
    if (a, width) not in times or (b, width) not in times:
        raise ValueError(f"no timings of {a} and {b} at width {width}: have {sorted(times)}")
    ratios = [x / y for x, y in zip(times[a, width], times[b, width])]
    return min(ratios), max(ratios)
