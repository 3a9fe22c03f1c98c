"""The memory playground's grid: the analytic view, the cells, and a cache that matches the code."""

import dataclasses
import json

import numpy as np
import pytest
import torch
from exercise_checks import assert_catches_every_listed_mistake

from helpers import experiments, gradients, recall
from helpers.benchmarks import memory_span
from helpers.cache import CURVE_EVERY, KEPT_LOSSES, differences
from helpers.recall import GRID, Grid, build_model, grid_cells, load_grid, share_left, train_cell

# A sample of cheap cells, one per architecture, re-trained in full and compared with the cache.
# one cell re-trains in make unit; the gated cells, a few seconds each, in make test only (slow)
SAMPLE = [
    ("rnn", 10, 0, 0.95),
    pytest.param("lstm", 5, 1, None, marks=pytest.mark.slow),
    pytest.param("gru", 5, 2, None, marks=pytest.mark.slow),
]


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
    assert grid.per_seed("gru", 10) == {run.seed: run.accuracy for run in grid.runs_of("gru", 10)}
    with pytest.raises(ValueError, match="radii"):
        grid.runs_of("rnn", 10, 0.77)
    with pytest.raises(ValueError, match="no runs"):
        grid.runs_of("lstm", 7)


def test_spans_are_per_seed(grid):
    for radius in GRID.radii:
        scores = grid.accuracies("rnn", radius)
        assert grid.seed_spans("rnn", radius) == [
            memory_span(dict(zip(GRID.lengths, scores[:, i]))) for i in range(len(GRID.seeds))
        ]
    assert len(grid.seed_spans("lstm")) == len(GRID.seeds)


def test_the_acceptance_claim_holds_in_the_cache(grid):
    """Notebook 09's claims: LSTM span ≥ 100 and GRU 200 on every seed; every RNN seed's span below 200, 40 from 0.95;
    from λ = 1.0 the RNN's spans swing (no clear difference from 0.95, seed by seed)."""
    assert min(grid.seed_spans("lstm")) >= 100 and grid.seed_spans("gru") == [200] * len(GRID.seeds)
    assert all(span is None or span < 200 for radius in GRID.radii for span in grid.seed_spans("rnn", radius))
    assert grid.seed_spans("rnn", 0.95) == [40] * len(GRID.seeds)
    spans = {r: dict(zip(GRID.seeds, grid.seed_spans("rnn", r))) for r in (0.95, 1.0)}
    assert not experiments.compare(spans[1.0], spans[0.95]).clear


def test_steps_until_is_where_lambda_to_the_t_first_reaches_the_share():
    for eigenvalue, share in [(0.9, 0.5), (0.95, 0.01), (0.5, 0.3)]:
        steps = recall.steps_until(eigenvalue, share)
        assert eigenvalue**steps <= share < eigenvalue ** (steps - 1)
    with pytest.raises(ValueError, match="0 < λ < 1"):
        recall.steps_until(1.0, 0.5)
    with pytest.raises(ValueError, match="share"):
        recall.steps_until(0.9, 1.5)


@pytest.mark.parametrize(
    "eigenvalue, share, steps", [(0.9, 0.6561, 4), (0.5, 0.25, 2), (0.5, 0.125, 3), (0.2, 0.04, 2)]
)
def test_steps_until_is_exact_at_exact_powers_and_agrees_with_steps_to_shrink(eigenvalue, share, steps):
    assert recall.steps_until(eigenvalue, share) == steps == gradients.steps_to_shrink(eigenvalue, share)


def test_the_steps_until_exercise_catches_its_mistakes():
    assert_catches_every_listed_mistake(recall.check_steps_until)


def test_frozen_recall_fades_with_length_and_is_near_chance_far_away():
    short, long = recall.frozen_recall(0.95, 5), recall.frozen_recall(0.95, 40)
    assert short > 0.9 and long < 1 / GRID.symbols + 0.05
    with pytest.raises(ValueError, match="radius"):
        recall.frozen_recall(-1, 5)
    with pytest.raises(ValueError, match="radius"):
        recall.frozen_recall(float("nan"), 5)
    with pytest.raises(ValueError, match="length"):
        recall.frozen_recall(0.9, 0)


def test_frozen_lstm_keeps_exactly_f_of_its_cell():
    model = recall.frozen_lstm(0.9, 0)
    h = GRID.hidden_size
    x, _ = recall.test_set(5)
    with torch.no_grad():
        params = recall.lstm.from_torch(model.rnn)
        _, _, gates = recall.lstm.lstm_forward(x[:20], params, return_gates=True)
    assert torch.allclose(gates["f"], torch.full_like(gates["f"], 0.9), atol=1e-6)
    assert float(recall.frozen_lstm(1.0, 0).rnn.bias_ih_l0[h : 2 * h].detach().sigmoid().min()) == 1.0
    for bad in (0.0, 1.1, float("nan")):
        with pytest.raises(ValueError, match="forget gate"):
            recall.frozen_lstm(bad, 0)


def test_tanh_slopes_are_near_one_for_a_small_radius_and_fall_as_it_grows():
    slopes = [recall.frozen_slope(radius, 40) for radius in (0.5, 1.0, 1.2)]
    assert 0.9 < slopes[0] <= 1 and slopes[0] > slopes[1] > slopes[2] > 0
    with pytest.raises(ValueError, match="length"):
        recall.frozen_slope(0.9, 0)


def test_signal_share_is_one_over_t_at_lambda_one():
    assert recall.signal_share(1.0, 10) == pytest.approx(0.1)
    assert recall.signal_share(0.5, 2) == pytest.approx(0.25 / 1.25)
    assert recall.signal_share(0.9, 1) == 1.0
    with pytest.raises(ValueError, match="radius"):
        recall.signal_share(0.0, 5)
    with pytest.raises(ValueError, match="length"):
        recall.signal_share(0.9, 0)


def test_interference_model_has_room_for_a_few_symbols_then_falls_to_chance():
    assert recall.interference_recall(0.5, 3) == 1.0  # 2 distractors: the readout can ignore them
    assert recall.interference_recall(1.0, 40) < 0.25  # 39 distractors at full strength
    assert recall.interference_recall(0.5, 40) < 1 / GRID.symbols + 0.03  # the signal itself is gone
    with pytest.raises(ValueError, match="noise"):
        recall.interference_recall(0.9, 5, noise=0.0)
    with pytest.raises(ValueError, match="length"):
        recall.interference_recall(0.9, 0)
    with pytest.raises(ValueError, match="at least one"):
        recall.fit_noise({})


@pytest.fixture(scope="module")
def frozen() -> recall.Frozen:
    return recall.load_frozen()


def test_the_frozen_cache_has_every_cell(frozen):
    assert {(r["kind"], r["value"], r["length"], r["seed"]) for r in frozen.records} == set(recall.frozen_cells())
    assert frozen.accuracies("rnn", 0.95).shape == (len(recall.FROZEN.lengths), len(recall.FROZEN.seeds))
    missing = r"no cached record for kind='rnn', value=0.77, length=10, seed=0; the frozen measurements have radii"
    with pytest.raises(ValueError, match=missing):
        frozen.accuracy("rnn", 0.77, 10, 0)


@pytest.mark.parametrize(
    "kind, value, length, seed", [("rnn", 0.95, 10, 1), ("rnn", 1.2, 20, 2), ("lstm", 0.99, 10, 0)]
)
def test_re_measuring_a_frozen_cell_reproduces_the_cache(frozen, kind, value, length, seed):
    fresh = recall.measure_frozen(kind, value, length, seed)
    cached = frozen.record(kind, value, length, seed)
    assert differences(cached, fresh, recall.FROZEN_TOLERANCES) == []
    altered = {**cached, "accuracy": cached["accuracy"] + 0.02}
    assert [line.split(":")[0] for line in differences(altered, fresh, recall.FROZEN_TOLERANCES)] == ["accuracy"]


def test_a_frozen_cache_from_other_settings_or_with_missing_cells_is_refused(frozen, tmp_path):
    path = tmp_path / "frozen.json"
    recall.save_frozen(frozen.records, path=path)
    assert recall.load_frozen(path).records == frozen.records
    with pytest.raises(ValueError, match="other settings"):
        recall.load_frozen(path, dataclasses.replace(recall.FROZEN, seeds=(0, 1)))
    recall.save_frozen(frozen.records[1:], path=path)
    with pytest.raises(ValueError, match="lacks 1 runs"):
        recall.load_frozen(path)


def test_the_noise_floor_is_the_one_fitted_on_the_small_radii(frozen):
    fit = {
        (r, n, s): frozen.accuracy("rnn", r, n, s)
        for r in recall.FIT_RADII
        for n in recall.FROZEN.lengths
        if n <= 40
        for s in recall.FROZEN.seeds
    }
    assert recall.fit_noise(fit) == recall.INTERFERENCE_NOISE


def test_untrained_recall_at_lambda_one_is_no_better_than_at_095_far_out(frozen):
    """Finding 1 of issue 17: λ^T keeps everything at λ = 1, yet at T ≥ 20 λ = 1 gains at most a few points on 0.95."""
    for length in (20, 40):
        comparison = experiments.compare(frozen.per_seed("rnn", 1.0, length), frozen.per_seed("rnn", 0.95, length))
        assert comparison.summary.mean < 0.05


def test_lstm_forget_gates_are_per_unit_and_sorted():
    model = build_model("lstm", 0)
    x, _ = recall.test_set(5)
    gates = recall.mean_forget_gates(model, x[:50])
    assert len(gates) == GRID.hidden_size and gates == sorted(gates) and 0 < gates[0] <= gates[-1] < 1
