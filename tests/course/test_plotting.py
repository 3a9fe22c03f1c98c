"""Plot style and shared plotting helpers."""

import matplotlib as mpl
import numpy as np

from helpers.course.plotting import (
    CYCLE,
    PALETTE,
    decision_grid,
    label,
    new_figure,
    plot_decision_boundary,
    rgba_png,
    use_course_style,
)


def test_course_style_uses_the_colour_blind_safe_cycle():
    use_course_style()
    assert mpl.rcParams["axes.prop_cycle"].by_key()["color"] == CYCLE
    assert set(CYCLE) <= set(PALETTE.values()) and len(set(CYCLE)) == len(CYCLE)


def test_label_sets_title_and_axis_labels():
    _, (ax,) = new_figure()
    label(ax, "T", "x", "y")
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("T", "x", "y")


def test_decision_grid_and_boundary():
    xx, yy, points = decision_grid((0, 1), (0, 2), steps=5)
    assert xx.shape == (5, 5) and points.shape == (25, 2)
    assert points[:, 1].max() == 2.0
    _, (ax,) = new_figure()
    shading = plot_decision_boundary(
        ax, xx, yy, points[:, 0] / 1.0, np.array([[0.2, 0.2], [0.8, 1.0]]), np.array([0, 1])
    )
    assert shading is not None and len(ax.collections) >= 3


def test_rgba_png_encodes_pixels():
    png = rgba_png(np.zeros((4, 6, 4), dtype=np.uint8))
    assert png.startswith(b"\x89PNG")
