"""Notebook 08's widget: translate typed English with and without attention, and see where the attention looked.

The heat map's frame (title, axis names, colour bar) is drawn once with matplotlib; each update paints
the cells and the words straight into a copy of its pixels with Pillow (each word's image drawn once and
kept), which costs a few milliseconds where matplotlib's text took most of ~90. Translations are kept
per sentence, so going back to a sentence costs only the picture.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

from helpers.course.plotting import rgba_png
from helpers.course.widgets import Demo, LiveFigure
from helpers.seq2seq import Seq2Seq
from helpers.translation import (
    MAX_LEN,
    MAX_WORDS,
    Data,
    Reading,
    course_data,
    examples,
    french_text,
    known_pairs,
    load_translator,
    read_sentence,
)

WORD_POINTS = 7  # the words' font size, as in matplotlib (points at the figure's dpi)
SOURCE_ANGLE = 50  # the English words are written at this angle below the map, like rotated tick labels
KEPT_SENTENCES = 256  # translations kept per widget


@lru_cache(maxsize=4)
def _font(pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), pixels)


@lru_cache(maxsize=4096)
def word_mask(word: str, pixels: int, angle: int) -> tuple[Image.Image, tuple[float, float]]:
    """A word's ink as a greyscale mask turned by `angle` degrees (anticlockwise), and where its top-right
    corner (the anchor of right-aligned, top-aligned text) lands in the mask."""
    font = _font(pixels)
    left, top, right, bottom = font.getbbox(word)
    width, height = max(int(right), 1), max(int(bottom), 1)
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).text((0, 0), word, fill=255, font=font)
    if angle == 0:
        return mask, (float(width), 0.0)
    turned = mask.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    theta = np.deg2rad(angle)
    dx, dy = width / 2, -height / 2  # the top-right corner from the centre, y down
    x = turned.width / 2 + dx * np.cos(theta) + dy * np.sin(theta)
    y = turned.height / 2 - dx * np.sin(theta) + dy * np.cos(theta)
    return turned, (float(x), float(y))


class AttentionMap(LiveFigure):
    """The attention heat map with its words: a frame drawn once by matplotlib, the rest painted with Pillow."""

    def __init__(self, figsize: tuple[float, float] = (7.2, 5.0)):
        super().__init__(figsize=figsize)
        fig, ax = self.fig, self.ax
        fig.set_layout_engine("none")
        ax.set_position((0.17, 0.17, 0.68, 0.75))  # fixed room for the word labels outside the map
        fig.text(0.51, 0.02, "English words, as the encoder read them", ha="center", fontsize=9)
        fig.text(0.02, 0.55, "French words, as the decoder wrote them", rotation=90, va="center", fontsize=9)
        ax.set(xlim=(0, 1), ylim=(1, 0), xticks=[], yticks=[])
        ax.grid(False)
        ax.set_title("Where the attention looked while writing each French word", fontsize=10)
        heat = ax.imshow(np.zeros((1, 1)), cmap="viridis", vmin=0, vmax=1, extent=(0, 1, 1, 0), aspect="auto")
        colorbar = fig.colorbar(heat, cax=fig.add_axes((0.87, 0.17, 0.02, 0.75)))
        colorbar.set_label("attention weight α", fontsize=8)
        heat.set_visible(False)  # the cells are painted per update
        self._canvas.draw()
        self.frame = np.asarray(self._canvas.buffer_rgba())[..., :3].copy()
        height = self.frame.shape[0]
        x0, y0, x1, y1 = ax.get_window_extent().extents  # pixels, y up
        # the map's pixels inside its frame line: columns left..right, rows top..bottom (y down)
        self.box = (int(round(x0)) + 1, int(round(height - y1)) + 1, int(round(x1)), int(round(height - y0)))
        self.colours = (matplotlib.colormaps["viridis"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)
        self.pixels = round(WORD_POINTS * self.fig.dpi / 72)
        self.show([], [], None)

    def show(self, rows: list[str], columns: list[str], weights: np.ndarray | None, message: str = "") -> None:
        """Set what the next refresh paints: French words (rows), English words (columns), weights, a note."""
        if weights is not None and weights.shape != (len(rows), len(columns)):
            raise ValueError(f"expected weights of shape ({len(rows)}, {len(columns)}), got {weights.shape}")
        self.rows, self.columns, self.weights, self.message = rows, columns, weights, message

    def describe(self) -> str:
        """Alt text: the heat map's words and where each French word looked most."""
        if self.weights is None or not self.weights.size:
            return f"An empty attention map. {self.message}".strip()
        peaks = [f"{row} → {self.columns[int(np.argmax(w))]}" for row, w in zip(self.rows, self.weights)]
        return (
            f"A heat map of attention weights from 0 to 1: {len(self.rows)} French words (rows) against "
            f"{len(self.columns)} English words (columns). Where each French word looked most: {', '.join(peaks)}."
        )

    def paint(self) -> np.ndarray:
        """The picture's pixels (height, width, 3) for what `show` set."""
        pixels = self.frame.copy()
        left, top, right, bottom = self.box
        if self.weights is not None and self.weights.size:
            xs = np.linspace(left, right, self.weights.shape[1] + 1).round().astype(int)
            ys = np.linspace(top, bottom, self.weights.shape[0] + 1).round().astype(int)
            levels = (np.clip(np.nan_to_num(self.weights), 0, 1) * 255).round().astype(np.uint8)
            cells = self.colours[levels]  # (rows, columns, 3)
            pixels[top:bottom, left:right] = np.repeat(np.repeat(cells, np.diff(ys), axis=0), np.diff(xs), axis=1)
        image = Image.fromarray(pixels)
        ink = (0, 0, 0)
        for i, word in enumerate(self.columns[:MAX_WORDS]):
            mask, (ax_, ay_) = word_mask(word, self.pixels, SOURCE_ANGLE)
            x = left + (i + 0.5) * (right - left) / len(self.columns)
            image.paste(ink, (round(x - ax_), round(bottom + 3 - ay_)), mask)
        for i, word in enumerate(self.rows[:MAX_LEN]):
            mask, (ax_, _) = word_mask(word, self.pixels, 0)
            y = top + (i + 0.5) * (bottom - top) / len(self.rows)
            image.paste(ink, (round(left - 4 - ax_), round(y - mask.height / 2)), mask)
        if self.message:
            mask, _ = word_mask(self.message, round(9 * self.fig.dpi / 72), 0)
            x, y = (left + right - mask.width) / 2, (top + bottom - mask.height) / 2
            image.paste(ink, (round(x), round(y)), mask)
        return np.asarray(image)

    def refresh(self) -> None:
        """Paint and send the picture to the browser."""
        self.image.value = rgba_png(self.paint())


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
    figure = AttentionMap()
    readings: OrderedDict[str, Reading] = OrderedDict()  # the last KEPT_SENTENCES translations, by sentence

    def reading_of(sentence: str) -> Reading:
        if sentence in readings:
            readings.move_to_end(sentence)
        else:
            readings[sentence] = read_sentence(sentence, attention_model, plain_model, data, known)
            if len(readings) > KEPT_SENTENCES:
                readings.popitem(last=False)
        return readings[sentence]

    def render(sentence: str) -> str:
        reading = reading_of(sentence)
        if reading.problem:
            figure.show([], [], None, "nothing to show: see the message above")
            return reading.problem
        attended, plain = reading.with_attention, reading.without_attention
        if attended is None or plain is None:  # read_sentence gives both translations whenever there is no problem
            raise RuntimeError(f"no problem and no translations for {sentence!r}")
        if attended.tokens:
            figure.show(attended.tokens, reading.words, attended.attention)
        else:
            figure.show([], reading.words, None, "the model ended the sentence at once")
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
