"""Notebook 06's widget: the cached race (RNN, LSTM, GRU, each with a fair start) at a chosen distance, seed by seed."""

from __future__ import annotations

import numpy as np
from matplotlib.collections import PolyCollection

from helpers import race
from helpers.course.plotting import PALETTE, label
from helpers.course.widgets import Demo, LiveFigure, choice_slider

NAMES = {"rnn": "RNN (orthogonal)", "lstm": "LSTM (chrono)", "gru": "GRU (chrono)"}
COLOURS = {"rnn": PALETTE["vermillion"], "lstm": PALETTE["blue"], "gru": PALETTE["green"]}
LOSS_WIDTH = 32  # the loss curves shown: notebook 05's grid width


def _seed_accuracies(records: list[dict], kind: str, width: int, distance: int, init: str | None = None) -> list[float]:
    """Test accuracy of seeds 0, 1, 2 (in seed order) of one kind's start at one width and distance."""
    found = race.per_seed(records, kind, init or race.FAIR[kind], width, distance)
    return [found[seed] for seed in sorted(found)]


def comparison_demo(records: list[dict] | None = None) -> Demo:
    """Notebook 06: pick a distance; see every seed's test accuracy of RNN, LSTM and GRU at 16, 32 and 64 units.

    Bars: the mean over seeds with each architecture's fair start (dots: the seeds; crosses: the mean with
    PyTorch's default start). Right: the training loss per block of 100 updates at 32 units, each seed.
    Without records it reads the cached race (race.load_race()).
    """
    if records is None:
        records = race.load_race()
    kinds, widths, seeds = race.KINDS, race.WIDTHS, race.init_grid.GRID.seeds
    figure = LiveFigure(ncols=2, figsize=(7.8, 2.9))
    left, right = figure.axes
    offsets = {kind: (k - 1) * 0.27 for k, kind in enumerate(kinds)}
    # All nine bars in one PolyCollection (one artist to redraw); each update moves the rectangles' tops.
    corners = {
        kind: np.array([(x - 0.125, x + 0.125) for x in np.arange(len(widths)) + offsets[kind]]) for kind in kinds
    }
    bars = PolyCollection([], facecolors=[COLOURS[k] for k in kinds for _ in widths], edgecolors="none")
    left.add_collection(bars)
    # Every kind's seeds in one artist and every default mean in another: fewer artists to redraw per update.
    (dots,) = left.plot([], [], ".", color=PALETTE["black"])
    (defaults,) = left.plot([], [], "x", color=PALETTE["black"], markersize=7)
    left.axhline(1 / 8, color=PALETTE["black"], linestyle=":")
    left.set(
        xlim=(-0.5, len(widths) - 0.5),
        ylim=(0, 1.08),
        xticks=range(len(widths)),
        xticklabels=[f"{w} units" for w in widths],
    )
    label(left, "Test accuracy (dots: seeds; ×: default start)", "width", "accuracy")
    # One line per kind holds every seed's curve, the seeds separated by NaN (one artist to redraw, not three).
    curves = {kind: right.plot([], [], color=COLOURS[kind], linewidth=1.2, label=NAMES[kind])[0] for kind in kinds}
    steps = race.init_grid.GRID.steps
    right.set(xlim=(0, steps), ylim=(0, 2.3))
    right.legend(loc="lower left", fontsize=7, title="colours (both panels)", title_fontsize=7)
    label(right, f"Training loss at {LOSS_WIDTH} units, every seed", "update (mean of each 100)", "cross-entropy")
    figure.animate(bars, dots, defaults, *curves.values())

    # Everything the slider can show, read from the records once: accuracy[kind][distance] is (width, seed).
    accuracy = {
        kind: {d: np.array([_seed_accuracies(records, kind, w, d) for w in widths]) for d in race.DISTANCES}
        for kind in kinds
    }
    default_mean = {
        kind: {d: [np.mean(_seed_accuracies(records, kind, w, d, "default")) for w in widths] for d in race.DISTANCES}
        for kind in kinds
    }
    losses = {
        (kind, d): race.per_seed(records, kind, race.FAIR[kind], LOSS_WIDTH, d, "loss_curve")
        for kind in kinds
        for d in race.DISTANCES
    }

    def render(length: int) -> str:
        lines = [f"distance {length} (the answer is {length} steps back); test accuracy of seeds 0, 1, 2:"]
        dot_x, dot_y, cross_x, cross_y, rectangles = [], [], [], [], []
        for kind in kinds:
            values = accuracy[kind][length]
            for (x0, x1), mean in zip(corners[kind], values.mean(axis=1)):
                rectangles.append([(x0, 0.0), (x0, mean), (x1, mean), (x1, 0.0)])
            xs = np.arange(len(widths)) + offsets[kind]
            dot_x += [*np.repeat(xs, len(seeds))]
            dot_y += [*values.ravel()]
            cross_x += [*xs]
            cross_y += default_mean[kind][length]
            xs_loss, ys_loss = [], []
            for seed in seeds:
                curve = np.asarray(losses[kind, length][seed], dtype=float)  # a list of block means
                xs_loss += [*(steps / len(curve) * (np.arange(len(curve)) + 0.5)), np.nan]
                ys_loss += [*curve, np.nan]
            curves[kind].set_data(xs_loss, ys_loss)
        bars.set_verts(rectangles)
        dots.set_data(dot_x, dot_y)
        defaults.set_data(cross_x, cross_y)
        for w, width in enumerate(widths):
            scores = [f"{NAMES[k]} {' '.join(f'{v:.0%}' for v in accuracy[k][length][w])}" for k in kinds]
            lines.append(f"  {width} units: " + ", ".join(scores))
        return "\n".join(lines)

    controls = {
        "length": choice_slider("distance (steps back)", list(race.DISTANCES), race.DISTANCES[-1], width="350px")
    }
    return Demo("RNN vs LSTM vs GRU, each with a fair start: how far back can each remember?", controls, render, figure)
