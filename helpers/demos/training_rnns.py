"""Notebook 03's widgets: a temperature slider over a character language model's next-character distribution,
and the connectivity view (which earlier characters a prediction depends on)."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib import font_manager
from matplotlib.collections import LineCollection
from matplotlib.font_manager import FontProperties
from matplotlib.image import AxesImage
from matplotlib.transforms import IdentityTransform
from PIL import Image, ImageDraw, ImageFont

from helpers.connectivity import prediction_gradients, reach
from helpers.course import validate
from helpers.course.plotting import PALETTE, WIDGET_DPI, label
from helpers.course.widgets import Demo, LiveFigure, int_slider, slider
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
    length = validate.whole("length", length, low=0)
    seed = validate.seed("seed", seed)
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


# --- The connectivity view: which earlier characters a prediction depends on ------------------------------

NEWLINE_MARK = "⏎"  # how a line break shows in the one-line text box (typing it there means a line break)
DEFAULT_PASSAGES = [  # public-domain lines for the no-argument demo (tests, benchmark); notebook 03 passes its own
    "ORSINO:\nIf music be the food of love, play on;\nGive me excess of it, that, surfeiting,\n"
    "The appetite may sicken, and so die.",
    "MACBETH:\nSo foul and fair a day I have not seen.\n\nBANQUO:\nHow far is't call'd to Forres?",
]
GREY = "#8c8c8c"  # characters not read yet


def _shown(char: str, newline: str = NEWLINE_MARK) -> str:
    """A character as a readable label: line break ⏎ (or `newline`), space ␣."""
    return {"\n": newline, " ": "␣"}.get(char, char)


def _preview(passage: str, width: int = 48) -> str:
    flat = passage.replace("\n", NEWLINE_MARK)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _font(family: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_manager.findfont(FontProperties(family=family)), size=size_px)


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.uint8)


class _PixelText:
    """Text drawn by Pillow into an image at fixed pixels of a widget figure.

    Matplotlib lays out and rasterises every glyph of a Text artist on every redraw (about 0.1 ms a glyph);
    a line of 120 characters and two titles would take most of a 50 ms update. Pillow draws a title in well
    under a millisecond, and the text strip is glued from glyph tiles rendered once.
    """

    def __init__(self, ax, box: tuple[int, int, int, int]):  # (x, y, width, height) in pixels, y from the bottom
        x, y, width, height = box
        self.size = (width, height)
        self.image = AxesImage(ax, interpolation="none", origin="upper", transform=IdentityTransform())
        self.image.set_extent((x, x + width, y, y + height))
        self.image.set_clip_on(False)
        ax.add_image(self.image)
        self.clear()

    def clear(self) -> None:
        self.image.set_data(np.zeros((self.size[1], self.size[0], 4), dtype=np.uint8))

    def show(self, alpha: np.ndarray, colours: np.ndarray) -> None:
        """Paint an alpha mask (height, ≤ width) in per-column colours (≤ width, 3)."""
        width, height = self.size
        rgba = np.zeros((height, width, 4), dtype=np.uint8)
        columns = min(alpha.shape[1], width)
        rgba[:, :columns, :3] = colours[:columns]
        rgba[:, :columns, 3] = alpha[:height, :columns]
        self.image.set_data(rgba)

    def write(self, text: str, font: ImageFont.FreeTypeFont, colour: str = PALETTE["black"]) -> None:
        """One line of text, left-aligned."""
        mask = Image.new("L", self.size, 0)
        ImageDraw.Draw(mask).text((0, 0), text, fill=255, font=font)
        self.show(np.asarray(mask), np.tile(_rgb(colour), (self.size[0], 1)))


class _SkippingFigure(LiveFigure):
    """A LiveFigure that skips a refresh when the render left everything as it was (a linked control re-renders)."""

    changed = True

    def refresh(self) -> None:
        if self.changed:
            super().refresh()


def connectivity_demo(
    models: dict[str, CharLM] | None = None,
    vocab: Vocabulary | None = None,
    passages: dict[str, str] | list[str] | None = None,
    window: int = 120,
    position: int | None = None,
    drop: float = 2.0,
) -> Demo:
    """Notebook 03: for one next-character prediction, the gradient norm w.r.t. each earlier character, per model.

    `models` maps a display name to a CharLM (notebook 03: the vanilla RNN and the LSTM); `passages` are texts to
    pick from (a dict labels them). A text is read from its start, at most `window` characters; `position` is
    where the slider starts (default: the last character). The dotted line in each panel lies `drop` orders of
    magnitude below the bar of the character just read. Without models (tests, benchmark) it uses untrained
    ones of notebook 03's size, so only the shapes are meaningful.
    """
    if models is None:
        vocab = Vocabulary.from_text("".join(chr(c) for c in range(32, 127)) + "\n")
        with torch.random.fork_rng():
            torch.manual_seed(0)
            models = {name: CharLM(len(vocab), 128, kind=kind) for name, kind in (("RNN", "rnn"), ("LSTM", "lstm"))}
    elif vocab is None:
        raise ValueError("pass the vocabulary the models were trained with: connectivity_demo(models, vocab, ...)")
    if not models or not all(isinstance(m, CharLM) for m in models.values()):
        raise ValueError(f"models must map names to CharLM models, got {models!r}")
    window = validate.whole("window (characters)", window, low=2, high=400)
    validate.positive("drop (orders of magnitude)", drop)
    passages = DEFAULT_PASSAGES if passages is None else passages
    options = list(passages.items()) if isinstance(passages, dict) else [(_preview(p), p) for p in passages]
    options = [(name, text[:window]) for name, text in options]
    if not options or not all(text for _, text in options):
        raise ValueError("passages must hold at least one non-empty text")
    for name, text in options:
        if vocab.unknown_counts(text):
            raise ValueError(
                f"passage {name!r} has characters the vocabulary lacks: {sorted(vocab.unknown_counts(text))}"
            )
    longest = len(options[0][1])
    if position is not None and not 0 <= position < longest:
        raise ValueError(f"position must lie in 0..{longest - 1} (the first passage), got {position}")

    # Geometry in pixels, so that each character of the text owns a whole number of pixels under its bar.
    slot = max(4, min(16, 840 // window))
    left, plot_width = 64, slot * window
    title_height, letters_height, top_margin, gap = 16, 15, 26, 10
    panel = 130
    width_px = left + plot_width + 16
    height_px = top_margin + len(models) * (title_height + panel) + (len(models) - 1) * gap + letters_height + 10
    dpi = WIDGET_DPI
    figure = _SkippingFigure(nrows=len(models), figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
    figure.fig.set_layout_engine("none")
    low, high = -9.0, 1.0  # log10 gradient norms shown; smaller ones are drawn at the bottom
    colours = [PALETTE["vermillion"], PALETTE["blue"], PALETTE["green"], PALETTE["orange"]]
    title_font = _font("DejaVu Sans", 12)
    panels = []
    for row, ax in enumerate(figure.axes):
        bottom = height_px - top_margin - (row + 1) * (title_height + panel) - row * gap
        ax.set_position((left / width_px, bottom / height_px, plot_width / width_px, panel / height_px))
        ax.set(xlim=(-0.5, window - 0.5), ylim=(low, high), xticks=[])
        ax.set_ylabel("log₁₀ ‖∂ log p / ∂x‖", fontsize=8)
        ax.tick_params(labelsize=7)
        band = ax.axvspan(-0.5, 0.5, color=PALETTE["yellow"], alpha=0.6, linewidth=0)
        bars = LineCollection([], linewidths=0.75 * slot * 72 / dpi, colors=colours[row % len(colours)])
        bars.set_capstyle("butt")
        ax.add_collection(bars)
        (threshold,) = ax.plot([], [], ":", color=PALETTE["black"], linewidth=1.2)
        title = _PixelText(ax, (left, bottom + panel + 1, plot_width, title_height))
        panels.append((band, bars, threshold, title))
        figure.animate(band, bars, threshold, title.image)
    letters = _PixelText(figure.axes[-1], (left, 6, plot_width, letters_height))
    figure.animate(letters.image)
    figure.fig.suptitle(
        f"What the next-character prediction uses: one bar per character read (dotted: {10**drop:.0f}× below the "
        "yellow one)",
        fontsize=9,
        y=1 - 4 / height_px,
        va="top",
    )
    mono = _font("DejaVu Sans Mono", max(6, int(slot / 0.61)))
    tiles: dict[str, np.ndarray] = {}

    def tile(char: str) -> np.ndarray:  # one character centred in its slot, rendered once
        if char not in tiles:
            mask = Image.new("L", (slot, letters_height), 0)
            offset = (slot - mono.getlength(char)) / 2
            ImageDraw.Draw(mask).text((offset, 0), char, fill=255, font=mono)
            tiles[char] = np.asarray(mask)
        return tiles[char]

    def clear() -> None:
        for band, bars, threshold, title in panels:
            band.set_visible(False)
            bars.set_segments([])
            threshold.set_data([], [])
            title.write("nothing to show: see the message above", title_font)
        letters.clear()

    last: dict[tuple[str, int], str] = {}  # the latest view: choosing a passage re-renders through two controls

    def problem_with(text: str) -> str | None:
        if not text:
            return "Type some text (or pick a passage): there is nothing to read yet."
        unknown = vocab.unknown_counts(text)
        if unknown:
            listed = ", ".join(repr(c) for c in unknown)
            known = f"the models know only the {len(vocab)} characters of the training plays"
            return f"Unknown character(s) {listed}: {known}."
        return None

    def render(passage: str, text: str, position: int) -> str:
        key = (text, position)
        figure.changed = key not in last
        if not figure.changed:
            return last[key]
        last.clear()
        last[key] = draw(text, position)
        return last[key]

    def draw(text: str, position: int) -> str:
        typed = text.replace(NEWLINE_MARK, "\n")
        problem = problem_with(typed)
        if problem:
            clear()
            return problem
        cut = typed[:window]
        at = min(position, len(cut) - 1)
        ids = vocab.encode(cut)
        results = {name: prediction_gradients(model, ids, at) for name, model in models.items()}
        shade = np.array(
            [_rgb(PALETTE["black"])] * at + [_rgb(PALETTE["vermillion"])] + [_rgb(GREY)] * (len(cut) - at - 1)
        )
        letters.show(np.concatenate([tile(_shown(c, "↵")) for c in cut], axis=1), np.repeat(shade, slot, axis=0))
        true_next = repr(cut[at + 1]) if at + 1 < len(cut) else None
        lines = []
        for (name, result), (band, bars, threshold, title) in zip(results.items(), panels):
            band.set_visible(True)
            band.set_x(at - 0.5)
            heights = np.clip(result.log10_norms[::-1], low, high)  # by position in the text, not by distance
            segments = np.empty((len(heights), 2, 2))
            segments[:, :, 0] = np.arange(len(heights))[:, None]
            segments[:, 0, 1], segments[:, 1, 1] = low, heights
            bars.set_segments(list(segments))
            level = result.log10_norms[0] - drop
            threshold.set_data([-0.5, at + 0.5], [level, level])
            guess = f"predicts {vocab.decode([result.top])!r} (p = {result.top_probability:.2f})"
            scored = f", gives the true next {true_next} p = {result.target_probability:.2f}" if true_next else ""
            title.write(f"{name}: {guess}{scored}", title_font)
            span = reach(result.log10_norms, drop)
            far = f"from {span} characters back" if span is not None else f"nowhere in the {at + 1} characters read"
            lines.append(f"{name}: {guess}{scored}; gradient {10**drop:.0f}× below the current character's {far}")
        cut_note = f" (only the first {window} of {len(typed)} characters are read)" if len(typed) > window else ""
        return "\n".join([f"After {_shown(cut[at])!r}, character {at + 1} of {len(cut)}{cut_note}:", *lines])

    first = options[0][1]
    controls = {
        "passage": widgets.Dropdown(
            options=options,
            value=first,
            description="passage",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="640px"),
        ),
        "text": widgets.Combobox(
            value=first.replace("\n", NEWLINE_MARK),
            options=[text.replace("\n", NEWLINE_MARK) for _, text in options],
            ensure_option=False,
            description=f"or type ({NEWLINE_MARK} = new line)",
            continuous_update=False,
            placeholder="type a text and press Enter",
            style={"description_width": "initial"},
            layout=widgets.Layout(width=f"{width_px}px", max_width="100%"),
        ),
        "position": int_slider(
            "character just read", len(first) - 1 if position is None else position, 0, len(first) - 1, width="640px"
        ),
    }

    def pick(change: dict) -> None:  # a chosen passage goes into the text box, which the render reads
        controls["text"].value = change["new"].replace("\n", NEWLINE_MARK)

    def follow(change: dict) -> None:  # the slider spans the new text (set before the demo re-renders)
        typed = change["new"].replace(NEWLINE_MARK, "\n")
        if problem_with(typed) is None:
            controls["position"].max = min(len(typed), window) - 1

    controls["passage"].observe(pick, names="value")
    controls["text"].observe(follow, names="value")
    return Demo(
        "What does the prediction use? The gradient of log p(next character) with respect to each earlier one",
        controls,
        render,
        figure,
        columns=1,
        budget_ms=50,
    )
