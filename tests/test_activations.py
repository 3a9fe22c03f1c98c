"""Activations: values, derivative formulas against finite differences, and softmax."""

import numpy as np
import pytest
import torch

from helpers.activations import ACTIVATIONS, get_activation, numerical_derivative, sigmoid, softmax, tanh_derivative

Z = np.linspace(-6, 6, 120)  # even count: avoids ReLU's kink at 0


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_derivatives_match_finite_differences(name):
    f, slope = get_activation(name)
    assert np.allclose(slope(Z), numerical_derivative(f, Z), atol=1e-8)


@pytest.mark.parametrize("name, torch_fn", [("tanh", torch.tanh), ("sigmoid", torch.sigmoid), ("relu", torch.relu)])
def test_activations_match_torch(name, torch_fn):
    f, _ = get_activation(name)
    assert np.allclose(f(Z), torch_fn(torch.tensor(Z)).numpy(), atol=1e-12)


def test_the_facts_notebook_01_states():
    assert tanh_derivative(0.0) == 1.0 and tanh_derivative(Z).max() <= 1.0
    assert sigmoid(0.0) == 0.5 and np.isclose(get_activation("sigmoid")[1](0.0), 0.25)
    assert np.isclose(np.tanh(0.8), 0.664, atol=5e-4)
    assert np.isclose(tanh_derivative(3.0), 0.0099, atol=5e-5)


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        assert sigmoid(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]


def test_softmax_is_a_distribution_and_shift_invariant():
    logits = np.array([[2.0, 1.0, 0.1], [1000.0, 1000.0, 0.0]])
    p = softmax(logits)
    assert np.allclose(p.sum(axis=1), 1.0) and np.allclose(p[0], [0.659, 0.2424, 0.0986], atol=1e-4)
    assert np.allclose(p[1], [0.5, 0.5, 0.0])
    assert np.allclose(softmax(logits[0] + 50), p[0])


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match="unknown activation 'gelu': choose one of tanh, sigmoid, relu, linear"):
        get_activation("gelu")
