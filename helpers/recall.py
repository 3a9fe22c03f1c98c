"""Notebook 09: the memory playground. How long can a signal survive in an RNN, an LSTM and a GRU?

The task is delayed recall (`tasks.first_symbol_task`): a symbol is shown at step 1, then L − 1
random distractor symbols follow, and at the last step the network must say which symbol came
first. Chance is 1 / symbols.

Three views:
- the analytic one: in a linear recurrence a signal shrinks like λ^T (vanilla RNN, eigenvalue λ)
  or f^T (an LSTM cell whose forget gate stays at f); `steps_until` counts the steps;
- untrained networks, measured: a readout fitted on the final state of a frozen RNN (frozen_recall)
  or of an LSTM with its forget gate clamped (frozen_lstm_recall), and a model that predicts the
  RNN's recall from its weights (interference_recall: the signal against the distractors piled on
  it, in a state with limited room). They are cheap, but the widget needs many, so
  `scripts/train_memory_grid.py frozen` caches them in `data/memory/frozen_recall.json`;
- trained models: test accuracy at each length, several seeds each. Training that grid takes
  minutes, so `scripts/train_memory_grid.py recall` trains it once and caches it in
  `data/memory/recall_grid.json` (the course's one cache format, helpers.cache).
`tests/test_recall.py` re-runs a sample of both caches.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from helpers import lstm
from helpers.benchmarks import SOLVED, memory_span
from helpers.cache import DATA_DIR, ResultCache, Tolerance, find_record, loss_summary
from helpers.course import validate
from helpers.course.exercises import Case, Exercise
from helpers.gradients import steps_to_shrink
from helpers.tasks import (
    SequenceModel,
    accuracy,
    chrono_init,
    first_symbol_fingerprint,
    first_symbol_task,
    set_spectral_radius,
    train,
)

GRID_PATH = DATA_DIR / "memory" / "recall_grid.json"
SCRIPT = "python scripts/train_memory_grid.py recall"


@dataclass(frozen=True)
class GridSettings:
    """Everything that decides the measured grid: change one and the cache must be rebuilt."""

    kinds: tuple[str, ...] = ("rnn", "lstm", "gru")
    lengths: tuple[int, ...] = (5, 10, 20, 40, 100, 200)
    seeds: tuple[int, ...] = (0, 1, 2)
    radii: tuple[float, ...] = (0.5, 0.95, 1.0, 1.2)  # the vanilla RNN's W_hh starts at these spectral radii
    hidden_size: int = 32
    symbols: int = 8
    steps: int = 2500
    lr: float = 3e-3
    batch_size: int = 64
    chrono_horizon: int = 200  # LSTM and GRU keep gates start with chrono initialisation over this horizon
    test_size: int = 1000
    test_seed: int = 999


GRID = GridSettings()


@dataclass
class CellRun:
    """One trained model of the grid: which cell it is, its test accuracy and how its training went."""

    kind: str
    length: int
    seed: int
    radius: float | None  # the RNN's initial spectral radius (None for LSTM and GRU)
    accuracy: float
    first_losses: list[float]  # the first cache.KEPT_LOSSES losses, exactly
    loss_curve: list[float]  # mean loss over each block of cache.CURVE_EVERY updates
    clipped: int  # updates whose gradient norm was clipped
    forget: list[float] | None  # LSTM: each unit's mean forget gate on the test set, sorted
    seconds: float = field(default=0.0, compare=False)


def share_left(eigenvalue: float, steps: int) -> np.ndarray:
    """λ^t for t = 0..steps: what a linear recurrence with this eigenvalue keeps of a signal after t steps."""
    steps = validate.whole("steps", steps, low=0)
    validate.non_negative("the eigenvalue's size |λ|", eigenvalue)
    return float(eigenvalue) ** np.arange(steps + 1)


def build_model(kind: str, seed: int, settings: GridSettings = GRID, radius: float | None = None) -> SequenceModel:
    """A fresh model for one grid cell: seeded, with the RNN's radius or chrono-initialised gates."""
    validate.seed("seed", seed)
    if kind not in settings.kinds:
        raise ValueError(f"kind must be one of {settings.kinds}, got {kind!r}")
    if (radius is None) != (kind != "rnn"):
        raise ValueError(
            f"the vanilla RNN needs a radius from {settings.radii} and LSTM/GRU none; "
            f"got kind={kind!r}, radius={radius}"
        )
    torch.manual_seed(seed)
    model = SequenceModel(settings.symbols, settings.hidden_size, settings.symbols, kind=kind)
    if radius is not None:  # the vanilla RNN: only it has a radius (checked above)
        set_spectral_radius(model, radius)
    else:
        chrono_init(model, settings.chrono_horizon)
    return model


def test_set(length: int, settings: GridSettings = GRID) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed held-out sequences of one length that every cell of that length is scored on."""
    validate.whole("length", length)
    return first_symbol_task(
        settings.test_size, length, settings.symbols, torch.Generator().manual_seed(settings.test_seed)
    )


@torch.no_grad()
def mean_forget_gates(model: SequenceModel, x: torch.Tensor) -> list[float]:
    """Each LSTM unit's forget gate averaged over all sequences and steps of x, sorted from low to high."""
    params = lstm.from_torch(model.rnn)
    _, _, gates = lstm.lstm_forward(x, params, return_gates=True)
    forget = gates["f"]
    if not isinstance(forget, torch.Tensor):  # tensors in, tensors out
        raise TypeError(f"expected the forget gates as a tensor, got {type(forget).__name__}")
    return sorted(forget.mean(dim=(0, 1)).tolist())


def train_cell(
    kind: str, length: int, seed: int, settings: GridSettings = GRID, radius: float | None = None
) -> tuple[CellRun, SequenceModel]:
    """Train one cell of the grid from scratch and score it on the held-out sequences of its length."""
    validate.seed("seed", seed)
    if length not in settings.lengths:
        raise ValueError(f"length must be one of the grid's {settings.lengths}, got {length}")
    model = build_model(kind, seed, settings, radius)
    log = train(
        model,
        lambda n, g: first_symbol_task(n, length, settings.symbols, g),
        settings.steps,
        torch.Generator().manual_seed(1000 + seed),
        batch_size=settings.batch_size,
        lr=settings.lr,
    )
    x, y = test_set(length, settings)
    losses = loss_summary(log.losses)
    run = CellRun(
        kind,
        length,
        seed,
        radius,
        accuracy(model, x, y),
        losses["first_losses"],
        losses["loss_curve"],
        log.clipped,
        mean_forget_gates(model, x[:200]) if kind == "lstm" else None,
        log.seconds,
    )
    return run, model


def grid_cells(settings: GridSettings = GRID) -> list[tuple[str, int, int, float | None]]:
    """Every (kind, length, seed, radius) the grid trains, cheapest lengths first."""
    cells = []
    for length in settings.lengths:
        for kind in settings.kinds:
            for radius in settings.radii if kind == "rnn" else (None,):
                cells += [(kind, length, seed, radius) for seed in settings.seeds]
    return cells


@dataclass
class Grid:
    """The measured grid: the settings it was trained with and every run."""

    settings: GridSettings
    runs: list[CellRun]

    def runs_of(self, kind: str, length: int, radius: float | None = None) -> list[CellRun]:
        """The runs of one cell over all seeds (for the RNN, at one initial radius)."""
        if kind == "rnn" and radius not in self.settings.radii:
            raise ValueError(f"the grid trained the RNN at radii {self.settings.radii}, got {radius}")
        found = [
            r
            for r in self.runs
            if r.kind == kind and r.length == length and r.radius == (radius if kind == "rnn" else None)
        ]
        if not found:
            raise ValueError(
                f"no runs for kind={kind!r}, length={length}; the grid has lengths {self.settings.lengths}"
            )
        return found

    def accuracies(self, kind: str, radius: float | None = None) -> np.ndarray:
        """Test accuracy (lengths, seeds) of one architecture."""
        return np.array([[r.accuracy for r in self.runs_of(kind, length, radius)] for length in self.settings.lengths])

    def per_seed(self, kind: str, length: int, radius: float | None = None) -> dict[int, float]:
        """{seed: test accuracy} of one cell, ready for experiments.summarise and compare."""
        return {run.seed: run.accuracy for run in self.runs_of(kind, length, radius)}

    def seed_spans(self, kind: str, radius: float | None = None, threshold: float = SOLVED) -> list[int | None]:
        """Each seed's memory span on its own (benchmarks.memory_span over the grid's lengths), in seed order."""
        scores = self.accuracies(kind, radius)
        return [memory_span(dict(zip(self.settings.lengths, scores[:, i])), threshold) for i in range(scores.shape[1])]


def grid_cache(settings: GridSettings = GRID, path: Path = GRID_PATH) -> ResultCache:
    """Where the grid is cached, how to rebuild it, and what must match: the settings and the task's data."""
    data = first_symbol_fingerprint(settings.lengths, settings.symbols, (settings.test_seed, 1000 + settings.seeds[0]))
    return ResultCache(path, SCRIPT, asdict(settings), data, key=("kind", "length", "seed", "radius"))


# How far a re-trained cell may differ from the cache on any CPU. The first losses follow the same data,
# initialisation and arithmetic, so they agree closely everywhere; after hundreds of updates the last-bit
# differences between CPUs' vector units (AVX-512, AVX2, none) grow, so later numbers are held to what a
# run-to-run check can promise. The sample re-trained by the tests is chosen among cells that are stable.
TOLERANCES = {
    "first_losses": Tolerance(rel=2e-3),
    "accuracy": Tolerance(abs=0.02),
    "loss_curve": Tolerance(rel=0.05, abs=0.01),
    "forget": Tolerance(abs=0.02),
}


def save_grid(grid: Grid, path: Path = GRID_PATH) -> None:
    """Write the grid in the course's cache format: settings, data fingerprint, one record per run."""
    grid_cache(grid.settings, path).save([asdict(run) for run in grid.runs])


def load_grid(path: Path = GRID_PATH, settings: GridSettings = GRID) -> Grid:
    """Read the cached grid, refusing one made with other settings or data or missing cells."""
    records = grid_cache(settings, path).load(expected=grid_cells(settings))
    return Grid(settings, [CellRun(**record) for record in records])


def _frozen_rnn(radius: float, seed: int, settings: GridSettings) -> SequenceModel:
    """The untrained vanilla RNN of frozen_recall: seeded, W_hh rescaled to spectral radius λ."""
    validate.non_negative("spectral radius", radius)
    validate.seed("seed", seed)
    torch.manual_seed(seed)
    model = SequenceModel(settings.symbols, settings.hidden_size, settings.symbols, kind="rnn")
    set_spectral_radius(model, radius)
    return model


@torch.no_grad()
def readout_recall(
    model: SequenceModel, length: int, settings: GridSettings = GRID, train_size: int = 4000, ridge: float = 1e-3
) -> float:
    """Held-out accuracy of a linear readout fitted (ridge least squares) on the final states of an untrained model.

    The recurrent weights stay as they are: the score measures what the random dynamics kept of the first
    symbol, not what training could teach them to keep.
    """
    length = validate.whole("length", length)
    train_size = validate.whole("train_size", train_size)
    validate.non_negative("ridge", ridge)
    generator = torch.Generator().manual_seed(settings.test_seed + 1)
    x, y = first_symbol_task(train_size, length, settings.symbols, generator)
    x_test, y_test = test_set(length, settings)

    def features(inputs: torch.Tensor) -> torch.Tensor:
        states, _ = model.rnn(inputs)
        return torch.cat([states[:, -1], torch.ones(len(inputs), 1)], dim=1).double()

    H, targets = features(x), torch.nn.functional.one_hot(y, settings.symbols).double()
    W = torch.linalg.solve(H.T @ H + ridge * torch.eye(H.shape[1], dtype=H.dtype), H.T @ targets)
    return float(((features(x_test) @ W).argmax(dim=1) == y_test).double().mean())


def frozen_recall(
    radius: float,
    length: int,
    seed: int = 0,
    settings: GridSettings = GRID,
    train_size: int = 4000,
    ridge: float = 1e-3,
) -> float:
    """How much of the first symbol an *untrained* vanilla RNN with W_hh at spectral radius λ still holds at step T.

    Only a linear readout of the final state is fitted (see readout_recall).
    """
    return readout_recall(_frozen_rnn(radius, seed, settings), length, settings, train_size, ridge)


@torch.no_grad()
def frozen_slope(radius: float, length: int, seed: int = 0, settings: GridSettings = GRID) -> float:
    """The mean slope tanh' = 1 − h² of frozen_recall's RNN over the held-out sequences, all steps and units.

    1 where tanh is linear; near 0 where it saturates. The interference model assumes 1.
    """
    length = validate.whole("length", length)
    x, _ = test_set(length, settings)
    states, _ = _frozen_rnn(radius, seed, settings).rnn(x)
    return float((1 - states.double() ** 2).mean())


def frozen_lstm(forget: float, seed: int, settings: GridSettings = GRID) -> SequenceModel:
    """An untrained LSTM (PyTorch's initialisation) whose forget gate is clamped to the constant f at every step.

    The forget gate's weights are zeroed and its bias set to logit(f), so the cell keeps exactly f of its
    content each step (f = 1: keeps all); the input, candidate and output gates stay random and untrained.
    """
    validate.seed("seed", seed)
    if not (validate.number("the forget gate f", forget) > 0 and forget <= 1):
        raise ValueError(f"the forget gate f must lie in (0, 1], got {forget}")
    torch.manual_seed(seed)
    model = SequenceModel(settings.symbols, settings.hidden_size, settings.symbols, kind="lstm")
    h, rnn = settings.hidden_size, model.rnn
    with torch.no_grad():
        for weight in (rnn.weight_ih_l0, rnn.weight_hh_l0):
            weight[h : 2 * h] = 0.0
        rnn.bias_hh_l0[h : 2 * h] = 0.0
        rnn.bias_ih_l0[h : 2 * h] = math.log(forget / (1 - forget)) if forget < 1 else 40.0  # σ(40) = 1 in float32
    return model


def frozen_lstm_recall(forget: float, length: int, seed: int = 0, settings: GridSettings = GRID) -> float:
    """How much of the first symbol an untrained LSTM, forget gate clamped at f, holds at step T (readout only)."""
    return readout_recall(frozen_lstm(forget, seed, settings), length, settings)


# --- A model of untrained recall: the signal against the distractors that piled up on it ----------------

# The noise floor of the interference model (in units of the state), fitted once on the frozen RNNs at
# λ ≤ 0.8 in the frozen cache (FIT_RADII) by fit_noise over NOISE_CANDIDATES; tests/test_recall.py re-fits it.
NOISE_CANDIDATES = (0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03)
FIT_RADII = (0.5, 0.6, 0.7, 0.8)
INTERFERENCE_NOISE = 0.003


def signal_share(radius: float, length: int) -> float:
    """The first symbol's share of a linear state's variance at step T: λ^(2(T−1)) / Σ_{k<T} λ^(2k).

    Every symbol enters with the same size; k steps later it is λ^k as big. At λ = 1 the share is 1 / T: the
    signal is not fading, the distractors are piling up.
    """
    radius = validate.positive("spectral radius", radius)
    length = validate.whole("length", length)
    weights = float(radius) ** (2 * np.arange(length))
    return float(weights[-1] / weights.sum())


@functools.lru_cache(maxsize=512)
def _distractors(radius: float, length: int, seed: int, settings: GridSettings) -> tuple[np.ndarray, np.ndarray]:
    """The distractors' covariance Σ_(k<T−1) W^k U C U^T (W^k)^T and the signal path W^(T−1) U (read-only)."""
    model = _frozen_rnn(radius, seed, settings)
    W = model.rnn.weight_hh_l0.detach().double().numpy()
    U = model.rnn.weight_ih_l0.detach().double().numpy()
    m, h = settings.symbols, settings.hidden_size
    one_hot_cov = np.eye(m) / m - np.ones((m, m)) / m**2
    cov, path = np.zeros((h, h)), U
    for _ in range(length - 1):  # distractor k steps back contributes W^k U C U^T (W^k)^T
        cov += path @ one_hot_cov @ path.T
        path = W @ path
    cov.flags.writeable = path.flags.writeable = False  # cached: shared by every later call
    return cov, path


def interference_recall(
    radius: float,
    length: int,
    seed: int = 0,
    noise: float = INTERFERENCE_NOISE,
    settings: GridSettings = GRID,
    samples: int = 4000,
) -> float:
    """Predicted recall of frozen_recall's RNN from its weights alone: signal against accumulated distractors.

    The model: drop tanh, so the final state is Σ_k W^k U x_(T−k). The first symbol gives 8 possible signal
    vectors W^(T−1) U e_c; the T − 1 distractors add Gaussian noise with their covariance
    Σ_(k<T−1) W^k U C U^T (W^k)^T (C: the covariance of a random one-hot symbol), plus a small noise floor
    noise²·I. The best linear readout (linear discriminant) then has a recall that is computed by sampling.
    A readout can ignore distractors only while the state has room for them: 32 units hold about four
    symbols' worth of directions, so recall is perfect up to T ≈ 4 for every λ and then falls.
    """
    validate.positive("noise", noise)
    length = validate.whole("length", length)
    samples = validate.whole("samples", samples)
    validate.non_negative("spectral radius", radius)
    validate.seed("seed", seed)
    distractors, path = _distractors(radius, length, seed, settings)
    m, h = settings.symbols, settings.hidden_size
    cov = distractors + noise**2 * np.eye(h)
    # Whiten: in the eigenbasis of the distractors' covariance, scaled to unit variance, the noise is standard
    # normal and the best linear readout picks the nearest signal. Above λ = 1 the linear state grows without
    # bound; variances below 1e-12 of the largest are then raised to it, as double precision cannot resolve them.
    variances, basis = np.linalg.eigh(cov)
    variances = np.maximum(variances, variances.max() * 1e-12)
    means = path.T @ basis / np.sqrt(variances)  # (symbols, hidden): the signals W^(T−1) U e_c, whitened
    rng = np.random.default_rng(settings.test_seed)
    answers = rng.integers(0, m, samples)
    states = means[answers] + rng.standard_normal((samples, h))
    distances = ((states[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)
    return float((distances.argmin(axis=1) == answers).mean())


def fit_noise(measured: dict[tuple[float, int, int], float], candidates: tuple[float, ...] = NOISE_CANDIDATES) -> float:
    """The noise floor among candidates whose interference_recall is closest to measured {(λ, T, seed): accuracy}.

    Closest: the smallest mean absolute difference over the measured cells (ties go to the smaller noise).
    """
    if not measured:
        raise ValueError("need at least one measured (λ, T, seed) cell to fit, got none")
    if not candidates:
        raise ValueError("need at least one candidate noise, got none")

    def error(noise: float) -> float:
        return float(np.mean([abs(interference_recall(r, n, s, noise) - a) for (r, n, s), a in measured.items()]))

    return min(sorted(candidates), key=error)


# --- The frozen networks measured at many λ, f and T (cached: the widget reads them) ---------------------

FROZEN_PATH = DATA_DIR / "memory" / "frozen_recall.json"
FROZEN_SCRIPT = "python scripts/train_memory_grid.py frozen"


@dataclass(frozen=True)
class FrozenSettings:
    """Which untrained networks are measured: RNNs at radii λ, LSTMs with the forget gate clamped at f."""

    radii: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0, 1.1, 1.2)
    forgets: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95, 0.99, 1.0)
    lengths: tuple[int, ...] = (2, 3, 5, 7, 10, 15, 20, 30, 40, 100, 200)
    seeds: tuple[int, ...] = (0, 1, 2)
    grid: GridSettings = GRID


FROZEN = FrozenSettings()


def frozen_cells(settings: FrozenSettings = FROZEN) -> list[tuple[str, float, int, int]]:
    """Every (kind, λ or f, length, seed) the frozen cache measures: kind "rnn" at radii, "lstm" at forget gates."""
    cells = [("rnn", r, n, s) for r in settings.radii for n in settings.lengths for s in settings.seeds]
    return cells + [("lstm", f, n, s) for f in settings.forgets for n in settings.lengths for s in settings.seeds]


def measure_frozen(kind: str, value: float, length: int, seed: int, settings: FrozenSettings = FROZEN) -> dict:
    """One record of the frozen cache: the readout's accuracy and, for the RNN, its mean tanh slope (frozen_slope).

    kind "rnn" measures frozen_recall at radius λ = value, kind "lstm" frozen_lstm_recall at forget gate f = value.
    """
    validate.seed("seed", seed)
    if kind == "rnn":
        accuracy, slope = frozen_recall(value, length, seed, settings.grid), frozen_slope(value, length, seed)
    elif kind == "lstm":
        accuracy, slope = frozen_lstm_recall(value, length, seed, settings.grid), None
    else:
        raise ValueError(f"kind must be 'rnn' or 'lstm', got {kind!r}")
    return {"kind": kind, "value": value, "length": length, "seed": seed, "accuracy": accuracy, "slope": slope}


@dataclass
class Frozen:
    """The cached readout-only recall of untrained networks, looked up by kind, λ or f, and length."""

    settings: FrozenSettings
    records: list[dict]

    def accuracy(self, kind: str, value: float, length: int, seed: int) -> float:
        """One measured cell's held-out accuracy."""
        return float(self.record(kind, value, length, seed)["accuracy"])

    def slope(self, radius: float, length: int, seed: int) -> float:
        """The untrained RNN's mean tanh slope 1 − h² in one cell (see frozen_slope)."""
        return float(self.record("rnn", radius, length, seed)["slope"])

    def record(self, kind: str, value: float, length: int, seed: int) -> dict:
        """One measured cell's record."""
        cache = (
            f"the frozen measurements have radii {self.settings.radii}, forget gates {self.settings.forgets}, "
            f"lengths {self.settings.lengths}"
        )
        return find_record(self.records, cache, kind=kind, value=value, length=length, seed=seed)

    def accuracies(self, kind: str, value: float, lengths: tuple[int, ...] | None = None) -> np.ndarray:
        """Accuracy (lengths, seeds) of one untrained network (all the cache's lengths unless given)."""
        lengths = self.settings.lengths if lengths is None else lengths
        return np.array([[self.accuracy(kind, value, n, s) for s in self.settings.seeds] for n in lengths])

    def per_seed(self, kind: str, value: float, length: int) -> dict[int, float]:
        """{seed: accuracy} of one cell, ready for experiments.summarise and compare."""
        return {s: self.accuracy(kind, value, length, s) for s in self.settings.seeds}


def frozen_cache(settings: FrozenSettings = FROZEN, path: Path = FROZEN_PATH) -> ResultCache:
    """Where the frozen measurements are cached, how to rebuild them, and what must match."""
    grid = settings.grid
    data = first_symbol_fingerprint(settings.lengths, grid.symbols, (grid.test_seed, grid.test_seed + 1))
    return ResultCache(path, FROZEN_SCRIPT, asdict(settings), data, key=("kind", "value", "length", "seed"))


# A re-measured cell may differ from the cache by a sequence or two of the 1000 on another CPU (float32 states),
# and its mean slope in the last digits.
FROZEN_TOLERANCES = {"accuracy": Tolerance(abs=0.01), "slope": Tolerance(abs=0.002)}


def save_frozen(records: list[dict], settings: FrozenSettings = FROZEN, path: Path = FROZEN_PATH) -> None:
    """Write the frozen measurements in the course's cache format."""
    frozen_cache(settings, path).save(records)


def load_frozen(path: Path = FROZEN_PATH, settings: FrozenSettings = FROZEN) -> Frozen:
    """Read the cached frozen measurements, refusing a file made with other settings or data or missing cells."""
    return Frozen(settings, frozen_cache(settings, path).load(expected=frozen_cells(settings)))


# --- Exercise: how many steps until a signal has faded? -----------------------------------------


def steps_until(eigenvalue: float, share: float) -> int:
    """The first T with λ^T ≤ share (for 0 < λ < 1 and 0 < share < 1): gradients.steps_to_shrink, the one definition."""
    if not 0 < validate.number("eigenvalue λ", eigenvalue) < 1:
        raise ValueError(f"a fading signal needs 0 < λ < 1, got {eigenvalue}")
    if not 0 < validate.number("share", share) < 1:
        raise ValueError(f"share must lie between 0 and 1, got {share}")
    return steps_to_shrink(eigenvalue, share)


def _round_instead_of_ceil(eigenvalue: float, share: float) -> int:
    return round(math.log(share) / math.log(eigenvalue))


def _floor(eigenvalue: float, share: float) -> int:
    return math.floor(math.log(share) / math.log(eigenvalue))


def _strictly_below(eigenvalue: float, share: float) -> int:
    return math.floor(math.log(share) / math.log(eigenvalue)) + 1


def _mixed_log_bases(eigenvalue: float, share: float) -> int:
    return math.ceil(math.log10(share) / math.log(eigenvalue))


def _flipped_log_ratio(eigenvalue: float, share: float) -> int:
    return math.ceil(math.log(eigenvalue) / math.log(share))


check_steps_until = Exercise(
    "steps_until",
    reference=steps_until,
    cases=[
        Case((0.9, 0.5)),
        Case((0.5, 0.1)),
        Case((0.95, 0.01)),
        Case((0.99, 0.01)),
        Case((0.8, 0.3)),
        Case((0.5, 0.25)),  # an exact power: 0.5² = 0.25, so 2 steps
    ],
    hidden_cases=[Case((0.7, 0.05)), Case((0.999, 0.5)), Case((0.25, 0.0625))],  # a slow fade, another exact power
    mistakes={
        "round log(share) / log(λ) to the nearest whole number instead of rounding up": _round_instead_of_ceil,
        "round log(share) / log(λ) down (after that many steps λ^T is still above the share)": _floor,
        "wait until λ^T is strictly below the share: at an exact power (0.5² = 0.25) that is one step too many": (
            _strictly_below
        ),
        "take log₁₀ of one number and the natural log of the other (use the same base for both)": _mixed_log_bases,
        "divide log(λ) by log(share): the fraction is upside down": _flipped_log_ratio,
    },
)
