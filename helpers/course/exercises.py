"""Check a student's function on cases and explain, in plain words, what went wrong.

An `Exercise` holds a reference solution and cases. Calling it with the student's function runs
every case and returns a `CheckResult` that says what was expected and what came: a wrong shape,
dtype or type, NaN, None, an exception (with the line of the student's own code), a value that is
close but not close enough, swapped arguments, or a known mistake. `Exercise.grade` does the same on
the visible cases and then on hidden ones the student never saw.

It never raises, whatever the student's function does. Each call runs in `sandbox.guarded_call`: a
time limit per case, exit()/quit()/sys.exit() and KeyboardInterrupt turned into messages, global
numpy/torch settings put back (a change fails the case and is named), and what it prints captured.
An argument changed in place fails the case too (the caller's array would change). What it printed
is shown after the verdict of the case that failed (the first lines, at most 2,000 characters), so a
debugging print helps and a flood of output cannot fill the notebook; a passing check only says how
many lines were printed. The checker's own work (the reference, comparisons, hints) runs calmly: no
floating-point error raised, no warning shown, and a failure of ours is reported, not raised.
"""

from __future__ import annotations

import copy
import html
import inspect
import linecache
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from types import GeneratorType
from typing import Any

import numpy as np
import torch

from helpers.course.sandbox import DEFAULT_TIME_LIMIT, OUTPUT_CHARS, OUTPUT_LINES, Outcome, calm, guarded_call

PASS = "✔"
FAIL = "✘"
SHOWN_LINE = 200  # characters shown of each printed line


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
    try:
        if isinstance(value, np.ndarray):
            return f"a numpy array of shape {value.shape} and dtype {value.dtype}"
        if isinstance(value, torch.Tensor):
            return f"a torch tensor of shape {tuple(value.shape)} and dtype {_torch_dtype(value)}"
        if isinstance(value, (list, tuple)):
            return f"a {type(value).__name__} of length {len(value)}"
        if isinstance(value, GeneratorType):
            return "a generator"
        if inspect.isroutine(value) or inspect.isclass(value):
            return f"a {'class' if inspect.isclass(value) else 'function'} ({getattr(value, '__name__', '?')})"
    except Exception:
        pass
    name = type(value).__name__
    article = "an" if name[:1] in tuple("aeiou") else "a"
    return f"{article} {name} ({show(value)})"


def show(value: Any, width: int = 60) -> str:
    """A value printed compactly with 4 decimals, cut to `width` characters."""
    try:
        if isinstance(value, torch.Tensor):
            value = _tensor_numpy(value)
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, np.ndarray):
            text = np.array2string(value, precision=4, suppress_small=True, separator=", ", threshold=1000)
        elif isinstance(value, float):
            text = f"{value:.4g}"
        else:
            text = repr(value)
    except Exception:  # a __repr__ that raises, an array that cannot be printed
        text = f"<{type(value).__name__} that cannot be shown>"
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", " ".join(text.split()))  # no memory addresses
    return text if len(text) <= width else text[: width - 1] + "…"


def _torch_dtype(tensor: torch.Tensor) -> str:
    return str(tensor.dtype).replace("torch.", "")


def _tensor_numpy(tensor: torch.Tensor) -> np.ndarray:
    """A tensor as a numpy array; bfloat16, which numpy lacks, as float32."""
    with torch._C.DisableTorchFunctionSubclass():  # a subclass's own methods (.numpy(), ...) are never called
        tensor = torch._C.TensorBase.as_subclass(tensor, torch.Tensor)
    tensor = tensor.detach().cpu().resolve_conj().resolve_neg()
    if tensor.dtype == torch.bfloat16:
        tensor = tensor.to(torch.float32)
    return tensor.numpy()


def _as_array(value: Any) -> np.ndarray | None:
    """Numbers, numpy arrays and tensors as a float or int array; None for anything else."""
    if isinstance(value, torch.Tensor):
        return _tensor_numpy(value)
    if isinstance(value, np.ndarray):
        return np.ndarray.view(value, np.ndarray)  # a subclass as a plain array; a masked array's entries all count
    if isinstance(value, (bool, int, float, np.number, np.bool_)) or _numeric_list(value):
        return np.asarray(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, torch.Tensor) and v.numel() == 1 for v in value):
        return np.asarray([v.item() for v in value])  # e.g. a list of word ids the student kept as tensors
    return None


def _dtype_text(value: Any, array: np.ndarray) -> str:
    return _torch_dtype(value) if isinstance(value, torch.Tensor) else str(array.dtype)


def _kind(dtype: np.dtype) -> str:
    return {"b": "boolean", "i": "integer", "u": "integer", "f": "floating-point", "c": "complex"}.get(
        dtype.kind, str(dtype)
    )


def compare(got: Any, expected: Any, atol: float = 1e-6, rtol: float = 1e-5, check_dtype: bool = True) -> str | None:
    """None when `got` matches `expected`; otherwise a sentence saying how they differ. Never raises."""
    try:
        with calm():
            return _compare(got, expected, atol, rtol, check_dtype)
    except Exception as error:  # an odd value our comparison cannot handle: say so, never crash
        return (
            f"the checker could not compare what came back, {describe(got)}, with what was expected, "
            f"{describe(expected)} ({type(error).__name__}). Return {describe(expected)}."
        )


def _plain(value: Any) -> Any:
    """Subclasses of str, bytes, list and tuple as the plain type, read with the base class's own methods."""
    if isinstance(value, str) and type(value) is not str:
        return str.__str__(value)
    if isinstance(value, bytes) and type(value) is not bytes:
        return bytes(memoryview(value))
    if isinstance(value, list):
        return [_plain(item) for item in list.__iter__(value)]
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in tuple.__iter__(value))
    return value


def _compare(got: Any, expected: Any, atol: float, rtol: float, check_dtype: bool) -> str | None:
    got = _plain(got)
    if expected is None:
        return None if got is None else f"it returned {describe(got)}, but None was expected."
    if got is None:
        return "it returned None. Did you forget a `return` statement?"
    if isinstance(got, GeneratorType):
        return (
            f"it returned a generator (a generator expression `(... for ...)` or a `yield` makes one), but "
            f"{describe(expected)} was expected: build the values with list(...) or a list comprehension [...]."
        )
    if inspect.isroutine(got) or inspect.isclass(got):
        return f"it returned {describe(got)} instead of a value: call it and return what it computes."
    if isinstance(expected, tuple) and not isinstance(expected, np.ndarray):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"it returned {describe(got)}, but a tuple of {len(expected)} values was expected."
        for index, (g, e) in enumerate(zip(got, expected)):
            problem = _compare(g, e, atol, rtol, check_dtype)
            if problem:
                return f"in element {index} of the returned tuple, {problem}"
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"it returned {describe(got)}, but a dict was expected, such as {show(expected)}."
        if type(got) is not dict:
            return f"it returned a {type(got).__name__}, a kind of dict: return a plain dict, such as {show(expected)}."
        got = {_plain(key): value for key, value in dict.items(got)}
        same_keys = len(got) == len(expected) and all(key in got for key in expected)
        if not same_keys or any(_compare(got[key], value, atol, rtol, False) for key, value in expected.items()):
            return f"it returned {show(got)}, but {show(expected)} was expected."
        return None
    if isinstance(expected, (str, bytes)) or (isinstance(expected, list) and not _numeric_list(expected)):
        if not _equal(got, expected):
            return f"it returned {show(got)}, but {show(expected)} was expected."
        return None
    if _numeric_list(expected) and isinstance(got, (set, frozenset)):
        return (
            f"it returned a set ({show(got)}), but a list of {len(expected)} numbers was expected: "
            f"a set keeps no order and no repeats. Return a list."
        )
    if _numeric_list(expected) and isinstance(got, (list, tuple)) and len(got) != len(expected):
        return (
            f"it returned {show(list(got))}, but {show(expected)} was expected: "
            f"{len(got)} values instead of {len(expected)}."
        )
    return _compare_numbers(got, expected, atol, rtol, check_dtype)


def _equal(got: Any, expected: Any) -> bool:
    """got == expected, False when that comparison raises or gives anything but a plain boolean."""
    try:
        result = got == expected
        return isinstance(result, (bool, np.bool_)) and bool(result)
    except Exception:
        return False


def _numeric_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, (int, float, np.number)) for v in value)


def _compare_numbers(got: Any, expected: Any, atol: float, rtol: float, check_dtype: bool) -> str | None:
    want = _as_array(expected)
    if want is None:
        raise TypeError(f"cannot compare a result with {describe(expected)}: expected a number, array or tensor")
    scalar_expected = want.ndim == 0 and not isinstance(expected, (np.ndarray, torch.Tensor))
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
    if scalar_expected:
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
        if value.shape != want.shape:
            hint = (
                " It looks transposed: check the order of your matrix product."
                if value.shape == want.shape[::-1] and value.ndim > 1
                else ""
            )
            return f"the result has shape {tuple(value.shape)}, but shape {tuple(want.shape)} was expected.{hint}"
    return _compare_values(got, value, expected, want, atol, rtol, check_dtype and not scalar_expected)


def _compare_values(
    got: Any, value: np.ndarray, expected: Any, want: np.ndarray, atol: float, rtol: float, check_dtype: bool
) -> str | None:
    """Compare two arrays of the same shape: their kinds of number, NaN and inf, dtypes, then values."""
    got_dtype, want_dtype = _dtype_text(got, value), _dtype_text(expected, want)
    if value.dtype.kind not in "biufc":
        return (
            f"it returned {describe(got)}: its entries are not all numbers of one kind (dtype {value.dtype}), "
            f"but {describe(expected)} was expected."
        )
    if value.dtype.kind == "c" and want.dtype.kind != "c":
        return (
            f"the result is complex (dtype {got_dtype}), but real numbers were expected. Complex numbers come "
            f"from complex inputs or functions such as np.emath.sqrt or np.fft: keep to real numbers."
        )
    if isinstance(got, (list, tuple)) and want.dtype.kind in "iu" and value.dtype.kind == "f":
        return (
            f"it returned {show(list(got))}, floats, but whole numbers were expected ({show(expected)}): "
            f"ids, counts and steps are ints. Convert each with int(...)."
        )
    if value.dtype.kind in "fc":
        nans = np.isnan(value)
        if nans.any() and not (want.dtype.kind in "fc" and np.isnan(want).any()):
            where = (
                f" at index {tuple(int(i) for i in np.argwhere(nans)[0])} ({int(nans.sum())} in all)"
                if value.ndim
                else ""
            )
            return (
                f"the result contains NaN{where}. NaN comes from 0/0, log of a negative number, "
                f"or inf − inf: look for a division or a log."
            )
        if np.isinf(value).any() and not (want.dtype.kind in "fc" and np.isinf(want).any()):
            return "the result contains inf: something overflowed, often exp() of a large number."
    if check_dtype:
        if _kind(value.dtype) != _kind(want.dtype):
            advice = (
                "Whole numbers such as ids, counts or steps need an integer dtype: convert with int(...), "
                ".astype(int) or .long()."
                if want.dtype.kind in "iu"
                else "Integer inputs give integer results: use floats such as 1.0."
            )
            return (
                f"the result has {_kind(value.dtype)} dtype {got_dtype}, but dtype {want_dtype} was expected. "
                f"({advice})"
            )
        if got_dtype != want_dtype:
            return f"the result has dtype {got_dtype}, but dtype {want_dtype} was expected."
    elif want.ndim == 0 and isinstance(expected, (bool, np.bool_)) != (value.dtype.kind == "b"):
        return f"it returned {describe(got)}, but {describe(expected)} was expected."
    if want.dtype.kind in "biu" and value.dtype.kind in "biu":
        if value.ndim == 0:  # np.argwhere finds nothing in a 0-d array, so compare single numbers directly
            return None if value == want else f"it returned {show(value.item())}, but {show(want.item())} was expected."
        mismatch = np.argwhere(value != want)
        if mismatch.size:
            index = tuple(int(i) for i in mismatch[0])
            return f"value {show(value[index])} at index {index} should be {show(want[index])}."
        return None
    common = np.complex128 if "c" in (value.dtype.kind, want.dtype.kind) else np.float64
    return _compare_floats(value.astype(common), want.astype(common), atol, rtol)


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


# --- What a call did, in words -----------------------------------------------------------------------


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
    try:
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
    except Exception:
        pass
    return ""


def _first_line(error: BaseException, width: int = 300) -> str:
    """The first line of an exception's message; a placeholder when str() of it raises."""
    try:
        text = str(error).strip()
    except Exception:
        return "(its message cannot be shown: str() of the exception fails)"
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def _error_problem(error: BaseException) -> str:
    """What an exception raised by the student's code means."""
    if isinstance(error, NotImplementedError):
        return "it raised NotImplementedError: replace the placeholder with your code."
    problem = f"it raised {type(error).__name__}: {_first_line(error)}{_student_frame(error)}"
    if isinstance(error, RecursionError):
        problem += ". A function that calls itself needs a case where it stops calling itself."
    return problem


def _stopped_problem(outcome: Outcome, time_limit: float | None) -> str:
    """Why a call that did not return was stopped."""
    if outcome.stopped == "time":
        return (
            f"it did not finish within {time_limit:g} seconds, so the check stopped it. Something in it probably "
            "never ends: a `while` loop whose condition never changes, a loop counter that is never incremented, "
            "or a `time.sleep`."
        )
    if outcome.stopped in ("exit", "quit"):
        return f"it called {outcome.stopped}(): that would end your notebook's kernel. Return the value instead."
    if outcome.stopped == "sys.exit":
        return (
            "it called sys.exit() (or raised SystemExit): that stops the whole program, not just your function. "
            "Return the value instead."
        )
    return (
        "the check was interrupted (a KeyboardInterrupt: you pressed stop, or your code raised it) before this "
        "case finished, so it does not pass. Run the check again when you are ready."
    )


def _printed(outcome: Outcome) -> str:
    """What the call printed, for the verdict: its line count and its first lines."""
    output = outcome.output
    if not output.chars:
        return ""
    count = f"{output.lines:,} line{'s' if output.lines != 1 else ''}"
    if output.chars > OUTPUT_CHARS or output.lines > OUTPUT_LINES:
        head = f"Your function printed {count} ({output.chars:,} characters); the start:"
    else:
        head = f"Your function printed {count}:"
    shown = [line if len(line) <= SHOWN_LINE else line[: SHOWN_LINE - 1] + "…" for line in output.text().splitlines()]
    return f"\n   {head}" + "".join(f"\n   | {line}" for line in shown)


_ADVICE = {
    "array": "return a new array instead (use {name} / n, not {name} /= n; copy with {name}.copy() before "
    "assigning into it)",
    "tensor": "return a new tensor instead (use {name} / n, not {name} /= n or an in-place method such as "
    "{name}.div_(n); copy with {name}.clone() before assigning into it)",
    "list": "build a new list instead (sorted({name}), not {name}.sort(); {name} + [item], not {name}.append(item))",
    "dict": "build a new dict instead (copy it first with dict({name}))",
    "value": "compute new values instead of changing the ones you were given",
}


def _same(before: Any, after: Any) -> bool:
    """Whether an argument is unchanged: arrays and tensors by dtype, shape and value, containers recursively."""
    if isinstance(before, (torch.Tensor, np.ndarray)):
        if type(before) is not type(after) or before.dtype != after.dtype or before.shape != after.shape:
            return False
        if isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor):
            before, after = _tensor_numpy(before), _tensor_numpy(after)
        return bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))
    if isinstance(before, (list, tuple)):
        return type(before) is type(after) and len(before) == len(after) and all(map(_same, before, after))
    if isinstance(before, dict):
        return (
            isinstance(after, dict)
            and list(before) == list(after)
            and all(_same(value, after[key]) for key, value in before.items())
        )
    if isinstance(before, float) and isinstance(after, float) and before != before and after != after:
        return True  # NaN stays NaN
    if isinstance(before, (int, float, complex, str, bytes, bool, set, frozenset, type(None))):
        return before == after
    return True  # other objects (a scripted decoder step counting its calls) may keep state: not compared


def _changed_argument(case: Case, outcome: Outcome, names: list[str]) -> str | None:
    """A sentence naming the first argument the call changed in place, or None."""
    pairs = [
        (names[i] if i < len(names) else f"argument {i + 1}", b, a)
        for i, (b, a) in enumerate(zip(case.args, outcome.arguments))
    ]
    pairs += [(key, value, outcome.keywords.get(key)) for key, value in case.kwargs.items()]
    for name, before, after in pairs:
        try:
            with calm():
                if _same(before, after):
                    continue
        except Exception:
            continue
        kinds = {torch.Tensor: "tensor", np.ndarray: "array", dict: "dict", list: "list"}
        kind = next((kind for type_, kind in kinds.items() if isinstance(before, type_)), "value")
        return (
            f"it changed its argument `{name}` in place (from {show(before, 40)} to {show(after, 40)}); "
            f"{_ADVICE[kind].format(name=name)}. Otherwise the caller's {kind} changes too."
        )
    return None


def _safe_signature(function: Callable) -> inspect.Signature | None:
    try:
        return inspect.signature(function)
    except Exception:  # builtins without a signature, odd callables
        return None


class _CheckerFailed(Exception):
    """Our own reference failed on a case: a bug of the course, reported to the student as such."""


# --- The exercise -----------------------------------------------------------------------------------


class Exercise:
    """An auto-checked exercise: call it with the student's function to get a CheckResult.

    `hidden_cases` are used only by `grade`; `time_limit` (seconds per call, None for none) cuts a call
    that runs too long, where the platform allows (see `sandbox`).
    """

    def __init__(
        self,
        name: str,
        reference: Callable,
        cases: list[Case],
        atol: float = 1e-6,
        rtol: float = 1e-5,
        check_dtype: bool = True,
        mistakes: dict[str, Callable] | None = None,
        hidden_cases: list[Case] | None = None,
        time_limit: float | None = DEFAULT_TIME_LIMIT,
    ):
        if not cases:
            raise ValueError(f"exercise {name!r} needs at least one case")
        if time_limit is not None and not time_limit > 0:
            raise ValueError(f"time_limit must be a positive number of seconds or None, got {time_limit!r}")
        self.name = name
        self.reference = reference
        self.cases = cases
        self.hidden_cases = list(hidden_cases or [])
        self.atol, self.rtol, self.check_dtype = atol, rtol, check_dtype
        self.mistakes = mistakes or {}
        self.time_limit = time_limit
        self.signature = _safe_signature(reference)

    def __call__(self, student: Any) -> CheckResult:
        """Run every visible case on the student's function and report the first problem, or success."""
        return self._check(student, hidden=False)

    def grade(self, student: Any) -> CheckResult:
        """Run the visible cases, then the hidden ones, with the same protections; report the first problem."""
        return self._check(student, hidden=True)

    def _check(self, student: Any, hidden: bool) -> CheckResult:
        labels = [f"Case {k} of {len(self.cases)}" for k in range(1, len(self.cases) + 1)]
        cases = list(self.cases)
        if hidden:
            labels += [f"Hidden case {k} of {len(self.hidden_cases)}" for k in range(1, len(self.hidden_cases) + 1)]
            cases += self.hidden_cases
        try:
            problem = self._not_callable(student) or self._signature_problem(student)
            if problem:
                return CheckResult(False, f"{FAIL} {problem}")
            frozen = copy.copy(self)  # what the student's code may rebind on the exercise cannot reach the check
            frozen.cases, frozen.mistakes = list(self.cases), dict(self.mistakes)
            frozen.hidden_cases = list(self.hidden_cases)
            run = _Run(frozen, student, cases, watched=vars(self))
            for index in range(len(cases)):
                run.answer(index)  # every expected answer before the student's first call
            for index, label in enumerate(labels):
                problem = run.problem(index)
                if problem:
                    call = _call_text(self.name, self.signature, cases[index])
                    return CheckResult(False, f"{FAIL} {label}: {call}\n   {problem}")
            if hidden:
                verdict = f"all {len(cases)} cases pass ({len(self.cases)} visible, {len(self.hidden_cases)} hidden)."
            else:
                verdict = f"all {len(cases)} cases pass. Well done!"
            return CheckResult(True, f"{PASS} {self.name}: {verdict}{run.printed_note()}")
        except KeyboardInterrupt:
            return CheckResult(
                False,
                f"{FAIL} {self.name}: the check was interrupted (a KeyboardInterrupt: you pressed stop, or your code "
                "raised it) before it finished, so it does not pass. Run the check again when you are ready.",
            )
        except _CheckerFailed as failure:
            return CheckResult(False, f"{FAIL} {self.name}: {failure}")
        except Exception as error:  # a bug of ours: the student still gets a message, never a traceback
            return CheckResult(
                False,
                f"{FAIL} {self.name}: the checker itself failed ({type(error).__name__}: {_first_line(error)}), so it "
                "cannot judge your function. That is a bug in the course, not in your code: please report it.",
            )

    def _not_callable(self, student: Any) -> str | None:
        if student is None:
            return f"Nothing to check: you passed None. Pass your function, e.g. check({self.name})."
        if not callable(student):
            return (
                f"Expected a function to check, but got {describe(student)}. "
                f"Pass the function itself, without calling it: check({self.name}), not check({self.name}(...))."
            )
        return None

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


_WATCHED_MODULES: dict[str, dict] = {
    "helpers.course.exercises": globals(),
    "numpy": vars(np),
    "numpy.linalg": vars(np.linalg),
    "torch": vars(torch),
    "torch.nn.functional": vars(torch.nn.functional),
}


def _put_back(namespace: dict, before: dict, label: str) -> list[str]:
    """Put back the names of `namespace` rebound or deleted since `before`; return them as label.name."""
    missing = object()
    changed = [name for name, value in before.items() if namespace.get(name, missing) is not value]
    for name in changed:
        namespace[name] = before[name]
    return [f"{label}.{name}" for name in changed]


class _Run:
    """One check of one student function: each case's outcome and expected answer, computed once."""

    def __init__(self, exercise: Exercise, student: Callable, cases: list[Case], watched: dict | None = None):
        self.exercise, self.student, self.cases = exercise, student, cases
        self.watched = {f"check_{exercise.name}": watched if watched is not None else {}, **_WATCHED_MODULES}
        self.names = list(exercise.signature.parameters) if exercise.signature else []
        self.outcomes: dict[int, Outcome] = {}
        self.expected: dict[int, Any] = {}
        self.candidates: dict[tuple[int, int], Any] = {}

    def outcome(self, index: int) -> Outcome:
        """The student's call on case `index`, run once under every protection of the sandbox."""
        if index not in self.outcomes:
            case = self.cases[index]
            before = {label: dict(namespace) for label, namespace in self.watched.items()}
            outcome = guarded_call(self.student, case.args, case.kwargs, self.exercise.time_limit)
            rebound = [
                name for label, namespace in self.watched.items() for name in _put_back(namespace, before[label], label)
            ]
            if rebound:
                outcome.state_changes.append(
                    f"it changed {', '.join(rebound)}, which the checker and the notebook use; change only your "
                    "own variables."
                )
            self.outcomes[index] = outcome
        return self.outcomes[index]

    def answer(self, index: int) -> Any:
        """The reference's answer on case `index`, computed calmly; _CheckerFailed if the reference fails."""
        if index not in self.expected:
            case = self.cases[index]
            try:
                with calm():
                    self.expected[index] = self.exercise.reference(
                        *copy.deepcopy(case.args), **copy.deepcopy(case.kwargs)
                    )
            except Exception as error:
                raise _CheckerFailed(
                    f"the checker could not compute the expected answer of a case ({type(error).__name__}: "
                    f"{_first_line(error)}). That is a bug in the course, not in your code. If you changed a global "
                    "setting in an earlier cell (np.seterr, torch.set_default_dtype, ...), restart the kernel and "
                    "run the notebook again."
                ) from error
        return self.expected[index]

    def problem(self, index: int) -> str | None:
        """What is wrong with the student's call on case `index` (with what it printed), or None."""
        outcome = self.outcome(index)
        problem = self._problem(index, outcome)
        return problem + _printed(outcome) if problem else None

    def _problem(self, index: int, outcome: Outcome) -> str | None:
        if outcome.stopped:
            return _stopped_problem(outcome, self.exercise.time_limit)
        if outcome.error is not None:
            return _error_problem(outcome.error)
        if outcome.state_changes:
            return "\n   ".join(outcome.state_changes) + "\n   (The checker has put the setting back.)"
        changed = _changed_argument(self.cases[index], outcome, self.names)
        if changed:
            return changed
        if outcome.value is self.student:
            return "it returned the function itself, not its result: return the value it computes."
        expected = self.answer(index)
        exercise = self.exercise
        problem = compare(outcome.value, expected, exercise.atol, exercise.rtol, exercise.check_dtype)
        if problem is None:
            return None
        return problem + self._hint(index)

    def _hint(self, failing: int) -> str:
        """A hint when a known mistake, or the reference with two arguments swapped, explains EVERY case."""
        if compare(self.outcomes[failing].value, self.answer(failing), check_dtype=False) is None:
            return ""  # only the dtype is wrong, and the message says so
        swaps = combinations(range(len(self.cases[failing].args)), 2)
        candidates: list[Any] = [*self.exercise.mistakes.values(), *swaps]
        remaining = list(range(len(candidates)))
        for index in [failing] + [i for i in range(len(self.cases)) if i != failing]:
            outcome = self.outcome(index)
            if outcome.stopped == "interrupt":
                raise KeyboardInterrupt  # the reader pressed stop during the search: end the check
            if not outcome.returned:
                return ""  # an error, a time-out or an exit explains nothing
            remaining = [c for c in remaining if self._explains(candidates[c], c, index, outcome.value)]
            if not remaining:
                return ""
        chosen = remaining[0]
        if chosen < len(self.exercise.mistakes):
            return f"\n   Hint: that is what you get if you {list(self.exercise.mistakes)[chosen]}."
        i, j = candidates[chosen]
        first = self.names[i] if i < len(self.names) else f"argument {i + 1}"
        second = self.names[j] if j < len(self.names) else f"argument {j + 1}"
        return f"\n   Hint: that is the answer with `{first}` and `{second}` swapped. Check the order you use them in."

    _NO_ANSWER = object()

    def _explains(self, candidate: Any, number: int, index: int, got: Any) -> bool:
        """Whether a mistake (a function) or a swap (a pair of positions) gives `got` on case `index`."""
        key = (number, index)
        if key not in self.candidates:
            case = self.cases[index]
            args, kwargs = list(copy.deepcopy(case.args)), copy.deepcopy(case.kwargs)
            function = candidate
            if isinstance(candidate, tuple):
                i, j = candidate
                if j >= len(args):
                    self.candidates[key] = self._NO_ANSWER
                    return False
                args[i], args[j] = args[j], args[i]
                function = self.exercise.reference
            try:  # a mistake or a swapped call may divide by zero or fail: that is ours, not the student's
                with calm():
                    self.candidates[key] = function(*args, **kwargs)
            except Exception:
                self.candidates[key] = self._NO_ANSWER
        answer = self.candidates[key]
        return answer is not self._NO_ANSWER and compare(got, answer, check_dtype=False) is None

    def printed_note(self) -> str:
        """For a passing check: how many lines the function printed while it was checked (not shown)."""
        lines = sum(outcome.output.lines for outcome in self.outcomes.values())
        if not lines:
            return ""
        return (
            f"\n   (Your function printed {lines:,} line{'s' if lines != 1 else ''} while it was checked; not shown.)"
        )
