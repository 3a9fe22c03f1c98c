"""Notebook 01's computations: a single neuron, recurrences, gradient descent, its losses and optimisers, XOR."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from helpers.activations import get_activation, sigmoid, tanh_derivative
from helpers.course import validate
from helpers.course.exercises import Case, Exercise
from helpers.training import TrainLog, train


def neuron(x: np.ndarray, w: np.ndarray, b: float, activation: str = "tanh") -> tuple[float, float]:
    """A neuron's pre-activation z = w·x + b and its output y = f(z)."""
    validate.number("b", b)
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
    hidden_size = validate.whole("hidden_size", hidden_size)
    radius = validate.non_negative("spectral radius", radius)
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


def seeded_recurrence(
    radius: float, seed: int, hidden_size: int = 16, steps: int = 600, input_scale: float = 0.5
) -> tuple[torch.Tensor, torch.Tensor]:
    """One seed's random W (spectral radius `radius`) and inputs input_scale · N(0, 1) of shape (steps, hidden)."""
    validate.seed("seed", seed)
    validate.whole("steps", steps)
    validate.non_negative("input_scale", input_scale)
    generator = torch.Generator().manual_seed(seed)
    weights = random_recurrent_matrix(hidden_size, radius, generator)
    return weights, input_scale * torch.randn(steps, hidden_size, generator=generator, dtype=torch.float64)


def largest_state(
    radius: float, activation: str, seed: int, hidden_size: int = 16, steps: int = 600, identity: bool = False
) -> float:
    """The largest |entry| of any state h₁ … h_steps of hₜ = f(W hₜ₋₁ + xₜ), for one seed's W and inputs.

    identity=True replaces W by radius · I (the start of Le, Jaitly & Hinton's ReLU RNNs, 2015) and keeps
    the seed's inputs.
    """
    validate.non_negative("spectral radius", radius)
    weights, inputs = seeded_recurrence(radius, seed, hidden_size, steps)
    if identity:
        weights = radius * torch.eye(hidden_size, dtype=torch.float64)
    return float(run_recurrence(weights, inputs, activation).abs().max())


def pulse_response(weights: torch.Tensor, activation: str, first_input: torch.Tensor, steps: int) -> np.ndarray:
    """max |hₜ| for t = 1 … steps when only the first step has an input: what is left of that one input."""
    steps = validate.whole("steps", steps)
    inputs = torch.zeros(steps, weights.shape[0], dtype=weights.dtype)
    inputs[0] = first_input
    return run_recurrence(weights, inputs, activation).abs().max(dim=1).values.numpy()


def gradient_descent(gradient: Callable[[float], float], start: float, learning_rate: float, steps: int) -> np.ndarray:
    """The points x₀, x₁, … of xₖ₊₁ = xₖ − α·f'(xₖ); stops early once |x| passes 1e12."""
    validate.number("start", start)
    validate.positive("learning rate", learning_rate)
    steps = validate.whole("steps", steps)
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


# --- Binary cross-entropy and Adam ---------------------------------------------------------


def binary_cross_entropy(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """−[y ln p + (1 − y) ln(1 − p)] for each example: the loss of saying P(class 1) = p when the label is y."""
    p = np.asarray(probabilities, dtype=float)
    y = np.asarray(labels, dtype=float)
    if p.shape != y.shape:
        raise ValueError(f"probabilities and labels must have the same shape, got {p.shape} and {y.shape}")
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("probabilities must lie strictly between 0 and 1 (the loss of p = 0 or 1 can be infinite)")
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def bowl_gradient(curvatures: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """The gradient w ↦ c ⊙ w of the stretched bowl f(w) = ½ Σ cᵢ wᵢ², a toy loss with its minimum at w = 0."""
    c = np.asarray(curvatures, dtype=float)
    return lambda w: c * np.asarray(w, dtype=float)


def sgd_path(
    gradient: Callable[[np.ndarray], np.ndarray], start: np.ndarray, learning_rate: float, steps: int
) -> np.ndarray:
    """The points of plain gradient descent, wₖ₊₁ = wₖ − α ∇f(wₖ), for a vector w; shape (steps + 1, size)."""
    validate.positive("learning rate", learning_rate)
    steps = validate.whole("steps", steps)
    w = np.array(start, dtype=float)
    if not np.isfinite(w).all():
        raise ValueError(f"start must hold finite numbers, got {w.tolist()}")
    points = [w.copy()]
    for _ in range(steps):
        w = w - learning_rate * gradient(w)
        points.append(w.copy())
    return np.array(points)


def adam_path(
    gradient: Callable[[np.ndarray], np.ndarray],
    start: np.ndarray,
    learning_rate: float,
    steps: int,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> np.ndarray:
    """The points of Adam (Kingma & Ba, 2015) from `start`, with torch's defaults; shape (steps + 1, size).

    Each entry of w gets its own step: a running mean of its gradient divided by a running root mean
    square of its gradient, so the step's size is about the learning rate whatever the gradient's size.
    """
    validate.positive("learning rate", learning_rate)
    steps = validate.whole("steps", steps)
    for beta in betas:
        validate.number("each of betas", beta, low=0.0, high=1.0, high_open=True)
    validate.positive("eps", eps)
    beta1, beta2 = betas
    w = np.array(start, dtype=float)
    mean, square = np.zeros_like(w), np.zeros_like(w)  # running averages of g and of g²
    points = [w.copy()]
    for t in range(1, steps + 1):
        g = gradient(w)
        mean = beta1 * mean + (1 - beta1) * g
        square = beta2 * square + (1 - beta2) * g**2
        mean_hat, square_hat = mean / (1 - beta1**t), square / (1 - beta2**t)  # undo the start at 0
        w = w - learning_rate * mean_hat / (np.sqrt(square_hat) + eps)
        points.append(w.copy())
    return np.array(points)


class _Point(nn.Module):
    """A model that is just a point w: for running torch's optimisers on a toy loss."""

    def __init__(self, start: np.ndarray):
        super().__init__()
        self.w = nn.Parameter(torch.tensor(np.asarray(start, dtype=float)))


def torch_bowl_path(
    curvatures: np.ndarray, start: np.ndarray, learning_rate: float, steps: int, optimizer: str
) -> np.ndarray:
    """The points torch's optimiser ("adam" or "sgd") visits on f(w) = ½ Σ cᵢ wᵢ², trained by training.train."""
    validate.positive("learning rate", learning_rate)
    validate.whole("steps", steps)
    point = _Point(start)
    c = torch.tensor(np.asarray(curvatures, dtype=float))
    points = [point.w.detach().numpy().copy()]

    def record(step: int, log: TrainLog) -> None:
        points.append(point.w.detach().numpy().copy())

    train(
        point,
        lambda step: 0.5 * (c * point.w**2).sum(),
        steps,
        lr=learning_rate,
        optimizer=optimizer,
        clip=None,
        hooks=[record],
    )
    return np.array(points)


# --- XOR ------------------------------------------------------------------------------------


def xor_data(per_corner: int, noise: float, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Noisy XOR: points around the 4 corners of the unit square, label 1 where exactly one coordinate is 1."""
    per_corner = validate.whole("per_corner", per_corner)
    validate.non_negative("noise", noise)
    corners = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = torch.tensor([0.0, 1.0, 1.0, 0.0])
    points = corners.repeat_interleave(per_corner, 0)
    points = points + noise * torch.randn(points.shape, generator=generator)
    return points, labels.repeat_interleave(per_corner)


def tanh_mlp(hidden_size: int, generator: torch.Generator) -> nn.Sequential:
    """A 2 → hidden_size → 1 network with a tanh hidden layer, seeded by `generator`."""
    validate.whole("hidden_size", hidden_size)
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
    validate.whole("steps", steps)
    validate.positive("learning rate", learning_rate)
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


@dataclass(frozen=True)
class Line:
    """The straight-line classifier 'class 1 where w·x + b > 0', with its accuracy on the points it was fitted to."""

    weights: np.ndarray
    bias: float
    accuracy: float


def line_accuracy(
    weights: np.ndarray, bias: float, points: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray
) -> float:
    """The fraction of points that the line 'class 1 where w·x + b > 0' puts on their label's side."""
    x, y = np.asarray(points, dtype=float), np.asarray(labels, dtype=float).astype(bool)
    return float(((x @ np.asarray(weights, dtype=float) + bias > 0) == y).mean())


def best_line(points: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray) -> Line:
    """The straight line with the highest accuracy on these 2-D points, found exactly.

    Some best line passes through two of the points: slide any line until it touches a point, then turn
    it about that point until it touches a second, and no other point changes side. A tiny nudge then puts
    the two touched points on whichever sides we like. So trying every pair of points, both ways round,
    finds the best accuracy: n(n − 1)/2 lines. Points in general position (no three on a line) assumed.
    """
    x, y = np.asarray(points, dtype=float), np.asarray(labels, dtype=float).astype(bool)
    if x.ndim != 2 or x.shape[1] != 2 or y.shape != (len(x),) or len(x) < 2:
        raise ValueError(f"expected points of shape (n ≥ 2, 2) and n labels, got {x.shape} and {y.shape}")
    first, second = np.triu_indices(len(x), k=1)
    direction = x[second] - x[first]
    normals = np.stack([-direction[:, 1], direction[:, 0]], axis=1)  # (pairs, 2), across each line
    side = normals @ x.T - (normals * x[first]).sum(1, keepdims=True)  # (pairs, n): which side of each line
    scale = np.abs(side).max(axis=1, keepdims=True)
    on_line = np.abs(side) <= 1e-9 * scale
    above, below = (side > 0) & ~on_line, (side < 0) & ~on_line
    right_if_above_is_1 = (above & y).sum(1) + (below & ~y).sum(1)
    right_if_below_is_1 = (below & y).sum(1) + (above & ~y).sum(1)
    best_count = np.maximum(right_if_above_is_1, right_if_below_is_1) + on_line.sum(1)  # touched points: either side
    k = int(best_count.argmax())
    sign = 1.0 if right_if_above_is_1[k] >= right_if_below_is_1[k] else -1.0
    weights, bias = _nudged_line(x, y, int(first[k]), int(second[k]), sign * normals[k])
    accuracy = line_accuracy(weights, bias, x, y)
    majority = max(y.mean(), 1 - y.mean())  # a line with every point on one side
    if majority > accuracy:
        return Line(np.zeros(2), 1.0 if y.mean() >= 0.5 else -1.0, float(majority))
    if accuracy * len(x) != best_count[k]:
        raise RuntimeError("the nudged line lost a point: are three of the points on one line?")
    return Line(weights, bias, accuracy)


def _nudged_line(x: np.ndarray, y: np.ndarray, i: int, j: int, normal: np.ndarray) -> tuple[np.ndarray, float]:
    """(w, b) of the line through points i and j, moved just enough that both fall on their labels' sides.

    In coordinates (t, d), t along the segment (0 at point i, 1 at point j) and d across it along `normal`
    (the class-1 side), the moved line is d = −shift·((1 − t)·sᵢ + t·sⱼ), sᵢ = +1 for a class-1 point and −1
    otherwise. A point keeps its side while shift·(|1 − t| + |t|) < |d|, so shift is half the smallest room.
    """
    p, q = x[i], x[j]
    unit = normal / np.linalg.norm(normal)
    along = (x - p) @ (q - p) / ((q - p) @ (q - p))
    across = (x - p) @ unit
    others = np.ones(len(x), dtype=bool)
    others[[i, j]] = False
    room = np.min(np.abs(across[others]) / (np.abs(1 - along[others]) + np.abs(along[others]))) if others.any() else 1.0
    shift = 0.5 * room
    p_new = p - shift * (1.0 if y[i] else -1.0) * unit
    q_new = q - shift * (1.0 if y[j] else -1.0) * unit
    direction = q_new - p_new
    weights = np.array([-direction[1], direction[0]])
    if weights @ unit < 0:  # point the normal to the class-1 side
        weights = -weights
    return weights, float(-weights @ p_new)


def logistic_loss(
    weights: np.ndarray, bias: float, points: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray
) -> float:
    """The mean binary cross-entropy of logistic regression P(class 1) = σ(w·x + b) on the points."""
    validate.number("bias", bias)
    z = np.asarray(points, dtype=float) @ np.asarray(weights, dtype=float) + bias
    y = np.asarray(labels, dtype=float)
    return float(np.mean(np.logaddexp(0.0, z) - y * z))  # −[y ln σ(z) + (1 − y) ln(1 − σ(z))], without overflow


def logistic_gradient(
    weights: np.ndarray, bias: float, points: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray
) -> tuple[np.ndarray, float]:
    """Hand-derived (∂L/∂w, ∂L/∂b) of `logistic_loss`: the mean of (σ(w·x + b) − y) · (x, 1)."""
    validate.number("bias", bias)
    x, y = np.asarray(points, dtype=float), np.asarray(labels, dtype=float)
    error = sigmoid(x @ np.asarray(weights, dtype=float) + bias) - y
    return error @ x / len(x), float(error.mean())


@dataclass
class XorRun:
    """One seed of the XOR experiment: the data, the best line, and the two trained models with their scores."""

    seed: int
    train_x: torch.Tensor
    train_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    line: Line  # the best straight line on the training points, found exactly
    logistic: nn.Linear  # logistic regression trained by Adam on binary cross-entropy
    network: nn.Sequential  # a tanh network trained the same way
    logistic_log: TrainLog
    network_log: TrainLog

    @property
    def scores(self) -> dict[str, float]:
        """Test accuracies, the best line's training accuracy, the trained line's loss, |w| and largest |P − 0.5|."""
        w = self.logistic.weight.detach().double().numpy().ravel()
        faint = float(np.abs(predict_proba(self.logistic, self.train_x) - 0.5).max())
        return {
            "best line, train": self.line.accuracy,
            "best line, test": line_accuracy(self.line.weights, self.line.bias, self.test_x, self.test_y),
            "logistic regression, test": accuracy(self.logistic, self.test_x, self.test_y),
            "tanh network, test": accuracy(self.network, self.test_x, self.test_y),
            "logistic regression, loss": self.logistic_log.losses[-1],
            "logistic regression, |w|": float(np.linalg.norm(w)),
            "logistic regression, largest |P − 0.5|": faint,  # over the training points
        }


def xor_run(
    seed: int, hidden_size: int = 4, steps: int = 500, learning_rate: float = 0.05, per_corner: int = 50
) -> XorRun:
    """Draw noisy XOR (training and test points) with this seed, find the best line, train both models."""
    validate.seed("seed", seed)
    validate.whole("hidden_size", hidden_size)
    validate.whole("steps", steps)
    validate.positive("learning rate", learning_rate)
    generator = torch.Generator().manual_seed(seed)
    train_x, train_y = xor_data(per_corner, 0.2, generator)
    test_x, test_y = xor_data(per_corner, 0.2, generator)
    logistic, network = linear_classifier(generator), tanh_mlp(hidden_size, generator)
    logistic_log = train_classifier(logistic, train_x, train_y, steps, learning_rate)
    network_log = train_classifier(network, train_x, train_y, steps, learning_rate)
    line = best_line(train_x, train_y)
    return XorRun(seed, train_x, train_y, test_x, test_y, line, logistic, network, logistic_log, network_log)


def per_seed(runs: dict[int, XorRun], score: str) -> dict[int, float]:
    """One score of every run, by seed: the input of experiments.summarise and experiments.compare."""
    return {seed: run.scores[score] for seed, run in runs.items()}


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
    hidden_cases=[
        Case((np.zeros(3), np.array([1.0, -2.0, 0.5]), 0.0)),  # a zero input
        Case((np.array([0.2, -0.4, 0.6, 1.0]), np.array([0.5, 0.5, -1.0, 0.3]), 0.7)),
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
    hidden_cases=[Case((np.array([[-0.5, 4.0], [1.5, -2.5]]),)), Case((np.array([10.0, -10.0, 0.1]),))],
    mistakes={
        "return tanh(z) itself, not its slope": np.tanh,
        "forget to square: 1 − tanh(z)": lambda z: 1.0 - np.tanh(z),
        "write 1 − z² instead of 1 − tanh(z)²": lambda z: 1.0 - z**2,
    },
)
