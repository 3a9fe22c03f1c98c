"""Check a student's function on cases and explain, in plain words, what went wrong.

An `Exercise` holds a reference solution and cases. Calling it with the student's function runs
every case and returns a `CheckResult` that says what was expected and what came: a wrong shape,
dtype or type, NaN, None, an exception (with the line of the student's own code), a value that is
close but not close enough, swapped arguments, or a known mistake. It never raises.
"""

from __future__ import annotations

import copy
import html
import inspect
import linecache
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import torch

PASS = "✔"
FAIL = "✘"


@dataclass
class Case:
    """The arguments of one call; the expected answer comes from the reference solution."""

    args: tuple
    kwargs: dict = field(default_factory=dict)


@dataclass
class CheckResult:
    """The verdict on a student's function: `passed` and a message for the student."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        colour = "#009E73" if self.passed else "#D55E00"
        return (
            f"<div style='border-left: 4px solid {colour}; padding: 4px 8px; white-space: pre-wrap'>"
            f"{html.escape(self.message)}</div>"
        )


def describe(value: Any) -> str:
    """A short, student-friendly description of a value's type, shape and dtype."""
    if isinstance(value, np.ndarray):
        return f"a numpy array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, torch.Tensor):
        return f"a torch tensor of shape {tuple(value.shape)} and dtype {str(value.dtype).replace('torch.', '')}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    name = type(value).__name__
    article = "an" if name[0] in "aeiou" else "a"
    return f"{article} {name} ({show(value)})"


def show(value: Any, width: int = 60) -> str:
    """A value printed compactly with 4 decimals, cut to `width` characters."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=4, suppress_small=True, separator=", ")
    elif isinstance(value, float):
        text = f"{value:.4g}"
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _as_array(value: Any) -> np.ndarray | None:
    """Numbers, numpy arrays and tensors as a float or int array; None for anything else."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (bool, int, float, np.number, np.bool_)) or _numeric_list(value):
        return np.asarray(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, torch.Tensor) and v.numel() == 1 for v in value):
        return np.asarray([v.item() for v in value])  # e.g. a list of word ids the student kept as tensors
    return None


def _kind(dtype: np.dtype) -> str:
    return {"b": "boolean", "i": "integer", "u": "integer", "f": "floating-point", "c": "complex"}.get(
        dtype.kind, str(dtype)
    )


def compare(got: Any, expected: Any, atol: float = 1e-6, rtol: float = 1e-5, check_dtype: bool = True) -> str | None:
    """None when `got` matches `expected`; otherwise a sentence saying how they differ."""
    if got is None:
        return "it returned None. Did you forget a `return` statement?"
    if isinstance(expected, tuple) and not isinstance(expected, np.ndarray):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"it returned {describe(got)}, but a tuple of {len(expected)} values was expected."
        for index, (g, e) in enumerate(zip(got, expected)):
            problem = compare(g, e, atol, rtol, check_dtype)
            if problem:
                return f"in element {index} of the returned tuple, {problem}"
        return None
    if isinstance(expected, (str, bytes)) or (isinstance(expected, (list, dict)) and not _numeric_list(expected)):
        if got != expected:
            return f"it returned {show(got)}, but {show(expected)} was expected."
        return None
    if _numeric_list(expected) and isinstance(got, (list, tuple)) and len(got) != len(expected):
        return (
            f"it returned {show(list(got))}, but {show(expected)} was expected: "
            f"{len(got)} values instead of {len(expected)}."
        )
    return _compare_numbers(got, expected, atol, rtol, check_dtype)


def _numeric_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, (int, float, np.number)) for v in value)


def _compare_numbers(got: Any, expected: Any, atol: float, rtol: float, check_dtype: bool) -> str | None:
    want = _as_array(expected)
    scalar_expected = want is not None and want.ndim == 0 and not isinstance(expected, (np.ndarray, torch.Tensor))
    if isinstance(expected, torch.Tensor) and not isinstance(got, torch.Tensor):
        if isinstance(got, np.ndarray):
            return "it returned a numpy array, but a torch tensor was expected. Convert with torch.from_numpy(...)."
        return f"it returned {describe(got)}, but a torch tensor of shape {tuple(expected.shape)} was expected."
    if isinstance(expected, np.ndarray) and not isinstance(got, np.ndarray):
        if isinstance(got, (list, tuple)):
            return (
                f"it returned a Python {type(got).__name__}, but a numpy array of shape {expected.shape} was "
                f"expected. Wrap the result with np.array(...), or use numpy operations throughout."
            )
        if isinstance(got, torch.Tensor):
            return "it returned a torch tensor, but a numpy array was expected. Convert with .numpy()."
        if _as_array(got) is None or expected.ndim > 0:
            return f"it returned {describe(got)}, but a numpy array of shape {expected.shape} was expected."
    if want is not None and scalar_expected:  # scalar_expected already implies an array `want`
        if isinstance(got, (list, tuple)):
            return f"it returned a {type(got).__name__}, but a single number was expected."
        value = _as_array(got)
        if value is None:
            return f"it returned {describe(got)}, but a number was expected."
        if value.size != 1:
            return f"it returned {describe(got)}, but a single number was expected."
        value = value.reshape(())
    else:
        value = _as_array(got)
        if value is None:
            return f"it returned {describe(got)}, but {describe(expected)} was expected."
        if want is None:
            raise TypeError(f"cannot compare a result with {describe(expected)}: expected a number, array or tensor")
        if value.shape != want.shape:
            hint = (
                " It looks transposed: check the order of your matrix product."
                if value.shape == want.shape[::-1] and value.ndim > 1
                else ""
            )
            return f"the result has shape {tuple(value.shape)}, but shape {tuple(want.shape)} was expected.{hint}"
    if want.dtype.kind in "fc" and value.dtype.kind in "fc":
        nans = np.isnan(value)
        if nans.any() and not np.isnan(want).any():
            where = (
                f" at index {tuple(int(i) for i in np.argwhere(nans)[0])} ({int(nans.sum())} in all)"
                if value.ndim
                else ""
            )
            return (
                f"the result contains NaN{where}. NaN comes from 0/0, log of a negative number, "
                f"or inf − inf: look for a division or a log."
            )
        if np.isinf(value).any() and not np.isinf(want).any():
            return "the result contains inf: something overflowed, often exp() of a large number."
    if check_dtype and not scalar_expected:
        if _kind(value.dtype) != _kind(want.dtype):
            return (
                f"the result has {_kind(value.dtype)} dtype {value.dtype}, but dtype {want.dtype} was expected. "
                f"(Integer inputs give integer results: use floats such as 1.0.)"
            )
        if value.dtype != want.dtype:
            return f"the result has dtype {value.dtype}, but dtype {want.dtype} was expected."
    elif scalar_expected and isinstance(expected, (bool, np.bool_)) != (value.dtype.kind == "b"):
        return f"it returned {describe(got)}, but {describe(expected)} was expected."
    if want.dtype.kind in "biu" and value.dtype.kind in "biu":
        if value.ndim == 0:  # np.argwhere finds nothing in a 0-d array, so compare single numbers directly
            return None if value == want else f"it returned {show(value.item())}, but {show(want.item())} was expected."
        mismatch = np.argwhere(value != want)
        if mismatch.size:
            index = tuple(int(i) for i in mismatch[0])
            return f"value {show(value[index])} at index {index} should be {show(want[index])}."
        return None
    return _compare_floats(value.astype(np.float64), want.astype(np.float64), atol, rtol)


def _compare_floats(value: np.ndarray, want: np.ndarray, atol: float, rtol: float) -> str | None:
    if np.allclose(value, want, atol=atol, rtol=rtol, equal_nan=True):
        return None
    error = np.abs(value - want)
    error = np.where(np.isnan(error), np.inf, error)
    worst = np.unravel_index(int(np.argmax(error)), value.shape) if value.ndim else ()
    where = f" at index {tuple(int(i) for i in worst)}" if value.ndim else ""
    got_text, want_text = f"{value[worst]:.6g}", f"{want[worst]:.6g}"
    if np.allclose(value, -want, atol=atol, rtol=rtol) and np.abs(want).max() > atol:
        return f"the result has the wrong sign: got {got_text}{where}, expected {want_text}. Check a minus sign."
    scale = max(float(np.abs(want).max()), 1e-12)
    if float(error.max()) <= 1e-2 * scale:
        return (
            f"the result is close but not within tolerance: got {got_text}{where}, expected {want_text} "
            f"(off by {float(error.max()):.2g}). Look for rounding, a missing small term, or float32."
        )
    return f"got {got_text}{where}, but {want_text} was expected."


def _call_text(name: str, signature: inspect.Signature | None, case: Case) -> str:
    names = list(signature.parameters) if signature is not None else []
    parts = [f"{names[i]}={show(a, 30)}" if i < len(names) else show(a, 30) for i, a in enumerate(case.args)]
    parts += [f"{key}={show(value, 30)}" for key, value in case.kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _is_library(filename: str) -> bool:
    """Whether a frame belongs to Python, an installed package or these helpers, not the student."""
    helpers_dir = str(Path(__file__).resolve().parents[1])  # the whole helpers package
    return (
        "site-packages" in filename
        or filename.startswith((sys.prefix, sys.base_prefix, helpers_dir))
        or filename.startswith("<frozen")
    )


def _student_frame(error: BaseException) -> str:
    """Where in the student's code an exception surfaced: ' (line 3: `return x @ w`)'."""
    trace = error.__traceback__
    frames = []
    while trace is not None:
        frames.append(trace)
        trace = trace.tb_next
    for frame in reversed(frames):
        filename = frame.tb_frame.f_code.co_filename
        if _is_library(filename):
            continue
        line = linecache.getline(filename, frame.tb_lineno).strip()
        return f" (your line {frame.tb_lineno}: `{line}`)" if line else f" (your line {frame.tb_lineno})"
    return ""


def _safe_signature(function: Callable) -> inspect.Signature | None:
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):
        return None


class Exercise:
    """An auto-checked exercise: call it with the student's function to get a CheckResult."""

    def __init__(
        self,
        name: str,
        reference: Callable,
        cases: list[Case],
        atol: float = 1e-6,
        rtol: float = 1e-5,
        check_dtype: bool = True,
        mistakes: dict[str, Callable] | None = None,
    ):
        if not cases:
            raise ValueError(f"exercise {name!r} needs at least one case")
        self.name = name
        self.reference = reference
        self.cases = cases
        self.atol, self.rtol, self.check_dtype = atol, rtol, check_dtype
        self.mistakes = mistakes or {}
        self.signature = _safe_signature(reference)

    def __call__(self, student: Any) -> CheckResult:
        """Run every case on the student's function and report the first problem, or success."""
        if student is None:
            return CheckResult(
                False, f"{FAIL} Nothing to check: you passed None. Pass your function, e.g. check({self.name})."
            )
        if not callable(student):
            return CheckResult(
                False,
                f"{FAIL} Expected a function to check, but got {describe(student)}. "
                f"Pass the function itself, without calling it: check({self.name}), not check({self.name}(...)).",
            )
        problem = self._signature_problem(student)
        if problem:
            return CheckResult(False, f"{FAIL} {problem}")
        for number, case in enumerate(self.cases, 1):
            problem = self._check_case(student, case)
            if problem:
                call = _call_text(self.name, self.signature, case)
                return CheckResult(False, f"{FAIL} Case {number} of {len(self.cases)}: {call}\n   {problem}")
        return CheckResult(True, f"{PASS} {self.name}: all {len(self.cases)} cases pass. Well done!")

    def _signature_problem(self, student: Callable) -> str | None:
        student_signature = _safe_signature(student)
        if student_signature is None:
            return None
        case = self.cases[0]
        try:
            student_signature.bind(*case.args, **case.kwargs)
        except TypeError:
            wanted = ", ".join(self.signature.parameters) if self.signature else f"{len(case.args)} arguments"
            return (
                f"your function takes ({', '.join(student_signature.parameters)}), but the exercise calls it "
                f"as {self.name}({wanted})."
            )
        return None

    def _check_case(self, student: Callable, case: Case) -> str | None:
        expected = self.reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        try:
            got = student(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        except Exception as error:  # the student's code: report it, never re-raise
            message = str(error).strip().splitlines()[0] if str(error).strip() else ""
            if isinstance(error, NotImplementedError):
                return "it raised NotImplementedError: replace the placeholder with your code."
            return f"it raised {type(error).__name__}: {message}{_student_frame(error)}"
        problem = compare(got, expected, self.atol, self.rtol, self.check_dtype)
        if problem is None:
            return None
        return problem + self._diagnose(got, case)

    def _diagnose(self, got: Any, case: Case) -> str:
        """A hint when the wrong answer equals a known mistake or the answer with swapped arguments."""
        for description, mistake in self.mistakes.items():
            if _matches(got, mistake, case.args, case.kwargs):
                return f"\n   Hint: that is what you get if you {description}."
        names = list(self.signature.parameters) if self.signature else []
        for i, j in combinations(range(len(case.args)), 2):
            swapped = list(case.args)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            if _matches(got, self.reference, tuple(swapped), case.kwargs):
                first = names[i] if i < len(names) else f"argument {i + 1}"
                second = names[j] if j < len(names) else f"argument {j + 1}"
                return (
                    f"\n   Hint: that is the answer with `{first}` and `{second}` swapped. "
                    "Check the order you use them in."
                )
        return ""


def _matches(got: Any, function: Callable, args: tuple, kwargs: dict) -> bool:
    try:  # a mistake or a swapped call may divide by zero or overflow: that is ours, not the student's
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            candidate = function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except Exception:
        return False
    try:
        return compare(got, candidate, check_dtype=False) is None
    except Exception:
        return False
