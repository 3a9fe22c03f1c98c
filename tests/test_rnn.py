"""The from-scratch RNN of notebooks 02–04: the cell, BPTT against autograd and finite differences, the output
layers, the exercise. What the RNN shares with the LSTM and the GRU (the forward pass against nn.RNN, copies to and
from it, parameter counts, the common errors) is tested in test_cells.py."""

import numpy as np
import pytest
import torch
from exercise_checks import assert_catches_every_listed_mistake

from helpers import rnn


def _problem(batch, seq, input_size, hidden, seed=0):
    """numpy float64 params, x, a non-zero h0 and fixed loss weights for loss = 0.5 Σ weights · H²."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, seq, input_size, generator=generator, dtype=torch.float64)
    h0 = torch.empty(batch, hidden, dtype=torch.float64).uniform_(-1.0, 1.0, generator=generator)
    params = {name: value.numpy() for name, value in rnn.init_rnn(input_size, hidden, generator).items()}
    weights = torch.rand(batch, seq, hidden, generator=generator, dtype=torch.float64).numpy() + 0.5
    return params, x.numpy(), h0.numpy(), weights


# --- The cell ---------------------------------------------------------------------------------


def test_cell_agrees_on_numpy_and_torch_and_is_one_forward_step():
    params, x, h0, _ = _problem(3, 1, 4, 6)
    as_torch = {name: torch.from_numpy(value) for name, value in {**params, "x": x, "h0": h0}.items()}
    h_numpy = rnn.rnn_cell(x[:, 0], h0, params)
    h_torch = rnn.rnn_cell(as_torch["x"][:, 0], as_torch["h0"], as_torch)
    assert isinstance(h_torch, torch.Tensor) and isinstance(h_numpy, np.ndarray) and h_numpy.shape == (3, 6)
    assert np.abs(h_numpy - h_torch.numpy()).max() <= 1e-12
    assert torch.allclose(h_torch, rnn.rnn_forward(as_torch["x"], as_torch, as_torch["h0"])[1], rtol=0, atol=1e-12)
    by_hand = np.tanh(params["W_xh"] @ x[0, 0] + params["W_hh"] @ h0[0] + params["b_h"])
    assert np.allclose(h_numpy[0], by_hand, rtol=0, atol=1e-12)


# --- BPTT -------------------------------------------------------------------------------------


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


def test_output_layer_errors():
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
