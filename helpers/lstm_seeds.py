"""Notebook 05's measurements over seeds: the forget-gate bias, the memory span, the gradient highway and the
gates of a trained LSTM, each run with 5 seeds.

Notebook 05 reads the forget-bias fields from here. The memory span, gradient and gate fields compare a chrono
LSTM with a default-initialised RNN, which mixes architecture and initialisation: the notebook takes those
measurements from the controlled grid of helpers.init_grid instead (they stay here, re-verified, for reference).

The notebook trains seed 0 live and reads every seed from a cache that `scripts/train_seed_runs.py lstm`
writes (the course's cache format, helpers.cache); a test re-runs seed 0 and compares it with the cache.
A trained model's details (how much gradient reaches step 0, its mean gate values) differ from seed to
seed and, after hundreds of updates, even from one CPU's vector unit to another's, so the notebook
states them over seeds ("on 5 of 5 seeds"), never from one run.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch

from helpers import lstm
from helpers.cache import DATA_DIR, ResultCache, Tolerance, fingerprint, loss_summary
from helpers.course import validate
from helpers.tasks import (
    SequenceModel,
    accuracy,
    compare_cells,
    first_symbol_task,
    input_gradient_norms,
    set_forget_bias,
    train,
)

PATH = DATA_DIR / "seeds" / "lstm.json"
SCRIPT = "python scripts/train_seed_runs.py lstm"


@dataclass(frozen=True)
class Settings:
    """Notebook 05's experiments: task sizes, budgets and seeds."""

    symbols: int = 8
    hidden_size: int = 32
    bias_length: int = 10  # the forget-bias experiment recalls a symbol 9 steps back
    bias_steps: int = 300
    span_lengths: tuple[int, ...] = (5, 50)
    span_steps: int = 800
    chrono_horizon: int = 100
    probe_size: int = 256  # test sequences for the gradient and gate measurements
    test_size: int = 2000
    test_seed: int = 999
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)


SETTINGS = Settings()
# First losses agree closely on every CPU, and accuracies of converged runs to a point or two: the tests re-run
# the forget-bias experiment and the short memory span of seed 0, the notebook the long one. A trained model's
# gradient ratio and mean gates differ between CPUs by more than any useful tolerance (seed 0's LSTM ratio:
# −2.8 on this machine's vector unit, −0.8 on another), so no re-run can check those fields: the notebook states
# them only as ranges over seeds and counts with a margin ("below 0 on 5 of 5 seeds").
TOLERANCES = {
    "default_first_losses": Tolerance(rel=2e-3),
    "forget1_first_losses": Tolerance(rel=2e-3),
    "default_accuracy": Tolerance(abs=0.02),
    "forget1_accuracy": Tolerance(abs=0.02),
    "rnn_accuracy_5": Tolerance(abs=0.02),
    "lstm_accuracy_5": Tolerance(abs=0.02),
    "lstm_accuracy_50": Tolerance(abs=0.02),
}


def remember_first(length: int, settings: Settings = SETTINGS):
    """The first-symbol task at one length, as a batch maker task(n, generator)."""
    validate.whole("length", length)
    return lambda n, generator: first_symbol_task(n, length, settings.symbols, generator)


def forget_bias_run(seed: int, forget_bias: float | None, settings: Settings = SETTINGS) -> tuple[SequenceModel, dict]:
    """An LSTM trained on the 9-step recall task with PyTorch's default biases (None) or a forget bias."""
    validate.seed("seed", seed)
    if forget_bias is not None:
        validate.number("forget bias", forget_bias)
    torch.manual_seed(seed)
    model = SequenceModel(settings.symbols, settings.hidden_size, settings.symbols, kind="lstm")
    if forget_bias is not None:
        set_forget_bias(model, forget_bias)
    log = train(
        model,
        remember_first(settings.bias_length, settings),
        settings.bias_steps,
        torch.Generator().manual_seed(1000 + seed),
    )
    x, y = first_symbol_task(
        settings.test_size, settings.bias_length, settings.symbols, torch.Generator().manual_seed(settings.test_seed)
    )
    return model, {
        "accuracy": accuracy(model, x, y),
        "mean_loss_100_200": sum(log.losses[100:200]) / 100,
        "first_losses": loss_summary(log.losses)["first_losses"],
    }


def probe(settings: Settings = SETTINGS) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed test sequences at the longest span length on which gradients and gates are measured."""
    return first_symbol_task(
        settings.probe_size,
        max(settings.span_lengths),
        settings.symbols,
        torch.Generator().manual_seed(settings.test_seed),
    )


def log10_gradient_ratio(model: SequenceModel, x: torch.Tensor, y: torch.Tensor) -> float:
    """log10(‖∂L/∂x_last‖ / ‖∂L/∂x_first‖): how many orders of magnitude the loss's blame loses going back."""
    norms = input_gradient_norms(model, x, y)
    return math.log10(norms[-1] / norms[0])


def gate_summary(model: SequenceModel, x: torch.Tensor) -> dict[str, float]:
    """Mean input and forget gates (at step 0 and over the later steps) and mean |c_t| of a trained LSTM."""
    _, _, trace = lstm.lstm_forward(x, lstm.from_torch(model.rnn), return_gates=True)
    gates = {name: value for name, value in trace.items() if isinstance(value, torch.Tensor)}  # tensors in, out
    if len(gates) != len(trace):
        raise TypeError("expected the LSTM's gates as tensors for tensor inputs")
    last = x.shape[1] - 1
    summary = {f"{gate}_step0": float(gates[gate][:, 0].mean()) for gate in ("i", "f")}
    summary |= {f"{gate}_later": float(gates[gate][:, 1:].mean()) for gate in ("i", "f")}
    summary |= {f"c_abs_{t}": float(gates["c"][:, t].abs().mean()) for t in (1, 10, last)}
    return summary


def run_seed(seed: int, settings: Settings = SETTINGS) -> dict:
    """Everything notebook 05 measures, for one seed."""
    validate.seed("seed", seed)
    record: dict = {"seed": seed}
    for name, bias in (("default", None), ("forget1", 1.0)):
        _, result = forget_bias_run(seed, bias, settings)
        record |= {f"{name}_{key}": value for key, value in result.items()}
    span = compare_cells(
        kinds=("rnn", "lstm"),
        lengths=settings.span_lengths,
        hidden_size=settings.hidden_size,
        symbols=settings.symbols,
        steps=settings.span_steps,
        seed=seed,
        test_size=settings.test_size,
        chrono_horizon=settings.chrono_horizon,
    )
    longest = max(settings.span_lengths)
    x, y = probe(settings)
    for kind in span.kinds:
        record |= {f"{kind}_accuracy_{length}": span.accuracy[kind][length] for length in span.lengths}
        record[f"{kind}_log10_ratio"] = log10_gradient_ratio(span.models[kind][longest], x, y)
    with torch.no_grad():
        record |= {f"gates_{key}": value for key, value in gate_summary(span.models["lstm"][longest], x).items()}
    return record


def cache(settings: Settings = SETTINGS) -> ResultCache:
    """Where the runs are cached, how to rebuild them, and what must match: the settings and the task's data."""
    data = [
        first_symbol_task(16, length, settings.symbols, torch.Generator().manual_seed(seed))
        for length in (settings.bias_length, *settings.span_lengths)
        for seed in (settings.test_seed, 1000)
    ]
    return ResultCache(PATH, SCRIPT, asdict(settings), fingerprint(*(t for pair in data for t in pair)), key=("seed",))


def load_runs(settings: Settings = SETTINGS) -> dict[int, dict]:
    """The cached record of every seed, by seed; refused if made with other settings or data."""
    return {r["seed"]: r for r in cache(settings).load(expected=[(seed,) for seed in settings.seeds])}


def by_seed(runs: dict[int, dict], field: str) -> dict[int, float]:
    """One measured field of every seed's record, by seed."""
    return {seed: record[field] for seed, record in runs.items()}
