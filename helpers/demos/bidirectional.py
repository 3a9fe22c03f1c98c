"""Notebook 07's widget: which tokens one-way, two-way and stacked taggers get right, sentence by sentence."""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.colors import ListedColormap

from helpers.course.plotting import PALETTE, label
from helpers.course.widgets import Demo, LiveFigure, int_slider
from helpers.tagging import MAX_LENGTH, RUNS, Tagger, TaggingData, make_tagging_data, new_tagger, run_name

SHORT = {"one way": "→", "both ways": "↔"}


def short_name(name: str) -> str:
    """'one way, 1 layer' → '→ 1', 'both ways, 2 layers' → '↔ 2': a tagger's name in a readout."""
    direction, layers = name.split(", ")
    return f"{SHORT[direction]} {layers.split()[0]}"


def tagging_demo(taggers: dict[str, Tagger] | None = None, data: TaggingData | None = None) -> Demo:
    """Notebook 07: step through test sentences; see which tokens each tagger (by run_name) gets right.

    Without trained taggers (tests, benchmark) it uses untrained ones, so only the shapes are meaningful.
    """
    if data is None:
        data = make_tagging_data(20, 5, 40, seed=0)
        taggers = {run_name(*run): new_tagger(*run, seed=0) for run in RUNS}
    elif not taggers:
        raise ValueError("pass the taggers with the data: tagging_demo({run_name: tagger, …}, data)")
    unknown = [name for name in taggers if name not in {run_name(*run) for run in RUNS}]
    if unknown:
        raise ValueError(f"taggers must be named like run_name(direction, layers), got {unknown}")
    test = data.test
    names = list(taggers)
    with torch.no_grad():
        guesses = [taggers[name].eval()(test.x).argmax(dim=-1) for name in names]
    figure = LiveFigure(figsize=(8.0, 1.6 + 0.45 * len(names)))
    ax = figure.ax
    colours = ListedColormap(["white", PALETTE["blue"], PALETTE["vermillion"]])
    edges_x, edges_y = np.arange(MAX_LENGTH + 1) - 0.5, np.arange(len(names) + 1) - 0.5
    grid = ax.pcolormesh(
        edges_x,
        edges_y,
        np.zeros((len(names), MAX_LENGTH)),
        cmap=colours,
        vmin=0,
        vmax=2,
        edgecolors="white",
        linewidth=1,
    )
    (needs_right,) = ax.plot([], [], "v", color=PALETTE["black"], markersize=7, label="decided by a later word")
    (needs_both,) = ax.plot([], [], "D", color=PALETTE["orange"], markersize=6, label="needs both sides")
    ax.set(xlim=(-0.5, MAX_LENGTH - 0.5), ylim=(len(names) - 0.5, -1.3))
    ax.set_yticks(range(len(names)), names)
    ax.legend(loc="upper right", fontsize=8, frameon=False, ncols=2)
    ax.grid(False)
    label(ax, "Blue: right tag, red: wrong tag", "position in the sentence", "")
    figure.animate(grid, needs_right, needs_both)

    def render(sentence: int) -> str:
        real = ~test.mask_pad[sentence]
        cells = [np.where(real, 1 + (guess[sentence] != test.y[sentence]).int(), 0) for guess in guesses]
        grid.set_array(np.stack(cells).ravel())
        for marker, mask in ((needs_right, test.mask_right), (needs_both, test.mask_both)):
            positions = torch.nonzero(mask[sentence]).flatten().numpy()
            marker.set_data(positions, np.full(len(positions), -0.85))
        words = [data.words[w] for w in test.x[sentence][real].tolist()]
        notes = []
        special = test.mask_right[sentence] | test.mask_left[sentence] | test.mask_both[sentence]
        for t in torch.nonzero(special).flatten().tolist():
            right = [bool(g[sentence, t] == test.y[sentence, t]) for g in guesses]
            marks = [
                f"{short_name(name)} {data.tags[int(g[sentence, t])]} {'✔' if ok else '✘'}"
                for name, g, ok in zip(names, guesses, right)
            ]
            word, tag = data.words[int(test.x[sentence, t])], data.tags[int(test.y[sentence, t])]
            notes.append(f"{word} ({tag}): " + ", ".join(marks))
        return f"{' '.join(words)}\n" + "\n".join(notes)

    controls = {"sentence": int_slider("test sentence", 0, 0, min(len(test.x), 100) - 1, width="350px")}
    return Demo("One way or both ways, one layer or more? Tagging test sentences", controls, render, figure)
