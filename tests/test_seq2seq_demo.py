"""Notebook 08's translate widget: the Pillow-painted attention map shows the right cells and words, fast."""

import time

import numpy as np
import pytest

from helpers.demos.seq2seq import AttentionMap, translate_demo, word_mask


def test_the_map_paints_each_weight_in_its_cell():
    figure = AttentionMap()
    blank = figure.paint()
    weights = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    figure.show(["le", "chat", "dort"], ["the", "cat"], weights)
    pixels = figure.paint()
    left, top, right, bottom = figure.box
    middle_x = [(left * 3 + right) // 4, (left + 3 * right) // 4]  # the centres of the two columns
    middle_y = [top + (bottom - top) * (2 * i + 1) // 6 for i in range(3)]
    for i, y in enumerate(middle_y):
        for j, x in enumerate(middle_x):
            expected = figure.colours[round(weights[i, j] * 255)]
            assert np.array_equal(pixels[y, x], expected), (i, j)
    outside = pixels.copy()
    outside[top:bottom, left:right] = blank[top:bottom, left:right]
    assert not np.array_equal(outside, blank)  # the words are written outside the map
    with pytest.raises(ValueError, match="shape"):
        figure.show(["le"], ["the", "cat"], weights)


def test_a_turned_word_keeps_its_anchor_inside_its_mask():
    mask, (x, y) = word_mask("restaurant", 9, 50)
    flat, (fx, fy) = word_mask("restaurant", 9, 0)
    assert (fx, fy) == (flat.width, 0)
    assert 0 <= x <= mask.width and 0 <= y <= mask.height
    assert x > mask.width / 2 and y < mask.height / 2  # the text's end is at the top right of the turned mask


def test_a_sentence_seen_before_costs_only_the_picture():
    demo = translate_demo()
    sentence = demo.controls["sentence"]
    first_text, first_image = demo.text, bytes(demo.figure.image.value)
    sentence.value = "i see the black cat"
    start = time.perf_counter()
    sentence.value = sentence.options[2]
    again = time.perf_counter() - start
    assert (demo.text, bytes(demo.figure.image.value)) == (first_text, first_image)
    assert again < 0.5  # generous: the benchmark holds the median to 50 ms
