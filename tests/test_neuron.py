"""Notebook 01's computations: the neuron, recurrences, gradient descent, XOR, and its exercises."""

import numpy as np
import pytest
import torch

from helpers import neuron as nrn
from helpers.course.notebook import seed_everything

X, W, B = np.array([0.5, 0.3]), np.array([2.0, -1.0]), 0.1


def test_the_worked_example():
    z, y = nrn.neuron(X, W, B)
    assert np.isclose(z, 0.8) and np.isclose(y, 0.66404, atol=1e-5)
    assert np.isclose(nrn.neuron(X, np.array([2.0, 1.0]), B)[0], 1.4)
    assert nrn.neuron_terms(X, W, B) == "2.00·0.50 + (-1.00)·0.30 + 0.10"


def test_neuron_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"same length, got shapes \(2,\) and \(3,\)"):
        nrn.neuron(X, np.ones(3), 0.0)


def test_hand_gradient_matches_autograd_and_finite_differences():
    for target in (1.0, -0.5):
        hand_w, hand_b = nrn.neuron_loss_gradient(X, W, B, target)
        auto_w, auto_b = nrn.autograd_loss_gradient(X, W, B, target)
        assert np.allclose(hand_w, auto_w, atol=1e-12) and np.isclose(hand_b, auto_b, atol=1e-12)
        loss = lambda b, target=target: (np.tanh(W @ X + b) - target) ** 2
        assert np.isclose(hand_b, (loss(B + 1e-6) - loss(B - 1e-6)) / 2e-6, atol=1e-8)


def test_recurrent_matrix_has_the_requested_spectral_radius():
    matrix = nrn.random_recurrent_matrix(12, 1.7, torch.Generator().manual_seed(0))
    assert torch.isclose(torch.linalg.eigvals(matrix).abs().max(), torch.tensor(1.7, dtype=torch.float64))


def test_tanh_recurrence_stays_bounded_while_relu_explodes():
    generator = torch.Generator().manual_seed(0)
    matrix = nrn.random_recurrent_matrix(16, 2.0, generator)
    inputs = 0.5 * torch.randn(60, 16, generator=generator, dtype=torch.float64)
    assert nrn.run_recurrence(matrix, inputs, "tanh").abs().max() < 1.0
    assert nrn.run_recurrence(matrix, inputs, "relu")[-1].abs().max() > 1e6


def test_recurrence_input_errors():
    matrix = torch.eye(3, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"shape \(steps, 3\), got \(5, 2\)"):
        nrn.run_recurrence(matrix, torch.zeros(5, 2, dtype=torch.float64))
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        nrn.run_recurrence(matrix, torch.zeros(5, 3, dtype=torch.float64), "gelu")


@pytest.mark.parametrize(
    "rate, verdict",
    [
        (0.01, "converges"),
        (0.1, "converges"),
        (0.5, "converges"),
        (0.9, "converges, overshooting each step"),
        (1.0, "bounces forever"),
        (1.1, "diverges"),
    ],
)
def test_gradient_descent_regimes_on_a_parabola(rate, verdict):
    path = nrn.gradient_descent(lambda x: 2 * x, 3.0, rate, 20)
    assert np.allclose(path, 3.0 * (1 - 2 * rate) ** np.arange(21))
    assert nrn.descent_verdict(path) == verdict


def test_gradient_descent_stops_before_overflow():
    path = nrn.gradient_descent(lambda x: 2 * x, 3.0, 100.0, 1000)
    assert np.isfinite(path).all() and len(path) < 1000


def test_a_tanh_network_solves_xor_where_a_line_cannot():
    generator = seed_everything(0)
    train_x, train_y = nrn.xor_data(50, 0.2, generator)
    test_x, test_y = nrn.xor_data(50, 0.2, generator)
    line, mlp = nrn.linear_classifier(generator), nrn.tanh_mlp(4, generator)
    nrn.train_classifier(line, train_x, train_y, 500, 0.05)
    losses = nrn.train_classifier(mlp, train_x, train_y, 500, 0.05).losses
    assert losses[-1] < 0.1 < losses[0]
    assert nrn.accuracy(line, test_x, test_y) < 0.7
    assert nrn.accuracy(mlp, test_x, test_y) > 0.9
    assert nrn.predict_proba(mlp, np.array([[0.0, 1.0], [1.0, 1.0]])).round().tolist() == [1.0, 0.0]


def test_exercise_checks_accept_right_answers_and_name_common_mistakes():
    assert nrn.check_neuron_output(lambda x, w, b: float(np.tanh(w @ x + b))).passed
    assert nrn.check_tanh_derivative(lambda z: 1 - np.tanh(z) ** 2).passed
    assert "forget the bias" in nrn.check_neuron_output(lambda x, w, b: float(np.tanh(w @ x))).message
    assert "without the activation" in nrn.check_neuron_output(lambda x, w, b: float(w @ x + b)).message
    assert "1 − z²" in nrn.check_tanh_derivative(lambda z: 1 - z**2).message
    assert not nrn.check_tanh_derivative(lambda z: np.float32(1) - np.tanh(z).astype(np.float32) ** 2).passed
