"""Notebook 00's widget: how far back must a model look to fill a blank?"""

from __future__ import annotations

import numpy as np

from helpers.course.plotting import PALETTE, label
from helpers.course.widgets import Demo, LiveFigure, int_slider
from helpers.course_map import BLANK, MAX_GAP, PREFIX, SUFFIX, lookback, lookback_readout, signal_left


def lookback_demo() -> Demo:
    """Notebook 00: how far back must a model look? A gap slider moves 'france' away from the blank."""
    figure = LiveFigure(nrows=2, figsize=(6.0, 3.9))
    top, bottom = figure.axes
    far = MAX_GAP + len(PREFIX) + len(SUFFIX) - 1  # words before the blank at the largest gap
    top.plot([1, 2], [0, 0], "s", color=PALETTE["orange"], markersize=7, label="words a trigram sees")
    top.plot(
        [0, 0], [0, 1], "o", color=PALETTE["black"], markerfacecolor="white", markersize=8, label=f"the blank {BLANK}"
    )
    (read,) = top.plot([], [], "s", color=PALETTE["blue"], markersize=4, label="words an RNN has read")
    (france,) = top.plot([], [], "*", color=PALETTE["vermillion"], markersize=15, label="'france'")
    (guide_top,) = top.plot([], [], ":", color=PALETTE["vermillion"], linewidth=1.5)
    top.set(xlim=(far + 1, -1), ylim=(-1.5, 1.5))
    top.set_yticks([0, 1], ["trigram", "RNN"])
    top.legend(loc="lower left", ncols=2, fontsize=8)
    label(top, "Which words can each model use to fill the blank?", "", "model")
    steps = np.arange(far + 1)
    bottom.plot(
        steps,
        0.9**steps,
        color=PALETTE["sky"],
        linestyle="--",
        label="preview: shrinks by 10 % per step (notebook 04 measures it)",
    )
    (guide_bottom,) = bottom.plot([], [], ":", color=PALETTE["vermillion"], linewidth=1.5)
    (signal,) = bottom.plot([], [], "*", color=PALETTE["vermillion"], markersize=15)
    bottom.set(xlim=(far + 1, -1), ylim=(0, 1.1))
    bottom.legend(loc="upper left", fontsize=8)
    label(bottom, "What is left of 'france' by the blank (a preview)", "words back from the blank", "signal 0.9^k")
    figure.animate(read, france, guide_top, guide_bottom, signal)

    def render(gap: int) -> str:
        info = lookback(gap)
        distance = info["distance"]
        read.set_data(np.arange(1, info["words"] + 1), np.ones(info["words"]))
        france.set_data([distance], [1])
        guide_top.set_data([distance, distance], [-0.3, 1.3])
        guide_bottom.set_data([distance, distance], [0, 1.1])
        signal.set_data([distance], [signal_left(distance)])
        return lookback_readout(gap)

    controls = {"gap": int_slider("filler words (gap)", 10, 0, MAX_GAP, width="350px")}
    return Demo("How far back must the model look? 'i grew up in france … i speak ___'", controls, render, figure)
