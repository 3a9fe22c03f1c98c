"""Notebook 06's widget: RNN, LSTM and GRU accuracy and training loss at a chosen dependency length."""

from __future__ import annotations

import numpy as np

from helpers.course.plotting import PALETTE, label
from helpers.course.widgets import Demo, LiveFigure, choice_slider
from helpers.tasks import Comparison, compare_cells


def comparison_demo(comparison: Comparison | None = None) -> Demo:
    """Notebook 06: pick a dependency length; see RNN, LSTM and GRU accuracy and loss curves at that length.

    Without a comparison (tests, benchmark) it runs a tiny one, so only the shapes are meaningful.
    """
    if comparison is None:
        comparison = compare_cells(lengths=(3, 6), steps=5, hidden_size=8, test_size=64)
    names = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
    colours = {"rnn": PALETTE["vermillion"], "lstm": PALETTE["blue"], "gru": PALETTE["green"]}
    figure = LiveFigure(ncols=2, figsize=(9.0, 3.3))
    left, right = figure.axes
    bars = left.bar(
        [names[k] for k in comparison.kinds],
        np.zeros(len(comparison.kinds)),
        color=[colours[k] for k in comparison.kinds],
    )
    left.axhline(1 / 8, color=PALETTE["black"], linestyle=":")
    left.set(ylim=(0, 1.05))
    label(left, "Test accuracy at this distance (dotted: chance)", "", "accuracy")
    steps = len(next(iter(next(iter(comparison.losses.values())).values())))
    curves = {k: right.plot([], [], color=colours[k], label=names[k])[0] for k in comparison.kinds}
    right.set(xlim=(0, steps), ylim=(0, 2.3))
    right.legend(loc="upper right", fontsize=8)
    label(right, "Training loss (moving average of 10)", "update", "cross-entropy")
    figure.animate(*bars, *curves.values())
    window = np.ones(10) / 10

    def render(length: int) -> str:
        for bar, kind in zip(bars, comparison.kinds):
            bar.set_height(comparison.accuracy[kind][length])
            smooth = np.convolve(comparison.losses[kind][length], window, mode="valid")
            curves[kind].set_data(np.arange(len(smooth)) + 5, smooth)
        scores = ", ".join(f"{names[k]} {comparison.accuracy[k][length]:.0%}" for k in comparison.kinds)
        return f"L = {length} (the answer is {length - 1} steps back): {scores}"

    controls = {
        "length": choice_slider("sequence length L", list(comparison.lengths), comparison.lengths[-1], width="350px")
    }
    return Demo("RNN vs LSTM vs GRU: how far back can each remember?", controls, render, figure)
