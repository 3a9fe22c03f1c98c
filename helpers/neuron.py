"""Notebook 01's computations: a single neuron, recurrences, gradient descent and XOR."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from helpers.activations import get_activation, sigmoid, tanh_derivative
from helpers.course.exercises import Case, Exercise
from helpers.training import TrainLog, train


def neuron(x: np.ndarray, w: np.ndarray, b: float, activation: str = "tanh") -> tuple[float, float]:
    """A neuron's pre-activation z = w·x + b and its output y = f(z)."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    if x.ndim != 1 or x.shape != w.shape:
        raise ValueError(f"x and w must be 1-D and the same length, got shapes {x.shape} and {w.shape}")
    f, _ = get_activation(activation)
    z = float(w @ x + b)
    return z, float(f(z))


def neuron_terms(x: np.ndarray, w: np.ndarray, b: float) -> str:
    """The sum w·x + b written out term by term: '2.00·0.50 + (-1.00)·0.30 + 0.10'."""
    terms = [f"{_paren(wi)}·{_paren(xi)}" for wi, xi in zip(np.asarray(w, float), np.asarray(x, float))]
    return " + ".join(terms + [f"{_paren(float(b))}"])


def _paren(value: float) -> str:
    return f"({value:.2f})" if value < 0 else f"{value:.2f}"


def neuron_loss_gradient(x: np.ndarray, w: np.ndarray, b: float, target: float) -> tuple[np.ndarray, float]:
    """Hand-derived ∂L/∂w and ∂L/∂b for L = (tanh(w·x + b) − target)²."""
    x = np.asarray(x, dtype=float)
    z = float(np.asarray(w, dtype=float) @ x + b)
    blame = 2.0 * (np.tanh(z) - target) * float(tanh_derivative(z))  # ∂L/∂z: the chain rule's two factors
    return blame * x, blame


def autograd_loss_gradient(x: np.ndarray, w: np.ndarray, b: float, target: float) -> tuple[np.ndarray, float]:
    """The same gradient as `neuron_loss_gradient`, computed by torch's autograd."""
    w_t = torch.tensor(np.asarray(w, dtype=float), requires_grad=True)
    b_t = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    loss = (torch.tanh(w_t @ torch.tensor(np.asarray(x, dtype=float)) + b_t) - target) ** 2
    loss.backward()
    if w_t.grad is None or b_t.grad is None:
        raise RuntimeError("backward() left no gradient on w or b")
    return w_t.grad.numpy(), float(b_t.grad)


def random_recurrent_matrix(hidden_size: int, radius: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """A random hidden_size × hidden_size matrix rescaled to spectral radius `radius` (largest |eigenvalue|)."""
    if hidden_size < 1:
        raise ValueError(f"hidden_size must be at least 1, got {hidden_size}")
    weights = torch.randn(hidden_size, hidden_size, generator=generator, dtype=torch.float64)
    current = torch.linalg.eigvals(weights).abs().max()
    return weights * (radius / current)


def run_recurrence(weights: torch.Tensor, inputs: torch.Tensor, activation: str = "tanh") -> torch.Tensor:
    """States hₜ = f(W hₜ₋₁ + xₜ) from h₀ = 0 for inputs of shape (steps, size); returns (steps, size)."""
    if inputs.ndim != 2 or inputs.shape[1] != weights.shape[0]:
        raise ValueError(f"inputs must have shape (steps, {weights.shape[0]}), got {tuple(inputs.shape)}")
    f = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z}.get(activation)
    if f is None:
        raise ValueError(f"unknown activation {activation!r}: choose tanh, relu or linear")
    h = torch.zeros(weights.shape[0], dtype=weights.dtype)
    states = []
    for x in inputs:
        h = f(weights @ h + x)
        states.append(h)
    return torch.stack(states)


def gradient_descent(gradient: Callable[[float], float], start: float, learning_rate: float, steps: int) -> np.ndarray:
    """The points x₀, x₁, … of xₖ₊₁ = xₖ − α·f'(xₖ); stops early once |x| passes 1e12."""
    points = [float(start)]
    for _ in range(steps):
        x = points[-1] - learning_rate * gradient(points[-1])
        points.append(x)
        if not np.isfinite(x) or abs(x) > 1e12:
            break
    return np.array(points)


def descent_verdict(points: np.ndarray) -> str:
    """Describe a descent path: converges, converges while overshooting, stuck bouncing, or diverges."""
    start, end = abs(points[0]), abs(points[-1])
    flips = bool(np.any(np.sign(points[1:]) * np.sign(points[:-1]) < 0))
    if end > start * (1 + 1e-9):
        return "diverges"
    if end >= start * (1 - 1e-9):
        return "bounces forever"
    return "converges, overshooting each step" if flips else "converges"


def xor_data(per_corner: int, noise: float, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Noisy XOR: points around the 4 corners of the unit square, label 1 where exactly one coordinate is 1."""
    corners = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = torch.tensor([0.0, 1.0, 1.0, 0.0])
    points = corners.repeat_interleave(per_corner, 0)
    points = points + noise * torch.randn(points.shape, generator=generator)
    return points, labels.repeat_interleave(per_corner)


def tanh_mlp(hidden_size: int, generator: torch.Generator) -> nn.Sequential:
    """A 2 → hidden_size → 1 network with a tanh hidden layer, seeded by `generator`."""
    model = nn.Sequential(nn.Linear(2, hidden_size), nn.Tanh(), nn.Linear(hidden_size, 1))
    _reinit(model, generator)
    return model


def linear_classifier(generator: torch.Generator) -> nn.Linear:
    """Logistic regression on 2 inputs: a straight-line decision boundary."""
    model = nn.Linear(2, 1)
    _reinit(model, generator)
    return model


def _reinit(model: nn.Module, generator: torch.Generator) -> None:
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.uniform_(-1.0, 1.0, generator=generator)


def train_classifier(
    model: nn.Module, points: torch.Tensor, labels: torch.Tensor, steps: int, learning_rate: float
) -> TrainLog:
    """Full-batch Adam on binary cross-entropy (no clipping), with the course's training loop."""
    loss_fn = nn.BCEWithLogitsLoss()

    def batch_loss(step: int) -> torch.Tensor:
        return loss_fn(model(points).squeeze(-1), labels)

    return train(model, batch_loss, steps, lr=learning_rate, clip=None)


@torch.no_grad()
def predict_proba(model: nn.Module, points: torch.Tensor | np.ndarray) -> np.ndarray:
    """P(class 1) for each point."""
    points = torch.as_tensor(points, dtype=torch.float32)
    return torch.sigmoid(model(points).squeeze(-1)).numpy()


def accuracy(model: nn.Module, points: torch.Tensor, labels: torch.Tensor) -> float:
    """The fraction of points whose predicted class (P ≥ 0.5) equals the label."""
    return float(((predict_proba(model, points) >= 0.5) == labels.numpy().astype(bool)).mean())


# --- Exercises ------------------------------------------------------------------------------


def neuron_output(x: np.ndarray, w: np.ndarray, b: float) -> float:
    """The reference answer to exercise 1: a tanh neuron's output tanh(w·x + b)."""
    return float(np.tanh(np.dot(w, x) + b))


check_neuron_output = Exercise(
    "neuron_output",
    reference=neuron_output,
    cases=[
        Case((np.array([0.5, 0.3]), np.array([2.0, -1.0]), 0.1)),
        Case((np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.2, -1.0]), -0.2)),
        Case((np.array([4.0]), np.array([-1.5]), 0.5)),
    ],
    mistakes={
        "forget the bias b": lambda x, w, b: float(np.tanh(np.dot(w, x))),
        "return z = w·x + b without the activation": lambda x, w, b: float(np.dot(w, x) + b),
        "use the sigmoid instead of tanh": lambda x, w, b: float(sigmoid(np.dot(w, x) + b)),
    },
)

check_tanh_derivative = Exercise(
    "tanh_derivative",
    reference=tanh_derivative,
    cases=[
        Case((np.array([-3.0, -1.0, 0.0, 0.5, 2.0]),)),
        Case((np.zeros((2, 3)),)),
        Case((np.linspace(-6.0, 6.0, 13).reshape(13, 1),)),
    ],
    mistakes={
        "return tanh(z) itself, not its slope": np.tanh,
        "forget to square: 1 − tanh(z)": lambda z: 1.0 - np.tanh(z),
        "write 1 − z² instead of 1 − tanh(z)²": lambda z: 1.0 - z**2,
    },
)
