"""Plot style and shared plotting helpers."""

import matplotlib as mpl
import numpy as np

from helpers.course.plotting import (
    CYCLE,
    PALETTE,
    decision_grid,
    describe_figure,
    label,
    new_figure,
    plain_text,
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


def test_alt_text_says_titles_axes_scales_ranges_and_what_is_drawn():
    fig, (left, right) = new_figure(ncols=2)
    fig.suptitle("Gradients fade")
    steps = np.arange(1, 101)
    left.semilogy(steps, 0.9**steps, label="ρ = 0.9")
    left.semilogy(steps, 0.5**steps, label=r"$\rho = 0.5$")
    label(left, r"$\|\partial h_T / \partial h_k\|$ per step", "steps back", "norm", legend=True)
    right.bar(["RNN", "LSTM", "GRU"], [0.5, 0.9, 0.88])
    label(right, "Accuracy", "model", "accuracy")
    text = describe_figure(fig)
    assert text.startswith("A figure with 2 panels: Gradients fade. Panel 1, “‖∂h_T / ∂h_k‖ per step”: 2 lines;")
    assert "legend: ρ = 0.9, ρ = 0.5; x axis steps back, 0 to 100; y axis norm (log scale), 10^" in text
    assert "Panel 2, “Accuracy”: 3 bars; x axis model: RNN, LSTM, GRU; y axis accuracy, 0 to 0.8." in text


def test_alt_text_names_a_heat_map_and_its_colour_scale():
    fig, (ax,) = new_figure()
    image = ax.imshow(np.zeros((4, 7)), vmin=0, vmax=1)
    fig.colorbar(image, ax=ax, label="weight")
    label(ax, "Attention", "source word", "target word")
    text = describe_figure(fig)
    assert text.startswith("A chart. “Attention”: a heat map of 4 × 7 cells; x axis source word")
    assert text.endswith("Colour scale: weight, 0 to 1.")


def test_an_empty_figure_still_gets_words():
    fig, (ax,) = new_figure()
    assert (
        describe_figure(fig)
        == "A chart. “untitled”: nothing drawn yet; x axis unlabelled, 0 to 1; y axis unlabelled, 0 to 1."
    )
    assert plain_text(r"$\mathdefault{10^{-3}}$") == "10^-3"
