"""Long-dependency tasks and a recurrent sequence model to learn them (notebooks 04, 05, 06, 09).

The first-symbol task: read L random symbols and, at the end, say which symbol came *first*. The
answer is L − 1 steps back, so L sets how far the network must carry information; chance is
1 / symbols. The recent-sum task needs only the last few inputs: a task where nothing is far away.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from helpers import training
from helpers.cache import fingerprint
from helpers.course import validate
from helpers.training import TrainLog

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def first_symbol_task(
    n: int, length: int, symbols: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """n one-hot sequences (n, length, symbols) of random symbols; the label is each sequence's first symbol."""
    for name, value in (("n", n), ("length", length), ("symbols", symbols)):
        validate.number(name, value, integer=True)
    if n < 1 or length < 1 or symbols < 2:
        raise ValueError(f"need n ≥ 1, length ≥ 1 and symbols ≥ 2, got {n}, {length}, {symbols}")
    ids = torch.randint(0, symbols, (n, length), generator=generator)
    return F.one_hot(ids, symbols).float(), ids[:, 0]


def first_symbol_fingerprint(lengths: Iterable[int], symbols: int, seeds: Iterable[int]) -> str:
    """A cache's fingerprint of the first-symbol task's data: 16 sequences at each length for each generator seed."""
    seeds = list(seeds)
    data = [first_symbol_task(16, n, symbols, torch.Generator().manual_seed(seed)) for n in lengths for seed in seeds]
    return fingerprint(*(t for pair in data for t in pair))


def recent_sum_task(
    n: int, length: int, generator: torch.Generator, last: int = 3
) -> tuple[torch.Tensor, torch.Tensor]:
    """n sequences of Gaussian numbers (n, length, 1); the target is the sum of the last few, scaled to variance 1."""
    for name, value in (("n", n), ("length", length), ("last", last)):
        validate.number(name, value, integer=True)
    if n < 1 or not 1 <= last <= length:
        raise ValueError(f"need n ≥ 1 and 1 ≤ last ≤ length, got n = {n}, last = {last}, length = {length}")
    x = torch.randn(n, length, 1, generator=generator)
    return x, x[:, -last:, 0].sum(dim=1, keepdim=True) / math.sqrt(last)


class SequenceModel(nn.Module):
    """A recurrent layer (RNN, LSTM or GRU) read out from its last hidden state: class scores or a number."""

    def __init__(
        self, input_size: int, hidden_size: int, output_size: int, kind: str = "rnn", nonlinearity: str = "tanh"
    ):
        super().__init__()
        if kind not in CELLS:
            raise ValueError(f"kind must be one of {sorted(CELLS)}, got {kind!r}")
        for name, size in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size)):
            validate.whole(name, size)
        extra = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
        self.kind = kind
        self.rnn = CELLS[kind](input_size, hidden_size, batch_first=True, **extra)
        self.readout = nn.Linear(hidden_size, output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs (batch, output_size) from the state after the last step of x (batch, seq, input_size)."""
        if x.dim() != 3 or x.shape[-1] != self.rnn.input_size:
            raise ValueError(f"expected x of shape (batch, seq, {self.rnn.input_size}), got {tuple(x.shape)}")
        outputs, _ = self.rnn(x)
        return self.readout(outputs[:, -1])


@torch.no_grad()
def set_spectral_radius(model: SequenceModel, radius: float) -> None:
    """Replace a vanilla RNN's W_hh by a random Gaussian matrix rescaled to spectral radius `radius`."""
    validate.non_negative("spectral radius", radius)
    W = model.rnn.weight_hh_l0
    fresh = torch.randn(W.shape)
    fresh *= radius / torch.linalg.eigvals(fresh).abs().max()
    W.copy_(fresh)


@torch.no_grad()
def set_orthogonal_recurrence(model: SequenceModel) -> None:
    """Replace a vanilla RNN's W_hh by a random orthogonal matrix (every singular value 1; Saxe et al., 2014).

    Draws from torch's global generator, so call it right after building the model.
    """
    if model.kind != "rnn":
        raise ValueError(f"the orthogonal start is for the vanilla RNN's W_hh, got a {model.kind}")
    nn.init.orthogonal_(model.rnn.weight_hh_l0)


@torch.no_grad()
def set_forget_bias(model: SequenceModel, value: float) -> None:
    """Set an LSTM's forget-gate bias (rows h:2h in PyTorch's gate order i, f, g, o) to `value`."""
    validate.number("forget bias", value)
    if model.kind != "lstm":
        raise ValueError(f"only an LSTM has a forget gate, got a {model.kind}")
    h = model.rnn.hidden_size
    model.rnn.bias_ih_l0[h : 2 * h] = value
    model.rnn.bias_hh_l0[h : 2 * h] = 0.0


@torch.no_grad()
def chrono_init(model: SequenceModel, horizon: int = 100) -> None:
    """Chrono initialisation (Tallec & Ollivier, 2018): each unit's keep-gate bias log U(1, horizon − 1).

    A unit then starts out remembering for about as many steps as its bias says, spread over the
    horizon. LSTM: forget bias b, input bias −b. GRU (PyTorch's z keeps the old state): z bias b.
    Draws from torch's global generator, so call it right after building the model.
    """
    validate.whole("horizon", horizon, low=3)
    if model.kind not in ("lstm", "gru"):
        raise ValueError(f"chrono initialisation is for LSTM and GRU gates, got a {model.kind}")
    h = model.rnn.hidden_size
    b = torch.log(torch.empty(h).uniform_(1, horizon - 1))
    model.rnn.bias_ih_l0[h : 2 * h] = b  # LSTM rows h:2h = forget gate; GRU rows h:2h = update gate z
    model.rnn.bias_hh_l0[h : 2 * h] = 0.0
    if model.kind == "lstm":
        model.rnn.bias_ih_l0[:h] = -b
        model.rnn.bias_hh_l0[:h] = 0.0


def task_loss(outputs: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy for class labels (int64), mean squared error for numbers."""
    return F.cross_entropy(outputs, y) if y.dtype == torch.int64 else F.mse_loss(outputs, y)


def train(
    model: nn.Module,
    task: Callable[[int, torch.Generator], tuple[torch.Tensor, torch.Tensor]],
    steps: int,
    generator: torch.Generator,
    batch_size: int = 64,
    lr: float = 3e-3,
    optimizer: str = "adam",
    clip: float | None = 1.0,
) -> TrainLog:
    """Train on a fresh batch task(batch_size, generator) at every update, with the course's training loop."""
    validate.whole("batch_size", batch_size)

    def batch_loss(step: int) -> torch.Tensor:
        x, y = task(batch_size, generator)
        return task_loss(model(x), y)

    return training.train(model, batch_loss, steps, lr=lr, optimizer=optimizer, clip=clip)


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of sequences whose class the model gets right."""
    return float((model(x).argmax(dim=-1) == y).float().mean())


def input_gradient_norms(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """‖∂L/∂x_k‖ for each input step k (over the whole batch): how much the answer can blame step k."""
    x = x.clone().requires_grad_(True)
    loss = task_loss(model(x), y)
    (grad,) = torch.autograd.grad(loss, x)
    return grad.norm(dim=(0, 2)).numpy()


EPOCH_UPDATES = 100  # an "epoch" here: 100 updates of fresh batches


@dataclass
class Comparison:
    """RNN vs LSTM vs GRU on the first-symbol task: per kind and length, test accuracy, losses and time."""

    kinds: tuple[str, ...]
    lengths: tuple[int, ...]
    accuracy: dict[str, dict[int, float]]
    losses: dict[str, dict[int, list[float]]]
    seconds_per_epoch: dict[str, dict[int, float]]
    models: dict[str, dict[int, SequenceModel]]


def _first_symbol_at(length: int, symbols: int) -> Callable[[int, torch.Generator], tuple[torch.Tensor, torch.Tensor]]:
    """The first-symbol task at one length, as train() draws it: task(batch_size, generator)."""
    return lambda n, g: first_symbol_task(n, length, symbols, g)


def compare_cells(
    kinds: tuple[str, ...] = ("rnn", "lstm", "gru"),
    lengths: tuple[int, ...] = (5, 20, 50),
    hidden_size: int = 32,
    symbols: int = 8,
    steps: int = 300,
    lr: float = 3e-3,
    seed: int = 0,
    test_size: int = 2000,
    chrono_horizon: int | None = None,
) -> Comparison:
    """Train each kind of cell at each length with the same budget and seeds; test on fresh sequences.

    With `chrono_horizon`, LSTM and GRU gates start with chrono initialisation over that horizon.
    """
    for name, value in (("hidden_size", hidden_size), ("steps", steps), ("test_size", test_size)):
        validate.whole(name, value)
    validate.whole("symbols", symbols, low=2)
    validate.positive("learning rate", lr)
    validate.seed("seed", seed)
    scores: dict[str, dict[int, float]] = {kind: {} for kind in kinds}
    losses: dict[str, dict[int, list[float]]] = {kind: {} for kind in kinds}
    seconds: dict[str, dict[int, float]] = {kind: {} for kind in kinds}
    models: dict[str, dict[int, SequenceModel]] = {kind: {} for kind in kinds}
    for kind in kinds:  # warm-up: the very first updates of a kind pay one-off costs we do not want to time
        train(
            SequenceModel(symbols, hidden_size, symbols, kind=kind),
            lambda n, g: first_symbol_task(n, 5, symbols, g),
            2,
            torch.Generator(),
        )
    for length in lengths:
        x_test, y_test = first_symbol_task(test_size, length, symbols, torch.Generator().manual_seed(999))
        for kind in kinds:
            torch.manual_seed(seed)
            model = SequenceModel(symbols, hidden_size, symbols, kind=kind)
            if chrono_horizon and kind != "rnn":
                chrono_init(model, chrono_horizon)
            log = train(
                model, _first_symbol_at(length, symbols), steps, torch.Generator().manual_seed(1000 + seed), lr=lr
            )
            seconds[kind][length] = log.seconds * EPOCH_UPDATES / steps
            losses[kind][length] = log.losses
            scores[kind][length] = accuracy(model, x_test, y_test)
            models[kind][length] = model
    return Comparison(tuple(kinds), tuple(lengths), scores, losses, seconds, models)


GATE_BLOCKS = {"rnn": 1, "gru": 3, "lstm": 4}  # weight blocks of the same shape: tanh layer, r z n, i f g o


def multiply_adds_per_step(kind: str, input_size: int, hidden_size: int) -> int:
    """Multiply-adds of the weight matrices in one forward time step of one sequence: blocks · h · (d + h)."""
    if kind not in GATE_BLOCKS:
        raise ValueError(f"kind must be one of {sorted(GATE_BLOCKS)}, got {kind!r}")
    input_size = validate.whole("input_size", input_size)
    hidden_size = validate.whole("hidden_size", hidden_size)
    return GATE_BLOCKS[kind] * hidden_size * (input_size + hidden_size)


def step_times(
    kinds: tuple[str, ...],
    hidden_sizes: tuple[int, ...],
    length: int = 20,
    batch_size: int = 64,
    input_size: int = 8,
    repeats: int = 5,
) -> dict[tuple[str, int], list[float]]:
    """Seconds per time step of each torch layer's forward and backward pass, every repeat, by (kind, hidden).

    The layers take turns within each repeat, and the order rotates from repeat to repeat, so a change in
    the machine's load hits them all alike; one untimed warm-up pass each comes first. Timings depend on
    the machine and its load: print them only in cells whose output is not compared, verdicts with a wide
    margin elsewhere.
    """
    unknown = [kind for kind in kinds if kind not in CELLS]
    if not kinds or unknown:
        raise ValueError(f"kinds must be some of {sorted(CELLS)}, got {kinds!r}")
    for hidden in hidden_sizes:
        validate.number("each hidden size", hidden, integer=True)
    for name, value in (
        ("length", length),
        ("batch_size", batch_size),
        ("input_size", input_size),
        ("repeats", repeats),
    ):
        validate.number(name, value, integer=True)
    if not hidden_sizes or min(hidden_sizes) < 1 or min(length, batch_size, input_size, repeats) < 1:
        raise ValueError(
            "need hidden sizes, length, batch_size, input_size and repeats ≥ 1, got "
            f"{hidden_sizes}, {length}, {batch_size}, {input_size} and {repeats}"
        )
    torch.manual_seed(0)
    layers = {
        (kind, hidden): CELLS[kind](input_size, hidden, batch_first=True) for hidden in hidden_sizes for kind in kinds
    }
    x = torch.randn(batch_size, length, input_size)
    keys = list(layers)
    times: dict[tuple[str, int], list[float]] = {key: [] for key in keys}
    for repeat in range(repeats + 1):
        shift = repeat % len(keys)
        for key in keys[shift:] + keys[:shift]:
            start = time.perf_counter()
            outputs, _ = layers[key](x)
            outputs.sum().backward()
            if repeat:  # repeat 0 is the warm-up: one-off costs are not timed
                times[key].append((time.perf_counter() - start) / length)
    return times


def seconds_per_step(
    kinds: tuple[str, ...],
    hidden_sizes: tuple[int, ...],
    length: int = 20,
    batch_size: int = 64,
    input_size: int = 8,
    repeats: int = 5,
) -> dict[tuple[str, int], float]:
    """The median of `step_times` for each (kind, hidden): one number per layer, for verdicts with a margin."""
    times = step_times(kinds, hidden_sizes, length, batch_size, input_size, repeats)
    return {key: statistics.median(values) for key, values in times.items()}
