"""Notebook 05's widget: the LSTM's conveyor belt with the gates held at fixed levels."""

from __future__ import annotations

import numpy as np

from helpers.conveyor import conveyor_belt
from helpers.course.plotting import PALETTE, label
from helpers.course.widgets import Demo, LiveFigure, int_slider, slider


def gate_demo() -> Demo:
    """Notebook 05: forget, input and output gate levels decide what the LSTM cell keeps and shows."""
    longest = 200
    figure = LiveFigure(figsize=(7.0, 3.4))
    ax = figure.ax
    ax.set(xlim=(0, longest), ylim=(-1.6, 1.6))
    ax.axhline(0, color=PALETTE["black"], linewidth=0.6)
    (fact,) = ax.plot([], [], "--", color=PALETTE["orange"], linewidth=2, label="what is left of the first fact, f^t")
    (cell,) = ax.plot([], [], "-", color=PALETTE["blue"], linewidth=1.8, label="cell state cₜ")
    (exposed,) = ax.plot([], [], "-", color=PALETTE["vermillion"], linewidth=1.2, label="exposed hₜ = o·tanh(cₜ)")
    ax.legend(loc="lower left", fontsize=8, ncols=3)
    label(ax, "The LSTM's conveyor belt with fixed gates (c₀ = 1 holds a fact)", "time step t", "value")
    figure.animate(fact, cell, exposed)

    def render(forget: float, input_gate: float, output: float, steps: int) -> str:
        trace = conveyor_belt(forget, input_gate, output, steps)
        t = np.arange(steps + 1)
        fact.set_data(t, trace.fact)
        cell.set_data(t, trace.cell)
        exposed.set_data(t, trace.exposed)
        return (
            f"f = {forget:.2f}, i = {input_gate:.2f}, o = {output:.2f}: after {steps} steps the fact keeps "
            f"f^{steps} = {trace.fact[-1]:.3g} of its size; "
            f"cell c = {trace.cell[-1]:.3f}, exposed h = {trace.exposed[-1]:.3f}"
        )

    controls = {
        "forget": slider("forget gate f", 0.95, 0.0, 1.0, 0.01),
        "input_gate": slider("input gate i", 0.1, 0.0, 1.0, 0.01),
        "output": slider("output gate o", 1.0, 0.0, 1.0, 0.01),
        "steps": int_slider("steps T", 100, 1, longest, width="300px"),
    }
    return Demo("Gate levels and what the cell keeps", controls, render, figure)
