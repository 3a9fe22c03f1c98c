"""Notebook 06's race: the cache covers every cell at every width, re-training one cell reproduces it, and the
per-step timer times every layer and refuses bad input."""

import pytest

from helpers import init_grid, race
from helpers.cache import differences

SAMPLE = ("gru", "chrono", 16, 10, 1)  # a cheap cell that ends far from a decision boundary (solved)


@pytest.fixture(scope="module")
def records():
    return race.load_race()


def test_the_race_has_every_setup_width_distance_and_seed(records):
    keys = {(r["arch"], r["init"], r["width"], r["distance"], r["seed"]) for r in records}
    assert len(keys) == len(records) == len(race.SETUPS) * len(race.WIDTHS) * len(race.DISTANCES) * 3
    for record in records:
        assert 0 <= record["accuracy"] <= 1 and len(record["first_losses"]) == 50
    assert race.WIDTHS == (16, init_grid.GRID.hidden_size, 64) and set(race.FAIR.items()) <= set(race.SETUPS)


def test_every_width_shares_the_grid_settings_but_its_width():
    for width, settings in race.SETTINGS.items():
        assert settings.hidden_size == width and settings.steps == init_grid.GRID.steps
        assert (settings.lr, settings.batch_size, settings.seeds) == (
            init_grid.GRID.lr,
            init_grid.GRID.batch_size,
            init_grid.GRID.seeds,
        )


def test_retraining_one_cell_reproduces_the_cache(records):
    fresh = race.run_cell(*SAMPLE)
    cached = next(r for r in records if (r["arch"], r["init"], r["width"], r["distance"], r["seed"]) == SAMPLE)
    assert differences(cached, fresh, race.TOLERANCES) == []


def test_per_seed_and_solved_read_one_cell(records):
    found = race.per_seed(records, "gru", "chrono", 32, 10)
    assert found == init_grid.per_seed(init_grid.load_grid(), "gru", "chrono", 10)
    assert race.solved(records, "gru", "chrono", 32, 10) == init_grid.solved(init_grid.load_grid(), "gru", "chrono", 10)


@pytest.mark.parametrize(
    "cell",
    [
        ("lstm", "forget1", 16, 10, 0),
        ("rnn", "default", 128, 10, 0),
        ("rnn", "default", 16, 11, 0),
        ("rnn", "default", 16, 10, 7),
    ],
)
def test_cells_outside_the_race_are_refused(cell):
    with pytest.raises(ValueError, match="must be one of"):
        race.check_cell(*cell)


def test_run_cell_sends_the_grid_width_to_init_grid():
    with pytest.raises(ValueError, match="init_grid.run_cell"):
        race.run_cell("rnn", "default", 32, 10, 0)


def test_step_times_times_every_layer_every_repeat_and_refuses_bad_input():
    times = race.step_times(("rnn", "gru"), (4, 8), length=3, batch_size=2, repeats=2)
    assert set(times) == {("rnn", 4), ("gru", 4), ("rnn", 8), ("gru", 8)}
    assert all(len(values) == 2 and min(values) > 0 for values in times.values())
    low, high = race.ratio_range(times, "gru", "rnn", 8)
    assert 0 < low <= high
    with pytest.raises(ValueError, match="no timings"):
        race.ratio_range(times, "lstm", "rnn", 8)
    with pytest.raises(ValueError, match="kinds must be"):
        race.step_times(("transformer",))
    with pytest.raises(ValueError, match="repeats"):
        race.step_times(("rnn",), (4,), repeats=0)
    with pytest.raises(ValueError, match="at least one"):
        race.median([])
