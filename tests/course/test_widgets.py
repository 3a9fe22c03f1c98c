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
    bundle, metadata = demo._repr_mimebundle_()
    assert bundle["text/plain"].splitlines() == [
        "Test demo [interactive: run the notebook to use the controls]",
        "height=0.00, colour=blue",
        "height 0.0 in blue",
    ]
    assert "application/vnd.jupyter.widget-view+json" in bundle and bundle["image/png"].startswith("iVBOR")
    assert metadata["image/png"]["alt"] == (
        "Test demo (height=0.00, colour=blue). A chart. “untitled”: 1 line; x axis unlabelled, 0 to 1; "
        "y axis unlabelled, −2 to 2."
    )


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


def make_picky_demo():
    """A demo whose render refuses negative heights (ValueError) and breaks at exactly 0.5 (a bug)."""
    figure = LiveFigure()
    (line,) = figure.ax.plot([0, 1], [0, 0])
    figure.ax.set_ylim(-2, 2)
    figure.animate(line)

    def render(height, colour):
        if height < 0:
            raise ValueError(f"height must be ≥ 0, got {height}")
        if height == 0.5:
            raise ZeroDivisionError("division by zero")
        line.set_ydata([height, height])
        return f"height {height:.1f} in {colour}"

    controls = {
        "height": slider("height", 0.0, -1.0, 1.0, 0.5),
        "colour": widgets.Dropdown(options=["blue", "orange"], value="blue"),
    }
    return Demo("Picky demo", controls, render, figure)


def test_a_nan_from_code_is_explained_and_the_slider_goes_back_to_its_last_good_value():
    demo = make_picky_demo()
    demo.controls["height"].value = 1.0
    image = bytes(demo.figure.image.value)
    demo.controls["height"].value = float("nan")  # sliders clamp to min and max, but NaN slips through them
    assert demo.controls["height"].value == 1.0
    assert demo.text.splitlines() == [
        "⚠ height cannot be nan: it takes numbers from -1.00 to 1.00. It is back at 1.00.",
        "height 1.0 in blue",
    ]
    assert "cannot be nan" in demo.readout.value and bytes(demo.figure.image.value) == image
    demo.controls["height"].value = 0.0
    fresh, _ = make_demo()
    assert demo.text == fresh.text and bytes(demo.figure.image.value) == bytes(fresh.figure.image.value)


def test_a_value_render_refuses_is_explained_with_its_own_message_and_the_demo_keeps_working():
    demo = make_picky_demo()
    demo.controls["height"].value = -1.0
    assert demo.controls["height"].value == 0.0 and isinstance(demo.rejected, ValueError)
    assert demo.text.startswith("⚠ height cannot be -1.0: height must be ≥ 0, got -1.0. It is back at 0.00.")
    demo.controls["colour"].value = "orange"
    assert demo.text == "height 0.0 in orange" and demo.rejected is None


def test_a_bug_in_render_is_named_in_the_readout_and_still_reaches_the_kernels_log():
    demo = make_picky_demo()
    with pytest.raises(ZeroDivisionError):  # in a notebook, ipywidgets logs it: maintainers must see bugs
        demo.controls["height"].value = 0.5
    assert demo.controls["height"].value == 0.0
    assert "the demo failed with ZeroDivisionError: division by zero (a bug in the course" in demo.text
    demo.controls["height"].value = 1.0
    assert demo.text == "height 1.0 in blue"


def test_a_demo_whose_render_fails_when_built_still_raises_for_the_author():
    def render(height):
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        Demo("Broken", {"height": slider("height", 0.0, -1.0, 1.0, 0.5)}, render)


def test_the_checks_add_microseconds_to_an_update_not_milliseconds():
    import time

    demo = Demo("Bare", {"height": slider("height", 0.0, -1.0, 1.0, 0.5)}, lambda height: f"{height}")
    control = demo.controls["height"]
    start = time.perf_counter()
    for value in [0.5, 1.0] * 100:
        control.value = value  # traitlets, the checks, a trivial render and the readout, without a figure
    per_update = (time.perf_counter() - start) / 200
    assert per_update < 1e-3 and demo.text == "1.0"
