"""Notebook 05's initialisation × architecture grid: each start is what it says, the cache matches the code,
and re-training one cell reproduces the cache."""

import math

import pytest
import torch

from helpers import init_grid
from helpers.cache import differences
from helpers.tasks import SequenceModel

SAMPLE = ("lstm", "chrono", 10, 0)  # a cheap cell that ends far from a decision boundary (solved)


@pytest.fixture(scope="module")
def records():
    return init_grid.load_grid()


def test_the_cache_has_every_cell_and_every_measurement(records):
    assert len(records) == len(init_grid.grid_cells())
    for record in records:
        assert 0 <= record["accuracy"] <= 1 and len(record["first_losses"]) == 50
        assert math.isfinite(record["log10_ratio_trained"]) and math.isfinite(record["log10_ratio_untrained"])
        gated = record["arch"] != "rnn"
        assert (record["keep_trained"] is not None) == gated and (record["keep_untrained"] is not None) == gated


def test_retraining_one_cell_reproduces_the_cache(records):
    fresh, _, _ = init_grid.run_cell(*SAMPLE)
    cached = next(r for r in records if (r["arch"], r["init"], r["distance"], r["seed"]) == SAMPLE)
    assert differences(cached, fresh, init_grid.TOLERANCES) == []
    altered = dict(cached, accuracy=cached["accuracy"] - 0.05)
    assert [line.split(":")[0] for line in differences(altered, fresh, init_grid.TOLERANCES)] == ["accuracy"]


def test_each_start_is_what_it_says():
    default = init_grid.build_model("rnn", "default", 3)
    torch.manual_seed(3)
    assert torch.equal(default.rnn.weight_hh_l0, SequenceModel(8, 32, 8).rnn.weight_hh_l0)
    W = init_grid.build_model("rnn", "orthogonal", 3).rnn.weight_hh_l0
    assert torch.allclose(W @ W.T, torch.eye(32), atol=1e-5)
    forget1 = init_grid.build_model("lstm", "forget1", 3).rnn
    assert torch.all(forget1.bias_ih_l0[32:64] + forget1.bias_hh_l0[32:64] == 1.0)
    chrono = init_grid.build_model("lstm", "chrono", 3).rnn
    b = chrono.bias_ih_l0[32:64] + chrono.bias_hh_l0[32:64]
    assert torch.all(b >= 0) and torch.all(b <= math.log(init_grid.GRID.chrono_horizon - 1))
    assert torch.allclose(chrono.bias_ih_l0[:32] + chrono.bias_hh_l0[:32], -b)


def test_the_keep_gate_starts_where_the_initialisation_puts_it():
    x, _ = init_grid.test_set(10)
    x = x[:64]
    assert init_grid.keep_gate(init_grid.build_model("rnn", "default", 0), x) is None
    default = init_grid.keep_gate(init_grid.build_model("lstm", "default", 0), x)
    chrono = init_grid.keep_gate(init_grid.build_model("lstm", "chrono", 0), x)
    gru_chrono = init_grid.keep_gate(init_grid.build_model("gru", "chrono", 0), x)
    assert abs(default - 0.5) < 0.05 and chrono > 0.9 and gru_chrono > 0.9


def test_the_gradient_ratio_counts_orders_of_magnitude_lost():
    assert init_grid.log10_ratio(torch.tensor([1e-3, 0.5, 1.0])) == pytest.approx(3.0)
    assert init_grid.log10_ratio(torch.tensor([0.0, 1.0])) > 300  # an underflowed gradient counts as the tiniest
    model = init_grid.build_model("rnn", "default", 0)
    x, y = init_grid.test_set(50)
    norms = init_grid.gradient_norms(model, x[:32], y[:32])
    assert norms.shape == (51,) and init_grid.log10_ratio(norms) > 3  # an untrained RNN forgets fast


def test_counting_over_seeds():
    records = [
        {"arch": "rnn", "init": "default", "distance": d, "seed": s, "accuracy": a}
        for d, accuracies in ((10, (1.0, 0.95, 0.9)), (25, (1.0, 0.2, 1.0)), (50, (0.1, 0.1, 0.1)))
        for s, a in zip((0, 1, 2), accuracies)
    ]
    settings = init_grid.GridSettings(distances=(10, 25, 50))
    assert init_grid.per_seed(records, "rnn", "default", 25) == {0: 1.0, 1: 0.2, 2: 1.0}
    assert init_grid.solved(records, "rnn", "default", 25) == 2
    assert init_grid.longest_solved(records, "rnn", "default", settings) == 10
    with pytest.raises(ValueError, match="no cached cell"):
        init_grid.per_seed(records, "lstm", "default", 25)


@pytest.mark.parametrize(
    "cell, message",
    [
        (("rnn", "chrono", 10, 0), "must be one of"),
        (("lstm", "default", 11, 0), "distance must be one of"),
        (("lstm", "default", 10, 7), "seed must be one of"),
    ],
)
def test_a_cell_outside_the_grid_is_refused(cell, message):
    with pytest.raises(ValueError, match=message):
        init_grid.check_cell(*cell)
