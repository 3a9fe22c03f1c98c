"""Plot style and small plotting tools shared by every notebook and widget."""

from __future__ import annotations

import io

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
