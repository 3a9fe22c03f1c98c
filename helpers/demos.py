"""The notebooks' widget demos: each builds controls and a reused figure around pure functions.

`DEMOS` lists every demo by notebook, so the benchmark (and the browser tests) can find them all.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.colors import ListedColormap

from helpers.activations import ACTIVATIONS, get_activation
from helpers.course import BLANK, MAX_GAP, PREFIX, SUFFIX, lookback, lookback_readout, signal_left
from helpers.gradients import EXPLODED, GRADIENT_ACTIVATIONS, VANISHED, gradient_decay
from helpers.lm import CharLM, generate, with_temperature
from helpers.memory import conveyor_belt
from helpers.neuron import descent_verdict, gradient_descent, neuron, neuron_terms
from helpers.plotting import PALETTE, label
from helpers.recall import Grid, load_grid, share_left
from helpers.tagging import Tagger, TaggingData, make_tagging_data
from helpers.tasks import Comparison, compare_cells
from helpers.seq2seq import Seq2Seq
from helpers.text import Vocabulary
from helpers.translation import (MAX_LEN, MAX_WORDS, Data, course_data, examples, french_text, known_pairs,
                                 load_translator, read_sentence)
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


UNROLL_MAX = 8


def unroll_demo(input_size: int = 10, hidden_size: int = 16, output_size: int = 10) -> Demo:
    """Notebook 02: a sequence-length slider unrolls one RNN cell into T copies that share weights."""
    figure = LiveFigure(figsize=(8.0, 3.2))
    ax = figure.ax
    ax.set(xlim=(-0.6, UNROLL_MAX + 0.6), ylim=(-0.6, 2.9))
    ax.set_yticks([0, 1, 2], ["input xₜ", "state hₜ", "output yₜ"])
    ax.set_xticks(range(UNROLL_MAX + 1))
    ax.grid(False)
    label(ax, "One RNN cell, unrolled over the sequence", "time step t (h₀ = 0 at t = 0)", "")
    steps = np.arange(1, UNROLL_MAX + 1)
    ax.scatter([0], [1], marker="s", s=650, color="white", edgecolors=PALETTE["black"])
    rows = [ax.scatter(steps, np.full(UNROLL_MAX, row), marker="s", s=650, color=colour, edgecolors=edge, zorder=3)
            for row, colour, edge in [(0, "#e6e6e6", PALETTE["black"]), (1, PALETTE["sky"], PALETTE["blue"]),
                                      (2, "#fde3b3", PALETTE["orange"])]]
    arrow = dict(angles="xy", scale_units="xy", scale=1, width=0.006, zorder=2)
    up = ax.quiver(np.r_[steps, steps], np.r_[np.full(UNROLL_MAX, 0.22), np.full(UNROLL_MAX, 1.22)], 0, 0.56,
                   color=PALETTE["black"], **arrow)
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
        return (f"T = {length}: {length} copies of one cell, each using the same W_xh, W_hh and W_hy. "
                f"Parameters (d = {input_size}, h = {hidden_size}, {output_size} outputs): {weights}, for any T.")

    controls = {"length": widgets.IntSlider(value=4, min=1, max=UNROLL_MAX, step=1, description="sequence length T",
                                            continuous_update=True, style={"description_width": "initial"},
                                            layout=widgets.Layout(width="350px"))}
    return Demo("Unfolding the loop: the same cell at every time step", controls, render, figure)


def temperature_demo(model: CharLM | None = None, vocab: Vocabulary | None = None, prompt: str = "ROMEO:\n",
                     length: int = 300, seed: int = 0) -> Demo:
    """Notebook 03: a temperature slider reshapes the next-character distribution and the sampled text.

    Without a model (tests, benchmark) it uses a small untrained one, so only the shapes are meaningful.
    """
    if model is None:
        vocab = Vocabulary.from_text("".join(chr(c) for c in range(32, 127)) + "\n")
        model = CharLM(len(vocab), 128, kind="lstm").requires_grad_(False)  # the size notebook 03 trains
    elif vocab is None:
        raise ValueError("pass the vocabulary the model was trained with: temperature_demo(model, vocab)")
    with torch.no_grad():
        logits, _ = model(vocab.encode(prompt).unsqueeze(0))
    last = logits[0, -1]
    top = torch.argsort(with_temperature(last, 1.0), descending=True)[:12]
    names = [repr(vocab.decode([int(i)]))[1:-1].replace("\\n", "⏎").replace(" ", "␣") for i in top]
    figure = LiveFigure(figsize=(7.0, 3.0))
    ax = figure.ax
    bars = ax.bar(range(len(top)), np.zeros(len(top)), color=PALETTE["blue"])
    ax.set_xticks(range(len(top)), names)
    ax.set(ylim=(0, 1))
    label(ax, f"Next character after {prompt!r}: the 12 likeliest at T = 1", "character", "probability at this T")
    figure.animate(*bars)

    def render(temperature: float) -> str:
        probabilities = with_temperature(last, temperature)
        for bar, p in zip(bars, probabilities[top].tolist()):
            bar.set_height(p)
        entropy = float(-(probabilities * probabilities.clamp_min(1e-12).log()).sum())
        text = generate(model, vocab, prompt, length, temperature, torch.Generator().manual_seed(seed))
        return f"T = {temperature:.2f} (entropy of the next character {entropy:.2f} nats):\n{text}"

    controls = {"temperature": slider("temperature T", 0.8, 0.1, 2.0, 0.05)}
    return Demo("Sampling with temperature: softmax(logits / T)", controls, render, figure, budget_ms=1000)


def gradient_decay_demo() -> Demo:
    """Notebook 04: how ‖∂h_T/∂h_k‖ fades or explodes with distance, for a chosen W_hh and activation."""
    longest = 300
    figure = LiveFigure(figsize=(6.6, 3.3))
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

    def render(length: int, radius: float, hidden: int, activation: str) -> str:
        decay = gradient_decay(length, radius, hidden, activation)
        measured.set_data(decay.distances, shown(decay.log10_norms))
        rate.set_data(decay.distances, shown(decay.log10_radius_line))
        bound.set_data(decay.distances, shown(decay.log10_bound))
        return f"T = {length}, ρ = {radius:.2f} (σ_max = {decay.sigma:.2f}), h = {hidden}, {activation}: {decay.verdict}"

    controls = {
        "length": widgets.IntSlider(value=200, min=5, max=longest, step=5, description="sequence length T",
                                    continuous_update=True, style={"description_width": "initial"},
                                    layout=widgets.Layout(width="320px")),
        "radius": slider("spectral radius ρ of W_hh", 0.9, 0.5, 1.5, 0.05),
        "hidden": widgets.IntSlider(value=32, min=4, max=64, step=4, description="hidden size h",
                                    continuous_update=True, style={"description_width": "initial"},
                                    layout=widgets.Layout(width="320px")),
        "activation": widgets.Dropdown(options=list(GRADIENT_ACTIVATIONS), value="tanh", description="activation"),
    }
    return Demo("The gradient-decay widget: ‖∂h_T/∂h_k‖ along a real trajectory", controls, render, figure)


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
        return (f"f = {forget:.2f}, i = {input_gate:.2f}, o = {output:.2f}: after {steps} steps the fact keeps "
                f"f^{steps} = {trace.fact[-1]:.3g} of its size; cell c = {trace.cell[-1]:.3f}, exposed h = {trace.exposed[-1]:.3f}")

    controls = {
        "forget": slider("forget gate f", 0.95, 0.0, 1.0, 0.01),
        "input_gate": slider("input gate i", 0.1, 0.0, 1.0, 0.01),
        "output": slider("output gate o", 1.0, 0.0, 1.0, 0.01),
        "steps": widgets.IntSlider(value=100, min=1, max=longest, step=1, description="steps T",
                                   continuous_update=True, style={"description_width": "initial"},
                                   layout=widgets.Layout(width="300px")),
    }
    return Demo("Gate levels and what the cell keeps", controls, render, figure)


def comparison_demo(comparison: Comparison | None = None) -> Demo:
    """Notebook 06: pick a dependency length; see RNN, LSTM and GRU accuracy and loss curves at that length.

    Without a comparison (tests, benchmark) it runs a tiny one, so only the shapes are meaningful.
    """
    if comparison is None:
        comparison = compare_cells(lengths=(3, 6), steps=5, hidden=8, test_size=64)
    names = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
    colours = {"rnn": PALETTE["vermillion"], "lstm": PALETTE["blue"], "gru": PALETTE["green"]}
    figure = LiveFigure(ncols=2, figsize=(9.0, 3.3))
    left, right = figure.axes
    bars = left.bar([names[k] for k in comparison.kinds], np.zeros(len(comparison.kinds)),
                    color=[colours[k] for k in comparison.kinds])
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

    controls = {"length": widgets.SelectionSlider(options=list(comparison.lengths), value=comparison.lengths[-1],
                                                  description="sequence length L", continuous_update=True,
                                                  style={"description_width": "initial"},
                                                  layout=widgets.Layout(width="350px"))}
    return Demo("RNN vs LSTM vs GRU: how far back can each remember?", controls, render, figure)


def tagging_demo(one_way: Tagger | None = None, both_ways: Tagger | None = None, data: TaggingData | None = None) -> Demo:
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
            marks = [f"{name} {data.tags[int(g[sentence, t])]} {'✔' if g[sentence, t] == test.y[sentence, t] else '✘'}"
                     for name, g in zip(("→", "↔"), guesses)]
            notes.append(f"{data.words[int(test.x[sentence, t])]}: " + ", ".join(marks))
        return f"{' '.join(words)}\n" + "; ".join(notes)

    controls = {"sentence": widgets.IntSlider(value=0, min=0, max=min(len(test.x), 100) - 1, step=1,
                                              description="test sentence", continuous_update=True,
                                              style={"description_width": "initial"}, layout=widgets.Layout(width="350px"))}
    return Demo("One way or both ways? Tagging test sentences", controls, render, figure)


def translate_demo(attention_model: Seq2Seq | None = None, plain_model: Seq2Seq | None = None,
                   data: Data | None = None) -> Demo:
    """Notebook 08: type English; read both translators' French and see where the attention looked.

    Without models it loads the cached, trained translators that notebook 08 uses.
    """
    if data is None:
        data = course_data()
        attention_model, plain_model = load_translator("attention", data), load_translator("plain", data)
    elif attention_model is None or plain_model is None:
        raise ValueError("pass both translators with the data: translate_demo(attention_model, plain_model, data)")
    known = known_pairs(data)
    figure = LiveFigure(figsize=(7.2, 5.0))
    figure.fig.set_layout_engine("none")
    ax = figure.ax
    ax.set_position((0.17, 0.17, 0.68, 0.75))  # fixed room for the word labels outside the map
    figure.fig.text(0.51, 0.02, "English words, as the encoder read them", ha="center", fontsize=9)
    figure.fig.text(0.02, 0.55, "French words, as the decoder wrote them", rotation=90, va="center", fontsize=9)
    ax.set(xlim=(0, 1), ylim=(1, 0), xticks=[], yticks=[])
    ax.grid(False)
    ax.set_title("Where the attention looked while writing each French word", fontsize=10)
    heat = ax.imshow(np.zeros((1, 1)), cmap="viridis", vmin=0, vmax=1, extent=(0, 1, 1, 0), aspect="auto",
                     interpolation="nearest")
    colorbar = figure.fig.colorbar(heat, cax=figure.fig.add_axes((0.87, 0.17, 0.02, 0.75)))
    colorbar.set_label("attention weight α", fontsize=8)
    source_words = [ax.text(0, 1.01, "", rotation=50, rotation_mode="anchor", ha="right", va="top", fontsize=7) for _ in range(MAX_WORDS)]
    output_words = [ax.text(-0.01, 0, "", ha="right", va="center", fontsize=7) for _ in range(MAX_LEN)]
    note = ax.text(0.5, 0.5, "", ha="center", va="center", fontsize=9, color=PALETTE["black"], wrap=True)
    figure.animate(heat, note, *source_words, *output_words)

    def show_map(rows: list[str], columns: list[str], weights: np.ndarray | None, message: str = "") -> None:
        heat.set_data(np.full((1, 1), np.nan) if weights is None else weights)
        for i, text in enumerate(source_words):
            text.set_text(columns[i] if i < len(columns) else "")
            text.set_x((i + 0.5) / max(len(columns), 1))
        for i, text in enumerate(output_words):
            text.set_text(rows[i] if i < len(rows) else "")
            text.set_y((i + 0.5) / max(len(rows), 1))
        note.set_text(message)

    def render(sentence: str) -> str:
        reading = read_sentence(sentence, attention_model, plain_model, data, known)
        if reading.problem:
            show_map([], [], None, "nothing to show: see the message above")
            return reading.problem
        attended = reading.with_attention
        if attended.tokens:
            show_map(attended.tokens, reading.words, attended.attention)
        else:
            show_map([], reading.words, None, "the model ended the sentence at once")
        lines = [f"with attention:    {french_text(attended)}", f"without attention: {french_text(reading.without_attention)}"]
        if reading.reference is None:
            lines.append("(not one of the phrasebook's sentences, so there is no reference to compare with)")
        else:
            marks = ["✔" if french_text(t) == reading.reference else "✘"
                     for t in (attended, reading.without_attention)]
            lines.append(f"phrasebook ({reading.split} pair): {reading.reference}   "
                         f"[with attention {marks[0]}, without {marks[1]}]")
        return "\n".join(lines)

    choices = [pair.english_text for pair in examples(data.splits.test)]
    controls = {"sentence": widgets.Combobox(value=choices[2], options=choices, ensure_option=False,
                                             description="English", continuous_update=False,
                                             placeholder="type a sentence and press Enter",
                                             style={"description_width": "initial"},
                                             layout=widgets.Layout(width="640px"))}
    return Demo("Translate it yourself: English → French", controls, render, figure, columns=1, budget_ms=50)


def memory_playground_demo(grid: Grid | None = None) -> Demo:
    """Notebook 09: a signal at step 1, recalled at step T. λ^T and f^T beside the measured recall of trained models.

    Reads the cached grid (data/memory/); a slider move never trains anything.
    """
    grid = load_grid() if grid is None else grid
    lengths, longest = np.array(grid.settings.lengths), max(grid.settings.lengths)
    chance = 1 / grid.settings.symbols
    names = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
    colours = {"rnn": PALETTE["vermillion"], "lstm": PALETTE["blue"], "gru": PALETTE["green"]}
    means = {kind: grid.accuracies(kind).mean(axis=1) for kind in ("lstm", "gru")}
    rnn_means = {r: grid.accuracies("rnn", r).mean(axis=1) for r in grid.settings.radii}
    figure = LiveFigure(ncols=2, figsize=(9.0, 3.3))
    left, right = figure.axes
    steps = np.arange(longest + 1)
    (rnn_curve,) = left.plot([], [], "-", color=colours["rnn"], linewidth=2, label="RNN: λ^t")
    (lstm_curve,) = left.plot([], [], "--", color=colours["lstm"], linewidth=2, label="LSTM cell: f^t")
    (now_left,) = left.plot([], [], ":", color=PALETTE["black"], linewidth=1.2)
    (at_t,) = left.plot([], [], "o", color=PALETTE["black"], markersize=5)
    left.set(yscale="log", xlim=(0, longest), ylim=(1e-6, 1e3))
    left.legend(loc="lower left", fontsize=8)
    label(left, "Analytic: what is left of the signal", "steps since the signal t", "share left (log scale)")
    for kind in ("lstm", "gru"):
        right.plot(lengths, means[kind], "o-" if kind == "lstm" else "s--", color=colours[kind], label=f"{names[kind]} (trained)")
    (rnn_line,) = right.plot([], [], "^-.", color=colours["rnn"], label="vanilla RNN (trained)")
    right.axhline(chance, color=PALETTE["black"], linestyle=":", linewidth=1, label="chance")
    (now_right,) = right.plot([], [], ":", color=PALETTE["black"], linewidth=1.2)
    right.set(xscale="log", xlim=(lengths[0] * 0.8, longest * 1.25), ylim=(0, 1.05))
    right.legend(loc="center left", fontsize=8)
    label(right, f"Measured: recall after training ({len(grid.settings.seeds)} seeds)", "sequence length T",
          "test accuracy (mean)")
    figure.animate(rnn_curve, lstm_curve, now_left, at_t, rnn_line, now_right)

    def render(length: int, eigenvalue: float, forget: float) -> str:
        radius = grid.nearest_radius(eigenvalue)
        lam, f = share_left(eigenvalue, longest), share_left(forget, longest)
        rnn_curve.set_data(steps, np.clip(lam, 1e-7, 1e4))
        lstm_curve.set_data(steps, np.clip(f, 1e-7, 1e4))
        now_left.set_data([length, length], [1e-6, 1e3])
        at_t.set_data([length, length], np.clip([lam[length], f[length]], 1e-7, 1e4))
        rnn_line.set_data(lengths, rnn_means[radius])
        now_right.set_data([length, length], [0, 1.05])
        row = list(lengths).index(length)
        measured = {"rnn": rnn_means[radius][row], **{kind: means[kind][row] for kind in means}}
        top_f = np.mean([run.forget[-1] for run in grid.runs_of("lstm", length)])
        return (f"T = {length}: analytic λ^T = {eigenvalue:.2f}^{length} = {lam[length]:.2g}, "
                f"f^T = {forget:.3f}^{length} = {f[length]:.2g}\n"
                f"measured recall at T = {length}: vanilla RNN (W_hh started at λ = {radius:g}) {measured['rnn']:.0%}, "
                f"LSTM {measured['lstm']:.0%}, GRU {measured['gru']:.0%}; chance {chance:.0%}\n"
                f"the trained LSTMs' most persistent unit keeps f = {top_f:.5f} on average")

    controls = {
        "length": widgets.SelectionSlider(options=[int(n) for n in lengths], value=40, description="sequence length T",
                                          continuous_update=True, style={"description_width": "initial"},
                                          layout=widgets.Layout(width="320px")),
        "eigenvalue": slider("RNN eigenvalue λ", 0.95, 0.5, 1.2, 0.05),
        "forget": slider("LSTM forget gate f", 0.99, 0.8, 1.0, 0.005, readout_format=".3f"),
    }
    return Demo("The memory playground: a signal at step 1, recalled at step T", controls, render, figure, columns=3)


DEMOS = {
    "00_course_map": [lookback_demo],
    "01_neurons": [neuron_demo, learning_rate_demo],
    "02_vanilla_rnn": [unroll_demo],
    "03_training_rnns": [temperature_demo],
    "04_vanishing_gradients": [gradient_decay_demo],
    "05_lstm": [gate_demo],
    "06_gru": [comparison_demo],
    "07_bidirectional": [tagging_demo],
    "08_seq2seq": [translate_demo],
    "09_memory_playground": [memory_playground_demo],
}
