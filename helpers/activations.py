"""Activation functions and their derivatives, in numpy, for plotting and for checking by hand."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

Array = np.ndarray


def sigmoid(z: ArrayLike) -> Array:
    """σ(z) = 1 / (1 + e^(−z)), computed without overflow for large |z|."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(z: ArrayLike) -> Array:
    """σ'(z) = σ(z)(1 − σ(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: ArrayLike) -> Array:
    """tanh(z), squashing any number into (−1, 1)."""
    return np.tanh(np.asarray(z, dtype=float))


def tanh_derivative(z: ArrayLike) -> Array:
    """tanh'(z) = 1 − tanh(z)²."""
    return 1.0 - np.tanh(np.asarray(z, dtype=float)) ** 2


def relu(z: ArrayLike) -> Array:
    """ReLU(z) = max(0, z)."""
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def relu_derivative(z: ArrayLike) -> Array:
    """ReLU'(z): 1 for z > 0, else 0 (we take 0 at z = 0)."""
    return (np.asarray(z, dtype=float) > 0).astype(float)


def linear(z: ArrayLike) -> Array:
    """The identity: no activation at all."""
    return np.asarray(z, dtype=float)


def linear_derivative(z: ArrayLike) -> Array:
    """The identity's derivative: 1 everywhere."""
    return np.ones_like(np.asarray(z, dtype=float))


def softmax(logits: ArrayLike, axis: int = -1) -> Array:
    """exp(zᵢ) / Σⱼ exp(zⱼ) along `axis`, shifted by the max so that exp never overflows."""
    z = np.asarray(logits, dtype=float)
    shifted = np.exp(z - z.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


ACTIVATIONS: dict[str, tuple[Callable[[ArrayLike], Array], Callable[[ArrayLike], Array]]] = {
    "tanh": (tanh, tanh_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "relu": (relu, relu_derivative),
    "linear": (linear, linear_derivative),
}


def get_activation(name: str) -> tuple[Callable[[ArrayLike], Array], Callable[[ArrayLike], Array]]:
    """The function and its derivative for an activation name such as "tanh"."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}: choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def numerical_derivative(f: Callable[[ArrayLike], Array], z: ArrayLike, eps: float = 1e-5) -> Array:
    """The central difference (f(z + ε) − f(z − ε)) / 2ε, an estimate of f'(z)."""
    z = np.asarray(z, dtype=float)
    return (f(z + eps) - f(z - eps)) / (2 * eps)
