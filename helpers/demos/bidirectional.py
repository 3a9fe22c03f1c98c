"""Notebook 07's widget: which tokens a one-way and a two-way tagger get right, sentence by sentence."""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.colors import ListedColormap

from helpers.course.plotting import PALETTE, label
from helpers.course.widgets import Demo, LiveFigure, int_slider
from helpers.tagging import Tagger, TaggingData, make_tagging_data


def tagging_demo(
    one_way: Tagger | None = None, both_ways: Tagger | None = None, data: TaggingData | None = None
) -> Demo:
    """Notebook 07: step through test sentences; see which tokens a one-way and a two-way tagger get right.

    Without trained taggers (tests, benchmark) it uses untrained ones, so only the shapes are meaningful.
    """
    if data is None:
        data = make_tagging_data(20, 5, 20, seed=0)
        torch.manual_seed(0)
        one_way = Tagger(len(data.words), len(data.tags))
        both_ways = Tagger(len(data.words), len(data.tags), bidirectional=True)
    elif one_way is None or both_ways is None:
        raise ValueError("pass both taggers with the data: tagging_demo(one_way, both_ways, data)")
    test = data.test
    with torch.no_grad():
        guesses = [model.eval()(test.x).argmax(dim=-1) for model in (one_way, both_ways)]
    figure = LiveFigure(figsize=(8.0, 2.6))
    ax = figure.ax
    colours = ListedColormap(["white", PALETTE["blue"], PALETTE["vermillion"]])
    grid = ax.imshow(np.zeros((2, test.x.shape[1])), cmap=colours, vmin=0, vmax=2, aspect="auto")
    (needs_right,) = ax.plot([], [], "v", color=PALETTE["black"], markersize=7, label="tag decided by a later word")
    ax.set(ylim=(1.5, -1.2))
    ax.set_yticks([0, 1], ["one way →", "both ways ↔"])
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.grid(False)
    label(ax, "Blue: right tag, red: wrong tag", "position in the sentence", "")
    figure.animate(grid, needs_right)

    def render(sentence: int) -> str:
        real = ~test.mask_pad[sentence]
        cells = [np.where(real, 1 + (guess[sentence] != test.y[sentence]).int(), 0) for guess in guesses]
        grid.set_data(np.stack(cells))
        positions = torch.nonzero(test.mask_right[sentence]).flatten().numpy()
        needs_right.set_data(positions, np.full(len(positions), -0.75))
        words = [data.words[w] for w in test.x[sentence][real].tolist()]
        notes = []
        for t in torch.nonzero(test.mask_right[sentence] | test.mask_left[sentence]).flatten().tolist():
            marks = [
                f"{name} {data.tags[int(g[sentence, t])]} {'✔' if g[sentence, t] == test.y[sentence, t] else '✘'}"
                for name, g in zip(("→", "↔"), guesses)
            ]
            notes.append(f"{data.words[int(test.x[sentence, t])]}: " + ", ".join(marks))
        return f"{' '.join(words)}\n" + "; ".join(notes)

    controls = {"sentence": int_slider("test sentence", 0, 0, min(len(test.x), 100) - 1, width="350px")}
    return Demo("One way or both ways? Tagging test sentences", controls, render, figure)
