"""The Jacobian chain ∂h_T/∂h_k: true matrix products, checked against autograd, sane at the extremes."""

import math
import warnings

import numpy as np
import pytest
from exercise_checks import assert_catches_every_listed_mistake

from helpers.gradients import (
    autograd_jacobian_norm,
    check_jacobian_product,
    check_steps_to_shrink,
    explosion_run,
    first_step_lengths,
    first_symbol_run,
    gradient_decay,
    jacobian_product,
    largest_singular_value,
    log10_first_share,
    log10_jacobian_norms,
    log10_norm_over_seeds,
    log10_norms_from_start,
    prefix,
    residual_comparison,
    spectral_norms,
    states,
    steps_to_shrink,
    trajectory,
)
from helpers.neuron import random_recurrent_matrix


@pytest.mark.parametrize("activation", ["tanh", "linear", "relu"])
@pytest.mark.parametrize("radius, hidden, length", [(0.6, 8, 25), (1.0, 5, 40), (1.4, 12, 30), (0.9, 1, 10)])
def test_chain_equals_the_autograd_jacobian_norm(activation, radius, hidden, length):
    run = trajectory(length, radius, hidden, activation, seed=3)
    ours = log10_jacobian_norms(run)
    for k in sorted({0, 1, length // 2, length - 1, length}):
        expected = autograd_jacobian_norm(run, k)
        if expected == 0:
            assert ours[length - k] == -np.inf
        else:
            assert math.isclose(10 ** ours[length - k], expected, rel_tol=1e-6), (k, 10 ** ours[length - k], expected)


def test_a_subset_of_distances_gives_the_same_values():
    run = trajectory(60, 1.1, 16, "tanh")
    every = log10_jacobian_norms(run)
    some = np.array([0, 7, 33, 60])
    assert np.allclose(log10_jacobian_norms(run, some), every[some])
    with pytest.raises(ValueError, match="0..60"):
        log10_jacobian_norms(run, np.array([61]))


@pytest.mark.parametrize(
    "radius, activation, verdict",
    [
        (1.5, "linear", "exploded beyond 1e30"),
        (0.5, "tanh", "vanished below 1e-30"),
        (1.5, "tanh", None),
        (0.5, "relu", None),
    ],
)
def test_extremes_give_flags_not_warnings(radius, activation, verdict):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            decay = gradient_decay(500, radius, 32, activation)
    assert not np.isnan(decay.log10_norms).any()
    if verdict:
        assert decay.verdict.startswith(verdict)


def test_linear_chain_follows_the_spectral_radius_and_stays_under_the_bound():
    decay = gradient_decay(200, 1.2, 16, "linear")
    per_step = (decay.log10_norms[-1] - decay.log10_norms[-10]) / (decay.distances[-1] - decay.distances[-10])
    assert math.isclose(10**per_step, 1.2, rel_tol=0.02)  # ‖Wⁿ‖^(1/n) → ρ (Gelfand)
    assert np.all(decay.log10_norms <= decay.log10_bound + 1e-9)


def test_tanh_fades_faster_than_linear_at_the_same_radius():
    tanh, linear = gradient_decay(100, 1.0, 16, "tanh"), gradient_decay(100, 1.0, 16, "linear")
    assert tanh.log10_norms[-1] < linear.log10_norms[-1] - 3


def test_largest_singular_value_bounds_the_spectral_radius():
    W = random_recurrent_matrix(20, 0.9).numpy()
    assert largest_singular_value(W) >= 0.9 - 1e-12


def test_bad_settings_are_explained():
    with pytest.raises(ValueError, match="activation must be one of"):
        trajectory(10, 1.0, 4, "sigmoid")
    with pytest.raises(ValueError, match="radius > 0"):
        trajectory(10, 0.0, 4)


def test_exercise_references_and_mistakes():
    assert_catches_every_listed_mistake(check_jacobian_product)
    assert_catches_every_listed_mistake(check_steps_to_shrink)
    assert steps_to_shrink(0.9) == 132 and 0.9**131 > 1e-6 >= 0.9**132
    run = trajectory(6, 0.8, 3, "tanh", seed=2)
    states = np.tanh(run.pre_activations)
    assert math.isclose(np.linalg.norm(jacobian_product(run.W_hh, states), 2), 10 ** log10_jacobian_norms(run)[-1])


@pytest.mark.parametrize("activation", ["tanh", "linear", "relu"])
@pytest.mark.parametrize("radius, hidden, length", [(0.6, 8, 25), (0.9, 5, 30), (1.2, 3, 12)])
def test_residual_chain_equals_the_autograd_jacobian_norm(activation, radius, hidden, length):
    run = trajectory(length, radius, hidden, activation, seed=4, residual=True)
    ours = log10_jacobian_norms(run)
    for k in sorted({0, 1, length // 2, length}):
        assert math.isclose(10 ** ours[length - k], autograd_jacobian_norm(run, k), rel_tol=1e-6)


def test_residual_and_plain_runs_share_weights_and_inputs_and_the_states_add_up():
    plain, residual = trajectory(20, 0.9, 6, seed=2), trajectory(20, 0.9, 6, seed=2, residual=True)
    assert np.array_equal(plain.W_hh, residual.W_hh)
    assert np.allclose(plain.pre_activations[0], residual.pre_activations[0])  # h₀ = 0: the same first step
    h = np.zeros(6)
    inputs = residual.pre_activations - np.vstack([np.zeros((1, 6)), states(residual)[:-1]]) @ residual.W_hh.T
    for t in range(20):
        h = h + np.tanh(residual.W_hh @ h + inputs[t])
        assert np.allclose(states(residual)[t], h)
    assert np.allclose(inputs, plain.pre_activations - np.vstack([np.zeros((1, 6)), states(plain)[:-1]]) @ plain.W_hh.T)


@pytest.mark.parametrize("residual", [False, True])
def test_norms_from_the_start_equal_the_chain_of_each_prefix_and_autograd(residual):
    run = trajectory(30, 0.9, 8, "tanh", seed=1, residual=residual)
    from_start = log10_norms_from_start(run)
    for T in (1, 7, 30):
        assert math.isclose(from_start[T - 1], log10_jacobian_norms(prefix(run, T))[-1], rel_tol=1e-9, abs_tol=1e-9)
        assert math.isclose(10 ** from_start[T - 1], autograd_jacobian_norm(prefix(run, T), 0), rel_tol=1e-6)
    assert np.allclose(log10_norms_from_start(run, np.array([30, 7])), from_start[[29, 6]])
    with pytest.raises(ValueError, match="1..T = 1..30"):
        log10_norms_from_start(run, np.array([0]))
    with pytest.raises(ValueError, match="length must lie in 1..30, got 31"):
        prefix(run, 31)


def test_the_residual_path_keeps_the_gradient_and_lets_the_state_grow():
    comparison = residual_comparison(np.array([10, 100]), seeds=(0, 1, 2))
    for seed in (0, 1, 2):
        assert comparison.at("plain", "log10_gradient", 100)[seed] < -10
        assert comparison.at("residual", "log10_gradient", 100)[seed] >= 0
        assert comparison.at("plain", "state_norm", 100)[seed] <= math.sqrt(32)
        assert comparison.at("residual", "state_norm", 100)[seed] > 100
    with pytest.raises(ValueError, match="length 50 was not measured: choose from \\[10, 100\\]"):
        comparison.at("plain", "state_norm", 50)
    with pytest.raises(ValueError, match="kind must be 'plain' or 'residual'"):
        comparison.at("lstm", "state_norm", 10)
    with pytest.raises(ValueError, match="expected lengths ≥ 1"):
        residual_comparison(np.array([0, 5]))


def test_norms_over_seeds_match_one_run_at_a_time():
    over = log10_norm_over_seeds(50, 0.9, 8, "tanh", seeds=(3, 5))
    assert list(over) == [3, 5]
    assert math.isclose(over[5], gradient_decay(50, 0.9, 8, "tanh", seed=5).log10_norms[-1])
    assert log10_norm_over_seeds(100, 0.5, 4, "relu", seeds=(0,))[0] == -np.inf  # few ReLU units: every path cut
    with pytest.raises(ValueError, match="at least one seed"):
        log10_norm_over_seeds(10, 0.9, 4, seeds=())


def test_sgd_steps_grow_with_the_gradient_and_adams_first_step_does_not():
    small, huge = first_step_lengths(1.0), first_step_lengths(1000.0)
    assert math.isclose(huge["sgd"] / small["sgd"], 1000, rel_tol=1e-4)
    assert math.isclose(huge["adam"] / small["adam"], 1, rel_tol=1e-4)
    with pytest.raises(ValueError, match="scale must be positive"):
        first_step_lengths(0.0)


def test_first_symbol_run_records_what_the_notebook_prints():
    record = first_symbol_run(4, seed=0, steps=3, test_size=300)
    assert record["length"] == 4 and record["seed"] == 0 and 0 <= record["accuracy"] <= 1
    assert len(record["untrained_norms"]) == len(record["trained_norms"]) == 4
    again = first_symbol_run(4, seed=0, steps=3, test_size=300)
    assert again["accuracy"] == record["accuracy"] and np.array_equal(again["trained_norms"], record["trained_norms"])
    assert log10_first_share(np.array([1e-3, 1.0, 1.0])) == pytest.approx(-3)
    with pytest.raises(ValueError, match="length must be a whole number ≥ 2"):
        first_symbol_run(1, seed=0)
    with pytest.raises(ValueError, match="positive last one"):
        log10_first_share(np.array([1.0, 0.0]))


def test_explosion_run_reports_divergence_and_clipping():
    free = explosion_run(0, clip=None)  # diverges long before update 200
    assert free["diverged_at"] is not None and free["largest_finite_loss"] > 1e20 and free["last_20_loss"] is None
    clipped = explosion_run(0, clip=1.0, steps=30)
    assert clipped["diverged_at"] is None and clipped["first_loss"] == free["first_loss"]
    assert len(clipped["losses"]) == 30 and clipped["last_20_loss"] is not None


@pytest.mark.parametrize(
    "factor, threshold, steps",
    [(0.9, 0.6561, 4), (0.5, 0.25, 2), (0.5, 0.5, 1), (0.1, 1e-3, 3), (0.2, 0.008, 3), (0.9, 0.5, 7), (0.5, 1.0, 0)],
)
def test_steps_to_shrink_is_the_first_n_with_factor_to_the_n_at_or_below_the_threshold(factor, threshold, steps):
    assert steps_to_shrink(factor, threshold) == steps
    assert factor ** (steps - 1) > threshold if steps else threshold >= 1  # one step fewer is not enough


def test_steps_to_shrink_explains_bad_input():
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        steps_to_shrink(1.0)
    with pytest.raises(ValueError, match="above 0"):
        steps_to_shrink(0.9, 0.0)


def test_spectral_norms_equal_the_largest_singular_values():
    stack = np.random.default_rng(0).normal(size=(5, 7, 4)) * np.array([1e-3, 1, 10, 1e5, 0])[:, None, None]
    assert np.allclose(spectral_norms(stack), np.linalg.norm(stack, ord=2, axis=(1, 2)), rtol=1e-12, atol=0)
