"""Notebook 01's widgets: one neuron on its activation curve, and gradient descent with a learning-rate slider."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from helpers.activations import ACTIVATIONS, get_activation
from helpers.course.plotting import PALETTE, label
from helpers.course.widgets import Demo, LiveFigure, slider
from helpers.neuron import descent_verdict, gradient_descent, neuron, neuron_terms


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
        "x1": slider("x₁", 0.5, -3, 3, 0.1),
        "x2": slider("x₂", 0.3, -3, 3, 0.1),
        "w1": slider("w₁", 2.0, -3, 3, 0.1),
        "w2": slider("w₂", -1.0, -3, 3, 0.1),
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
        return (
            f"α = {learning_rate:.2f}: after {len(points) - 1} steps x = {points[-1]:.4g}, "
            f"f(x) = {points[-1] ** 2:.4g} ({verdict})"
        )

    controls = {"learning_rate": slider("learning rate α", 0.1, 0.01, 1.2, 0.01)}
    return Demo("Gradient descent on f(x) = x², starting at x = 3", controls, render, figure)
