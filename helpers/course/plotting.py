"""Plot style and small plotting tools shared by every notebook and widget."""

from __future__ import annotations

import io
import math
import re

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.rcsetup import cycler  # what matplotlib.cycler is, under a name its type stubs know
from PIL import Image

# Okabe & Ito's palette: distinguishable with every common form of colour blindness.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
CYCLE = [PALETTE[name] for name in ("blue", "orange", "green", "vermillion", "purple", "sky", "black")]
LINESTYLES = ["-", "--", "-.", ":"]  # pair with colour so lines differ in print too
WIDGET_DPI = 96  # widgets redraw on every slider move: keep the image small


def use_course_style() -> None:
    """Apply the course's matplotlib style: colour-blind-safe colours, readable sizes, light grid."""
    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=CYCLE),
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 90,
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "lines.linewidth": 2.0,
            "legend.frameon": False,
            "image.cmap": "cividis",
            "svg.hashsalt": "rnn-course",
        }
    )


def label(ax: Axes, title: str, xlabel: str, ylabel: str, legend: bool = False) -> Axes:
    """Give an axes its title and axis labels (every course figure has all three)."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend:
        ax.legend()
    return ax


def new_figure(
    ncols: int = 1, nrows: int = 1, figsize: tuple[float, float] = (6.4, 3.6), dpi: int = 90
) -> tuple[Figure, np.ndarray]:
    """A figure outside pyplot (never auto-shown, never leaked) and its axes as an array."""
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes.ravel()


def rgba_png(pixels: np.ndarray) -> bytes:
    """Encode an RGBA pixel array as PNG bytes, favouring speed over size."""
    buffer = io.BytesIO()
    Image.fromarray(pixels[..., :3]).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def decision_grid(
    xlim: tuple[float, float], ylim: tuple[float, float], steps: int = 200
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A grid over a 2-D box: xx, yy (steps × steps) and the points as a (steps², 2) array."""
    xs = np.linspace(*xlim, steps)
    ys = np.linspace(*ylim, steps)
    xx, yy = np.meshgrid(xs, ys)
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def plot_decision_boundary(
    ax: Axes, xx: np.ndarray, yy: np.ndarray, prob: np.ndarray, points: np.ndarray, labels: np.ndarray
) -> ContourSet:
    """Shade P(class 1) over a grid, draw the 0.5 contour, and mark the labelled points."""
    shading = ax.contourf(xx, yy, prob.reshape(xx.shape), levels=np.linspace(0, 1, 11), cmap="cividis", alpha=0.8)
    ax.contour(xx, yy, prob.reshape(xx.shape), levels=[0.5], colors=PALETTE["black"], linewidths=1.5)
    for value, marker, colour in ((0, "o", PALETTE["sky"]), (1, "s", PALETTE["orange"])):
        mask = labels == value
        ax.scatter(
            points[mask, 0],
            points[mask, 1],
            marker=marker,
            s=90,
            c=colour,
            edgecolors=PALETTE["black"],
            label=f"class {value}",
            zorder=3,
        )
    ax.set_aspect("equal")
    return shading


# --- Alt text: what a figure shows, in words -------------------------------------------------------

_TEX = {
    r"\partial": "∂",
    r"\alpha": "α",
    r"\beta": "β",
    r"\gamma": "γ",
    r"\eta": "η",
    r"\lambda": "λ",
    r"\rho": "ρ",
    r"\sigma": "σ",
    r"\tau": "τ",
    r"\theta": "θ",
    r"\times": "×",
    r"\cdot": "·",
    r"\approx": "≈",
    r"\leq": "≤",
    r"\geq": "≥",
    r"\|": "‖",
    r"\mathdefault": "",
    r"\mathrm": "",
    r"\,": " ",
}
_MAX_NAMES = 6


def plain_text(text: str) -> str:
    """Matplotlib text as words a screen reader can say: mathtext's $ … $, braces and commands removed."""
    if "$" in text:
        for command, letter in _TEX.items():  # "\partial h" reads ∂h, "\rho = 1" reads ρ = 1
            text = re.sub(re.escape(command) + r"(?![A-Za-z])(?: (?=[A-Za-z]))?", letter, text)
        text = re.sub(r"\\[A-Za-z]+", "", text)
        text = text.replace("$", "").replace("{", "").replace("}", "")
    text = text.replace("\u2212", "−")
    return " ".join(text.split())


def _number(value: float, log: bool = False) -> str:
    """A tick value in at most 3 significant digits; powers of ten as 10^k on a log axis or when far from 1."""
    if value != 0 and (log or abs(value) >= 1e4 or abs(value) < 1e-3):
        exponent = math.log10(abs(value))
        if abs(exponent - round(exponent)) < 1e-9:
            return f"{'−' if value < 0 else ''}10^{round(exponent)}"
    return f"{value:.3g}".replace("-", "−")


def _names(names: list[str]) -> str:
    shown_names = names[:_MAX_NAMES]
    more = f" and {len(names) - _MAX_NAMES} more" if len(names) > _MAX_NAMES else ""
    return ", ".join(shown_names) + more


def _axis(ax: Axes, which: str) -> str:
    """One axis in words: its label, its scale and the range its ticks cover (or its category names)."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    name = plain_text(axis.get_label_text()) or "unlabelled"
    low, high = sorted(ax.get_xlim() if which == "x" else ax.get_ylim())
    ticks = [t for t in axis.get_ticklocs() if low - 1e-9 * abs(low) <= t <= high + 1e-9 * abs(high)]
    words = [plain_text(t.get_text()) for t in axis.get_ticklabels() if t.get_text()]
    log = axis.get_scale() == "log"
    scale = " (log scale)" if log and "log" not in name.lower() else ""
    if words and not all(re.fullmatch(r"[−\-+0-9.,^×e ]+", w) for w in words):
        return f"{name}{scale}: {_names(words)}"
    if len(ticks) >= 2:
        return f"{name}{scale}, {_number(ticks[0], log)} to {_number(ticks[-1], log)}"
    return f"{name}{scale}"


def _drawn(ax: Axes) -> str:
    """What an axes holds: how many lines, bars, points, images and filled areas, with the legend's names."""
    parts = []
    lines = [line for line in ax.get_lines() if len(np.atleast_1d(line.get_xdata())) > 1]
    marks = [line for line in ax.get_lines() if len(np.atleast_1d(line.get_xdata())) == 1]
    bars = sum(len(getattr(container, "patches", [])) for container in ax.containers)
    points = sum(np.shape(c.get_offsets())[0] for c in ax.collections if type(c).__name__ == "PathCollection")
    areas = sum(1 for c in ax.collections if type(c).__name__ in ("PolyCollection", "FillBetweenPolyCollection"))
    shaded = any(type(c).__name__ in ("QuadMesh", "QuadContourSet", "ContourSet") for c in ax.collections)
    for count, noun in ((len(lines), "line"), (bars, "bar"), (points, "point"), (len(marks), "marker")):
        if count:
            parts.append(f"{count} {noun}{'s' if count > 1 else ''}")
    if areas:
        parts.append(f"{areas} shaded band{'s' if areas > 1 else ''}")
    for image in ax.images:
        pixels = image.get_array()
        if not image.get_visible() or pixels is None:
            continue
        rows, cols = pixels.shape[:2]
        parts.append(f"a heat map of {rows} × {cols} cells")
    if shaded:
        parts.append("a shaded map")
    legend = ax.get_legend()
    names = [plain_text(t.get_text()) for t in legend.get_texts()] if legend is not None else []
    text = ", ".join(parts) if parts else "nothing drawn yet"
    return f"{text}; legend: {_names(names)}" if names else text


def _is_colorbar(ax: Axes) -> bool:
    return hasattr(ax, "_colorbar")


def describe_figure(fig: Figure) -> str:
    """Alt text for a figure, from its titles, axis labels, scales, tick ranges and what each panel draws."""
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison and not _is_colorbar(ax)]
    colorbars = [ax for ax in fig.axes if _is_colorbar(ax)]
    suptitle = plain_text(fig.get_suptitle())
    kind = f"A figure with {len(panels)} panels" if len(panels) > 1 else "A chart"
    sentences = [f"{kind}: {suptitle}." if suptitle else f"{kind}."]
    for number, ax in enumerate(panels, start=1):
        title = plain_text(ax.get_title()) or plain_text(ax.get_title("left")) or "untitled"
        where = f"Panel {number}, " if len(panels) > 1 else ""
        sentences.append(f"{where}“{title}”: {_drawn(ax)}; x axis {_axis(ax, 'x')}; y axis {_axis(ax, 'y')}.")
    for ax in colorbars:
        bar = ax._colorbar  # type: ignore[attr-defined]
        side = "y" if bar.orientation == "vertical" else "x"
        sentences.append(f"Colour scale: {_axis(ax, side)}.")
    return " ".join(sentences)
