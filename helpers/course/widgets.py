"""A thin layer that turns a pure function into a responsive widget demo.

A demo is a set of named controls and a `render(**values)` function that redraws a reused figure
and returns a one-line readout. Setting a control's value runs `render` synchronously, so tests and
the benchmark drive a demo exactly as a reader's slider would, without a browser.
"""

from __future__ import annotations

import base64
import html
import math
import numbers
from collections.abc import Callable
from typing import cast

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg

from helpers.course.plotting import WIDGET_DPI, describe_figure, new_figure, rgba_png
from helpers.course.validate import shown


class LiveFigure:
    """One figure drawn once and then updated in place, shown as a PNG inside an Image widget.

    Axes, ticks and labels are drawn once and kept as a background; only the artists registered
    with `animate` are redrawn on each update (blitting), which keeps a slider move to a few ms.
    """

    def __init__(
        self, ncols: int = 1, nrows: int = 1, figsize: tuple[float, float] = (6.4, 3.4), dpi: int = WIDGET_DPI
    ):
        self.fig, self.axes = new_figure(ncols, nrows, figsize, dpi=dpi)
        width = round(figsize[0] * dpi)  # show the image at its own size: stretching blurs it
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px", max_width="100%"))
        self.moving: list[Artist] = []
        self._background: object | None = None  # the Agg renderer's saved region

    def describe(self) -> str:
        """Alt text for the figure as it is now drawn (a figure painted outside matplotlib says more)."""
        return describe_figure(self.fig)

    @property
    def ax(self) -> Axes:
        """The first (often the only) axes."""
        return self.axes[0]

    def animate(self, *artists: Artist) -> None:
        """Mark artists as the ones that change on updates; everything else is background."""
        for artist in artists:
            artist.set_animated(True)
            self.moving.append(artist)

    @property
    def _canvas(self) -> FigureCanvasAgg:
        """The figure's canvas: new_figure gives every figure an Agg canvas, which can blit."""
        return cast(FigureCanvasAgg, self.fig.canvas)

    def redraw_background(self) -> None:
        """Draw everything that does not move (after changing limits, titles or labels)."""
        canvas = self._canvas
        canvas.draw()
        if self.fig.get_layout_engine() is not None:  # lay out once, then keep the positions fixed
            self.fig.set_layout_engine("none")
            canvas.draw()
        self._background = canvas.copy_from_bbox(self.fig.bbox)

    def refresh(self) -> None:
        """Redraw the moving artists over the background and send the image to the browser."""
        if self._background is None:
            self.redraw_background()
        canvas = self._canvas
        canvas.restore_region(self._background)
        for artist in self.moving:
            if artist.axes is None:
                raise ValueError(f"an animated artist must be drawn on an axes, got {artist!r} outside any")
            artist.axes.draw_artist(artist)
        self.image.value = rgba_png(np.asarray(canvas.buffer_rgba()))


# Every course slider updates its demo while it is dragged and shows its whole description.
LIVE = {"continuous_update": True, "style": {"description_width": "initial"}}


def slider(
    description: str, value: float, low: float, high: float, step: float, readout_format: str = ".2f"
) -> widgets.FloatSlider:
    """A float slider in the course's look."""
    return widgets.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        readout_format=readout_format,
        layout=widgets.Layout(width="300px"),
        **LIVE,
    )


def int_slider(
    description: str, value: int, low: int, high: int, step: int = 1, width: str = "320px"
) -> widgets.IntSlider:
    """A whole-number slider in the course's look."""
    return widgets.IntSlider(
        value=value, min=low, max=high, step=step, description=description, layout=widgets.Layout(width=width), **LIVE
    )


def choice_slider(description: str, options: list, value: object, width: str = "320px") -> widgets.SelectionSlider:
    """A slider over a fixed list of values (lengths a grid was trained at, say) in the course's look."""
    return widgets.SelectionSlider(
        options=options, value=value, description=description, layout=widgets.Layout(width=width), **LIVE
    )


class Demo:
    """An interactive demo: named controls driving `render`, plus a readable static fallback.

    A value the demo cannot take (NaN set from code, or one `render` refuses with a ValueError or TypeError)
    never breaks it: the readout says which control got what and what it takes, the control goes back to
    its last good value, and the next valid move renders as usual. Only a bug of ours (any other exception)
    goes on to the kernel's log after the readout names it, so that it is seen and fixed.
    """

    def __init__(
        self,
        title: str,
        controls: dict[str, widgets.ValueWidget],
        render: Callable[..., str],
        figure: LiveFigure | None = None,
        columns: int = 2,
        budget_ms: float = 15.0,
    ):
        self.title = title
        self.budget_ms = budget_ms  # kernel time allowed per update; `make bench` checks it
        self.controls = controls
        self.figure = figure
        self.readout = widgets.HTML()
        self.text = ""
        self.rejected: Exception | None = None  # what the last rejected value raised, if anything
        self._render = render
        self._names = {id(control): name for name, control in controls.items()}
        self._good: dict[str, object] = {}  # the last values that rendered
        self._restoring = False
        for control in controls.values():
            control.observe(self._on_change, names="value")
        control_list = list(controls.values())
        rows = [widgets.HBox(control_list[i : i + columns]) for i in range(0, len(control_list), columns)]
        parts = [widgets.HTML(f"<b>{html.escape(title)}</b>"), *rows, self.readout]
        if figure is not None:
            parts.append(figure.image)
        self.widget = widgets.VBox(parts)
        self.widget.add_class("course-demo")  # lets the browser tests find every demo on the page
        self.update()

    @property
    def values(self) -> dict[str, object]:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self) -> None:
        """Recompute and redraw from the current control values."""
        values = self.values
        self._show(self._render(**values))
        if self.figure is not None:
            self.figure.refresh()
        self._good = values

    def _show(self, text: str) -> None:
        self.text = text
        self.readout.value = f"<code style='white-space: pre-wrap'>{html.escape(text)}</code>"

    def _on_change(self, change: dict) -> None:
        """Render the new value; a value the demo cannot take is explained and the control goes back."""
        if self._restoring:
            return
        name = self._names.get(id(change["owner"]), "a control")
        problem = _unusable(change["owner"], change["new"])
        if problem is None:
            try:
                self.update()
                self.rejected = None
                return
            except Exception as error:  # noqa: BLE001 - a refused value is explained, a bug is reported too
                self.rejected = error
                if not isinstance(error, (ValueError, TypeError)):
                    # a bug of ours: the reader sees it named and the widget keeps working; the error still
                    # goes on to the kernel's log, where maintainers (and the browser tests) see it
                    self._reject(name, change["owner"], change["new"], _bug(error))
                    raise
                problem = str(error)
        self._reject(name, change["owner"], change["new"], problem)

    def _reject(self, name: str, control: widgets.ValueWidget, value: object, problem: str) -> None:
        """Put the control back at its last good value, redraw that, and say what was wrong."""
        good = self._good.get(name, control.value)
        self._restoring = True
        try:
            control.value = good
        except Exception:  # noqa: BLE001 - the value cannot go back (its options changed): keep what is there
            pass
        finally:
            self._restoring = False
        label = getattr(control, "description", "") or name
        message = f"⚠ {label} cannot be {shown(value)}: {problem.rstrip('.')}. It is back at {_short(control.value)}."
        try:
            text = self._render(**self.values)
            if self.figure is not None:
                self.figure.refresh()
            self._good = self.values
        except Exception as error:  # noqa: BLE001 - even the last good values fail now: say so, keep the widget
            text = f"(the last good values could not be drawn again: {error})"
        self._show(f"{message}\n{text}")

    def _repr_mimebundle_(self, **kwargs) -> tuple[dict, dict]:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        settings = ", ".join(f"{name}={_short(value)}" for name, value in self.values.items())
        bundle["text/plain"] = (
            f"{self.title} [interactive: run the notebook to use the controls]\n{settings}\n{self.text}"
        )
        metadata = {}
        if self.figure is not None:
            bundle["image/png"] = base64.b64encode(self.figure.image.value).decode("ascii")
            metadata["image/png"] = {"alt": f"{self.title} ({settings}). {self.figure.describe()}"}
        return bundle, metadata


def _unusable(control: widgets.ValueWidget, value: object) -> str | None:
    """Why a numeric control's value cannot be used (NaN, infinite, not a number), or None if it can."""
    if not isinstance(control, (widgets.FloatSlider, widgets.IntSlider, widgets.FloatLogSlider)):
        return None
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value):
        return None
    if isinstance(control, widgets.FloatLogSlider):
        low, high = control.base**control.min, control.base**control.max
    else:
        low, high = control.min, control.max
    kind = "whole numbers" if isinstance(control, widgets.IntSlider) else "numbers"
    return f"it takes {kind} from {_short(low)} to {_short(high)}"


def _bug(error: Exception) -> str:
    return f"the demo failed with {type(error).__name__}: {error} (a bug in the course: please report it)"


def _short(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def sweep_values(control: widgets.ValueWidget) -> list[object]:
    """Values that exercise a control end to end: its extremes and middle, or every option."""
    if isinstance(control, (widgets.FloatSlider, widgets.IntSlider, widgets.FloatLogSlider)):
        if isinstance(control, widgets.FloatLogSlider):
            low, high = control.base**control.min, control.base**control.max
            middle = control.base ** ((control.min + control.max) / 2)
        else:
            low, high = control.min, control.max
            middle = (low + high) / 2 if isinstance(control, widgets.FloatSlider) else (low + high) // 2
        return [low, high, middle, control.value]
    if hasattr(control, "options"):
        values = [option[1] if isinstance(option, tuple) else option for option in control.options]
        return values[1:] + values[:1]
    if isinstance(control, widgets.Checkbox):
        return [not control.value, control.value]
    raise TypeError(f"sweep_values does not know how to move a {type(control).__name__}")
