"""Notebook 05's measurements over seeds: the cache matches the code, a re-run of seed 0 matches the cache."""

import pytest
import torch

from helpers import lstm_seeds
from helpers.cache import differences
from helpers.tasks import SequenceModel, compare_cells


@pytest.fixture(scope="module")
def runs():
    return lstm_seeds.load_runs()


def test_the_cache_has_every_seed_and_every_measurement(runs):
    assert sorted(runs) == list(lstm_seeds.SETTINGS.seeds)
    for record in runs.values():
        assert 0 <= record["default_accuracy"] <= 1 and 0 <= record["lstm_accuracy_50"] <= 1
        assert 0 < record["gates_f_later"] < 1 and record["gates_c_abs_49"] > 0


def test_rerunning_the_forget_bias_experiment_of_seed_0_reproduces_the_cache(runs):
    fresh = {}
    for name, bias in (("default", None), ("forget1", 1.0)):
        _, result = lstm_seeds.forget_bias_run(0, bias)
        fresh |= {f"{name}_{key}": value for key, value in result.items()}
    tolerances = {key: lstm_seeds.TOLERANCES[key] for key in fresh if key in lstm_seeds.TOLERANCES}
    assert len(tolerances) == 4 and differences(runs[0], fresh, tolerances) == []
    altered = dict(runs[0], forget1_accuracy=runs[0]["forget1_accuracy"] - 0.05)
    assert [line.split(":")[0] for line in differences(altered, fresh, tolerances)] == ["forget1_accuracy"]


def test_rerunning_the_short_memory_span_of_seed_0_reproduces_the_cache(runs):
    settings = lstm_seeds.SETTINGS
    span = compare_cells(
        kinds=("rnn", "lstm"),
        lengths=(5,),
        hidden_size=settings.hidden_size,
        steps=settings.span_steps,
        seed=0,
        test_size=settings.test_size,
        chrono_horizon=settings.chrono_horizon,
    )
    fresh = {f"{kind}_accuracy_5": span.accuracy[kind][5] for kind in span.kinds}
    tolerances = {key: lstm_seeds.TOLERANCES[key] for key in fresh}
    assert differences(runs[0], fresh, tolerances) == []


def test_the_gradient_ratio_and_the_gates_are_measured_on_the_probe():
    torch.manual_seed(0)
    model = SequenceModel(8, 4, 8, kind="lstm")
    x, y = lstm_seeds.probe()
    assert x.shape == (lstm_seeds.SETTINGS.probe_size, 50, 8)
    ratio = lstm_seeds.log10_gradient_ratio(model, x, y)
    assert ratio > 0  # untrained: the last step gets more blame than the first
    with torch.no_grad():
        gates = lstm_seeds.gate_summary(model, x)
    assert set(gates) == {"i_step0", "f_step0", "i_later", "f_later", "c_abs_1", "c_abs_10", "c_abs_49"}
    assert all(0 < gates[key] < 1 for key in ("i_step0", "f_step0", "i_later", "f_later"))
