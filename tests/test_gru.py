"""The from-scratch GRU of notebook 06: forward pass against nn.GRU, the gates, the textbook variant, copies,
errors, the exercise."""

import numpy as np
import pytest
import torch
from exercise_checks import assert_catches_every_listed_mistake
from torch import nn

from helpers import gru

# (batch, seq, input, hidden), including batch 1, sequence length 1 and hidden size 1
SHAPES = [(1, 1, 1, 1), (1, 7, 3, 5), (4, 1, 2, 1), (3, 5, 4, 16), (2, 6, 1, 3)]
TOLERANCE = {torch.float32: 1e-6, torch.float64: 1e-10}


def _inputs(batch, seq, input_size, hidden, dtype, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, seq, input_size, generator=generator, dtype=dtype)
    h0 = torch.empty(batch, hidden, dtype=dtype).uniform_(-1.0, 1.0, generator=generator)
    return generator, x, h0


def _random_torch_gru(input_size, hidden, dtype, generator):
    """An nn.GRU whose every weight, both biases included, is drawn from `generator`."""
    model = nn.GRU(input_size, hidden, batch_first=True, dtype=dtype)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.uniform_(-0.8, 0.8, generator=generator)
    return model


def _numpy(params):
    return {name: value.numpy() for name, value in params.items()}


def _random_params(input_size, hidden, seed=0):
    """float64 GRU weights of order 1 (larger than init_gru's), so that the two forms differ clearly."""
    generator = torch.Generator().manual_seed(seed)
    return {
        name: torch.randn(value.shape, generator=generator, dtype=torch.float64)
        for name, value in gru.init_gru(input_size, hidden).items()
    }


# --- Forward against nn.GRU -------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_equals_torch_gru_with_our_weights_copied_in(shape, with_h0, dtype):
    batch, seq, input_size, hidden = shape
    generator, x, h0 = _inputs(*shape, dtype)
    params = gru.init_gru(input_size, hidden, generator, dtype=dtype)
    model = gru.to_torch(params)
    expected_H, expected_last = model(x, h0.unsqueeze(0)) if with_h0 else model(x)
    H, h_last = gru.gru_forward(x, params, h0 if with_h0 else None)
    assert H.shape == (batch, seq, hidden) and h_last.shape == (batch, hidden) and H.dtype == dtype
    assert (H - expected_H).abs().max() <= TOLERANCE[dtype]
    assert (h_last - expected_last[0]).abs().max() <= TOLERANCE[dtype]
    assert torch.equal(H[:, -1], h_last)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_equals_torch_gru_with_its_weights_copied_out(shape, with_h0, dtype):
    _, _, input_size, hidden = shape
    generator, x, h0 = _inputs(*shape, dtype, seed=1)
    model = _random_torch_gru(input_size, hidden, dtype, generator)
    expected_H, _ = model(x, h0.unsqueeze(0)) if with_h0 else model(x)
    H, _ = gru.gru_forward(x, gru.from_torch(model), h0 if with_h0 else None)
    assert (H - expected_H).abs().max() <= TOLERANCE[dtype]


@pytest.mark.parametrize("shape", SHAPES)
def test_numpy_input_gives_what_torch_input_gives(shape):
    generator, x, h0 = _inputs(*shape, torch.float64)
    params = gru.init_gru(shape[2], shape[3], generator)
    for start in (None, h0):
        H, h_last = gru.gru_forward(x, params, start)
        H_np, h_last_np = gru.gru_forward(x.numpy(), _numpy(params), None if start is None else start.numpy())
        assert isinstance(H_np, np.ndarray) and isinstance(h_last_np, np.ndarray)
        assert np.abs(H_np - H.numpy()).max() <= 1e-12 and np.abs(h_last_np - h_last.numpy()).max() <= 1e-12


def test_numpy_float32_stays_float32():
    generator, x, h0 = _inputs(2, 3, 2, 4, torch.float32)
    params = _numpy(gru.init_gru(2, 4, generator, dtype=torch.float32))
    H, h_last = gru.gru_forward(x.numpy(), params, h0.numpy())
    assert H.dtype == h_last.dtype == np.float32
    expected, _ = gru.to_torch(params)(x, h0.unsqueeze(0))
    assert np.abs(H - expected.detach().numpy()).max() <= 1e-6


def test_gradients_through_our_forward_equal_nn_gru_gradients():
    generator, x, h0 = _inputs(2, 4, 3, 5, torch.float64)
    params = {name: value.requires_grad_() for name, value in gru.init_gru(3, 5, generator).items()}
    model = gru.to_torch({name: value.detach() for name, value in params.items()})
    weights = torch.rand(2, 4, 5, generator=generator, dtype=torch.float64)
    (gru.gru_forward(x.numpy(), params, h0)[0] ** 2 * weights).sum().backward()  # numpy x, torch weights
    (model(x, h0.unsqueeze(0))[0] ** 2 * weights).sum().backward()
    for ours, theirs in [
        ("W_x", "weight_ih_l0"),
        ("W_h", "weight_hh_l0"),
        ("b_x", "bias_ih_l0"),
        ("b_h", "bias_hh_l0"),
    ]:
        assert (params[ours].grad - getattr(model, theirs).grad).abs().max() <= 1e-12, ours


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


def test_return_gates_traces_every_step_and_the_gates_lie_in_their_ranges():
    batch, seq, hidden = 3, 6, 4
    generator, x, h0 = _inputs(batch, seq, 2, hidden, torch.float64)
    params = gru.init_gru(2, hidden, generator)
    with torch.no_grad():
        params["W_x"] *= 4  # push the gates towards 0 and 1; they must still stay inside
    H, h_last, trace = gru.gru_forward(x, params, h0, return_gates=True)
    assert list(trace) == ["r", "z", "n"]
    assert all(value.shape == (batch, seq, hidden) for value in trace.values())
    for name in "rz":
        assert 0 < trace[name].min() and trace[name].max() < 1
    assert -1 < trace["n"].min() and trace["n"].max() < 1
    for t in (0, 4):
        gates = gru.gru_gates(x[:, t], h0 if t == 0 else H[:, t - 1], params)
        assert all(torch.allclose(trace[name][:, t], gates[name], rtol=0, atol=1e-14) for name in gates)
    assert torch.equal(gru.gru_forward(x, params, h0)[0], H)
    _, _, trace_np = gru.gru_forward(x.numpy(), _numpy(params), return_gates=True)
    assert isinstance(trace_np["z"], np.ndarray) and trace_np["z"].shape == (batch, seq, hidden)


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


# --- Copies to and from nn.GRU ----------------------------------------------------------------


def test_from_torch_keeps_both_biases_and_to_torch_copies_them_back():
    model = _random_torch_gru(3, 4, torch.float64, torch.Generator().manual_seed(0))
    params = gru.from_torch(model)
    assert {name: tuple(value.shape) for name, value in params.items()} == {
        "W_x": (12, 3),
        "W_h": (12, 4),
        "b_x": (12,),
        "b_h": (12,),
    }
    assert torch.equal(params["b_x"], model.bias_ih_l0.detach()) and torch.equal(
        params["b_h"], model.bias_hh_l0.detach()
    )
    assert torch.equal(params["W_x"], model.weight_ih_l0.detach()) and not params["W_x"].requires_grad
    back = gru.to_torch(params)
    assert all(torch.equal(a, b) for a, b in zip(back.parameters(), model.parameters()))
    with torch.no_grad():
        model.weight_hh_l0.zero_()
    assert params["W_h"].abs().sum() > 0, "from_torch must copy, not share, the weights"


def test_from_torch_of_a_model_without_biases():
    model = nn.GRU(2, 3, bias=False, batch_first=True, dtype=torch.float64)
    x = torch.randn(2, 4, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    params = gru.from_torch(model)
    assert torch.equal(params["b_x"], torch.zeros(9, dtype=torch.float64)) and torch.equal(params["b_h"], params["b_x"])
    assert torch.allclose(gru.gru_forward(x, params)[0], model(x)[0], rtol=0, atol=1e-12)


def test_to_torch_keeps_the_dtype_and_can_be_sequence_first():
    generator, x, _ = _inputs(2, 5, 3, 4, torch.float64)
    params = gru.init_gru(3, 4, generator)
    float32 = gru.to_torch({name: value.float().numpy() for name, value in params.items()})
    assert all(p.dtype == torch.float32 for p in float32.parameters())
    seq_first = gru.to_torch(params, batch_first=False)
    H, _ = seq_first(x.transpose(0, 1))
    assert not seq_first.batch_first
    assert torch.allclose(H.transpose(0, 1), gru.gru_forward(x, params)[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "model, complaint",
    [
        (nn.GRU(2, 3, num_layers=2, batch_first=True), "num_layers=2"),
        (nn.GRU(2, 3, bidirectional=True, batch_first=True), "bidirectional=True"),
        (nn.GRU(2, 3), r"nn.GRU\(num_layers=1, bidirectional=False, batch_first=True\), got batch_first=False"),
        (nn.LSTM(2, 3, batch_first=True), "expected a torch.nn.GRU, got LSTM"),
    ],
)
def test_from_torch_refuses_models_it_cannot_copy(model, complaint):
    with pytest.raises(ValueError, match=complaint):
        gru.from_torch(model)


def test_init_is_seeded_and_uniform_within_one_over_root_hidden():
    params = gru.init_gru(3, 25, torch.Generator().manual_seed(0))
    again = gru.init_gru(3, 25, torch.Generator().manual_seed(0))
    assert {name: tuple(value.shape) for name, value in params.items()} == {
        "W_x": (75, 3),
        "W_h": (75, 25),
        "b_x": (75,),
        "b_h": (75,),
    }
    assert all(torch.equal(params[name], again[name]) for name in params)
    values = torch.cat([value.flatten() for value in params.values()])
    assert values.dtype == torch.float64 and values.abs().max() <= 0.2 and values.abs().max() > 0.19
    assert gru.init_gru(2, 2, dtype=torch.float32)["W_h"].dtype == torch.float32


@pytest.mark.parametrize(
    "input_size, hidden, output", [(1, 1, 0), (1, 1, 1), (3, 5, 2), (10, 32, 4), (7, 1, 3), (28, 128, 10)]
)
def test_parameter_counts_equal_torch_numel(input_size, hidden, output):
    torch_count = sum(p.numel() for p in nn.GRU(input_size, hidden).parameters())
    head = sum(p.numel() for p in nn.Linear(hidden, output).parameters()) if output else 0
    ours = sum(value.numel() for value in gru.init_gru(input_size, hidden).values())
    assert gru.torch_parameter_count(input_size, hidden) == torch_count == ours  # we keep both biases, as nn.GRU does
    assert gru.parameter_count(input_size, hidden, output) == torch_count - 3 * hidden + head
    assert gru.parameter_count(input_size, hidden) == 3 * hidden * (hidden + input_size + 1)


# --- Clear errors -----------------------------------------------------------------------------


def test_forward_errors_name_what_was_expected_and_what_came():
    params = gru.init_gru(3, 4)
    with pytest.raises(
        ValueError, match=r"x must be 3-D \(batch, seq, input\) = \(batch, seq, 3\), got shape \(5, 3\)"
    ):
        gru.gru_forward(torch.zeros(5, 3, dtype=torch.float64), params)
    with pytest.raises(ValueError, match=r"3 input features.*\(12, 3\).*expected \(batch, seq, 3\), got \(2, 5, 2\)"):
        gru.gru_forward(np.zeros((2, 5, 2)), params)
    with pytest.raises(ValueError, match=r"at least one time step: expected \(batch, seq ≥ 1, 3\), got \(2, 0, 3\)"):
        gru.gru_forward(np.zeros((2, 0, 3)), params)
    with pytest.raises(ValueError, match=r"h0 must have shape \(batch, hidden\) = \(2, 4\), got \(4,\)"):
        gru.gru_forward(np.zeros((2, 5, 3)), params, np.zeros(4))
    with pytest.raises(
        ValueError, match=r"h0 must have shape .* = \(2, 4\), got \(1, 2, 4\) \(torch's layers add a leading"
    ):
        gru.gru_forward(np.zeros((2, 5, 3)), params, np.zeros((1, 2, 4)))


def test_parameter_errors_name_the_stacked_gates():
    params = gru.init_gru(3, 4)
    x = np.zeros((2, 5, 3))
    with pytest.raises(
        ValueError, match=r"W_x must be 2-D \(3·hidden, input\), the gates r, z, n stacked, got shape \(4, 3\)"
    ):
        gru.gru_forward(x, {**params, "W_x": torch.zeros(4, 3)})
    with pytest.raises(
        ValueError, match=r"W_h must have shape \(3·hidden, hidden\) = \(12, 4\) to match W_x \(12, 3\), got \(12, 3\)"
    ):
        gru.gru_forward(x, {**params, "W_h": torch.zeros(12, 3)})
    with pytest.raises(
        ValueError, match=r"b_h must have shape \(3·hidden,\) = \(12,\) to match W_x \(12, 3\), got \(4,\)"
    ):
        gru.gru_forward(x, {**params, "b_h": torch.zeros(4)})
    with pytest.raises(ValueError, match="params must have keys W_x, W_h, b_x and b_h, missing b_h"):
        gru.to_torch({"W_x": params["W_x"], "W_h": params["W_h"], "b_x": params["b_x"]})


def test_cell_errors():
    params = gru.init_gru(3, 4)
    with pytest.raises(ValueError, match=r"x_t must have shape \(batch, input\) = \(batch, 3\), got \(3,\)"):
        gru.gru_cell(np.zeros(3), np.zeros((1, 4)), params)
    with pytest.raises(ValueError, match=r"h_prev must have shape \(batch, hidden\) = \(2, 4\), got \(2, 3\)"):
        gru.textbook_gru_cell(np.zeros((2, 3)), np.zeros((2, 3)), params)


def test_size_errors():
    with pytest.raises(ValueError, match="hidden_size must be a whole number of at least 1, got 0"):
        gru.init_gru(3, 0)
    with pytest.raises(ValueError, match="input_size must be a whole number of at least 1, got -2"):
        gru.torch_parameter_count(-2, 4)
    with pytest.raises(ValueError, match="output_size must be 0 .* got -1"):
        gru.parameter_count(2, 4, -1)


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
