"""The shared checks of numbers: a good one comes back plain; a bad one gets what was expected and what came."""

import re
import timeit

import numpy as np
import pytest
import torch

from helpers.course import validate


@pytest.mark.parametrize(
    "value, shown",
    [
        (float("nan"), "nan"),
        (float("-inf"), "-inf"),
        (np.float32(2.5), "2.5"),
        (np.int64(-3), "-3"),
        (True, "True (a bool)"),
        (None, "None"),
        ("0.1", "'0.1' (text)"),
        ([1, 2], "[1, 2] (a list)"),
        ({"a": 1}, "{'a': 1} (a dict)"),
        (np.ones(3), "a numpy array of shape (3,)"),
    ],
)
def test_shown_names_a_value_and_says_what_kind_it_is_when_it_is_no_number(value, shown):
    assert validate.shown(value) == shown


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: validate.positive("learning rate", float("nan")),
            "learning rate must be a positive finite number, got nan",
        ),
        (lambda: validate.positive("learning rate", 0), "learning rate must be a positive finite number, got 0"),
        (
            lambda: validate.non_negative("spectral radius", float("nan")),
            "spectral radius must be a finite number ≥ 0, got nan",
        ),
        (
            lambda: validate.non_negative("spectral radius", -0.5),
            "spectral radius must be a finite number ≥ 0, got -0.5",
        ),
        (lambda: validate.non_negative("scale", float("inf")), "scale must be a finite number ≥ 0, got inf"),
        (lambda: validate.probability("share", 1.5), "share must be a finite number from 0 to 1, got 1.5"),
        (lambda: validate.whole("steps", 2.0), "steps must be a whole number of at least 1, got 2.0"),
        (lambda: validate.whole("steps", True), "steps must be a whole number of at least 1, got True (a bool)"),
        (lambda: validate.whole("gap", 31, low=0, high=30), "gap must be a whole number from 0 to 30, got 31"),
        (lambda: validate.seed("seed", -1), "seed must be a whole number of at least 0, got -1"),
        (lambda: validate.number("x", "3"), "x must be a finite number, got '3' (text)"),
        (lambda: validate.number("x", None), "x must be a finite number, got None"),
        (lambda: validate.number("n", 2.5, integer=True), "n must be a whole number, got 2.5"),
        (lambda: validate.number("t", 1.0, high=1.0, high_open=True), "t must be a finite number less than 1, got 1.0"),
        (
            lambda: validate.number("t", -2, low=-1, high=1, low_open=True),
            "t must be a finite number greater than -1 and ≤ 1",
        ),
        (lambda: validate.number("x", [1.0]), "x must be a finite number, got [1.0] (a list)"),
    ],
)
def test_a_refused_value_gets_a_message_with_what_was_expected_and_what_came(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_accepted_values_come_back_as_plain_python_numbers():
    assert (
        validate.positive("rate", np.float32(0.5)) == 0.5 and type(validate.positive("rate", np.float32(0.5))) is float
    )
    assert validate.whole("size", np.int64(4)) == 4 and type(validate.whole("size", np.int64(4))) is int
    assert validate.probability("p", 0) == 0.0 and validate.probability("p", 1) == 1.0
    assert validate.number("t", 1, low=1) == 1.0 and validate.seed("seed", 0) == 0
    assert validate.non_negative("r", 0.0) == 0.0
    assert validate.positive("rate", torch.tensor(0.25)) == 0.25 and validate.whole("size", np.array(3)) == 3
    with pytest.raises(
        ValueError, match=re.escape("rate must be a positive finite number, got a torch tensor of shape (2,)")
    ):
        validate.positive("rate", torch.ones(2))
    with pytest.raises(ValueError, match="got False"):
        validate.whole("size", torch.tensor(False))


def test_the_old_name_cells_check_size_still_refuses_and_accepts_the_same_sizes():
    from helpers import cells

    for value in (1, 7, np.int64(3)):
        cells.check_size("steps", value)
    with pytest.raises(ValueError, match="steps must be a whole number of at least 1, got 0"):
        cells.check_size("steps", 0)


def test_a_check_costs_microseconds():
    seconds = min(timeit.repeat(lambda: validate.positive("learning rate", 0.1), number=1000, repeat=3)) / 1000
    assert seconds < 50e-6
