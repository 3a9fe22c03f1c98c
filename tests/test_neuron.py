"""Notebook 01's computations: the neuron, recurrences, gradient descent, XOR, and its exercises."""

import numpy as np
import pytest
import torch

from helpers import neuron as nrn

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


CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_LABELS = np.array([0.0, 1.0, 1.0, 0.0])


def best_accuracy_by_angle(points, labels, angles=3000):
    """A slow check of best_line: for each direction, the best threshold (exact); the best over directions."""
    best = 0.0
    for angle in np.linspace(0, 2 * np.pi, angles, endpoint=False):
        order = np.argsort(points @ np.array([np.cos(angle), np.sin(angle)]))
        ones = labels[order].astype(bool)
        right = np.r_[np.cumsum(ones[::-1])[::-1], 0] + np.r_[0, np.cumsum(~ones)]  # threshold before point k
        best = max(best, right.max() / len(points))
    return best


def test_the_best_line_on_the_four_xor_corners_gets_three():
    nudged = CORNERS + 1e-3 * np.random.default_rng(0).normal(size=(4, 2))  # general position
    line = nrn.best_line(nudged, XOR_LABELS)
    assert line.accuracy == 0.75
    assert nrn.line_accuracy(line.weights, line.bias, nudged, XOR_LABELS) == 0.75


def test_the_best_line_separates_separable_points_and_falls_back_to_the_majority():
    rng = np.random.default_rng(1)
    points = rng.normal(size=(30, 2))
    labels = (points @ np.array([1.0, -2.0]) + 0.3 > 0).astype(float)
    line = nrn.best_line(points, labels)
    assert line.accuracy == 1.0 and nrn.line_accuracy(line.weights, line.bias, points, labels) == 1.0
    same = nrn.best_line(points[:5], np.ones(5))
    assert same.accuracy == 1.0 and nrn.line_accuracy(same.weights, same.bias, points[:5], np.ones(5)) == 1.0


@pytest.mark.parametrize("trial", range(40))
def test_the_best_line_is_exact_on_random_points(trial):
    rng = np.random.default_rng(100 + trial)
    n = int(rng.integers(3, 14))
    points, labels = rng.normal(size=(n, 2)), rng.integers(0, 2, n).astype(float)
    line = nrn.best_line(points, labels)
    assert nrn.line_accuracy(line.weights, line.bias, points, labels) == line.accuracy  # the line it returns
    assert line.accuracy >= best_accuracy_by_angle(points, labels) - 1e-12  # no direction does better


def test_the_best_line_on_notebook_01s_xor_data():
    for seed, expected in [(0, 0.74), (1, 0.735), (2, 0.74)]:
        points, labels = nrn.xor_data(50, 0.2, torch.Generator().manual_seed(seed))
        assert nrn.best_line(points, labels).accuracy == expected
    assert np.isclose(best_accuracy_by_angle(points.double().numpy(), labels.numpy(), 20000), 0.74)


def test_best_line_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"shape \(n ≥ 2, 2\)"):
        nrn.best_line(np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="n labels"):
        nrn.best_line(np.zeros((5, 2)), np.zeros(4))


def test_logistic_loss_and_gradient_match_autograd_and_vanish_at_zero_on_the_corners():
    rng = np.random.default_rng(2)
    points, labels, w, b = rng.normal(size=(20, 2)), rng.integers(0, 2, 20).astype(float), rng.normal(size=2), 0.3
    w_t = torch.tensor(w, requires_grad=True)
    b_t = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor(points) @ w_t + b_t, torch.tensor(labels))
    loss.backward()
    assert np.isclose(nrn.logistic_loss(w, b, points, labels), loss.item(), atol=1e-12)
    grad_w, grad_b = nrn.logistic_gradient(w, b, points, labels)
    assert np.allclose(grad_w, w_t.grad.numpy(), atol=1e-12) and np.isclose(grad_b, b_t.grad.item(), atol=1e-12)
    assert np.isclose(nrn.logistic_loss(np.zeros(2), 0.0, CORNERS, XOR_LABELS), np.log(2))
    grad_w, grad_b = nrn.logistic_gradient(np.zeros(2), 0.0, CORNERS, XOR_LABELS)
    assert np.all(grad_w == 0) and grad_b == 0
    losses = [nrn.logistic_loss(s * np.array([1.0, 1.0]), -0.5 * s, CORNERS, XOR_LABELS) for s in (0, 1, 2, 4)]
    assert np.all(np.diff(losses) > 0)  # the 3-of-4 line x₁ + x₂ > 0.5 only loses by growing more confident


def test_the_xor_experiment_at_seed_0():
    run = nrn.xor_run(0)
    scores = run.scores
    assert scores["best line, train"] == 0.74
    assert (
        scores["logistic regression, test"] < 0.6 < scores["best line, test"] < 0.8 < 0.9 < scores["tanh network, test"]
    )
    assert abs(scores["logistic regression, loss"] - np.log(2)) < 0.005 and scores["logistic regression, |w|"] < 0.3
    assert run.network_log.losses[-1] < 0.1 < run.network_log.losses[0]
    assert nrn.predict_proba(run.network, np.array([[0.0, 1.0], [1.0, 1.0]])).round().tolist() == [1.0, 0.0]
    assert nrn.per_seed({0: run}, "tanh network, test") == {0: scores["tanh network, test"]}


def test_binary_cross_entropy_is_the_hand_formula_and_torchs():
    p, y = np.array([0.9, 0.9, 0.5, 0.1, 0.99]), np.array([1.0, 0.0, 1.0, 1.0, 1.0])
    by_hand = nrn.binary_cross_entropy(p, y)
    assert np.allclose(by_hand, [-np.log(0.9), -np.log(0.1), np.log(2), -np.log(0.1), -np.log(0.99)])
    by_torch = torch.nn.functional.binary_cross_entropy(torch.tensor(p), torch.tensor(y), reduction="none")
    assert np.allclose(by_hand, by_torch.numpy(), atol=1e-12)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        nrn.binary_cross_entropy(np.array([1.0]), np.array([1.0]))
    with pytest.raises(ValueError, match="same shape"):
        nrn.binary_cross_entropy(np.array([0.5, 0.5]), np.array([1.0]))


CURVATURES, START = np.array([5.0, 0.05]), np.array([1.0, -1.0])


@pytest.mark.parametrize("optimizer, ours", [("adam", nrn.adam_path), ("sgd", nrn.sgd_path)])
def test_our_optimisers_take_torchs_steps(optimizer, ours):
    theirs = nrn.torch_bowl_path(CURVATURES, START, 0.1, 50, optimizer)
    assert theirs.shape == (51, 2)
    assert np.allclose(ours(nrn.bowl_gradient(CURVATURES), START, 0.1, 50), theirs, rtol=0, atol=1e-10)


def test_adam_steps_by_the_learning_rate_whatever_the_gradients_size():
    gradient = nrn.bowl_gradient(CURVATURES)
    adam, sgd = nrn.adam_path(gradient, START, 0.1, 1), nrn.sgd_path(gradient, START, 0.1, 1)
    assert np.allclose(adam[1] - adam[0], [-0.1, 0.1]) and np.allclose(sgd[1] - sgd[0], [-0.5, 0.005])
    steep = nrn.bowl_gradient(1000 * CURVATURES)
    assert np.allclose(nrn.adam_path(steep, START, 0.1, 100), nrn.adam_path(gradient, START, 0.1, 100), atol=1e-6)
    assert np.abs(nrn.sgd_path(steep, START, 0.1, 5)[-1]).max() > 1e10


def test_recurrences_below_radius_1_stay_bounded_on_almost_every_matrix_and_forget_a_pulse():
    for name in ("tanh", "linear"):
        assert all(nrn.largest_state(0.9, name, seed) < 10 for seed in range(20))
    relu = [nrn.largest_state(0.9, "relu", seed) for seed in range(20)]
    assert [seed for seed, size in enumerate(relu) if size > 1e3] == [13]  # one W whose active part stretches
    assert all(nrn.largest_state(0.5, "relu", seed) < 10 for seed in range(20))
    weights, inputs = nrn.seeded_recurrence(0.9, 13, steps=60)
    assert weights.shape == (16, 16) and inputs.shape == (60, 16)
    assert torch.linalg.matrix_norm(weights, 2) > 1 > torch.linalg.eigvals(weights).abs().max()
    matrix = nrn.random_recurrent_matrix(16, 0.9, torch.Generator().manual_seed(0))
    first = torch.ones(16, dtype=torch.float64)
    for name in ("tanh", "relu", "linear"):
        response = nrn.pulse_response(matrix, name, first, 60)
        assert response.shape == (60,) and response[-1] < 1e-2 * response[0]


def test_at_radius_2_relu_explodes_on_most_matrices_and_tanh_on_none():
    sizes = {name: [nrn.largest_state(2.0, name, seed, steps=60) for seed in range(20)] for name in ("tanh", "relu")}
    assert max(sizes["tanh"]) < 1.0
    assert 10 < sum(size > 1e3 for size in sizes["relu"]) < 20  # most, not all: ReLU keeps only the positive part
    assert nrn.largest_state(2.0, "linear", 0, steps=60) > 1e15


def test_an_identity_relu_loop_keeps_a_positive_state_and_adds_up_its_inputs():
    eye = torch.eye(16, dtype=torch.float64)
    response = nrn.pulse_response(eye, "relu", torch.ones(16, dtype=torch.float64), 60)
    assert np.all(response == 1.0)
    assert 1.0 < nrn.largest_state(1.0, "relu", 0, steps=60, identity=True) < 20


def test_exercise_checks_accept_right_answers_and_name_common_mistakes():
    assert nrn.check_neuron_output(lambda x, w, b: float(np.tanh(w @ x + b))).passed
    assert nrn.check_tanh_derivative(lambda z: 1 - np.tanh(z) ** 2).passed
    assert "forget the bias" in nrn.check_neuron_output(lambda x, w, b: float(np.tanh(w @ x))).message
    assert "without the activation" in nrn.check_neuron_output(lambda x, w, b: float(w @ x + b)).message
    assert "1 − z²" in nrn.check_tanh_derivative(lambda z: 1 - z**2).message
    assert not nrn.check_tanh_derivative(lambda z: np.float32(1) - np.tanh(z).astype(np.float32) ** 2).passed
