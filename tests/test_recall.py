"""The memory playground's grid: the analytic view, the cells, and a cache that matches the code."""

import dataclasses
import json

import numpy as np
import pytest
import torch
from exercise_checks import assert_catches_every_listed_mistake

from helpers import recall
from helpers.benchmarks import memory_span
from helpers.cache import CURVE_EVERY, KEPT_LOSSES, differences
from helpers.recall import GRID, Grid, build_model, grid_cells, load_grid, share_left, train_cell

# A sample of cheap cells, one per architecture, re-trained in full and compared with the cache.
SAMPLE = [("rnn", 10, 0, 0.95), ("lstm", 5, 1, None), ("gru", 5, 2, None)]


@pytest.fixture(scope="module")
def grid() -> Grid:
    return load_grid()


def test_share_left_is_lambda_to_the_t():
    assert share_left(0.5, 3) == pytest.approx([1, 0.5, 0.25, 0.125])
    assert share_left(1.0, 100)[-1] == 1.0
    assert share_left(1.2, 50)[-1] == pytest.approx(1.2**50)
    with pytest.raises(ValueError, match="steps"):
        share_left(0.9, -1)


def test_build_model_checks_kind_and_radius():
    with pytest.raises(ValueError, match="kind must be one of"):
        build_model("transformer", 0)
    with pytest.raises(ValueError, match="needs a radius"):
        build_model("rnn", 0)
    with pytest.raises(ValueError, match="needs a radius"):
        build_model("lstm", 0, radius=0.9)
    model = build_model("rnn", 0, radius=0.8)
    radius = torch.linalg.eigvals(model.rnn.weight_hh_l0.detach()).abs().max()
    assert float(radius) == pytest.approx(0.8, rel=1e-5)


def test_lstm_and_gru_start_with_chrono_gates():
    lstm = build_model("lstm", 0)
    h = GRID.hidden_size
    forget = lstm.rnn.bias_ih_l0[h : 2 * h].detach()
    assert forget.min() >= 0 and forget.max() <= np.log(GRID.chrono_horizon - 1) + 1e-6
    assert torch.equal(lstm.rnn.bias_ih_l0[:h].detach(), -forget)


def test_same_seed_same_model_different_seed_different_model():
    a, b, c = build_model("gru", 3), build_model("gru", 3), build_model("gru", 4)
    assert torch.equal(a.rnn.weight_hh_l0, b.rnn.weight_hh_l0)
    assert not torch.equal(a.rnn.weight_hh_l0, c.rnn.weight_hh_l0)


def test_train_cell_rejects_a_length_outside_the_grid():
    with pytest.raises(ValueError, match="one of the grid's"):
        train_cell("lstm", 7, 0)


def test_the_cache_has_every_cell_with_todays_settings(grid):
    assert grid.settings == GRID
    cells = {(r.kind, r.length, r.seed, r.radius) for r in grid.runs}
    assert cells == set(grid_cells())
    assert len(grid.runs) == len(grid_cells())
    for run in grid.runs:
        assert 0 <= run.accuracy <= 1
        assert len(run.first_losses) == KEPT_LOSSES
        assert len(run.loss_curve) == GRID.steps // CURVE_EVERY
        assert (run.forget is not None) == (run.kind == "lstm")


@pytest.mark.parametrize("kind, length, seed, radius", SAMPLE)
def test_retraining_a_cell_reproduces_the_cache(grid, kind, length, seed, radius):
    run, _ = train_cell(kind, length, seed, GRID, radius)
    (cached,) = [r for r in grid.runs_of(kind, length, radius) if r.seed == seed]
    assert differences(dataclasses.asdict(cached), dataclasses.asdict(run), recall.TOLERANCES) == []


def test_an_altered_cached_number_fails_the_check(grid):
    run, _ = train_cell("lstm", 5, 1, GRID)
    (cached,) = [r for r in grid.runs_of("lstm", 5) if r.seed == 1]
    for field, change in [("accuracy", 0.05), ("first_losses", 0.01), ("forget", 0.05)]:
        record = dataclasses.asdict(cached)
        if isinstance(record[field], list):
            record[field] = [record[field][0] + change, *record[field][1:]]
        else:
            record[field] += change
        found = differences(record, dataclasses.asdict(run), recall.TOLERANCES)
        assert len(found) == 1 and found[0].startswith(field), found


def test_a_cache_from_other_settings_or_with_missing_cells_is_refused(grid, tmp_path):
    path = tmp_path / "grid.json"
    recall.save_grid(grid, path)
    assert load_grid(path).runs == grid.runs
    with pytest.raises(ValueError, match="other settings"):
        load_grid(path, dataclasses.replace(GRID, steps=GRID.steps + 1))
    record = json.loads(path.read_text())
    record["records"] = record["records"][1:]
    path.write_text(json.dumps(record))
    with pytest.raises(ValueError, match="lacks 1 runs"):
        load_grid(path)
    with pytest.raises(FileNotFoundError, match="train_memory_grid.py"):
        load_grid(tmp_path / "nothing.json")


def test_grid_lookups(grid):
    assert grid.accuracies("lstm").shape == (len(GRID.lengths), len(GRID.seeds))
    assert grid.nearest_radius(0.96) == 0.95
    assert grid.nearest_radius(5.0) == max(GRID.radii)
    with pytest.raises(ValueError, match="radii"):
        grid.runs_of("rnn", 10, 0.77)
    with pytest.raises(ValueError, match="no runs"):
        grid.runs_of("lstm", 7)


def test_the_acceptance_claim_holds_in_the_cache(grid):
    """The LSTM recalls at length 100 on every seed; the vanilla RNN's span (mean over seeds ≥ 90 %) ends well
    before."""
    lengths = GRID.lengths
    assert grid.accuracies("lstm")[lengths.index(100)].min() >= 0.9
    for radius in GRID.radii:
        means = grid.accuracies("rnn", radius).mean(axis=1)
        assert memory_span(dict(zip(lengths, means))) <= 40


def test_steps_until_is_where_lambda_to_the_t_first_reaches_the_share():
    for eigenvalue, share in [(0.9, 0.5), (0.95, 0.01), (0.5, 0.3)]:
        steps = recall.steps_until(eigenvalue, share)
        assert eigenvalue**steps <= share < eigenvalue ** (steps - 1)
    with pytest.raises(ValueError, match="0 < λ < 1"):
        recall.steps_until(1.0, 0.5)
    with pytest.raises(ValueError, match="share"):
        recall.steps_until(0.9, 1.5)


def test_the_steps_until_exercise_catches_its_mistakes():
    assert_catches_every_listed_mistake(recall.check_steps_until)


def test_frozen_recall_fades_with_length_and_is_near_chance_far_away():
    short, long = recall.frozen_recall(0.95, 5), recall.frozen_recall(0.95, 40)
    assert short > 0.9 and long < 1 / GRID.symbols + 0.05
    with pytest.raises(ValueError, match="radius"):
        recall.frozen_recall(-1, 5)
    with pytest.raises(ValueError, match="length"):
        recall.frozen_recall(0.9, 0)


def test_lstm_forget_gates_are_per_unit_and_sorted():
    model = build_model("lstm", 0)
    x, _ = recall.test_set(5)
    gates = recall.mean_forget_gates(model, x[:50])
    assert len(gates) == GRID.hidden_size and gates == sorted(gates) and 0 < gates[0] <= gates[-1] < 1
