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
    gradient_decay,
    jacobian_product,
    largest_singular_value,
    log10_jacobian_norms,
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
    assert steps_to_shrink(0.9) == 132 and 0.9**131 >= 1e-6 > 0.9**132
    run = trajectory(6, 0.8, 3, "tanh", seed=2)
    states = np.tanh(run.pre_activations)
    assert math.isclose(np.linalg.norm(jacobian_product(run.W_hh, states), 2), 10 ** log10_jacobian_norms(run)[-1])
