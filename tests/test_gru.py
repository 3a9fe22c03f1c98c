"""The from-scratch GRU of notebook 06: the cell and its gates, the gate trace, the textbook variant, errors of the
GRU's cells, the exercise. What the GRU shares with the RNN and the LSTM (the forward pass against nn.GRU, copies to
and from it, parameter counts, the common errors) is tested in test_cells.py."""

import numpy as np
import pytest
import torch
from exercise_checks import assert_catches_every_listed_mistake

from helpers import gru


def _inputs(batch, seq, input_size, hidden, dtype, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, seq, input_size, generator=generator, dtype=dtype)
    h0 = torch.empty(batch, hidden, dtype=dtype).uniform_(-1.0, 1.0, generator=generator)
    return generator, x, h0


def _numpy(params):
    return {name: value.numpy() for name, value in params.items()}


def _random_params(input_size, hidden, seed=0):
    """float64 GRU weights of order 1 (larger than init_gru's), so that the two forms differ clearly."""
    generator = torch.Generator().manual_seed(seed)
    return {
        name: torch.randn(value.shape, generator=generator, dtype=torch.float64)
        for name, value in gru.init_gru(input_size, hidden).items()
    }


# --- The cell and its gates -------------------------------------------------------------------


def test_the_cell_follows_pytorchs_equations_gate_by_gate():
    generator, x, h_prev = _inputs(3, 1, 4, 5, torch.float64)
    params = gru.init_gru(4, 5, generator)
    x_t = x[:, 0]
    rows = lambda k: slice(5 * k, 5 * (k + 1))
    from_x = lambda k: x_t @ params["W_x"][rows(k)].T + params["b_x"][rows(k)]
    from_h = lambda k: h_prev @ params["W_h"][rows(k)].T + params["b_h"][rows(k)]
    r, z = torch.sigmoid(from_x(0) + from_h(0)), torch.sigmoid(from_x(1) + from_h(1))
    n = torch.tanh(from_x(2) + r * from_h(2))  # the reset gate multiplies h W_hnᵀ + b_hn
    gates = gru.gru_gates(x_t, h_prev, params)
    assert list(gates) == ["r", "z", "n"]
    for name, expected in zip("rzn", (r, z, n)):
        assert torch.allclose(gates[name], expected, rtol=0, atol=1e-14)
    h_t = gru.gru_cell(x_t, h_prev, params)
    assert torch.allclose(h_t, (1 - z) * n + z * h_prev, rtol=0, atol=1e-14)
    assert torch.allclose(gru.gru_forward(x, params, h_prev)[1], h_t, rtol=0, atol=1e-14)
    by_hand = gru.gru_step(x_t.numpy(), h_prev.numpy(), *_numpy(params).values())
    assert np.allclose(by_hand, h_t.numpy(), rtol=0, atol=1e-14)


def test_the_syllabus_form_with_z_flipped_is_the_same_step():
    generator, x, h_prev = _inputs(3, 1, 2, 4, torch.float64)
    params = gru.init_gru(2, 4, generator)
    gates = gru.gru_gates(x[:, 0], h_prev, params)
    z_textbook = 1 - gates["z"]  # hₜ = (1 − z)⊙hₜ₋₁ + z⊙h̃ₜ with the textbook's z
    syllabus = (1 - z_textbook) * h_prev + z_textbook * gates["n"]
    assert torch.allclose(syllabus, gru.gru_cell(x[:, 0], h_prev, params), rtol=0, atol=1e-14)


@pytest.mark.parametrize("z_bias, keeps", [(100.0, True), (-100.0, False)])
def test_z_near_one_keeps_the_old_state_and_near_zero_takes_the_candidate(z_bias, keeps):
    generator, x, h0 = _inputs(2, 30, 3, 4, torch.float64)
    params = gru.init_gru(3, 4, generator)
    params["b_x"][4:8] = z_bias
    H, h_last, trace = gru.gru_forward(x, params, h0, return_gates=True)
    if keeps:
        assert torch.allclose(h_last, h0, rtol=0, atol=1e-12)
    else:
        assert torch.allclose(H, trace["n"], rtol=0, atol=1e-12)


def test_the_cell_takes_numpy_and_mixed_inputs():
    generator, x, h0 = _inputs(2, 1, 3, 4, torch.float64)
    params = gru.init_gru(3, 4, generator)
    h_t = gru.gru_cell(x[:, 0], h0, params)
    h_np = gru.gru_cell(x[:, 0].numpy(), h0.numpy(), _numpy(params))
    assert isinstance(h_np, np.ndarray) and np.allclose(h_np, h_t.numpy(), rtol=0, atol=1e-14)
    h_mixed = gru.gru_cell(x[:, 0].numpy(), h0, _numpy(params))
    assert isinstance(h_mixed, torch.Tensor) and torch.allclose(h_mixed, h_t, rtol=0, atol=1e-14)


# --- The textbook form ------------------------------------------------------------------------


def test_the_textbook_form_follows_cho_et_al():
    generator, x, h_prev = _inputs(3, 1, 2, 4, torch.float64)
    params = _random_params(2, 4)
    x_t = x[:, 0]
    gates = gru.gru_gates(x_t, h_prev, params)
    W_xn, W_hn = params["W_x"][8:], params["W_h"][8:]
    n = torch.tanh(x_t @ W_xn.T + (gates["r"] * h_prev) @ W_hn.T + params["b_x"][8:] + params["b_h"][8:])
    expected = (1 - gates["z"]) * n + gates["z"] * h_prev
    assert torch.allclose(gru.textbook_gru_cell(x_t, h_prev, params), expected, rtol=0, atol=1e-14)
    as_numpy = gru.textbook_gru_cell(x_t.numpy(), h_prev.numpy(), _numpy(params))
    assert isinstance(as_numpy, np.ndarray) and np.allclose(as_numpy, expected.numpy(), rtol=0, atol=1e-14)


def test_the_textbook_form_differs_from_pytorchs_for_random_weights():
    generator, x, h_prev = _inputs(4, 1, 3, 5, torch.float64)
    params = _random_params(3, 5)
    difference = gru.textbook_gru_cell(x[:, 0], h_prev, params) - gru.gru_cell(x[:, 0], h_prev, params)
    assert difference.abs().max() > 1e-2


def test_the_two_forms_agree_when_the_reset_gate_is_one_everywhere():
    generator, x, h_prev = _inputs(4, 1, 3, 5, torch.float64)
    params = _random_params(3, 5)
    params["b_x"][:5] = 1e3  # r = σ(≈1000) = 1: nothing is reset
    assert torch.equal(gru.gru_gates(x[:, 0], h_prev, params)["r"], torch.ones(4, 5, dtype=torch.float64))
    assert torch.allclose(
        gru.textbook_gru_cell(x[:, 0], h_prev, params), gru.gru_cell(x[:, 0], h_prev, params), rtol=0, atol=1e-12
    )


def test_the_two_forms_agree_when_w_hn_is_diagonal_and_b_hn_zero():
    generator, x, h_prev = _inputs(4, 1, 3, 5, torch.float64)
    params = _random_params(3, 5)
    params["W_h"][10:] = torch.diag(torch.randn(5, generator=generator, dtype=torch.float64))
    params["b_h"][10:] = 0.0  # then W_hn (r ⊙ h) = r ⊙ (W_hn h): the order no longer matters
    assert torch.allclose(
        gru.textbook_gru_cell(x[:, 0], h_prev, params), gru.gru_cell(x[:, 0], h_prev, params), rtol=0, atol=1e-12
    )


# --- Clear errors -----------------------------------------------------------------------------


def test_cell_errors():
    params = gru.init_gru(3, 4)
    with pytest.raises(ValueError, match=r"x_t must have shape \(batch, input\) = \(batch, 3\), got \(3,\)"):
        gru.gru_cell(np.zeros(3), np.zeros((1, 4)), params)
    with pytest.raises(ValueError, match=r"h_prev must have shape \(batch, hidden\) = \(2, 4\), got \(2, 3\)"):
        gru.textbook_gru_cell(np.zeros((2, 3)), np.zeros((2, 3)), params)


# --- Exercise ---------------------------------------------------------------------------------


def test_gru_step_exercise_accepts_the_solution_and_names_each_mistake():
    from helpers.gru import check_gru_step, gru_step

    assert len(check_gru_step.mistakes) >= 4
    assert_catches_every_listed_mistake(check_gru_step)
    assert gru_step(*check_gru_step.cases[0].args).shape == (2, 4)


def test_gru_step_reference_equals_the_cell_and_its_textbook_mistake_equals_the_textbook_cell():
    args = gru.check_gru_step.cases[1].args
    x_t, h_prev, W_x, W_h, b_x, b_h = args
    params = {"W_x": W_x, "W_h": W_h, "b_x": b_x, "b_h": b_h}
    assert np.allclose(gru.gru_cell(x_t, h_prev, params), gru.gru_step(*args), rtol=0, atol=1e-14)
    textbook = next(
        mistake for description, mistake in gru.check_gru_step.mistakes.items() if "textbook" in description
    )
    assert np.allclose(gru.textbook_gru_cell(x_t, h_prev, params), textbook(*args), rtol=0, atol=1e-14)
