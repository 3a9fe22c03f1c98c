"""Notebook 04: how a gradient fades (or blows up) as it travels back through time.

In a vanilla RNN, hₜ = f(zₜ) with zₜ = W_hh hₜ₋₁ + W_xh xₜ + b. One step back multiplies the gradient
by the Jacobian ∂hₜ/∂hₜ₋₁ = diag(f'(zₜ)) W_hh, so the distance from step k to step T costs a product:

    ∂h_T/∂h_k = J_T J_{T−1} … J_{k+1},   Jₜ = diag(f'(zₜ)) W_hh.

We compute that product with real matrix products along a real forward trajectory. The running
product is rescaled after every step and its scale kept as a logarithm, so lengths of 500 steps at
radius 1.5 neither overflow nor underflow, and no warning is ever raised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from helpers.activations import ACTIVATIONS, get_activation
from helpers.course.exercises import Case, Exercise
from helpers.neuron import random_recurrent_matrix

GRADIENT_ACTIVATIONS = ("tanh", "linear", "relu")
VANISHED = -30.0  # log10 of the smallest norm we show: "vanished below 1e-30"
EXPLODED = 30.0  # log10 of the largest: "exploded beyond 1e30"


@dataclass
class Trajectory:
    """A forward run: recurrent weights, pre-activations zₜ (steps, hidden) and the activation's name."""

    W_hh: np.ndarray
    pre_activations: np.ndarray
    activation: str


def trajectory(length: int, radius: float, hidden_size: int, activation: str = "tanh", seed: int = 0) -> Trajectory:
    """Run a random RNN (W_hh with spectral radius `radius`) for `length` steps on random inputs."""
    if activation not in GRADIENT_ACTIVATIONS:
        raise ValueError(f"activation must be one of {GRADIENT_ACTIVATIONS}, got {activation!r}")
    if length < 1 or hidden_size < 1 or not radius > 0:
        raise ValueError(f"need length ≥ 1, hidden_size ≥ 1 and radius > 0, got {length}, {hidden_size}, {radius}")
    generator = torch.Generator().manual_seed(seed)
    W_hh = random_recurrent_matrix(hidden_size, radius, generator).numpy()
    inputs = torch.randn(length, hidden_size, generator=generator, dtype=torch.float64).numpy() * 0.5
    f, _ = get_activation(activation)
    h, zs = np.zeros(hidden_size), np.empty((length, hidden_size))
    with np.errstate(over="ignore", invalid="ignore"):  # a linear or ReLU state may grow past float range
        for t in range(length):
            zs[t] = W_hh @ h + inputs[t]
            h = f(zs[t])
    return Trajectory(W_hh, np.nan_to_num(zs, nan=0.0, posinf=1e300, neginf=-1e300), activation)


def log10_jacobian_norms(run: Trajectory, distances: np.ndarray | None = None) -> np.ndarray:
    """log10 ‖∂h_T/∂h_k‖₂ at each distance T − k (default 0, 1, …, T); −inf once the product is exactly 0."""
    _, derivative = ACTIVATIONS[run.activation]
    steps, hidden = run.pre_activations.shape
    wanted = np.arange(steps + 1) if distances is None else np.asarray(distances)
    if wanted.size and (wanted.min() < 0 or wanted.max() > steps):
        raise ValueError(f"distances must lie in 0..T = 0..{steps}, got {wanted.min()}..{wanted.max()}")
    keep = np.zeros(steps + 1, dtype=bool)
    keep[wanted] = True
    slopes = derivative(run.pre_activations)  # f'(zₜ) for every step at once, (steps, hidden)
    product, log_scale = np.eye(hidden), 0.0
    scaled, scales = {0: product.copy()}, {0: 0.0}
    for distance in range(1, steps + 1):
        t = steps - distance  # row of z_{k+1}: the step from h_k to h_{k+1}, with k = T − distance
        product = product @ (slopes[t][:, None] * run.W_hh)  # … diag(f'(z)) W_hh
        size = np.abs(product).max()
        if size == 0.0:  # every path is cut (dead ReLUs): the gradient is exactly zero from here on
            break
        product /= size  # keep the numbers near 1 and the scale as a logarithm: no overflow, no underflow
        log_scale += math.log10(size)
        if keep[distance]:
            scaled[distance], scales[distance] = product.copy(), log_scale
    result = np.full(len(wanted), -np.inf)
    present = [i for i, d in enumerate(wanted) if d in scaled]
    if present:
        stack = np.stack([scaled[wanted[i]] for i in present])
        result[present] = np.log10(np.linalg.norm(stack, ord=2, axis=(1, 2))) + [scales[wanted[i]] for i in present]
    return result


def autograd_jacobian_norm(run: Trajectory, k: int) -> float:
    """‖∂h_T/∂h_k‖₂ by autograd: rerun the recurrence from h_k with the same inputs (for cross-checks)."""
    steps = run.pre_activations.shape[0]
    if not 0 <= k <= steps:
        raise ValueError(f"k must be between 0 and T = {steps}, got {k}")
    W = torch.tensor(run.W_hh)
    f = {"tanh": torch.tanh, "linear": lambda z: z, "relu": torch.relu}[run.activation]
    inputs = torch.tensor(run.pre_activations) - _previous_states(run) @ W.T  # recover W_xh xₜ from zₜ

    def h_T(h_k: torch.Tensor) -> torch.Tensor:
        h = h_k
        for t in range(k, steps):
            h = f(W @ h + inputs[t])
        return h

    start = _previous_states(run)[k] if k < steps else torch.tensor(_activate(run, steps - 1))
    jacobian = torch.autograd.functional.jacobian(h_T, start)
    return float(torch.linalg.matrix_norm(jacobian, ord=2))


def _activate(run: Trajectory, t: int) -> np.ndarray:
    f, _ = get_activation(run.activation)
    return f(run.pre_activations[t])


def _previous_states(run: Trajectory) -> torch.Tensor:
    """h₀ (zeros), h₁, …, h_{T−1}: the state each step starts from."""
    f, _ = get_activation(run.activation)
    states = np.vstack([np.zeros((1, run.W_hh.shape[0])), f(run.pre_activations[:-1])])
    return torch.tensor(states)


def largest_singular_value(W: np.ndarray) -> float:
    """σ_max(W) = ‖W‖₂: with |f'| ≤ 1, each step back shrinks or grows the gradient by at most this."""
    return float(np.linalg.norm(W, ord=2))


@dataclass
class Decay:
    """What the gradient-decay widget shows for one setting."""

    distances: np.ndarray  # T − k, the steps back
    log10_norms: np.ndarray  # log10 ‖∂h_T/∂h_k‖ at those distances
    log10_radius_line: np.ndarray  # (T − k)·log10 ρ: the rate set by the spectral radius
    log10_bound: np.ndarray  # (T − k)·log10 σ_max: a strict upper bound when |f'| ≤ 1
    sigma: float  # σ_max(W_hh)
    verdict: str


def gradient_decay(length: int, radius: float, hidden_size: int, activation: str = "tanh", seed: int = 0) -> Decay:
    """The norms ‖∂h_T/∂h_k‖ along a real trajectory, the ρ^(T−k) line, the σ^(T−k) bound and a verdict."""
    run = trajectory(length, radius, hidden_size, activation, seed)
    distance = display_distances(length)
    norms = log10_jacobian_norms(run, distance)
    sigma = largest_singular_value(run.W_hh)
    first = norms[-1]
    if first < VANISHED:
        verdict = (
            f"vanished below 1e-30 (‖∂h_T/∂h_0‖ ≈ 10^{first:.0f})"
            if np.isfinite(first)
            else "vanished: exactly 0 (every path cut)"
        )
    elif first > EXPLODED:
        verdict = f"exploded beyond 1e30 (‖∂h_T/∂h_0‖ ≈ 10^{first:.0f})"
    else:
        verdict = f"‖∂h_T/∂h_0‖ = {10**first:.2e}"
    return Decay(distance, norms, distance * math.log10(radius), distance * math.log10(sigma), sigma, verdict)


def display_distances(length: int, points: int = 30) -> np.ndarray:
    """Every distance up to 10, then about `points` evenly spaced up to T: a smooth curve, and few norms to compute.

    Each distance costs one singular value decomposition (the 2-norm): the widget's update budget allows ~40.
    """
    return np.unique(np.r_[np.arange(min(length, 10) + 1), np.linspace(0, length, points).round().astype(int)])


# --- Exercises -------------------------------------------------------------------------------


def jacobian_product(W_hh: np.ndarray, states: np.ndarray) -> np.ndarray:
    """∂h_T/∂h_0 for a tanh RNN, given the states h₁ … h_T as rows: Π diag(1 − hₜ²) W_hh, latest first."""
    product = np.eye(W_hh.shape[0])
    for h in states[::-1]:
        product = product @ ((1.0 - h**2)[:, None] * W_hh)
    return product


def steps_to_shrink(factor: float, threshold: float = 1e-6) -> int:
    """How many steps until factor**n drops below threshold (the gradient has faded)."""
    if not 0 < factor < 1:
        raise ValueError(f"a fading factor lies strictly between 0 and 1, got {factor}")
    return math.floor(math.log(threshold) / math.log(factor)) + 1


def _chain_case(hidden: int, steps: int, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    return Case((rng.normal(size=(hidden, hidden)) / math.sqrt(hidden), np.tanh(rng.normal(size=(steps, hidden)))))


check_jacobian_product = Exercise(
    "jacobian_product",
    reference=jacobian_product,
    cases=[_chain_case(3, 4, 0), _chain_case(2, 1, 1), _chain_case(4, 6, 2)],
    mistakes={
        "forget the tanh' factor diag(1 − h²)": lambda W, H: np.linalg.matrix_power(W, len(H)),
        "multiply in the wrong order (earliest step first)": lambda W, H: jacobian_product(W, H[::-1]),
        "use tanh'(h) = 1 − tanh(h)² on the states, which are already tanh outputs": lambda W, H: jacobian_product(
            W, np.tanh(H)
        ),
    },
)

check_steps_to_shrink = Exercise(
    "steps_to_shrink",
    reference=steps_to_shrink,
    cases=[Case((0.9,)), Case((0.5,)), Case((0.99,)), Case((0.9, 0.01))],
    mistakes={
        "stop one step early (factor**n equal to or above the threshold)": lambda f, t=1e-6: steps_to_shrink(f, t) - 1,
        "use log10 for one logarithm and ln for the other": lambda f, t=1e-6: (
            math.floor(math.log10(t) / math.log(f)) + 1
        ),
    },
)
