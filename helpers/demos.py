"""The notebooks' widget demos: each builds controls and a reused figure around pure functions.

`DEMOS` lists every demo by notebook, so the benchmark (and the browser tests) can find them all.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from helpers.activations import ACTIVATIONS, get_activation
from helpers.course import BLANK, MAX_GAP, PREFIX, SUFFIX, lookback, lookback_readout, signal_left
from helpers.neuron import descent_verdict, gradient_descent, neuron, neuron_terms
from helpers.plotting import PALETTE, label
from helpers.widgets import Demo, LiveFigure, slider


def neuron_demo() -> Demo:
    """Notebook 01: sliders for inputs, weights and bias, a dropdown for the activation."""
    figure = LiveFigure(figsize=(6.0, 3.2))
    ax = figure.ax
    zs = np.linspace(-6, 6, 241)
    (curve,) = ax.plot(zs, np.tanh(zs), color=PALETTE["blue"], label="activation f(z)")
    (guide,) = ax.plot([0.0, 0.0], [-3, 3], color=PALETTE["black"], linestyle=":", linewidth=1.2)
    (point,) = ax.plot([0.0], [0.0], "o", color=PALETTE["vermillion"], markersize=10, label="this neuron")
    ax.set(xlim=(-6, 6), ylim=(-3, 3))
    ax.legend(loc="upper left")
    label(ax, "Where the neuron sits on its activation curve", "pre-activation z = w·x + b", "output y = f(z)")
    figure.animate(curve, guide, point)

    def render(x1: float, x2: float, w1: float, w2: float, b: float, activation: str) -> str:
        x, w = np.array([x1, x2]), np.array([w1, w2])
        z, y = neuron(x, w, b, activation)
        f, _ = get_activation(activation)
        curve.set_ydata(f(zs))
        guide.set_xdata([z, z])
        point.set_data([np.clip(z, -6, 6)], [np.clip(y, -3, 3)])
        return f"z = {neuron_terms(x, w, b)} = {z:.3f};  y = {activation}(z) = {y:.3f}"

    controls = {
        "x1": slider("x₁", 0.5, -3, 3, 0.1), "x2": slider("x₂", 0.3, -3, 3, 0.1),
        "w1": slider("w₁", 2.0, -3, 3, 0.1), "w2": slider("w₂", -1.0, -3, 3, 0.1),
        "b": slider("b", 0.1, -3, 3, 0.1),
        "activation": widgets.Dropdown(options=list(ACTIVATIONS), value="tanh", description="activation"),
    }
    return Demo("An interactive neuron: y = f(w₁x₁ + w₂x₂ + b)", controls, render, figure)


def learning_rate_demo() -> Demo:
    """Notebook 01: gradient descent on f(x) = x² from x = 3, with a learning-rate slider."""
    figure = LiveFigure(ncols=2, figsize=(8.0, 3.2))
    left, right = figure.axes
    xs = np.linspace(-4, 4, 161)
    left.plot(xs, xs**2, color=PALETTE["blue"], label="f(x) = x²")
    (path,) = left.plot([], [], "o-", color=PALETTE["vermillion"], markersize=5, linewidth=1.2, label="descent path")
    left.set(xlim=(-4, 4), ylim=(-0.5, 16))
    left.legend(loc="upper center")
    label(left, "The path of x on the loss curve", "x", "f(x)")
    (loss_line,) = right.plot([], [], "s-", color=PALETTE["orange"], markersize=4)
    right.set(yscale="log", xlim=(0, 20), ylim=(1e-12, 1e8))
    label(right, "Loss per step (log scale)", "step k", "f(xₖ) = xₖ²")
    figure.animate(path, loss_line)
    steps = 20

    def render(learning_rate: float) -> str:
        points = gradient_descent(lambda x: 2 * x, start=3.0, learning_rate=learning_rate, steps=steps)
        verdict = descent_verdict(points)
        shown = np.clip(points, -4, 4)
        path.set_data(shown, shown**2)
        loss_line.set_data(np.arange(len(points)), np.maximum(points**2, 1e-12))
        return f"α = {learning_rate:.2f}: after {len(points) - 1} steps x = {points[-1]:.4g}, f(x) = {points[-1] ** 2:.4g} ({verdict})"

    controls = {"learning_rate": slider("learning rate α", 0.1, 0.01, 1.2, 0.01)}
    return Demo("Gradient descent on f(x) = x², starting at x = 3", controls, render, figure)


def lookback_demo() -> Demo:
    """Notebook 00: how far back must a model look? A gap slider moves 'france' away from the blank."""
    figure = LiveFigure(nrows=2, figsize=(6.4, 4.2))
    top, bottom = figure.axes
    far = MAX_GAP + len(PREFIX) + len(SUFFIX) - 1  # words before the blank at the largest gap
    top.plot([1, 2], [0, 0], "s", color=PALETTE["orange"], markersize=7, label="words a trigram sees")
    top.plot([0, 0], [0, 1], "o", color=PALETTE["black"], markerfacecolor="white", markersize=8,
             label=f"the blank {BLANK}")
    (read,) = top.plot([], [], "s", color=PALETTE["blue"], markersize=4, label="words an RNN has read")
    (france,) = top.plot([], [], "*", color=PALETTE["vermillion"], markersize=15, label="'france'")
    (guide_top,) = top.plot([], [], ":", color=PALETTE["vermillion"], linewidth=1.5)
    top.set(xlim=(far + 1, -1), ylim=(-1.5, 1.5))
    top.set_yticks([0, 1], ["trigram", "RNN"])
    top.legend(loc="lower left", ncols=2, fontsize=8)
    label(top, "Which words can each model use to fill the blank?", "", "model")
    steps = np.arange(far + 1)
    bottom.plot(steps, 0.9**steps, color=PALETTE["sky"], linestyle="--",
                label="preview: shrinks by 10 % per step (notebook 04 measures it)")
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

    controls = {"gap": widgets.IntSlider(value=10, min=0, max=MAX_GAP, step=1, description="filler words (gap)",
                                         continuous_update=True, style={"description_width": "initial"},
                                         layout=widgets.Layout(width="350px"))}
    return Demo("How far back must the model look? 'i grew up in france … i speak ___'", controls, render, figure)


DEMOS = {
    "00_course_map": [lookback_demo],
    "01_neurons": [neuron_demo, learning_rate_demo],
}
