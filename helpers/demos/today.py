"""Notebook 10's widget: what one more generated token costs a GRU, an attention layer and a transformer block."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from helpers.course.plotting import PALETTE, label
from helpers.course.widgets import Demo, LiveFigure, choice_slider
from helpers.today import (
    AttentionDecoder,
    Decoder,
    RecurrentDecoder,
    TokenCost,
    TransformerDecoder,
    measure_token_costs,
    median_cost,
)

WIDTHS = (64, 256)
PREFIXES = [16, 64, 256, 1024, 4096, 8192]
STYLES = {  # name: (colour, line style)
    "GRU": (PALETTE["blue"], "o-"),
    "attention": (PALETTE["vermillion"], "s--"),
    "transformer block": (PALETTE["green"], "^:"),
}


def decoders(hidden_size: int, vocab_size: int = 64) -> dict[str, Decoder]:
    """The three decoders the widget compares, all of width hidden_size."""
    return {
        "GRU": RecurrentDecoder(vocab_size, hidden_size),
        "attention": AttentionDecoder(vocab_size, hidden_size),
        "transformer block": TransformerDecoder(vocab_size, hidden_size),
    }


def measure_widths(
    widths: tuple[int, ...] = WIDTHS, prefixes: list[int] | None = None, rounds: int = 3, repeats: int = 15
) -> dict[int, dict[str, list[TokenCost]]]:
    """Measured cost per token of the three decoders at each width: {width: {name: one TokenCost per round}}."""
    prefixes = PREFIXES if prefixes is None else prefixes
    return {d: measure_token_costs(decoders(d), prefixes, rounds=rounds, repeats=repeats) for d in widths}


def cost_readout(width: int, prefix: int, costs: dict[str, TokenCost]) -> str:
    """The exact numbers behind the widget at one width and prefix: multiply–adds and memory per token."""
    at = costs["GRU"].prefix_lengths.index(prefix)
    adds = {name: int(cost.multiply_adds[at]) for name, cost in costs.items()}
    memory = {name: int(cost.state_bytes[at]) for name, cost in costs.items()}
    cheaper = "fewer" if adds["attention"] < adds["GRU"] else "more"
    return (
        f"width d = {width}, after a prefix of n = {prefix:,} tokens, the next token costs\n"
        + "\n".join(f"  {name:<18} {adds[name]:>10,} multiply–adds, {memory[name]:>10,} bytes held" for name in costs)
        + f"\nattention alone does {cheaper} multiply–adds than the GRU here (equal at n + 1 = d = {width});"
        + "\nthe transformer block's MLP adds 8d² to every token, so it never does fewer."
        + "\nLeft: the measured time (median over rounds; yours will differ). Right: the exact counts."
    )


def token_cost_demo(measured: dict[int, dict[str, list[TokenCost]]] | None = None) -> Demo:
    """Notebook 10: slide the prefix length and the width; see the measured time and the exact cost per token."""
    if measured is None:  # a quick measurement, for the benchmark and the tests; the notebook passes its own
        measured = measure_widths(rounds=1, repeats=3)
    widths = sorted(measured)
    costs = {d: {name: median_cost(rounds) for name, rounds in measured[d].items()} for d in widths}
    prefixes = costs[widths[0]]["GRU"].prefix_lengths
    if any(cost.prefix_lengths != prefixes for d in widths for cost in costs[d].values()):
        raise ValueError("expected every decoder and width measured at the same prefix lengths")

    figure = LiveFigure(ncols=2, figsize=(8.0, 3.0))
    left, right = figure.axes
    seconds = np.concatenate([cost.seconds_per_token for d in widths for cost in costs[d].values()]) * 1e6
    adds = np.concatenate([cost.multiply_adds for d in widths for cost in costs[d].values()])
    lines = {}
    for name, (colour, style) in STYLES.items():
        (lines[name, "time"],) = left.plot([], [], style, color=colour, label=name)
        (lines[name, "adds"],) = right.plot([], [], style, color=colour, label=name)
    colours = [colour for colour, _ in STYLES.values()]
    markers = {  # the chosen prefix on every curve: one artist per panel, so an update draws few artists
        what: ax.scatter([1] * len(STYLES), [1] * len(STYLES), s=120, c=colours, alpha=0.45)
        for what, ax in (("time", left), ("adds", right))
    }
    for ax, values in ((left, seconds), (right, adds)):
        ax.set(xscale="log", yscale="log", xlim=(prefixes[0] / 1.5, prefixes[-1] * 1.5))
        ax.set_ylim(values.min() / 1.5, values.max() * 1.5)
        ax.legend(fontsize=8, loc="upper left")
    label(left, "Measured time for one more token", "prefix length n (log)", "µs per token (log)")
    label(right, "Multiply–adds for one more token", "prefix length n (log)", "multiply–adds (log)")
    figure.animate(*lines.values(), *markers.values())

    def render(prefix: int, width: int) -> str:
        at = prefixes.index(prefix)
        points: dict[str, list[tuple[float, float]]] = {"time": [], "adds": []}
        for name in STYLES:
            cost = costs[width][name]
            for what, values in (("time", cost.seconds_per_token * 1e6), ("adds", cost.multiply_adds)):
                lines[name, what].set_data(prefixes, values)
                points[what].append((prefix, float(values[at])))
        for what, marker in markers.items():
            marker.set_offsets(points[what])
        return cost_readout(width, prefix, costs[width])

    controls = {
        "prefix": choice_slider("prefix length n", prefixes, prefixes[3] if len(prefixes) > 3 else prefixes[0]),
        "width": widgets.Dropdown(options=widths, value=widths[0], description="width d"),
    }
    return Demo("What does one more token cost?", controls, render, figure)
