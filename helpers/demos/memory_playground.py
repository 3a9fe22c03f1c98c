"""Notebook 09's widget: λ^T and f^T beside the measured recall of trained RNNs, LSTMs and GRUs."""

from __future__ import annotations

import numpy as np

from helpers.course.plotting import PALETTE, label
from helpers.course.widgets import Demo, LiveFigure, choice_slider, slider
from helpers.recall import CellRun, Grid, load_grid, share_left


def memory_playground_demo(grid: Grid | None = None) -> Demo:
    """Notebook 09: a signal at step 1, recalled at step T. λ^T and f^T beside the measured recall of trained models.

    Reads the cached grid (data/memory/); a slider move never trains anything.
    """
    grid = load_grid() if grid is None else grid
    lengths, longest = np.array(grid.settings.lengths), max(grid.settings.lengths)
    chance = 1 / grid.settings.symbols
    names = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
    colours = {"rnn": PALETTE["vermillion"], "lstm": PALETTE["blue"], "gru": PALETTE["green"]}
    means = {kind: grid.accuracies(kind).mean(axis=1) for kind in ("lstm", "gru")}
    rnn_means = {r: grid.accuracies("rnn", r).mean(axis=1) for r in grid.settings.radii}
    figure = LiveFigure(ncols=2, figsize=(9.0, 3.3))
    left, right = figure.axes
    steps = np.arange(longest + 1)
    (rnn_curve,) = left.plot([], [], "-", color=colours["rnn"], linewidth=2, label="RNN: λ^t")
    (lstm_curve,) = left.plot([], [], "--", color=colours["lstm"], linewidth=2, label="LSTM cell: f^t")
    (now_left,) = left.plot([], [], ":", color=PALETTE["black"], linewidth=1.2)
    (at_t,) = left.plot([], [], "o", color=PALETTE["black"], markersize=5)
    left.set(yscale="log", xlim=(0, longest), ylim=(1e-6, 1e3))
    left.legend(loc="lower left", fontsize=8)
    label(left, "Analytic: what is left of the signal", "steps since the signal t", "share left (log scale)")
    for kind in ("lstm", "gru"):
        right.plot(
            lengths,
            means[kind],
            "o-" if kind == "lstm" else "s--",
            color=colours[kind],
            label=f"{names[kind]} (trained)",
        )
    (rnn_line,) = right.plot([], [], "^-.", color=colours["rnn"], label="vanilla RNN (trained)")
    right.axhline(chance, color=PALETTE["black"], linestyle=":", linewidth=1, label="chance")
    (now_right,) = right.plot([], [], ":", color=PALETTE["black"], linewidth=1.2)
    right.set(xscale="log", xlim=(lengths[0] * 0.8, longest * 1.25), ylim=(0, 1.05))
    right.legend(loc="center left", fontsize=8)
    label(
        right,
        f"Measured: recall after training ({len(grid.settings.seeds)} seeds)",
        "sequence length T",
        "test accuracy (mean)",
    )
    figure.animate(rnn_curve, lstm_curve, now_left, at_t, rnn_line, now_right)

    def render(length: int, eigenvalue: float, forget: float) -> str:
        radius = grid.nearest_radius(eigenvalue)
        lam, f = share_left(eigenvalue, longest), share_left(forget, longest)
        rnn_curve.set_data(steps, np.clip(lam, 1e-7, 1e4))
        lstm_curve.set_data(steps, np.clip(f, 1e-7, 1e4))
        now_left.set_data([length, length], [1e-6, 1e3])
        at_t.set_data([length, length], np.clip([lam[length], f[length]], 1e-7, 1e4))
        rnn_line.set_data(lengths, rnn_means[radius])
        now_right.set_data([length, length], [0, 1.05])
        row = list(lengths).index(length)
        measured = {"rnn": rnn_means[radius][row], **{kind: means[kind][row] for kind in means}}
        top_f = np.mean([_top_forget(run) for run in grid.runs_of("lstm", length)])
        return (
            f"T = {length}: analytic λ^T = {eigenvalue:.2f}^{length} = {lam[length]:.2g}, "
            f"f^T = {forget:.3f}^{length} = {f[length]:.2g}\n"
            f"measured recall at T = {length}: vanilla RNN (W_hh started at λ = {radius:g}) {measured['rnn']:.0%}, "
            f"LSTM {measured['lstm']:.0%}, GRU {measured['gru']:.0%}; chance {chance:.0%}\n"
            f"the trained LSTMs' most persistent unit keeps f = {top_f:.5f} on average"
        )

    controls = {
        "length": choice_slider("sequence length T", [int(n) for n in lengths], 40),
        "eigenvalue": slider("RNN eigenvalue λ", 0.95, 0.5, 1.2, 0.05),
        "forget": slider("LSTM forget gate f", 0.99, 0.8, 1.0, 0.005, readout_format=".3f"),
    }
    return Demo("The memory playground: a signal at step 1, recalled at step T", controls, render, figure, columns=3)


def _top_forget(run: CellRun) -> float:
    """An LSTM run's highest mean forget gate: what its most persistent unit keeps per step."""
    if run.forget is None:
        raise ValueError(f"only LSTM runs record forget gates, got a {run.kind} run")
    return run.forget[-1]
