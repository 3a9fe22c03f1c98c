"""The from-scratch LSTM of notebook 05: the cell and its gates, the gate trace, errors of the LSTM's own, the
exercise. What the LSTM shares with the RNN and the GRU (the forward pass against nn.LSTM, copies to and from it,
parameter counts, the common errors) is tested in test_cells.py."""

import numpy as np
import pytest
import torch
from exercise_checks import assert_catches_every_listed_mistake

from helpers import lstm


def _inputs(batch, seq, input_size, hidden, dtype, seed=0):
    """A generator, x (batch, seq, input) and a non-zero starting state (h0, c0)."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, seq, input_size, generator=generator, dtype=dtype)
    h0 = torch.empty(batch, hidden, dtype=dtype).uniform_(-1.0, 1.0, generator=generator)
    c0 = torch.randn(batch, hidden, generator=generator, dtype=dtype)
    return generator, x, (h0, c0)


def _numpy(params):
    return {name: value.numpy() for name, value in params.items()}


# --- The cell and its gates -------------------------------------------------------------------


def test_the_cell_follows_the_equations_gate_by_gate():
    generator, x, state = _inputs(3, 1, 4, 5, torch.float64)
    params = lstm.init_lstm(4, 5, generator)
    x_t, (h_prev, c_prev) = x[:, 0], state
    W_x, W_h, b = params["W_x"], params["W_h"], params["b"]
    part = lambda k: x_t @ W_x[5 * k : 5 * (k + 1)].T + h_prev @ W_h[5 * k : 5 * (k + 1)].T + b[5 * k : 5 * (k + 1)]
    i, f, g, o = torch.sigmoid(part(0)), torch.sigmoid(part(1)), torch.tanh(part(2)), torch.sigmoid(part(3))
    gates = lstm.lstm_gates(x_t, state, params)
    assert list(gates) == ["i", "f", "g", "o"]
    for name, expected in zip("ifgo", (i, f, g, o)):
        assert torch.allclose(gates[name], expected, rtol=0, atol=1e-14)
    h_t, c_t = lstm.lstm_cell(x_t, state, params)
    assert torch.allclose(c_t, f * c_prev + i * g, rtol=0, atol=1e-14)
    assert torch.allclose(h_t, o * torch.tanh(f * c_prev + i * g), rtol=0, atol=1e-14)
    H, (h_last, c_last) = lstm.lstm_forward(x, params, state)
    assert torch.allclose(H[:, 0], h_t, rtol=0, atol=1e-14) and torch.allclose(c_last, c_t, rtol=0, atol=1e-14)
    by_hand = lstm.lstm_step(x_t.numpy(), h_prev.numpy(), c_prev.numpy(), *_numpy(params).values())
    assert np.allclose(by_hand[0], h_t.numpy(), rtol=0, atol=1e-14) and np.allclose(
        by_hand[1], c_t.numpy(), rtol=0, atol=1e-14
    )


def test_the_cell_takes_numpy_and_mixed_inputs():
    generator, x, state = _inputs(2, 1, 3, 4, torch.float64)
    params = lstm.init_lstm(3, 4, generator)
    h_t, c_t = lstm.lstm_cell(x[:, 0], state, params)
    h_np, c_np = lstm.lstm_cell(x[:, 0].numpy(), tuple(s.numpy() for s in state), _numpy(params))
    assert isinstance(h_np, np.ndarray) and np.allclose(h_np, h_t.numpy(), rtol=0, atol=1e-14)
    h_mixed, c_mixed = lstm.lstm_cell(x[:, 0].numpy(), (state[0].numpy(), state[1]), _numpy(params))
    assert isinstance(h_mixed, torch.Tensor) and torch.allclose(c_mixed, c_t, rtol=0, atol=1e-14)


def test_the_traced_cell_states_end_in_the_last_one_and_give_h():
    generator, x, state = _inputs(3, 6, 2, 4, torch.float64)
    params = lstm.init_lstm(2, 4, generator)
    with torch.no_grad():
        params["W_x"] *= 4  # gates near 0 and 1
    H, (_, c_last), trace = lstm.lstm_forward(x, params, state, return_gates=True)
    assert torch.equal(trace["c"][:, -1], c_last)
    assert torch.allclose(H, trace["o"] * torch.tanh(trace["c"]), rtol=0, atol=1e-14)


def test_an_open_forget_gate_and_a_closed_input_gate_carry_the_cell_unchanged():
    generator, x, state = _inputs(2, 50, 3, 4, torch.float64)
    params = lstm.init_lstm(3, 4, generator)
    params["b"][:4] = -100.0  # i = σ(−100) ≈ 0: write nothing
    params["b"][4:8] = 100.0  # f = σ(100) = 1: keep everything
    _, (_, c_last) = lstm.lstm_forward(x, params, state)
    assert torch.allclose(c_last, state[1], rtol=0, atol=1e-12)


# --- Clear errors -----------------------------------------------------------------------------


def test_the_state_must_be_a_pair():
    params = lstm.init_lstm(3, 4)
    message = r"state must be a pair \(h, c\) of \(batch, hidden\) arrays, got shape \(2, 4\)"
    with pytest.raises(ValueError, match=message):
        lstm.lstm_forward(np.zeros((2, 5, 3)), params, np.zeros((2, 4)))
    with pytest.raises(ValueError, match=message):
        lstm.lstm_cell(np.zeros((2, 3)), np.zeros((2, 4)), params)


def test_cell_errors():
    params = lstm.init_lstm(3, 4)
    state = (np.zeros((2, 4)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"x_t must have shape \(batch, input\) = \(batch, 3\), got \(2, 1, 3\)"):
        lstm.lstm_cell(np.zeros((2, 1, 3)), state, params)
    with pytest.raises(ValueError, match=r"c_prev must have shape \(batch, hidden\) = \(2, 4\), got \(3, 4\)"):
        lstm.lstm_gates(np.zeros((2, 3)), (state[0], np.zeros((3, 4))), params)


# --- Exercise ---------------------------------------------------------------------------------


def test_lstm_step_exercise_accepts_the_solution_and_names_each_mistake():
    from helpers.lstm import check_lstm_step, lstm_step

    assert len(check_lstm_step.mistakes) >= 5
    assert_catches_every_listed_mistake(check_lstm_step)
    h_t, c_t = lstm_step(*check_lstm_step.cases[0].args)
    assert h_t.shape == c_t.shape == (2, 4)


def test_lstm_step_reference_equals_the_cell():
    args = lstm.check_lstm_step.cases[1].args
    x_t, h_prev, c_prev, W_x, W_h, b = args
    h_t, c_t = lstm.lstm_cell(x_t, (h_prev, c_prev), {"W_x": W_x, "W_h": W_h, "b": b})
    expected_h, expected_c = lstm.lstm_step(*args)
    assert np.allclose(h_t, expected_h, rtol=0, atol=1e-14) and np.allclose(c_t, expected_c, rtol=0, atol=1e-14)
