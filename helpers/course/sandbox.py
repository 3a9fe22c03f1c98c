"""Call a student's function so that nothing it does can hang, end or change the notebook it runs in.

`guarded_call` runs one call with a time limit, with `exit()`/`quit()` disarmed, with what it prints
captured (and capped), and with the global numpy/torch settings saved before and put back after. It
never raises for anything the student's code does: the `Outcome` says what happened. `calm()` is the
context the checker's own computations run in (no floating-point errors raised, no warnings shown).

The time limit uses SIGALRM, so it works in the main thread on Linux and macOS (Jupyter runs cells in
its kernel's main thread). In another thread, or on Windows, there is no time limit: a function that
loops forever then hangs the check until you interrupt it (the interrupt is reported, not raised).
When the time is up, the alarm raises a private BaseException in the student's code (so `except
Exception` does not catch it) and rings again every 0.1 s; only a loop that catches everything with a
bare `except:` and carries on can outlast it. It waits for an import under way to finish (a module cut
in half would stay broken), and never interrupts this module's own bookkeeping.
"""

from __future__ import annotations

import builtins
import copy
import ctypes
import functools
import io
import random
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

DEFAULT_TIME_LIMIT = 5.0  # seconds per call: every case of the course's exercises takes milliseconds
OUTPUT_CHARS = 2000  # what a checker keeps of a call's output...
OUTPUT_LINES = 40  # ...and how many of its lines it shows
RETRY_SECONDS = 0.02  # when the alarm rings inside this module's own bookkeeping, ring again this soon
IMPORT_GRACE = 10.0  # seconds past the limit an import may take to finish before it is cut anyway


class _TimeUp(BaseException):
    """Raised inside the student's code when its time is up (a BaseException, so `except Exception` misses it)."""


class _ExitCalled(BaseException):
    """Raised by the stand-ins for exit() and quit() during a student's call."""


@contextmanager
def calm() -> Iterator[None]:
    """Floating-point errors ignored and warnings hidden: how the checker computes its own answers."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


class CappedOutput(io.TextIOBase):
    """A stand-in for stdout/stderr that counts everything written and keeps only the first characters."""

    def __init__(self, chars: int = OUTPUT_CHARS):
        super().__init__()
        self.limit, self.kept_chars, self.chars, self.line_breaks = chars, 0, 0, 0
        self.kept: list[str] = []
        self.last = ""

    def write(self, text: Any) -> int:
        text = text if isinstance(text, str) else str(text)
        self.chars += len(text)
        self.line_breaks += text.count("\n")
        if text:
            self.last = text[-1]
        if self.kept_chars < self.limit:
            piece = text[: self.limit - self.kept_chars]
            self.kept.append(piece)
            self.kept_chars += len(piece)
        return len(text)

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @property
    def lines(self) -> int:
        """How many lines were printed (a last line without a newline counts)."""
        return self.line_breaks + (1 if self.chars and self.last != "\n" else 0)

    def text(self) -> str:
        """The start of what was printed: at most OUTPUT_CHARS characters and OUTPUT_LINES lines."""
        return "\n".join("".join(self.kept).splitlines()[:OUTPUT_LINES])


@dataclass
class Outcome:
    """What one guarded call did: returned `value`, raised `error`, or was `stopped` (and why)."""

    value: Any = None
    error: BaseException | None = None  # an exception the student's code raised (not one listed below)
    stopped: str | None = None  # "time", "exit", "quit", "sys.exit" (SystemExit) or "interrupt" (KeyboardInterrupt)
    output: CappedOutput = field(default_factory=CappedOutput)
    state_changes: list[str] = field(default_factory=list)  # global settings it changed (already put back)
    arguments: tuple = ()  # the copies it was given, as they are after the call
    keywords: dict = field(default_factory=dict)

    @property
    def returned(self) -> bool:
        """Whether the call returned a value, without raising, stopping or changing a global setting."""
        return self.error is None and self.stopped is None and not self.state_changes


def time_limit_available() -> bool:
    """Whether calls can be cut at their time limit here (SIGALRM, in the main thread, with a Python handler)."""
    return (
        hasattr(signal, "SIGALRM")
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) is not None  # None: set outside Python, we could not put it back
    )


def guarded_call(
    function: Callable, args: tuple, kwargs: dict, time_limit: float | None = DEFAULT_TIME_LIMIT
) -> Outcome:
    """Call function(*deep copies of args, **kwargs) under every protection of this module; never raises."""
    outcome = Outcome(arguments=copy.deepcopy(args), keywords=copy.deepcopy(kwargs))
    timer = _Timer(time_limit)
    with _HeldInterrupts() as setting_up:  # a stop pressed now must not leave stdout or exit() swapped
        before = global_state()
        exits = _disarm_exit(function)
        function = _stand_in(function, exits)
        stdout, stderr = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = outcome.output
    stop_handler = _stop_handler()
    try:
        with warnings.catch_warnings():  # a warnings.simplefilter("error") in the student's code stays inside
            timer.start()
            try:
                if setting_up.held:
                    raise KeyboardInterrupt
                outcome.value = function(*outcome.arguments, **outcome.keywords)
            except _TimeUp:
                outcome.stopped = "time"
            except _ExitCalled as called:
                outcome.stopped = str(called)  # "exit" or "quit"
            except SystemExit:
                outcome.stopped = "sys.exit"
            except KeyboardInterrupt:
                outcome.stopped = "interrupt"
            except BaseException as error:  # the student's own error, e.g. GeneratorExit or an Exception
                outcome.error = error
            finally:
                timer.stop()
    except _TimeUp:  # rang in catch_warnings' __exit__ before the timer stopped
        outcome.stopped = outcome.stopped or "time"
        timer.stop()
    finally:
        signal_changes = _signal_changes(timer, stop_handler)
        with _HeldInterrupts() as putting_back:
            timer.restore()
            sys.stdout, sys.stderr = stdout, stderr
            _restore_exit(exits)
            after = global_state()
            outcome.state_changes = state_changes(before, after) + signal_changes
            restore_global_state(before, after)
        if stop_handler is not None and signal.getsignal(signal.SIGINT) is not stop_handler:
            signal.signal(signal.SIGINT, stop_handler)
        if putting_back.held:
            outcome.stopped = "interrupt"
    return outcome


def _stop_handler() -> Any:
    """The SIGINT handler now (what the stop button runs), or None where it cannot be read or put back."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGINT"):
        return None
    return signal.getsignal(signal.SIGINT)


def _signal_changes(timer: _Timer, stop_handler: Any) -> list[str]:
    """A sentence for the stop button's handler or the time limit's alarm changed during the call."""
    changes = []
    if stop_handler is not None and signal.getsignal(signal.SIGINT) is not stop_handler:
        changes.append(
            "it changed what the stop button does (the SIGINT handler, with signal.signal); leave signal handlers "
            "to the notebook."
        )
    if timer.seconds is not None and signal.getsignal(signal.SIGALRM) != timer._ring:
        changes.append(
            "it changed the alarm the checker's time limit uses (the SIGALRM handler, with signal.signal); leave "
            "signal handlers to the notebook."
        )
    return changes


class _HeldInterrupts:
    """Within the block a stop (SIGINT, KeyboardInterrupt) is noted in `held`, not raised (main thread only)."""

    def __enter__(self) -> _HeldInterrupts:
        self.held, self.previous = False, None
        if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is not None:
            self.previous = signal.signal(signal.SIGINT, self._note)
        return self

    def _note(self, signum: int, frame: Any) -> None:
        self.held = True

    def __exit__(self, *exception: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


class _Timer:
    """SIGALRM after `seconds`, raising _TimeUp in the student's code; ringing again if that code swallows it."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds if seconds and seconds > 0 and time_limit_available() else None
        self.armed = False
        self.deferred = 0.0  # seconds the alarm waited for an import to finish
        self.previous_handler: Any = None
        self.previous_timer = (0.0, 0.0)
        self.started = 0.0
        self.watchdog: _Watchdog | None = None

    def start(self) -> None:
        if self.seconds is None:
            return
        self.watchdog = _Watchdog(self.seconds + 1.0)
        self.previous_handler = signal.signal(signal.SIGALRM, self._ring)
        self.started = time.monotonic()
        self.armed = True
        self.previous_timer = signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def _ring(self, signum: int, frame: Any) -> None:
        if not self.armed:
            return
        if frame is not None and frame.f_code.co_filename == __file__:
            signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)  # our own bookkeeping: wait for the student's code
            return
        if self.deferred < IMPORT_GRACE and _importing(frame):
            self.deferred += RETRY_SECONDS  # a module half imported would stay broken: let the import finish
            signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
            return
        signal.setitimer(signal.ITIMER_REAL, 0.1)  # should the student's code catch this, ring again
        raise _TimeUp

    def stop(self) -> None:
        if self.seconds is not None:
            if self.watchdog is not None:
                self.watchdog.stop()
            self.armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)

    def restore(self) -> None:
        """Put back the handler and the timer (less the time spent) that were there before."""
        if self.seconds is None or self.previous_handler is None:
            return
        self.stop()
        signal.signal(signal.SIGALRM, self.previous_handler)
        delay, interval = self.previous_timer
        if delay > 0:
            signal.setitimer(signal.ITIMER_REAL, max(delay - (time.monotonic() - self.started), 1e-3), interval)
        self.previous_handler = None


class _Watchdog:
    """A thread that raises _TimeUp in the main thread if the call outlasts `seconds` (its alarm switched off)."""

    def __init__(self, seconds: float):
        self.main = threading.main_thread().ident or 0
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._watch, args=(seconds,), daemon=True)
        self.thread.start()

    def _watch(self, seconds: float) -> None:
        if self.done.wait(seconds):
            return
        while True:
            with self.lock:
                if self.done.is_set():
                    return
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.main), ctypes.py_object(_TimeUp))
            if self.done.wait(0.5):
                return

    def stop(self) -> None:
        with self.lock:
            self.done.set()
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.main), None)  # drop one not yet raised


def _importing(frame: Any) -> bool:
    """Whether Python's import machinery is on the stack (a module is being imported)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _exit_called(*args: Any, **kwargs: Any) -> None:
    raise _ExitCalled("exit")


def _quit_called(*args: Any, **kwargs: Any) -> None:
    raise _ExitCalled("quit")


def _globals_of(function: Any) -> dict | None:
    """The module namespace a function was defined in (a notebook's user namespace for a cell's function)."""
    try:
        for _ in range(10):  # unwrap partials, bound methods and decorated functions
            if isinstance(function, functools.partial):
                function = function.func
            elif hasattr(function, "__func__"):
                function = function.__func__
            elif hasattr(function, "__wrapped__"):
                function = function.__wrapped__
            elif not hasattr(function, "__globals__") and callable(function):
                function = function.__call__  # an object with a __call__ method
            else:
                break
        namespace = getattr(function, "__globals__", None)
        return namespace if isinstance(namespace, dict) else None
    except Exception:
        return None


def _notebook_namespace() -> dict | None:
    """The running notebook's namespace, where IPython keeps exit and quit; None outside IPython."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return shell.user_ns if shell is not None else None
    except Exception:
        return None


def _disarm_exit(function: Callable) -> list[tuple[dict, str, Any]]:
    """Replace exit and quit in the function's and the notebook's namespaces and in builtins; return the originals."""
    replaced: list[tuple[dict, str, Any]] = []
    for namespace in (_globals_of(function), _notebook_namespace(), builtins.__dict__):
        for name in ("exit", "quit"):
            if (
                namespace is not None
                and name in namespace
                and not any(n is namespace and k == name for n, k, _ in replaced)
            ):
                replaced.append((namespace, name, namespace[name]))
                namespace[name] = _exit_called if name == "exit" else _quit_called
    return replaced


def _stand_in(function: Callable, replaced: list[tuple[dict, str, Any]]) -> Callable:
    """The function to call: a stand-in when the student handed in exit or quit itself."""
    for _, name, original in replaced:
        if function is original:
            return _exit_called if name == "exit" else _quit_called
    return function


def _restore_exit(replaced: list[tuple[dict, str, Any]]) -> None:
    for namespace, name, original in reversed(replaced):
        namespace[name] = original


# --- Global numpy and torch settings --------------------------------------------------------------

_TORCH_PRINT_FIELDS = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")


def global_state() -> dict[str, Any]:
    """The settings a function could change for the rest of the notebook, and the random generators' states."""
    print_options = getattr(getattr(torch, "_tensor_str", None), "PRINT_OPTS", None)
    return {
        "grad": torch.is_grad_enabled(),
        "dtype": torch.get_default_dtype(),
        "device": str(torch.get_default_device()),
        "threads": torch.get_num_threads(),
        "deterministic": (
            torch.are_deterministic_algorithms_enabled(),
            torch.is_deterministic_algorithms_warn_only_enabled(),
        ),
        "anomaly": torch.is_anomaly_enabled(),
        "np_err": np.geterr(),
        "np_print": np.get_printoptions(),
        "torch_print": {name: getattr(print_options, name, None) for name in _TORCH_PRINT_FIELDS},
        # put back silently: seeding inside a function is legitimate
        "torch_random": torch.get_rng_state(),
        "np_random": np.random.get_state(),
        "random": random.getstate(),
        "recursion": sys.getrecursionlimit(),
    }


def restore_global_state(state: dict[str, Any], now: dict[str, Any] | None = None) -> None:
    """Put back every setting and random state `global_state()` recorded (those that differ from `now`)."""
    now = global_state() if now is None else now

    def changed(key: str) -> bool:
        before, after = state[key], now[key]
        if isinstance(before, torch.Tensor):
            return not torch.equal(before, after)
        if key == "np_random":
            return before[0] != after[0] or not np.array_equal(before[1], after[1]) or before[2:] != after[2:]
        return before != after

    if changed("grad"):
        torch.set_grad_enabled(state["grad"])
    if changed("dtype"):
        torch.set_default_dtype(state["dtype"])
    if changed("device"):
        torch.set_default_device(None if state["device"] == "cpu" else state["device"])
    if changed("threads"):
        torch.set_num_threads(state["threads"])
    if changed("deterministic"):
        torch.use_deterministic_algorithms(state["deterministic"][0], warn_only=state["deterministic"][1])
    if changed("anomaly"):
        torch.autograd.set_detect_anomaly(state["anomaly"])
    if changed("np_err"):
        np.seterr(**state["np_err"])
    if changed("np_print"):
        np.set_printoptions(**state["np_print"])
    if changed("torch_print") and state["torch_print"]["precision"] is not None:  # sci_mode may be None
        torch.set_printoptions(**state["torch_print"])
    if changed("torch_random"):
        torch.set_rng_state(state["torch_random"])
    if changed("np_random"):
        np.random.set_state(state["np_random"])
    if changed("random"):
        random.setstate(state["random"])
    if changed("recursion"):
        sys.setrecursionlimit(state["recursion"])


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def _call(name: str, before: dict, after: dict) -> str:
    """np.seterr(over='raise') for the options that changed."""
    changed = ", ".join(f"{key}={value!r}" for key, value in after.items() if before.get(key) != value)
    return f"{name}({changed})"


# What to tell a student whose function changed one of `global_state()`'s settings: (setting, before, after) -> text.
_CHANGE_MESSAGES: dict[str, Callable[[Any, Any], str]] = {
    "grad": lambda old, new: (
        "it switched off gradients for the rest of the notebook with torch.set_grad_enabled(False); "
        "use `with torch.no_grad():` inside the function instead."
        if old
        else "it switched gradients on for the rest of the notebook with torch.set_grad_enabled(True); "
        "use `with torch.enable_grad():` inside the function instead."
    ),
    "dtype": lambda old, new: (
        f"it changed torch's default dtype from {_dtype_name(old)} to {_dtype_name(new)} for the rest of the notebook "
        f"with torch.set_default_dtype(torch.{_dtype_name(new)}); pass dtype=torch.{_dtype_name(new)} to the tensors "
        "you create instead."
    ),
    "device": lambda old, new: (
        f"it changed torch's default device from {old} to {new} for the rest of the notebook "
        "(torch.set_default_device); pass device=... to the tensors you create instead."
    ),
    "threads": lambda old, new: (
        f"it changed the number of threads torch uses from {old} to {new} (torch.set_num_threads({new})); "
        "leave that to the notebook's set-up."
    ),
    "deterministic": lambda old, new: (
        f"it changed torch.use_deterministic_algorithms to {new[0]} for the rest of the notebook; "
        "leave that to the notebook's set-up."
    ),
    "anomaly": lambda old, new: (
        f"it switched torch's anomaly detection {'on' if new else 'off'} for the rest of the notebook "
        "(torch.autograd.set_detect_anomaly); use `with torch.autograd.detect_anomaly():` instead."
    ),
    "np_err": lambda old, new: (
        f"it changed how numpy treats floating-point errors for the rest of the notebook with "
        f"{_call('np.seterr', old, new)}; use `with np.errstate(...):` inside the function instead."
    ),
    "np_print": lambda old, new: (
        f"it changed numpy's print options for the rest of the notebook with "
        f"{_call('np.set_printoptions', old, new)}; use `with np.printoptions(...):` inside the function instead."
    ),
    "torch_print": lambda old, new: (
        f"it changed torch's print options for the rest of the notebook with "
        f"{_call('torch.set_printoptions', old, new)}; leave them to the notebook's set-up."
    ),
}


def state_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """A sentence for each setting that differs between two `global_state()`s (random states aside)."""
    return [say(before[key], after[key]) for key, say in _CHANGE_MESSAGES.items() if before[key] != after[key]]
