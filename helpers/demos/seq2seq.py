"""Notebook 08's widget: translate typed English with and without attention, and see where the attention looked."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from helpers.course.plotting import PALETTE
from helpers.course.widgets import Demo, LiveFigure
from helpers.seq2seq import Seq2Seq
from helpers.translation import (
    MAX_LEN,
    MAX_WORDS,
    Data,
    course_data,
    examples,
    french_text,
    known_pairs,
    load_translator,
    read_sentence,
)


def translate_demo(
    attention_model: Seq2Seq | None = None, plain_model: Seq2Seq | None = None, data: Data | None = None
) -> Demo:
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
    heat = ax.imshow(
        np.zeros((1, 1)), cmap="viridis", vmin=0, vmax=1, extent=(0, 1, 1, 0), aspect="auto", interpolation="nearest"
    )
    colorbar = figure.fig.colorbar(heat, cax=figure.fig.add_axes((0.87, 0.17, 0.02, 0.75)))
    colorbar.set_label("attention weight α", fontsize=8)
    source_words = [
        ax.text(0, 1.01, "", rotation=50, rotation_mode="anchor", ha="right", va="top", fontsize=7)
        for _ in range(MAX_WORDS)
    ]
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
        attended, plain = reading.with_attention, reading.without_attention
        if attended is None or plain is None:  # read_sentence gives both translations whenever there is no problem
            raise RuntimeError(f"no problem and no translations for {sentence!r}")
        if attended.tokens:
            show_map(attended.tokens, reading.words, attended.attention)
        else:
            show_map([], reading.words, None, "the model ended the sentence at once")
        lines = [f"with attention:    {french_text(attended)}", f"without attention: {french_text(plain)}"]
        if reading.reference is None:
            lines.append("(not one of the phrasebook's sentences, so there is no reference to compare with)")
        else:
            marks = ["✔" if french_text(t) == reading.reference else "✘" for t in (attended, plain)]
            lines.append(
                f"phrasebook ({reading.split} pair): {reading.reference}   "
                f"[with attention {marks[0]}, without {marks[1]}]"
            )
        return "\n".join(lines)

    choices = [pair.english_text for pair in examples(data.splits.test)]
    controls = {
        "sentence": widgets.Combobox(
            value=choices[2],
            options=choices,
            ensure_option=False,
            description="English",
            continuous_update=False,
            placeholder="type a sentence and press Enter",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="640px"),
        )
    }
    return Demo("Translate it yourself: English → French", controls, render, figure, columns=1, budget_ms=50)
