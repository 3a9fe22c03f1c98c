"""The from-scratch RNN of notebooks 02–04: forward pass against nn.RNN, BPTT against autograd and finite
differences."""

import numpy as np
import pytest
import torch
from exercise_checks import assert_catches_every_listed_mistake
from torch import nn

from helpers import rnn

# (batch, seq, input, hidden), including batch 1, sequence length 1 and hidden size 1
SHAPES = [(1, 1, 1, 1), (1, 7, 3, 5), (4, 1, 2, 1), (3, 5, 4, 16), (2, 6, 1, 3)]
TOLERANCE = {torch.float32: 1e-6, torch.float64: 1e-10}


def _inputs(batch, seq, input_size, hidden, dtype, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, seq, input_size, generator=generator, dtype=dtype)
    h0 = torch.empty(batch, hidden, dtype=dtype).uniform_(-1.0, 1.0, generator=generator)
    return generator, x, h0


def _random_torch_rnn(input_size, hidden, dtype, generator):
    """An nn.RNN whose every weight, both biases included, is drawn from `generator`."""
    model = nn.RNN(input_size, hidden, batch_first=True, dtype=dtype)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.uniform_(-0.8, 0.8, generator=generator)
    return model


def _numpy(params):
    return {name: value.numpy() for name, value in params.items()}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_equals_torch_rnn_with_our_weights_copied_in(shape, with_h0, dtype):
    batch, seq, input_size, hidden = shape
    generator, x, h0 = _inputs(*shape, dtype)
    params = rnn.init_rnn(input_size, hidden, generator, dtype=dtype)
    model = rnn.to_torch(params)
    expected_H, expected_last = model(x, h0.unsqueeze(0)) if with_h0 else model(x)
    H, h_last = rnn.rnn_forward(x, params, h0 if with_h0 else None)
    assert H.shape == (batch, seq, hidden) and h_last.shape == (batch, hidden) and H.dtype == dtype
    assert (H - expected_H).abs().max() <= TOLERANCE[dtype]
    assert (h_last - expected_last[0]).abs().max() <= TOLERANCE[dtype]
    assert torch.equal(H[:, -1], h_last)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_equals_torch_rnn_with_its_weights_copied_out(shape, with_h0, dtype):
    _, _, input_size, hidden = shape
    generator, x, h0 = _inputs(*shape, dtype, seed=1)
    model = _random_torch_rnn(input_size, hidden, dtype, generator)
    expected_H, _ = model(x, h0.unsqueeze(0)) if with_h0 else model(x)
    H, _ = rnn.rnn_forward(x, rnn.from_torch(model), h0 if with_h0 else None)
    assert (H - expected_H).abs().max() <= TOLERANCE[dtype]


@pytest.mark.parametrize("shape", SHAPES)
def test_numpy_input_gives_what_torch_input_gives(shape):
    generator, x, h0 = _inputs(*shape, torch.float64)
    params = rnn.init_rnn(shape[2], shape[3], generator)
    for start in (None, h0):
        H, h_last = rnn.rnn_forward(x, params, start)
        H_np, h_last_np = rnn.rnn_forward(x.numpy(), _numpy(params), None if start is None else start.numpy())
        assert isinstance(H_np, np.ndarray) and isinstance(h_last_np, np.ndarray)
        assert np.abs(H_np - H.numpy()).max() <= 1e-12 and np.abs(h_last_np - h_last.numpy()).max() <= 1e-12


def test_numpy_inputs_with_torch_parameters_give_a_tensor_autograd_can_follow():
    generator, x, _ = _inputs(2, 3, 4, 5, torch.float64)
    params = {name: value.requires_grad_() for name, value in rnn.init_rnn(4, 5, generator).items()}
    H, _ = rnn.rnn_forward(x.numpy(), params)
    assert isinstance(H, torch.Tensor) and torch.allclose(H, rnn.rnn_forward(x, params)[0])
    (H**2 * rnn.like(np.ones((2, 3, 5)), H)).sum().backward()
    assert params["W_hh"].grad is not None and params["W_hh"].grad.abs().sum() > 0


def test_cell_agrees_on_numpy_and_torch_and_is_one_forward_step():
    generator, x, h0 = _inputs(3, 1, 4, 6, torch.float64)
    params = rnn.init_rnn(4, 6, generator)
    h_torch = rnn.rnn_cell(x[:, 0], h0, params)
    h_numpy = rnn.rnn_cell(x[:, 0].numpy(), h0.numpy(), _numpy(params))
    assert isinstance(h_torch, torch.Tensor) and isinstance(h_numpy, np.ndarray) and h_numpy.shape == (3, 6)
    assert np.abs(h_numpy - h_torch.numpy()).max() <= 1e-12
    assert torch.allclose(h_torch, rnn.rnn_forward(x, params, h0)[1], rtol=0, atol=1e-12)
    by_hand = np.tanh(
        params["W_xh"].numpy() @ x[0, 0].numpy() + params["W_hh"].numpy() @ h0[0].numpy() + params["b_h"].numpy()
    )
    assert np.allclose(h_numpy[0], by_hand, rtol=0, atol=1e-12)


def test_from_torch_adds_the_two_biases_and_to_torch_leaves_bias_hh_zero():
    model = _random_torch_rnn(3, 4, torch.float64, torch.Generator().manual_seed(0))
    params = rnn.from_torch(model)
    assert torch.equal(params["b_h"], (model.bias_ih_l0 + model.bias_hh_l0).detach())
    assert torch.equal(params["W_xh"], model.weight_ih_l0.detach()) and not params["W_xh"].requires_grad
    back = rnn.to_torch(params)
    assert torch.equal(back.bias_ih_l0.detach(), params["b_h"]) and torch.count_nonzero(back.bias_hh_l0) == 0
    with torch.no_grad():
        model.weight_hh_l0.zero_()
    assert params["W_hh"].abs().sum() > 0, "from_torch must copy, not share, the weights"


def test_from_torch_of_a_model_without_biases():
    model = nn.RNN(2, 3, bias=False, batch_first=True, dtype=torch.float64)
    x = torch.randn(2, 4, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    params = rnn.from_torch(model)
    assert torch.equal(params["b_h"], torch.zeros(3, dtype=torch.float64))
    assert torch.allclose(rnn.rnn_forward(x, params)[0], model(x)[0], rtol=0, atol=1e-12)


def test_to_torch_keeps_the_dtype_and_can_be_sequence_first():
    generator, x, _ = _inputs(2, 5, 3, 4, torch.float64)
    params = rnn.init_rnn(3, 4, generator)
    float32 = rnn.to_torch({name: value.float().numpy() for name, value in params.items()})
    assert all(p.dtype == torch.float32 for p in float32.parameters())
    seq_first = rnn.to_torch(params, batch_first=False)
    H, _ = seq_first(x.transpose(0, 1))
    assert not seq_first.batch_first
    assert torch.allclose(H.transpose(0, 1), rnn.rnn_forward(x, params)[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "model, complaint",
    [
        (nn.RNN(2, 3, num_layers=2, batch_first=True), "num_layers=2"),
        (nn.RNN(2, 3, bidirectional=True, batch_first=True), "bidirectional=True"),
        (nn.RNN(2, 3, nonlinearity="relu", batch_first=True), "nonlinearity='relu'"),
        (nn.RNN(2, 3), "batch_first=False"),
        (nn.GRU(2, 3, batch_first=True), "expected a torch.nn.RNN, got GRU"),
    ],
)
def test_from_torch_refuses_models_it_cannot_copy(model, complaint):
    with pytest.raises(ValueError, match=complaint.replace("(", r"\(")):
        rnn.from_torch(model)


def test_init_is_seeded_and_uniform_within_one_over_root_hidden():
    params = rnn.init_rnn(3, 25, torch.Generator().manual_seed(0))
    again = rnn.init_rnn(3, 25, torch.Generator().manual_seed(0))
    assert {name: tuple(value.shape) for name, value in params.items()} == {
        "W_xh": (25, 3),
        "W_hh": (25, 25),
        "b_h": (25,),
    }
    assert all(torch.equal(params[name], again[name]) for name in params)
    values = torch.cat([value.flatten() for value in params.values()])
    assert values.dtype == torch.float64 and values.abs().max() <= 0.2 and values.abs().max() > 0.19
    assert rnn.init_rnn(2, 2, dtype=torch.float32)["W_hh"].dtype == torch.float32


@pytest.mark.parametrize(
    "input_size, hidden, output", [(1, 1, 0), (1, 1, 1), (3, 5, 2), (10, 32, 4), (7, 1, 3), (28, 128, 10)]
)
def test_parameter_counts_equal_torch_numel(input_size, hidden, output):
    torch_count = sum(p.numel() for p in nn.RNN(input_size, hidden).parameters())
    head = sum(p.numel() for p in nn.Linear(hidden, output).parameters()) if output else 0
    ours = sum(value.numel() for value in rnn.init_rnn(input_size, hidden).values())
    assert rnn.torch_rnn_parameter_count(input_size, hidden) == torch_count
    assert rnn.parameter_count(input_size, hidden, output) == ours + head == torch_count - hidden + head
    assert rnn.parameter_count(input_size, hidden) == hidden * (hidden + input_size + 1)


# --- BPTT -------------------------------------------------------------------------------------


def _problem(batch, seq, input_size, hidden, seed=0):
    """numpy float64 params, x, a non-zero h0 and fixed loss weights for loss = 0.5 Σ weights · H²."""
    generator, x, h0 = _inputs(batch, seq, input_size, hidden, torch.float64, seed)
    params = _numpy(rnn.init_rnn(input_size, hidden, generator))
    weights = torch.rand(batch, seq, hidden, generator=generator, dtype=torch.float64).numpy() + 0.5
    return params, x.numpy(), h0.numpy(), weights


def _weighted_square_loss(weights):
    def loss_fn(p):
        H, _ = rnn.rnn_forward(p["x"], p, p["h0"])
        return 0.5 * (H**2 * rnn.like(weights, H)).sum()

    return loss_fn


@pytest.mark.parametrize("shape", [(2, 4, 3, 5), (1, 6, 2, 3), (3, 1, 2, 1)])
def test_bptt_matches_autograd_and_finite_differences(shape):
    params, x, h0, weights = _problem(*shape)
    H, _ = rnn.rnn_forward(x, params, h0)
    grads = rnn.rnn_backward(x, params, H, h0, dH=weights * H)
    inputs = {**params, "x": x, "h0": h0}
    before = {name: value.copy() for name, value in inputs.items()}
    check = rnn.gradient_check(_weighted_square_loss(weights), inputs, grads)
    assert check.max_rel_error_autograd <= 1e-6 and check.max_rel_error_finite_diff <= 1e-6, str(check)
    assert check.worst_parameter in inputs
    assert all(np.array_equal(before[name], inputs[name]) for name in inputs), "gradient_check changed its inputs"


def test_bptt_through_a_many_to_many_output_layer():
    params, x, h0, _ = _problem(2, 5, 3, 4, seed=2)
    generator = torch.Generator().manual_seed(3)
    head = {
        "W_hy": torch.randn(2, 4, generator=generator, dtype=torch.float64).numpy(),
        "b_y": torch.randn(2, generator=generator, dtype=torch.float64).numpy(),
    }
    targets = torch.randn(2, 5, 2, generator=generator, dtype=torch.float64).numpy()

    def loss_fn(p):
        H, _ = rnn.rnn_forward(p["x"], p, p["h0"])
        logits = rnn.many_to_many(H, p["W_hy"], p["b_y"])
        return 0.5 * ((logits - rnn.like(targets, logits)) ** 2).sum()

    H, _ = rnn.rnn_forward(x, params, h0)
    d_logits = rnn.many_to_many(H, head["W_hy"], head["b_y"]) - targets
    grads = rnn.rnn_backward(x, params, H, h0, dH=d_logits @ head["W_hy"])
    grads["W_hy"] = np.einsum("bso,bsh->oh", d_logits, H)
    grads["b_y"] = d_logits.sum(axis=(0, 1))
    check = rnn.gradient_check(loss_fn, {**params, **head, "x": x, "h0": h0}, grads)
    assert check.max_rel_error_autograd <= 1e-6 and check.max_rel_error_finite_diff <= 1e-6, str(check)


def test_bptt_without_h0_starts_from_zeros():
    params, x, _, weights = _problem(2, 3, 2, 3)
    H, _ = rnn.rnn_forward(x, params)
    assert all(
        np.array_equal(a, b)
        for a, b in zip(
            rnn.rnn_backward(x, params, H, None, weights * H).values(),
            rnn.rnn_backward(x, params, H, np.zeros((2, 3)), weights * H).values(),
        )
    )


def _buggy_backward(x, params, H, h0, dH, tanh_slope=True, carry=True):
    """rnn_backward with a classic mistake: no tanh' factor, or no gradient carried back from later steps."""
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = H[:, t - 1] if t > 0 else h0
        dz = (dH[:, t] + dh_next) * ((1 - H[:, t] ** 2) if tanh_slope else 1.0)
        grads["W_xh"] += dz.T @ x[:, t]
        grads["W_hh"] += dz.T @ h_prev
        grads["b_h"] += dz.sum(axis=0)
        dh_next = dz @ params["W_hh"] if carry else np.zeros_like(h0)
    return grads


@pytest.mark.parametrize("mistake", [{"tanh_slope": False}, {"carry": False}])
def test_gradient_check_catches_a_wrong_backward_pass(mistake):
    params, x, h0, weights = _problem(2, 4, 3, 5)
    H, _ = rnn.rnn_forward(x, params, h0)
    assert (
        rnn.gradient_check(
            _weighted_square_loss(weights),
            {**params, "h0": h0, "x": x},
            rnn.rnn_backward(x, params, H, h0, weights * H),
        ).max_rel_error_finite_diff
        < 1e-6
    )
    wrong = _buggy_backward(x, params, H, h0, weights * H, **mistake)
    loss_fn = lambda p: _weighted_square_loss(weights)({**p, "x": x, "h0": h0})
    check = rnn.gradient_check(loss_fn, params, wrong)
    assert check.max_rel_error_autograd > 1e-2 and check.max_rel_error_finite_diff > 1e-2, str(check)


def test_relative_error_is_the_largest_entrywise_ratio_and_ignores_entries_that_are_both_zero():
    assert rnn.relative_error(np.array([1.0, 2.0]), np.array([1.1, 2.0])) == pytest.approx(0.1 / 2.1)
    assert rnn.relative_error(np.array([0.0, 1e-13, 3.0]), np.array([0.0, -1e-13, 3.0])) == 0.0
    assert rnn.relative_error(np.array([0.0, 1.0]), np.array([1e-3, 1.0])) == 1.0
    assert rnn.relative_error(torch.tensor([2.0]), np.array([1.0])) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        rnn.relative_error(np.zeros(2), np.zeros(3))


def test_grad_check_report_reads_in_one_line():
    report = str(rnn.GradCheck(3.2e-11, 1.4e-9, "W_hh"))
    assert report == "max relative error: 3.2e-11 vs autograd, 1.4e-09 vs finite differences (worst: W_hh)"


def test_gradient_check_input_errors():
    params, x, h0, weights = _problem(1, 2, 2, 2)
    loss_fn = lambda p: _weighted_square_loss(weights)({**p, "x": x, "h0": h0})
    grads = rnn.rnn_backward(x, params, rnn.rnn_forward(x, params, h0)[0], h0, weights)
    with pytest.raises(ValueError, match="must return a scalar tensor .* got float"):
        rnn.gradient_check(lambda p: 1.0, params, grads)
    with pytest.raises(ValueError, match="got a tensor that does not depend on them"):
        rnn.gradient_check(lambda p: torch.tensor(1.0), params, grads)
    with pytest.raises(ValueError, match=r"got a tensor of shape \(1, 2, 2\)"):
        rnn.gradient_check(lambda p: rnn.rnn_forward(p["W_xh"][None], p)[0], params, grads)
    with pytest.raises(ValueError, match=r"params\['W_xh'\] must be a float64 numpy array, got float32"):
        rnn.gradient_check(loss_fn, {**params, "W_xh": params["W_xh"].astype(np.float32)}, grads)
    with pytest.raises(ValueError, match="no gradient for 'b_h'"):
        rnn.gradient_check(loss_fn, params, {"W_xh": grads["W_xh"], "W_hh": grads["W_hh"]})
    with pytest.raises(
        ValueError, match=r"analytic\['b_h'\] must have the shape of params\['b_h'\], \(2,\), got \(3,\)"
    ):
        rnn.gradient_check(loss_fn, params, {**grads, "b_h": np.zeros(3)})


# --- Output layers ----------------------------------------------------------------------------


def test_many_to_one_and_many_to_many_equal_a_direct_computation():
    generator = torch.Generator().manual_seed(0)
    H = torch.randn(3, 4, 5, generator=generator, dtype=torch.float64).tanh().numpy()
    W_hy, b_y = torch.randn(2, 5, generator=generator, dtype=torch.float64).numpy(), np.array([0.5, -1.0])
    every_step = rnn.many_to_many(H, W_hy, b_y)
    last = rnn.many_to_one(H, W_hy, b_y)
    assert every_step.shape == (3, 4, 2) and last.shape == (3, 2)
    for b in range(3):
        for t in range(4):
            assert np.allclose(every_step[b, t], W_hy @ H[b, t] + b_y, rtol=0, atol=1e-12)
        assert np.allclose(last[b], W_hy @ H[b, -1] + b_y, rtol=0, atol=1e-12)
    as_torch = rnn.many_to_many(torch.from_numpy(H), torch.from_numpy(W_hy), torch.from_numpy(b_y))
    assert isinstance(as_torch, torch.Tensor) and np.allclose(as_torch.numpy(), every_step, rtol=0, atol=1e-12)
    assert np.allclose(rnn.many_to_one(torch.from_numpy(H), W_hy, b_y).numpy(), last, rtol=0, atol=1e-12)


# --- Clear errors -----------------------------------------------------------------------------


def test_forward_errors_name_what_was_expected_and_what_came():
    params = rnn.init_rnn(3, 4)
    with pytest.raises(
        ValueError, match=r"x must be 3-D \(batch, seq, input\) = \(batch, seq, 3\), got shape \(5, 3\)"
    ):
        rnn.rnn_forward(torch.zeros(5, 3, dtype=torch.float64), params)
    with pytest.raises(ValueError, match=r"3 input features.*\(4, 3\).*expected \(batch, seq, 3\), got \(2, 5, 2\)"):
        rnn.rnn_forward(np.zeros((2, 5, 2)), params)
    with pytest.raises(ValueError, match=r"h0 must have shape \(batch, hidden\) = \(2, 4\), got \(4,\)"):
        rnn.rnn_forward(np.zeros((2, 5, 3)), params, np.zeros(4))
    with pytest.raises(ValueError, match=r"at least one time step: expected \(batch, seq ≥ 1, 3\), got \(2, 0, 3\)"):
        rnn.rnn_forward(np.zeros((2, 0, 3)), params)
    with pytest.raises(ValueError, match=r"W_hh must have shape \(hidden, hidden\) = \(4, 4\).*got \(4, 3\)"):
        rnn.rnn_forward(np.zeros((2, 5, 3)), {**params, "W_hh": torch.zeros(4, 3)})
    with pytest.raises(ValueError, match="missing b_h"):
        rnn.rnn_forward(np.zeros((2, 5, 3)), {"W_xh": params["W_xh"], "W_hh": params["W_hh"]})


def test_size_and_layer_errors():
    with pytest.raises(ValueError, match="hidden_size must be a whole number of at least 1, got 0"):
        rnn.init_rnn(3, 0)
    with pytest.raises(ValueError, match="input_size must be a whole number of at least 1, got -2"):
        rnn.parameter_count(-2, 4)
    with pytest.raises(ValueError, match="output_size must be 0 .* got -1"):
        rnn.parameter_count(2, 4, -1)
    with pytest.raises(ValueError, match=r"W_hy must have shape \(out, hidden\) = \(out, 5\), got \(2, 4\)"):
        rnn.many_to_one(np.zeros((3, 4, 5)), np.zeros((2, 4)), np.zeros(2))
    with pytest.raises(ValueError, match=r"b_y must have shape \(out,\) = \(2,\), got \(3,\)"):
        rnn.many_to_many(np.zeros((3, 4, 5)), np.zeros((2, 5)), np.zeros(3))


def test_backward_errors():
    params, x, h0, _ = _problem(2, 3, 2, 4)
    H, _ = rnn.rnn_forward(x, params, h0)
    with pytest.raises(ValueError, match=r"dH must have shape \(batch, seq, hidden\) = \(2, 3, 4\), got \(2, 3\)"):
        rnn.rnn_backward(x, params, H, h0, H[:, :, 0])
    with pytest.raises(ValueError, match="numpy arrays, got Tensor for x"):
        rnn.rnn_backward(torch.from_numpy(x), params, H, h0, H)


def test_rnn_step_exercise_accepts_the_solution_and_names_each_mistake():
    from helpers.rnn import check_rnn_step, rnn_step

    assert_catches_every_listed_mistake(check_rnn_step)
    assert rnn_step(*check_rnn_step.cases[0].args).shape == (2, 4)
