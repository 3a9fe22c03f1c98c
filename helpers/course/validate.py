"""Checks of the numbers a student or an instructor passes in: sizes, seeds, rates, radii, probabilities.

Each check returns the value as a plain int or float, or raises a ValueError that says what was expected
and what came ("learning rate must be a positive finite number, got nan"). A bool is not a
number here, and NaN never slips through a comparison: every range test is written so that NaN fails.
"""

from __future__ import annotations

import math
import numbers
import reprlib
from typing import cast

_REPR = reprlib.Repr()
_REPR.maxstring, _REPR.maxother, _REPR.maxlist = 40, 40, 4

_KINDS = {str: "text", list: "a list", tuple: "a tuple", dict: "a dict", set: "a set", bool: "a bool"}


def shown(value: object) -> str:
    """A short, friendly rendering of a value for a message: `nan`, `-3`, `'abc' (text)`, `[1, 2] (a list)`."""
    if isinstance(value, bool) or value is None:
        return repr(value) + (" (a bool)" if isinstance(value, bool) else "")
    if isinstance(value, numbers.Integral):
        return repr(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    shape = getattr(value, "shape", None)
    if shape is not None:  # a numpy array or a torch tensor: its shape says more than its entries
        kind = {"ndarray": "numpy array", "Tensor": "torch tensor"}.get(type(value).__name__, type(value).__name__)
        return f"a {kind} of shape {tuple(shape)}"
    kind = _KINDS.get(type(value), f"a {type(value).__name__}")
    return f"{_REPR.repr(value)} ({kind})"


def _bound(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def expectation(
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
) -> str:
    """The words for what `number` accepts: "a whole number of at least 1", "a finite number from 0 to 1"."""
    if integer:
        if low is not None and high is not None:
            return f"a whole number from {_bound(low)} to {_bound(high)}"
        if low is not None:
            return f"a whole number of at least {_bound(low)}"
        return "a whole number" + (f" of at most {_bound(high)}" if high is not None else "")
    if low is not None and high is not None and not (low_open or high_open):
        return f"a finite number from {_bound(low)} to {_bound(high)}"
    if low == 0 and low_open and high is None:
        return "a positive finite number"
    parts = []
    if low is not None:
        parts.append(f"greater than {_bound(low)}" if low_open else f"≥ {_bound(low)}")
    if high is not None:
        parts.append(f"less than {_bound(high)}" if high_open else f"≤ {_bound(high)}")
    return "a finite number" + (" " + " and ".join(parts) if parts else "")


def number(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
) -> float:
    """`value` as a float (an int if `integer`), or a ValueError unless it is a finite number in the range.

    A 0-d numpy array or torch tensor counts as the number it holds.
    """
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        value = value.item()
    ok = isinstance(value, numbers.Integral if integer else numbers.Real) and not isinstance(value, bool)
    if ok:
        x = int(cast(numbers.Integral, value)) if integer else float(cast(numbers.Real, value))
        ok = math.isfinite(x)
        if ok and low is not None:
            ok = x > low if low_open else x >= low
        if ok and high is not None:
            ok = x < high if high_open else x <= high
        if ok:
            return x
    wanted = expectation(low=low, high=high, low_open=low_open, high_open=high_open, integer=integer)
    raise ValueError(f"{name} must be {wanted}, got {shown(value)}")


def whole(name: str, value: object, low: int = 1, high: int | None = None) -> int:
    """`value` as an int, or a ValueError unless it is a whole number ≥ low (and ≤ high): sizes, lengths, steps."""
    return int(number(name, value, low=low, high=high, integer=True))


def size(name: str, value: object) -> None:
    """A ValueError unless a size is a whole number of at least 1."""
    whole(name, value)


def positive(name: str, value: object) -> float:
    """`value` as a float, or a ValueError unless it is a finite number greater than 0: rates, temperatures."""
    return number(name, value, low=0.0, low_open=True)


def non_negative(name: str, value: object) -> float:
    """`value` as a float, or a ValueError unless it is a finite number ≥ 0: radii, scales, thresholds."""
    return number(name, value, low=0.0)


def probability(name: str, value: object) -> float:
    """`value` as a float, or a ValueError unless it is a finite number from 0 to 1: gates, shares."""
    return number(name, value, low=0.0, high=1.0)


def seed(name: str, value: object) -> int:
    """`value` as an int, or a ValueError unless it is a whole number ≥ 0 (a random seed)."""
    return whole(name, value, low=0)
