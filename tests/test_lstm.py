"""The from-scratch LSTM of notebook 05: forward pass against nn.LSTM, the gates, copies of weights, errors,
the exercise."""

import warnings

import numpy as np
import pytest
import torch
from exercise_checks import assert_catches_every_listed_mistake
from torch import nn

from helpers import lstm

# (batch, seq, input, hidden), including batch 1, sequence length 1 and hidden size 1
SHAPES = [(1, 1, 1, 1), (1, 7, 3, 5), (4, 1, 2, 1), (3, 5, 4, 16), (2, 6, 1, 3)]
TOLERANCE = {torch.float32: 1e-6, torch.float64: 1e-10}


def _inputs(batch, seq, input_size, hidden, dtype, seed=0):
    """A generator, x (batch, seq, input) and a non-zero starting state (h0, c0)."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, seq, input_size, generator=generator, dtype=dtype)
    h0 = torch.empty(batch, hidden, dtype=dtype).uniform_(-1.0, 1.0, generator=generator)
    c0 = torch.randn(batch, hidden, generator=generator, dtype=dtype)
    return generator, x, (h0, c0)


def _random_torch_lstm(input_size, hidden, dtype, generator):
    """An nn.LSTM whose every weight, both biases included, is drawn from `generator`."""
    model = nn.LSTM(input_size, hidden, batch_first=True, dtype=dtype)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.uniform_(-0.8, 0.8, generator=generator)
    return model


def _numpy(params):
    return {name: value.numpy() for name, value in params.items()}


def _torch_state(state):
    """nn.LSTM wants (h0, c0) with a leading layer axis: (1, batch, hidden) each."""
    return tuple(s.unsqueeze(0) for s in state)


# --- Forward against nn.LSTM ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_equals_torch_lstm_with_our_weights_copied_in(shape, with_state, dtype):
    batch, seq, input_size, hidden = shape
    generator, x, state = _inputs(*shape, dtype)
    params = lstm.init_lstm(input_size, hidden, generator, dtype=dtype)
    model = lstm.to_torch(params)
    expected_H, (expected_h, expected_c) = model(x, _torch_state(state)) if with_state else model(x)
    H, (h_last, c_last) = lstm.lstm_forward(x, params, state if with_state else None)
    assert H.shape == (batch, seq, hidden) and h_last.shape == c_last.shape == (batch, hidden) and H.dtype == dtype
    assert (H - expected_H).abs().max() <= TOLERANCE[dtype]
    assert (h_last - expected_h[0]).abs().max() <= TOLERANCE[dtype]
    assert (c_last - expected_c[0]).abs().max() <= TOLERANCE[dtype]
    assert torch.equal(H[:, -1], h_last)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_equals_torch_lstm_with_its_weights_copied_out(shape, with_state, dtype):
    _, _, input_size, hidden = shape
    generator, x, state = _inputs(*shape, dtype, seed=1)
    model = _random_torch_lstm(input_size, hidden, dtype, generator)
    expected_H, (_, expected_c) = model(x, _torch_state(state)) if with_state else model(x)
    H, (_, c_last) = lstm.lstm_forward(x, lstm.from_torch(model), state if with_state else None)
    assert (H - expected_H).abs().max() <= TOLERANCE[dtype]
    assert (c_last - expected_c[0]).abs().max() <= TOLERANCE[dtype]


@pytest.mark.parametrize("shape", SHAPES)
def test_numpy_input_gives_what_torch_input_gives(shape):
    generator, x, state = _inputs(*shape, torch.float64)
    params = lstm.init_lstm(shape[2], shape[3], generator)
    for start in (None, state):
        H, (h_last, c_last) = lstm.lstm_forward(x, params, start)
        start_np = None if start is None else tuple(s.numpy() for s in start)
        H_np, (h_np, c_np) = lstm.lstm_forward(x.numpy(), _numpy(params), start_np)
        assert all(isinstance(a, np.ndarray) for a in (H_np, h_np, c_np))
        assert np.abs(H_np - H.numpy()).max() <= 1e-12 and np.abs(c_np - c_last.numpy()).max() <= 1e-12


def test_numpy_float32_stays_float32():
    generator, x, state = _inputs(2, 3, 2, 4, torch.float32)
    params = _numpy(lstm.init_lstm(2, 4, generator, dtype=torch.float32))
    H, (h_last, c_last) = lstm.lstm_forward(x.numpy(), params, tuple(s.numpy() for s in state))
    assert H.dtype == h_last.dtype == c_last.dtype == np.float32
    expected, _ = lstm.to_torch(params)(x, _torch_state(state))
    assert np.abs(H - expected.detach().numpy()).max() <= 1e-6


def test_gradients_through_our_forward_equal_nn_lstm_gradients():
    generator, x, state = _inputs(2, 4, 3, 5, torch.float64)
    params = {name: value.requires_grad_() for name, value in lstm.init_lstm(3, 5, generator).items()}
    model = lstm.to_torch({name: value.detach() for name, value in params.items()})
    weights = torch.rand(2, 4, 5, generator=generator, dtype=torch.float64)
    (lstm.lstm_forward(x.numpy(), params, state)[0] ** 2 * weights).sum().backward()  # numpy x, torch weights
    (model(x, _torch_state(state))[0] ** 2 * weights).sum().backward()
    assert (params["W_x"].grad - model.weight_ih_l0.grad).abs().max() <= 1e-12
    assert (params["W_h"].grad - model.weight_hh_l0.grad).abs().max() <= 1e-12
    assert (params["b"].grad - model.bias_ih_l0.grad).abs().max() <= 1e-12


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


def test_return_gates_traces_every_step_and_the_gates_lie_in_their_ranges():
    batch, seq, hidden = 3, 6, 4
    generator, x, state = _inputs(batch, seq, 2, hidden, torch.float64)
    params = lstm.init_lstm(2, hidden, generator)
    with torch.no_grad():
        params["W_x"] *= 4  # push the gates towards 0 and 1; they must still stay inside
    H, (h_last, c_last), trace = lstm.lstm_forward(x, params, state, return_gates=True)
    assert list(trace) == ["i", "f", "g", "o", "c"]
    assert all(value.shape == (batch, seq, hidden) for value in trace.values())
    for name in "ifo":
        assert 0 < trace[name].min() and trace[name].max() < 1
    assert -1 < trace["g"].min() and trace["g"].max() < 1
    assert torch.equal(trace["c"][:, -1], c_last) and torch.allclose(
        H, trace["o"] * torch.tanh(trace["c"]), rtol=0, atol=1e-14
    )
    for t in (0, 3):
        previous = state if t == 0 else (H[:, t - 1], trace["c"][:, t - 1])
        gates = lstm.lstm_gates(x[:, t], previous, params)
        assert all(torch.allclose(trace[name][:, t], gates[name], rtol=0, atol=1e-14) for name in gates)
    assert torch.equal(lstm.lstm_forward(x, params, state)[0], H)
    _, _, trace_np = lstm.lstm_forward(x.numpy(), _numpy(params), return_gates=True)
    assert isinstance(trace_np["f"], np.ndarray) and trace_np["f"].shape == (batch, seq, hidden)


def test_an_open_forget_gate_and_a_closed_input_gate_carry_the_cell_unchanged():
    generator, x, state = _inputs(2, 50, 3, 4, torch.float64)
    params = lstm.init_lstm(3, 4, generator)
    params["b"][:4] = -100.0  # i = σ(−100) ≈ 0: write nothing
    params["b"][4:8] = 100.0  # f = σ(100) = 1: keep everything
    _, (_, c_last) = lstm.lstm_forward(x, params, state)
    assert torch.allclose(c_last, state[1], rtol=0, atol=1e-12)


def test_sigmoid_does_not_overflow_and_keeps_the_dtype():
    z = np.array([-1000.0, -30.0, 0.0, 2.5, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = lstm.sigmoid(z)
        assert lstm.sigmoid(z.astype(np.float32)).dtype == np.float32
    assert np.allclose(values, torch.sigmoid(torch.from_numpy(z)).numpy(), rtol=1e-15, atol=0)
    assert values[0] == 0.0 and values[2] == 0.5 and values[-1] == 1.0
    assert torch.equal(lstm.sigmoid(torch.from_numpy(z)), torch.sigmoid(torch.from_numpy(z)))


# --- Copies to and from nn.LSTM --------------------------------------------------------------


def test_from_torch_adds_the_two_biases_and_to_torch_leaves_bias_hh_zero():
    model = _random_torch_lstm(3, 4, torch.float64, torch.Generator().manual_seed(0))
    params = lstm.from_torch(model)
    assert {name: tuple(value.shape) for name, value in params.items()} == {"W_x": (16, 3), "W_h": (16, 4), "b": (16,)}
    assert torch.equal(params["b"], (model.bias_ih_l0 + model.bias_hh_l0).detach())
    assert torch.equal(params["W_x"], model.weight_ih_l0.detach()) and not params["W_x"].requires_grad
    back = lstm.to_torch(params)
    assert torch.equal(back.bias_ih_l0.detach(), params["b"]) and torch.count_nonzero(back.bias_hh_l0) == 0
    with torch.no_grad():
        model.weight_hh_l0.zero_()
    assert params["W_h"].abs().sum() > 0, "from_torch must copy, not share, the weights"


def test_from_torch_of_a_model_without_biases():
    model = nn.LSTM(2, 3, bias=False, batch_first=True, dtype=torch.float64)
    x = torch.randn(2, 4, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    params = lstm.from_torch(model)
    assert torch.equal(params["b"], torch.zeros(12, dtype=torch.float64))
    assert torch.allclose(lstm.lstm_forward(x, params)[0], model(x)[0], rtol=0, atol=1e-12)


def test_to_torch_keeps_the_dtype_and_can_be_sequence_first():
    generator, x, _ = _inputs(2, 5, 3, 4, torch.float64)
    params = lstm.init_lstm(3, 4, generator)
    float32 = lstm.to_torch({name: value.float().numpy() for name, value in params.items()})
    assert all(p.dtype == torch.float32 for p in float32.parameters())
    seq_first = lstm.to_torch(params, batch_first=False)
    H, _ = seq_first(x.transpose(0, 1))
    assert not seq_first.batch_first
    assert torch.allclose(H.transpose(0, 1), lstm.lstm_forward(x, params)[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "model, complaint",
    [
        (nn.LSTM(2, 3, num_layers=2, batch_first=True), "num_layers=2"),
        (nn.LSTM(2, 3, bidirectional=True, batch_first=True), "bidirectional=True"),
        (nn.LSTM(2, 3), "batch_first=False"),
        (nn.LSTM(2, 3, proj_size=2, batch_first=True), "proj_size=2"),
        (nn.GRU(2, 3, batch_first=True), "expected a torch.nn.LSTM, got GRU"),
        (nn.RNN(2, 3, batch_first=True), "expected a torch.nn.LSTM, got RNN"),
    ],
)
def test_from_torch_refuses_models_it_cannot_copy(model, complaint):
    with pytest.raises(ValueError, match=complaint):
        lstm.from_torch(model)


def test_init_is_seeded_and_uniform_within_one_over_root_hidden():
    params = lstm.init_lstm(3, 25, torch.Generator().manual_seed(0))
    again = lstm.init_lstm(3, 25, torch.Generator().manual_seed(0))
    assert {name: tuple(value.shape) for name, value in params.items()} == {
        "W_x": (100, 3),
        "W_h": (100, 25),
        "b": (100,),
    }
    assert all(torch.equal(params[name], again[name]) for name in params)
    values = torch.cat([value.flatten() for value in params.values()])
    assert values.dtype == torch.float64 and values.abs().max() <= 0.2 and values.abs().max() > 0.19
    assert lstm.init_lstm(2, 2, dtype=torch.float32)["W_h"].dtype == torch.float32


@pytest.mark.parametrize(
    "input_size, hidden, output", [(1, 1, 0), (1, 1, 1), (3, 5, 2), (10, 32, 4), (7, 1, 3), (28, 128, 10)]
)
def test_parameter_counts_equal_torch_numel(input_size, hidden, output):
    torch_count = sum(p.numel() for p in nn.LSTM(input_size, hidden).parameters())
    head = sum(p.numel() for p in nn.Linear(hidden, output).parameters()) if output else 0
    ours = sum(value.numel() for value in lstm.init_lstm(input_size, hidden).values())
    assert lstm.torch_parameter_count(input_size, hidden) == torch_count
    assert lstm.parameter_count(input_size, hidden, output) == ours + head == torch_count - 4 * hidden + head
    assert lstm.parameter_count(input_size, hidden) == 4 * hidden * (hidden + input_size + 1)


# --- Clear errors -----------------------------------------------------------------------------


def test_forward_errors_name_what_was_expected_and_what_came():
    params = lstm.init_lstm(3, 4)
    with pytest.raises(
        ValueError, match=r"x must be 3-D \(batch, seq, input\) = \(batch, seq, 3\), got shape \(5, 3\)"
    ):
        lstm.lstm_forward(torch.zeros(5, 3, dtype=torch.float64), params)
    with pytest.raises(ValueError, match=r"3 input features.*\(16, 3\).*expected \(batch, seq, 3\), got \(2, 5, 2\)"):
        lstm.lstm_forward(np.zeros((2, 5, 2)), params)
    with pytest.raises(ValueError, match=r"at least one time step: expected \(batch, seq ≥ 1, 3\), got \(2, 0, 3\)"):
        lstm.lstm_forward(np.zeros((2, 0, 3)), params)
    with pytest.raises(
        ValueError, match=r"state must be a pair \(h, c\) of \(batch, hidden\) arrays, got shape \(2, 4\)"
    ):
        lstm.lstm_forward(np.zeros((2, 5, 3)), params, np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"c0 must have shape \(batch, hidden\) = \(2, 4\), got \(4,\)"):
        lstm.lstm_forward(np.zeros((2, 5, 3)), params, (np.zeros((2, 4)), np.zeros(4)))
    with pytest.raises(
        ValueError, match=r"h0 must have shape .* = \(2, 4\), got \(1, 2, 4\) \(torch's layers add a leading"
    ):
        lstm.lstm_forward(np.zeros((2, 5, 3)), params, (np.zeros((1, 2, 4)), np.zeros((1, 2, 4))))


def test_parameter_errors_name_the_stacked_gates():
    params = lstm.init_lstm(3, 4)
    x = np.zeros((2, 5, 3))
    with pytest.raises(
        ValueError, match=r"W_x must be 2-D \(4·hidden, input\), the gates i, f, g, o stacked, got shape \(6, 3\)"
    ):
        lstm.lstm_forward(x, {**params, "W_x": torch.zeros(6, 3)})
    with pytest.raises(
        ValueError, match=r"W_h must have shape \(4·hidden, hidden\) = \(16, 4\) to match W_x \(16, 3\), got \(4, 4\)"
    ):
        lstm.lstm_forward(x, {**params, "W_h": torch.zeros(4, 4)})
    with pytest.raises(
        ValueError, match=r"b must have shape \(4·hidden,\) = \(16,\) to match W_x \(16, 3\), got \(4,\)"
    ):
        lstm.lstm_forward(x, {**params, "b": torch.zeros(4)})
    with pytest.raises(ValueError, match="params must have keys W_x, W_h and b, missing b"):
        lstm.to_torch({"W_x": params["W_x"], "W_h": params["W_h"]})


def test_cell_errors():
    params = lstm.init_lstm(3, 4)
    state = (np.zeros((2, 4)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"x_t must have shape \(batch, input\) = \(batch, 3\), got \(2, 1, 3\)"):
        lstm.lstm_cell(np.zeros((2, 1, 3)), state, params)
    with pytest.raises(ValueError, match=r"c_prev must have shape \(batch, hidden\) = \(2, 4\), got \(3, 4\)"):
        lstm.lstm_gates(np.zeros((2, 3)), (state[0], np.zeros((3, 4))), params)
    with pytest.raises(
        ValueError, match=r"state must be a pair \(h, c\) of \(batch, hidden\) arrays, got shape \(2, 4\)"
    ):
        lstm.lstm_cell(np.zeros((2, 3)), np.zeros((2, 4)), params)


def test_size_errors():
    with pytest.raises(ValueError, match="hidden_size must be a whole number of at least 1, got 0"):
        lstm.init_lstm(3, 0)
    with pytest.raises(ValueError, match="input_size must be a whole number of at least 1, got -2"):
        lstm.parameter_count(-2, 4)
    with pytest.raises(ValueError, match="output_size must be 0 .* got -1"):
        lstm.parameter_count(2, 4, -1)


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
