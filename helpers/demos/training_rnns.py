"""Notebook 03's widget: a temperature slider over a character language model's next-character distribution."""

from __future__ import annotations

import numpy as np
import torch

from helpers.course.plotting import PALETTE, label
from helpers.course.widgets import Demo, LiveFigure, slider
from helpers.lm import CharLM, generate, with_temperature
from helpers.vocab import Vocabulary


def temperature_demo(
    model: CharLM | None = None,
    vocab: Vocabulary | None = None,
    prompt: str = "ROMEO:\n",
    length: int = 300,
    seed: int = 0,
) -> Demo:
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
