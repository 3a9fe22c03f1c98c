"""Notebook 04's widget: how much gradient reaches k steps back along a real trajectory."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from helpers.course.plotting import PALETTE, label
from helpers.course.widgets import Demo, LiveFigure, int_slider, slider
from helpers.gradients import EXPLODED, GRADIENT_ACTIVATIONS, VANISHED, gradient_decay


def gradient_decay_demo() -> Demo:
    """Notebook 04: how ‖∂h_T/∂h_k‖ fades or explodes with distance, for a chosen W_hh and activation."""
    longest = 300
    figure = LiveFigure(figsize=(5.8, 2.9))
    ax = figure.ax
    ax.set(xlim=(0, longest), ylim=(EXPLODED - 62, EXPLODED + 2))
    for level, text in [(EXPLODED, "exploded beyond 1e30"), (VANISHED, "vanished below 1e-30")]:
        ax.axhline(level, color=PALETTE["vermillion"], linewidth=0.8)
        ax.text(longest - 2, level + 0.8, text, ha="right", fontsize=8)
    (bound,) = ax.plot([], [], ":", color=PALETTE["black"], linewidth=1.5, label="bound σ_max^(T−k)")
    (rate,) = ax.plot([], [], "--", color=PALETTE["orange"], linewidth=1.5, label="spectral radius ρ^(T−k)")
    (measured,) = ax.plot([], [], "-", color=PALETTE["blue"], linewidth=2.2, label="measured ‖∂h_T/∂h_k‖")
    ax.legend(loc="lower left", fontsize=8)
    label(ax, "How much gradient reaches k steps back?", "distance T − k (steps back)", "log₁₀ ‖∂h_T/∂h_k‖")
    figure.animate(bound, rate, measured)

    def shown(values):
        return np.clip(np.nan_to_num(values, neginf=VANISHED - 1), VANISHED - 1, EXPLODED + 1)

    def render(length: int, radius: float, hidden_size: int, activation: str) -> str:
        decay = gradient_decay(length, radius, hidden_size, activation)
        measured.set_data(decay.distances, shown(decay.log10_norms))
        rate.set_data(decay.distances, shown(decay.log10_radius_line))
        bound.set_data(decay.distances, shown(decay.log10_bound))
        return (
            f"T = {length}, ρ = {radius:.2f} (σ_max = {decay.sigma:.2f}), h = {hidden_size}, "
            f"{activation}: {decay.verdict}"
        )

    controls = {
        "length": int_slider("sequence length T", 200, 5, longest, 5),
        "radius": slider("spectral radius ρ of W_hh", 0.9, 0.5, 1.5, 0.05),
        "hidden_size": int_slider("hidden size h", 32, 4, 64, 4),
        "activation": widgets.Dropdown(options=list(GRADIENT_ACTIVATIONS), value="tanh", description="activation"),
    }
    return Demo("The gradient-decay widget: ‖∂h_T/∂h_k‖ along a real trajectory", controls, render, figure)
