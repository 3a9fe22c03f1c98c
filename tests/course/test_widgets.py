"""The demo layer: controls drive a pure render function; the figure updates in place."""

import ipywidgets as widgets
import pytest

from helpers.course.widgets import Demo, LiveFigure, slider, sweep_values

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def make_demo():
    figure = LiveFigure()
    (line,) = figure.ax.plot([0, 1], [0, 0])
    figure.ax.set_ylim(-2, 2)
    figure.animate(line)
    calls = []

    def render(height, colour):
        calls.append((height, colour))
        line.set_ydata([height, height])
        return f"height {height:.1f} in {colour}"

    controls = {
        "height": slider("height", 0.0, -1.0, 1.0, 0.5),
        "colour": widgets.Dropdown(options=["blue", "orange"], value="blue"),
    }
    return Demo("Test demo", controls, render, figure), calls


def test_the_demo_renders_once_when_built_and_again_on_every_change():
    demo, calls = make_demo()
    assert calls == [(0.0, "blue")] and demo.text == "height 0.0 in blue"
    first_image = bytes(demo.figure.image.value)
    demo.controls["height"].value = 1.0
    assert calls[-1] == (1.0, "blue") and demo.text == "height 1.0 in blue"
    assert "height 1.0 in blue" in demo.readout.value
    image = bytes(demo.figure.image.value)
    assert image.startswith(PNG_SIGNATURE) and image != first_image
    demo.controls["colour"].value = "orange"
    assert demo.values == {"height": 1.0, "colour": "orange"}


def test_the_static_form_names_the_demo_and_its_settings():
    demo, _ = make_demo()
    bundle = demo._repr_mimebundle_()
    assert bundle["text/plain"].splitlines() == [
        "Test demo [interactive: run the notebook to use the controls]",
        "height=0.00, colour=blue",
        "height 0.0 in blue",
    ]
    assert "application/vnd.jupyter.widget-view+json" in bundle and bundle["image/png"].startswith("iVBOR")


def test_only_animated_artists_are_redrawn_over_a_kept_background():
    demo, _ = make_demo()
    background = demo.figure._background
    demo.controls["height"].value = -1.0
    assert demo.figure._background is background
    image_low = bytes(demo.figure.image.value)
    demo.controls["height"].value = 1.0
    assert bytes(demo.figure.image.value) != image_low


def test_sweep_values_cover_extremes_and_options():
    assert sweep_values(slider("s", 0.5, 0.0, 2.0, 0.1)) == [0.0, 2.0, 1.0, 0.5]
    assert sweep_values(widgets.IntSlider(value=3, min=0, max=10)) == [0, 10, 5, 3]
    assert sweep_values(widgets.Dropdown(options=["a", "b", "c"], value="a")) == ["b", "c", "a"]
    assert sweep_values(widgets.Dropdown(options=[("A", 1), ("B", 2)], value=1)) == [2, 1]
    assert sweep_values(widgets.Checkbox(value=False)) == [True, False]
    with pytest.raises(TypeError, match="does not know how to move a Text"):
        sweep_values(widgets.Text())
