"""Notebook 02's widget: one RNN cell unrolled over a sequence."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.course import validate
from helpers.course.plotting import PALETTE, label
from helpers.course.widgets import Demo, LiveFigure, int_slider

UNROLL_MAX = 8


def unroll_demo(input_size: int = 10, hidden_size: int = 16, output_size: int = 10) -> Demo:
    """Notebook 02: a sequence-length slider unrolls one RNN cell into T copies that share weights."""
    validate.whole("input_size", input_size)
    validate.whole("hidden_size", hidden_size)
    validate.whole("output_size", output_size, low=0)
    figure = LiveFigure(figsize=(8.0, 3.2))
    ax = figure.ax
    ax.set(xlim=(-0.6, UNROLL_MAX + 0.6), ylim=(-0.6, 2.9))
    ax.set_yticks([0, 1, 2], ["input xₜ", "state hₜ", "output yₜ"])
    ax.set_xticks(range(UNROLL_MAX + 1))
    ax.grid(False)
    label(ax, "One RNN cell, unrolled over the sequence", "time step t (h₀ = 0 at t = 0)", "")
    steps = np.arange(1, UNROLL_MAX + 1)
    ax.scatter([0], [1], marker="s", s=650, color="white", edgecolors=PALETTE["black"])
    rows = [
        ax.scatter(steps, np.full(UNROLL_MAX, row), marker="s", s=650, color=colour, edgecolors=edge, zorder=3)
        for row, colour, edge in [
            (0, "#e6e6e6", PALETTE["black"]),
            (1, PALETTE["sky"], PALETTE["blue"]),
            (2, "#fde3b3", PALETTE["orange"]),
        ]
    ]
    arrow: dict[str, Any] = dict(angles="xy", scale_units="xy", scale=1, width=0.006, zorder=2)
    up = ax.quiver(
        np.r_[steps, steps],
        np.r_[np.full(UNROLL_MAX, 0.22), np.full(UNROLL_MAX, 1.22)],
        0,
        0.56,
        color=PALETTE["black"],
        **arrow,
    )
    across = ax.quiver(steps - 0.78, np.ones(UNROLL_MAX), 0.56, 0, color=PALETTE["blue"], **arrow)
    ax.text(0.1, 2.55, "the same W_xh (↑ from xₜ), W_hh (→) and W_hy (↑ to yₜ) at every step", fontsize=9)
    figure.animate(*rows, up, across)
    weights = hidden_size * (hidden_size + input_size + 1) + output_size * (hidden_size + 1)

    def render(length: int) -> str:
        shown = steps <= length
        for y, row in enumerate(rows):  # rows 0, 1, 2: inputs, states, outputs
            row.set_offsets(np.c_[steps[shown], np.full(shown.sum(), y)])
        up.set_facecolor([(0, 0, 0, float(s)) for s in np.r_[shown, shown]])
        across.set_facecolor([(0, 0.447, 0.698, float(s)) for s in shown])
        return (
            f"T = {length}: {length} copies of one cell, each using the same W_xh, W_hh and W_hy. "
            f"Parameters (d = {input_size}, h = {hidden_size}, {output_size} outputs): {weights}, for any T."
        )

    controls = {"length": int_slider("sequence length T", 4, 1, UNROLL_MAX, width="350px")}
    return Demo("Unfolding the loop: the same cell at every time step", controls, render, figure)
