"""Notebook 09's widget: measured recall of untrained and trained RNNs, LSTMs and GRUs, with the interference model.

Every control picks something that was measured: T one of the trained grid's lengths, λ one of the radii the
vanilla RNNs were trained from (and measured untrained at), f one of the forget gates an untrained LSTM was
measured with. Nothing is trained or measured on a move: the numbers come from the caches in data/memory/,
and the interference model's predictions are computed once when the demo is built.
"""

from __future__ import annotations

import numpy as np

from helpers.benchmarks import span_text
from helpers.course.plotting import PALETTE, label
from helpers.course.widgets import Demo, LiveFigure, choice_slider
from helpers.experiments import compare
from helpers.recall import CellRun, Frozen, Grid, interference_recall, load_frozen, load_grid

NAMES = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}


class PlaygroundData:
    """Everything the playground shows, looked up from the caches: per seed, at the grid's lengths."""

    def __init__(self, grid: Grid, frozen: Frozen):
        self.grid, self.frozen = grid, frozen
        self.lengths = grid.settings.lengths
        self.radii, self.forgets = grid.settings.radii, frozen.settings.forgets
        missing = [r for r in self.radii if r not in frozen.settings.radii]
        missing += [n for n in self.lengths if n not in frozen.settings.lengths]
        if missing:
            raise ValueError(f"the frozen cache lacks the trained grid's radii or lengths {missing}")
        self.chance = 1 / grid.settings.symbols
        self.untrained_rnn = {r: frozen.accuracies("rnn", r, self.lengths) for r in self.radii}
        self.untrained_lstm = {f: frozen.accuracies("lstm", f, self.lengths) for f in self.forgets}
        self.trained = {kind: grid.accuracies(kind) for kind in ("lstm", "gru")}
        self.trained_rnn = {r: grid.accuracies("rnn", r) for r in self.radii}
        seeds = grid.settings.seeds
        self.predicted = {  # the interference model at the effective radius λ · (measured mean tanh slope)
            r: np.array([[interference_recall(r * frozen.slope(r, n, s), n, s) for s in seeds] for n in self.lengths])
            for r in self.radii
        }
        self.spans = {kind: span_text(grid.seed_spans(kind)) for kind in ("lstm", "gru")}
        self.rnn_spans = {r: span_text(grid.seed_spans("rnn", r)) for r in self.radii}
        self.top_forget = {n: [_top_forget(run) for run in grid.runs_of("lstm", n)] for n in self.lengths}

    @classmethod
    def load(cls) -> PlaygroundData:
        """The playground's data from the caches in data/memory/."""
        return cls(load_grid(), load_frozen())

    def readout(self, length: int, eigenvalue: float, forget: float) -> str:
        """The numbers the playground shows at one setting, every one measured per seed (or the model's prediction)."""
        if length not in self.lengths or eigenvalue not in self.radii or forget not in self.forgets:
            raise ValueError(
                f"choose T from {self.lengths}, λ from {self.radii} and f from {self.forgets}; "
                f"got T = {length}, λ = {eigenvalue}, f = {forget}"
            )
        row = self.lengths.index(length)
        return "\n".join(
            [
                f"T = {length}, λ = {eigenvalue:g}, f = {forget:g}: measured recall of the first symbol on 1000 "
                f"held-out sequences, seeds in brackets (chance {self.chance:.0%})",
                f"untrained RNN at λ = {eigenvalue:g} (readout only): {_seeds(self.untrained_rnn[eigenvalue][row])}; "
                f"interference model (with tanh's slope) predicts {self.predicted[eigenvalue][row].mean():.0%}; "
                f"λ^(T−1) = {eigenvalue ** (length - 1):.2g}",
                f"untrained LSTM, forget gate clamped at f = {forget:g} (readout only): "
                f"{_seeds(self.untrained_lstm[forget][row])}; f^(T−1) = {forget ** (length - 1):.2g}",
                f"trained RNN from λ = {eigenvalue:g}: {_seeds(self.trained_rnn[eigenvalue][row])}, "
                f"spans per seed {self.rnn_spans[eigenvalue]}",
                f"trained LSTM: {_seeds(self.trained['lstm'][row])}, spans per seed {self.spans['lstm']}; "
                f"trained GRU: {_seeds(self.trained['gru'][row])}, spans per seed {self.spans['gru']}",
                "the trained LSTMs' most persistent unit keeps f = "
                + ", ".join(f"{f:.4f}" for f in self.top_forget[length]),
            ]
        )


# The guided experiments of the playground page: a question, the setting to try, and how to answer it from the data.
EXPERIMENTS = {
    1: "Length 10 at eigenvalue 0.95: does the vanilla RNN barely remember?",
    2: "Length 40 at eigenvalue 0.95: is the signal gone?",
    3: "The LSTM across lengths: is a forget gate near 1 what keeps the signal?",
    4: "Eigenvalue 1.0: does it preserve the signal?",
}


def guided_experiment(data: PlaygroundData, number: int) -> str:
    """The measured answer to guided experiment `number` (EXPERIMENTS): the playground's readout and the verdicts."""
    if number not in EXPERIMENTS:
        raise ValueError(f"the guided experiments are numbered {sorted(EXPERIMENTS)}, got {number!r}")
    answer = {1: _experiment_1, 2: _experiment_2, 3: _experiment_3, 4: _experiment_4}[number](data)
    return "\n".join([f"{number}. {EXPERIMENTS[number]}", *answer])


def _experiment_1(data: PlaygroundData) -> list[str]:
    untrained, trained = data.frozen.per_seed("rnn", 0.95, 10), data.grid.per_seed("rnn", 10, 0.95)
    chance = dict.fromkeys(untrained, data.chance)
    return [
        *data.readout(10, 0.95, 0.99).splitlines()[1:4:2],  # the untrained and the trained RNN
        compare(untrained, chance, ("untrained", "chance")).verdict(percent=True),
        compare(trained, untrained, ("trained", "untrained")).verdict(percent=True),
    ]


def _experiment_2(data: PlaygroundData) -> list[str]:
    untrained = data.frozen.per_seed("rnn", 0.95, 40)
    chance = dict.fromkeys(untrained, data.chance)
    trained = {length: data.grid.per_seed("rnn", length, 0.95) for length in (40, 100)}
    return [
        *data.readout(40, 0.95, 0.99).splitlines()[1:4:2],
        compare(untrained, chance, ("untrained", "chance")).verdict(percent=True),
        compare(trained[40], trained[100], ("trained at T = 40", "at T = 100")).verdict(percent=True),
    ]


def _experiment_3(data: PlaygroundData) -> list[str]:
    lines = []
    for length in data.lengths:
        scores = data.grid.per_seed("lstm", length)
        solved = sum(score >= 0.9 for score in scores.values())
        lines.append(f"trained LSTM at T = {length}: {solved} of {len(scores)} seeds at ≥ 90 %")
    lines += data.readout(40, 0.95, 1.0).splitlines()[2::3]  # the clamped LSTM, the trained LSTMs' top unit
    clamped = {f: data.frozen.per_seed("lstm", f, 40) for f in (1.0, 0.95)}
    against_f = compare(clamped[1.0], clamped[0.95], ("untrained at f = 1", "at f = 0.95"))
    trained = compare(data.grid.per_seed("lstm", 40), clamped[1.0], ("trained LSTM", "untrained at f = 1"))
    return lines + [f"T = 40: {against_f.verdict(percent=True)}", f"T = 40: {trained.verdict(percent=True)}"]


def _experiment_4(data: PlaygroundData) -> list[str]:
    lines = []
    for length in (10, 40):
        untrained = {r: data.frozen.per_seed("rnn", r, length) for r in (1.0, 0.95)}
        verdict = compare(untrained[1.0], untrained[0.95], ("untrained at λ = 1.0", "at 0.95")).verdict(percent=True)
        lines.append(f"T = {length}, λ^(T−1) 1.00 against {0.95 ** (length - 1):.2f}: {verdict}")
    seeds = data.grid.settings.seeds
    spans = {r: {s: float(span or 0) for s, span in zip(seeds, data.grid.seed_spans("rnn", r))} for r in (1.0, 0.95)}
    lines.append(f"trained from λ = 1.0: spans per seed {data.rnn_spans[1.0]}; from 0.95: {data.rnn_spans[0.95]}")
    lines.append(compare(spans[1.0], spans[0.95], ("span from λ = 1.0", "from 0.95")).verdict(decimals=0))
    return lines


def memory_playground_demo(data: PlaygroundData | None = None) -> Demo:
    """Notebook 09: recall of the first symbol at step T, untrained (left) and trained (right), all measured.

    Reads the cached grid and the frozen measurements (data/memory/) unless given them; a control move never
    trains or measures anything.
    """
    data = PlaygroundData(load_grid(), load_frozen()) if data is None else data
    lengths = np.array(data.lengths)
    seeds = len(data.grid.settings.seeds)
    xs = np.repeat(lengths, seeds)  # one dot per seed at each length
    colours = {"rnn": PALETTE["vermillion"], "lstm": PALETTE["blue"], "gru": PALETTE["green"]}
    figure = LiveFigure(ncols=2, figsize=(9.0, 3.3))
    left, right = figure.axes
    for ax in (left, right):
        ax.axhline(data.chance, color=PALETTE["black"], linestyle=":", linewidth=1, label="chance")
        ax.set(xscale="log", xlim=(lengths[0] * 0.8, lengths[-1] * 1.25), ylim=(0, 1.05))
    (rnn_free,) = left.plot([], [], "^-", color=colours["rnn"], label="RNN at λ (mean)")
    (rnn_free_dots,) = left.plot([], [], "^", color=colours["rnn"], alpha=0.4, markersize=4)
    (model_line,) = left.plot(
        [], [], "--", color=PALETTE["black"], linewidth=1.2, label="interference model at λ (tanh slope)"
    )
    (lstm_free,) = left.plot([], [], "o-", color=colours["lstm"], label="LSTM, forget gate clamped at f (mean)")
    (lstm_free_dots,) = left.plot([], [], "o", color=colours["lstm"], alpha=0.4, markersize=4)
    for kind, style in (("lstm", "o-"), ("gru", "s--")):
        right.plot(lengths, data.trained[kind].mean(axis=1), style, color=colours[kind], label=f"{NAMES[kind]} (mean)")
        right.plot(xs, data.trained[kind].ravel(), style[0], color=colours[kind], alpha=0.4, markersize=4)
    (rnn_trained,) = right.plot([], [], "^-.", color=colours["rnn"], label="RNN from λ (mean)")
    (rnn_trained_dots,) = right.plot([], [], "^", color=colours["rnn"], alpha=0.4, markersize=4)
    markers = [ax.plot([], [], ":", color=PALETTE["purple"], linewidth=1.5)[0] for ax in (left, right)]
    left.legend(loc="upper right", fontsize=7)
    right.legend(loc="lower left", fontsize=7)
    label(left, f"Untrained, readout only ({seeds} seeds, dots)", "sequence length T", "held-out recall")
    label(right, f"Trained, 2500 updates ({seeds} seeds, dots)", "sequence length T", "held-out recall")
    figure.animate(rnn_free, rnn_free_dots, model_line, lstm_free, lstm_free_dots, rnn_trained, rnn_trained_dots)
    figure.animate(*markers)

    def render(length: int, eigenvalue: float, forget: float) -> str:
        free, trained = data.untrained_rnn[eigenvalue], data.trained_rnn[eigenvalue]
        rnn_free.set_data(lengths, free.mean(axis=1))
        rnn_free_dots.set_data(xs, free.ravel())
        model_line.set_data(lengths, data.predicted[eigenvalue].mean(axis=1))
        lstm_free.set_data(lengths, data.untrained_lstm[forget].mean(axis=1))
        lstm_free_dots.set_data(xs, data.untrained_lstm[forget].ravel())
        rnn_trained.set_data(lengths, trained.mean(axis=1))
        rnn_trained_dots.set_data(xs, trained.ravel())
        for marker in markers:
            marker.set_data([length, length], [0, 1.05])
        return data.readout(length, eigenvalue, forget)

    controls = {
        "length": choice_slider("sequence length T", list(data.lengths), 40),
        "eigenvalue": choice_slider("RNN's starting spectral radius λ", list(data.radii), 0.95),
        "forget": choice_slider("untrained LSTM's forget gate f", list(data.forgets), 0.99),
    }
    return Demo("The memory playground: a signal at step 1, recalled at step T", controls, render, figure, columns=3)


def _seeds(accuracies: np.ndarray) -> str:
    """The mean and every seed in whole percent, e.g. '31% (seeds 30%, 31%, 33%)'."""
    return f"{accuracies.mean():.0%} (seeds {', '.join(f'{a:.0%}' for a in accuracies)})"


def _top_forget(run: CellRun) -> float:
    """An LSTM run's highest mean forget gate: what its most persistent unit keeps per step."""
    if run.forget is None:
        raise ValueError(f"only LSTM runs record forget gates, got a {run.kind} run")
    return run.forget[-1]
