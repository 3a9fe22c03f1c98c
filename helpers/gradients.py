"""Notebook 04: how a gradient fades (or blows up) as it travels back through time.

In a vanilla RNN, hₜ = f(zₜ) with zₜ = W_hh hₜ₋₁ + W_xh xₜ + b. One step back multiplies the gradient
by the Jacobian ∂hₜ/∂hₜ₋₁ = diag(f'(zₜ)) W_hh, so the distance from step k to step T costs a product:

    ∂h_T/∂h_k = J_T J_{T−1} … J_{k+1},   Jₜ = diag(f'(zₜ)) W_hh.

We compute that product with real matrix products along a real forward trajectory. The running
product is rescaled after every step and its scale kept as a logarithm, so lengths of 500 steps at
radius 1.5 neither overflow nor underflow, and no warning is ever raised.

A residual recurrence hₜ = hₜ₋₁ + f(zₜ) (`residual=True`) adds the identity to every factor,
Jₜ = I + diag(f'(zₜ)) W_hh: a path along which the gradient is multiplied by exactly 1 at every step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from helpers.activations import ACTIVATIONS, get_activation
from helpers.course import validate
from helpers.course.exercises import Case, Exercise
from helpers.neuron import random_recurrent_matrix
from helpers.tasks import (
    SequenceModel,
    accuracy,
    first_symbol_task,
    input_gradient_norms,
    recent_sum_task,
    set_spectral_radius,
)
from helpers.tasks import train as train_task
from helpers.training import train

GRADIENT_ACTIVATIONS = ("tanh", "linear", "relu")
VANISHED = -30.0  # log10 of the smallest norm we show: "vanished below 1e-30"
EXPLODED = 30.0  # log10 of the largest: "exploded beyond 1e30"


@dataclass
class Trajectory:
    """A forward run: recurrent weights, pre-activations zₜ (steps, hidden), the activation, and the recurrence.

    residual=False: hₜ = f(zₜ); residual=True: hₜ = hₜ₋₁ + f(zₜ). Either way zₜ = W_hh hₜ₋₁ + uₜ.
    """

    W_hh: np.ndarray
    pre_activations: np.ndarray
    activation: str
    residual: bool = False


def trajectory(
    length: int, radius: float, hidden_size: int, activation: str = "tanh", seed: int = 0, residual: bool = False
) -> Trajectory:
    """Run a random RNN (W_hh with spectral radius `radius`) for `length` steps on random inputs.

    The same seed gives the same W_hh and inputs with and without `residual`, so the two compare like for like.
    """
    length = validate.whole("length", length)
    hidden_size = validate.whole("hidden_size", hidden_size)
    validate.number("spectral radius", radius)
    validate.seed("seed", seed)
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
            h = h + f(zs[t]) if residual else f(zs[t])
    return Trajectory(W_hh, np.nan_to_num(zs, nan=0.0, posinf=1e300, neginf=-1e300), activation, residual)


def states(run: Trajectory) -> np.ndarray:
    """The states h₁ … h_T of a run as rows (T, hidden), rebuilt from its pre-activations."""
    f, _ = get_activation(run.activation)
    with np.errstate(over="ignore", invalid="ignore"):
        steps = f(run.pre_activations)
        return np.cumsum(steps, axis=0) if run.residual else steps


def spectral_norms(stack: np.ndarray) -> np.ndarray:
    """‖P‖₂ of each matrix P in a stack (n, a, b): the root of PᵀP's largest eigenvalue, cheaper than an SVD."""
    return np.sqrt(np.maximum(np.linalg.eigvalsh(np.swapaxes(stack, 1, 2) @ stack)[:, -1], 0.0))


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
    identity = np.eye(hidden)
    product, log_scale = identity.copy(), 0.0
    scaled, scales = {0: product.copy()}, {0: 0.0}
    for distance in range(1, steps + 1):
        t = steps - distance  # row of z_{k+1}: the step from h_k to h_{k+1}, with k = T − distance
        step = slopes[t][:, None] * run.W_hh  # diag(f'(z)) W_hh
        product = product @ (identity + step if run.residual else step)  # … (I +) diag(f'(z)) W_hh
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
        result[present] = np.log10(spectral_norms(stack)) + [scales[wanted[i]] for i in present]
    return result


def log10_norms_from_start(run: Trajectory, lengths: np.ndarray | None = None) -> np.ndarray:
    """log10 ‖∂h_T/∂h_0‖₂ for each length T of the run's first T steps (default 1, …, T); −inf once exactly 0.

    The same product as log10_jacobian_norms, built from the start: P_T = J_T P_{T−1}, so one pass gives every T.
    """
    _, derivative = ACTIVATIONS[run.activation]
    steps, hidden = run.pre_activations.shape
    wanted = np.arange(1, steps + 1) if lengths is None else np.asarray(lengths)
    if wanted.size and (wanted.min() < 1 or wanted.max() > steps):
        raise ValueError(f"lengths must lie in 1..T = 1..{steps}, got {wanted.min()}..{wanted.max()}")
    slopes = derivative(run.pre_activations)
    identity = np.eye(hidden)
    product, log_scale = identity.copy(), 0.0
    result = np.full(len(wanted), -np.inf)
    for t in range(steps):
        step = slopes[t][:, None] * run.W_hh
        product = (identity + step if run.residual else step) @ product  # J_{t+1} P_t
        size = np.abs(product).max()
        if size == 0.0:
            break
        product /= size
        log_scale += math.log10(size)
        hits = wanted == t + 1
        if hits.any():
            result[hits] = math.log10(np.linalg.norm(product, ord=2)) + log_scale
    return result


def prefix(run: Trajectory, length: int) -> Trajectory:
    """The run's first `length` steps: the same W_hh, inputs and states, stopped at T = length."""
    validate.whole("length", length)
    if not 1 <= length <= run.pre_activations.shape[0]:
        raise ValueError(f"length must lie in 1..{run.pre_activations.shape[0]}, got {length}")
    return Trajectory(run.W_hh, run.pre_activations[:length], run.activation, run.residual)


@dataclass
class ResidualComparison:
    """‖∂h_T/∂h_0‖ and ‖h_T‖ over lengths T for a plain and a residual tanh recurrence, per seed of W_hh."""

    lengths: np.ndarray
    log10_gradient: dict[str, dict[int, np.ndarray]]  # "plain"/"residual" → seed → log10 ‖∂h_T/∂h_0‖ at each T
    state_norm: dict[str, dict[int, np.ndarray]]  # "plain"/"residual" → seed → ‖h_T‖ at each T

    def at(self, kind: str, what: str, length: int) -> dict[int, float]:
        """One quantity ('log10_gradient' or 'state_norm') of one kind at one length T, by seed."""
        if what not in ("log10_gradient", "state_norm"):
            raise ValueError(f"what must be 'log10_gradient' or 'state_norm', got {what!r}")
        if kind not in ("plain", "residual"):
            raise ValueError(f"kind must be 'plain' or 'residual', got {kind!r}")
        where = np.flatnonzero(self.lengths == length)
        if where.size == 0:
            raise ValueError(f"length {length} was not measured: choose from {self.lengths.tolist()}")
        return {seed: float(values[where[0]]) for seed, values in getattr(self, what)[kind].items()}


def residual_comparison(
    lengths: np.ndarray, radius: float = 0.9, hidden_size: int = 32, seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
) -> ResidualComparison:
    """hₜ = tanh(zₜ) against hₜ = hₜ₋₁ + tanh(zₜ) on the same random W_hh and inputs, for each seed."""
    validate.number("spectral radius", radius)
    validate.whole("hidden_size", hidden_size)
    lengths = np.asarray(lengths)
    if lengths.size == 0 or lengths.min() < 1:
        raise ValueError(f"expected lengths ≥ 1, got {lengths.tolist()}")
    if not seeds:
        raise ValueError("expected at least one seed, got none")
    gradient: dict[str, dict[int, np.ndarray]] = {"plain": {}, "residual": {}}
    norm: dict[str, dict[int, np.ndarray]] = {"plain": {}, "residual": {}}
    for kind in gradient:
        for seed in seeds:
            run = trajectory(int(lengths.max()), radius, hidden_size, "tanh", seed, residual=kind == "residual")
            gradient[kind][seed] = log10_norms_from_start(run, lengths)
            norm[kind][seed] = np.linalg.norm(states(run)[lengths - 1], axis=1)
    return ResidualComparison(lengths, gradient, norm)


def autograd_jacobian_norm(run: Trajectory, k: int) -> float:
    """‖∂h_T/∂h_k‖₂ by autograd: rerun the recurrence from h_k with the same inputs (for cross-checks)."""
    validate.whole("k", k, low=0)
    steps = run.pre_activations.shape[0]
    if not 0 <= k <= steps:
        raise ValueError(f"k must be between 0 and T = {steps}, got {k}")
    W = torch.tensor(run.W_hh)
    f = {"tanh": torch.tanh, "linear": lambda z: z, "relu": torch.relu}[run.activation]
    inputs = torch.tensor(run.pre_activations) - _previous_states(run) @ W.T  # recover W_xh xₜ from zₜ

    def h_T(h_k: torch.Tensor) -> torch.Tensor:
        h = h_k
        for t in range(k, steps):
            h = h + f(W @ h + inputs[t]) if run.residual else f(W @ h + inputs[t])
        return h

    start = _previous_states(run)[k] if k < steps else torch.tensor(states(run)[-1])
    jacobian = torch.autograd.functional.jacobian(h_T, start)
    return float(torch.linalg.matrix_norm(jacobian, ord=2))


def _previous_states(run: Trajectory) -> torch.Tensor:
    """h₀ (zeros), h₁, …, h_{T−1}: the state each step starts from."""
    return torch.tensor(np.vstack([np.zeros((1, run.W_hh.shape[0])), states(run)[:-1]]))


def log10_norm_over_seeds(
    length: int, radius: float, hidden_size: int, activation: str = "tanh", seeds: Iterable[int] = range(10)
) -> dict[int, float]:
    """log10 ‖∂h_T/∂h_0‖ at T = length for each seed's random W_hh and inputs (−inf where it is exactly 0)."""
    validate.whole("length", length)
    validate.number("spectral radius", radius)
    validate.whole("hidden_size", hidden_size)
    found = {}
    for seed in seeds:
        run = trajectory(length, radius, hidden_size, activation, seed)
        found[seed] = float(log10_jacobian_norms(run, np.array([length]))[0])
    if not found:
        raise ValueError("expected at least one seed, got none")
    return found


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
    length = validate.whole("length", length)
    points = validate.whole("points", points)
    return np.unique(np.r_[np.arange(min(length, 10) + 1), np.linspace(0, length, points).round().astype(int)])


# --- Trained networks over seeds (the notebook's "what a real network sees" and "exploding gradients") ----------


def first_symbol_run(
    length: int, seed: int, steps: int = 300, hidden_size: int = 32, symbols: int = 8, test_size: int = 2000
) -> dict:
    """Train a vanilla RNN (default initialisation, Adam, clipping at 1) to name the first of `length` symbols.

    Returns its test accuracy, the largest gradient norm met in training, how many updates clipping acted on,
    and ‖∂L/∂x_k‖ for every input step k on 256 test sequences, before and after training.
    """
    validate.seed("seed", seed)
    validate.whole("steps", steps)
    validate.whole("hidden_size", hidden_size)
    validate.whole("symbols", symbols, low=2)
    validate.whole("test_size", test_size)
    if not isinstance(length, int) or length < 2:
        raise ValueError(f"length must be a whole number ≥ 2 (the answer must lie in the past), got {length!r}")
    x_test, y_test = first_symbol_task(test_size, length, symbols, torch.Generator().manual_seed(999))
    torch.manual_seed(seed)
    model = SequenceModel(input_size=symbols, hidden_size=hidden_size, output_size=symbols)
    before = input_gradient_norms(model, x_test[:256], y_test[:256])
    log = train_task(
        model, lambda n, g: first_symbol_task(n, length, symbols, g), steps, torch.Generator().manual_seed(1000 + seed)
    )
    return {
        "length": length,
        "seed": seed,
        "accuracy": accuracy(model, x_test, y_test),
        "largest_gradient_norm": max(log.grad_norms),
        "clipped_updates": log.clipped,
        "untrained_norms": before,
        "trained_norms": input_gradient_norms(model, x_test[:256], y_test[:256]),
    }


def log10_first_share(norms: np.ndarray) -> float:
    """log10(‖∂L/∂x_first‖ / ‖∂L/∂x_last‖): how many orders of magnitude less blame the first input gets."""
    if len(norms) < 2 or not norms[-1] > 0:
        raise ValueError(f"expected ≥ 2 gradient norms with a positive last one, got {np.asarray(norms)[-2:]}")
    return math.log10(norms[0] / norms[-1])


def explosion_run(
    seed: int, clip: float | None, radius: float = 1.5, length: int = 50, steps: int = 200, lr: float = 0.1
) -> dict:
    """Plain SGD on the recent-sum task from a W_hh of spectral radius `radius`, with or without clipping.

    Returns the first loss, the update where the loss or gradient became NaN or infinite (None: never), the
    largest finite loss, and the mean loss over the last 20 updates (None if training diverged).
    """
    validate.seed("seed", seed)
    if clip is not None:
        validate.positive("clip", clip)
    validate.non_negative("spectral radius", radius)
    validate.whole("length", length)
    validate.whole("steps", steps)
    validate.positive("learning rate", lr)
    torch.manual_seed(seed)
    model = SequenceModel(input_size=1, hidden_size=32, output_size=1)
    set_spectral_radius(model, radius)
    log = train_task(
        model,
        lambda n, g: recent_sum_task(n, length, g),
        steps,
        torch.Generator().manual_seed(1000 + seed),
        lr=lr,
        optimizer="sgd",
        clip=clip,
    )
    finite = [v for v in log.losses if math.isfinite(v)]
    return {
        "seed": seed,
        "clip": clip,
        "first_loss": log.losses[0],
        "diverged_at": log.diverged_at,
        "largest_finite_loss": max(finite),
        "last_20_loss": None if log.diverged_at is not None else float(np.mean(log.losses[-20:])),
        "losses": log.losses,
        "grad_norms": log.grad_norms,
    }


def first_step_lengths(scale: float, lr: float = 0.1, radius: float = 1.5, seed: int = 0) -> dict[str, float]:
    """The length of the first update SGD and Adam take from the explosion model when its gradient is × scale.

    SGD steps by lr · g, so its step grows with the gradient; Adam divides by a running size of the gradient
    (notebook 01), so its first step is lr · g / |g| per weight whatever the gradient's size.
    """
    validate.number("scale", scale)
    validate.positive("learning rate", lr)
    validate.non_negative("spectral radius", radius)
    validate.seed("seed", seed)
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    return {name: _first_step_length(name, scale, lr, radius, seed) for name in ("sgd", "adam")}


def _first_step_length(optimizer: str, scale: float, lr: float, radius: float, seed: int) -> float:
    """How far one update of `optimizer` moves all the weights (the norm of the change)."""
    torch.manual_seed(seed)
    model = SequenceModel(input_size=1, hidden_size=32, output_size=1)
    set_spectral_radius(model, radius)
    x, y = recent_sum_task(64, 50, torch.Generator().manual_seed(1000 + seed))
    start = [p.detach().clone() for p in model.parameters()]
    train(model, lambda step: scale * F.mse_loss(model(x), y), 1, lr=lr, optimizer=optimizer, clip=None)
    return float(torch.cat([(p.detach() - s).flatten() for p, s in zip(model.parameters(), start)]).norm())


# --- Exercises -------------------------------------------------------------------------------


def jacobian_product(W_hh: np.ndarray, states: np.ndarray) -> np.ndarray:
    """∂h_T/∂h_0 for a tanh RNN, given the states h₁ … h_T as rows: Π diag(1 − hₜ²) W_hh, latest first."""
    product = np.eye(W_hh.shape[0])
    for h in states[::-1]:
        product = product @ ((1.0 - h**2)[:, None] * W_hh)
    return product


def steps_to_shrink(factor: float, threshold: float = 1e-6) -> int:
    """The first whole n ≥ 0 with factor**n ≤ threshold: how many steps until a fading factor has fallen that far.

    The course's one definition of "steps until faded" (recall.steps_until uses it too). It is exact at exact
    powers, where floating point is not: 0.9**4 = 0.6561, so steps_to_shrink(0.9, 0.6561) is 4, although
    log(0.6561) / log(0.9) comes out as 4.000000000000001 and 0.9**4 as 0.6561000000000001.
    """
    validate.number("factor", factor)
    validate.number("threshold", threshold)
    if not 0 < factor < 1:
        raise ValueError(f"a fading factor lies strictly between 0 and 1, got {factor}")
    if not 0 < threshold:
        raise ValueError(f"the threshold must be above 0 (factor**n never reaches 0), got {threshold}")
    if threshold >= 1:
        return 0  # factor**0 = 1 is already at or below it
    ratio = math.log(threshold) / math.log(factor)  # factor**n ≤ threshold  ⇔  n ≥ ratio
    nearest = round(ratio)
    if math.isclose(ratio, nearest, rel_tol=1e-9, abs_tol=1e-9):
        return int(nearest)  # an exact power, up to rounding: factor**nearest equals the threshold
    return math.ceil(ratio)


def _chain_case(hidden: int, steps: int, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    return Case((rng.normal(size=(hidden, hidden)) / math.sqrt(hidden), np.tanh(rng.normal(size=(steps, hidden)))))


check_jacobian_product = Exercise(
    "jacobian_product",
    reference=jacobian_product,
    cases=[_chain_case(3, 4, 0), _chain_case(2, 1, 1), _chain_case(4, 6, 2)],
    hidden_cases=[_chain_case(1, 3, 3), _chain_case(5, 10, 4)],  # one unit, a longer chain
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
    cases=[Case((0.9,)), Case((0.5,)), Case((0.99,)), Case((0.9, 0.01)), Case((0.5, 0.25))],
    hidden_cases=[Case((0.1,)), Case((0.999, 0.5)), Case((0.5, 0.125))],  # a fast fade, a slow one, an exact power
    mistakes={
        "stop one step early (factor**n still above the threshold)": lambda f, t=1e-6: steps_to_shrink(f, t) - 1,
        "wait until factor**n is strictly below the threshold: at an exact power (0.5**2 = 0.25) that is one step "
        "too many": lambda f, t=1e-6: math.floor(math.log(t) / math.log(f)) + 1,
        "use log10 for one logarithm and ln for the other": lambda f, t=1e-6: math.ceil(math.log10(t) / math.log(f)),
    },
)
