"""The conveyor belt: the stored fact fades like f^t; gates at the extremes behave as the picture says."""

import numpy as np
import pytest

from helpers.conveyor import candidates, conveyor_belt


def test_closed_input_and_open_forget_keep_the_fact_exactly():
    trace = conveyor_belt(forget=1.0, input_gate=0.0, output=1.0, steps=100)
    assert np.all(trace.cell == 1.0) and np.allclose(trace.exposed, np.tanh(1.0))


def test_the_fact_fades_like_f_to_the_t():
    trace = conveyor_belt(forget=0.9, input_gate=0.0, output=1.0, steps=20)
    assert np.isclose(trace.fact[20], 0.9**20) and np.allclose(trace.cell, trace.fact)


def test_new_input_is_added_scaled_by_the_input_gate():
    g = candidates(3)
    trace = conveyor_belt(forget=0.5, input_gate=0.4, output=0.5, steps=3)
    expected = 1.0
    for step in range(3):
        expected = 0.5 * expected + 0.4 * g[step]
    assert np.isclose(trace.cell[3], expected) and np.isclose(trace.exposed[3], 0.5 * np.tanh(expected))


def test_a_closed_output_gate_hides_the_cell():
    assert np.all(conveyor_belt(0.9, 0.5, 0.0, 10).exposed == 0.0)


@pytest.mark.parametrize("kwargs, message", [(dict(forget=1.2), "forget = 1.2"), (dict(output=-0.1), "output = -0.1")])
def test_gate_levels_outside_0_1_are_explained(kwargs, message):
    args = dict(forget=0.9, input_gate=0.5, output=0.5, steps=5) | kwargs
    with pytest.raises(ValueError, match=message):
        conveyor_belt(**args)
