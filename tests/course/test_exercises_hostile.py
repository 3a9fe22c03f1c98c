"""Hostile student functions against every kind of checker: none hangs past its limit, none raises out of
the checker, each gets a specific message, and the notebook's global state is the same afterwards."""

from __future__ import annotations

import builtins
import copy
import random
import signal
import sys
import time
import warnings
from collections import Counter

import numpy as np
import pytest
import torch

import helpers.course.exercises as exercises_module
from helpers.benchmarks import check_memory_span, memory_span
from helpers.birnn import check_masked_mean
from helpers.course.exercises import Case, CheckResult, Exercise
from helpers.course.sandbox import global_state, guarded_call, time_limit_available
from helpers.course_map import check_bag_of_words
from helpers.gradients import check_steps_to_shrink
from helpers.lm import check_clip_gradient, check_temperature_probabilities, clip_gradient, temperature_probabilities
from helpers.lstm import check_lstm_step, lstm_step
from helpers.seq2seq import check_greedy_decode_one, greedy_decode_one

LIMIT = 0.05  # seconds per case in these tests: a hang costs one limit

# One checker of each kind: numpy arrays, torch tensors, a whole number, a dict of counts, a list of ids, a tuple.
KINDS = {
    "numpy": check_clip_gradient,
    "torch": check_masked_mean,
    "int": check_steps_to_shrink,
    "counts": check_bag_of_words,
    "ids": check_greedy_decode_one,
    "tuple": check_lstm_step,
}

torch.use_deterministic_algorithms(False)  # its first call imports sympy (about 2 s): do that before the checks

needs_alarm = pytest.mark.skipif(not time_limit_available(), reason="no SIGALRM time limit here")


def fast(exercise: Exercise, limit: float = LIMIT) -> Exercise:
    """The same exercise with a short time limit."""
    quick = copy.copy(exercise)
    quick.time_limit = limit
    return quick


def same_state(before: dict, after: dict) -> list[str]:
    """The keys of two sandbox.global_state() snapshots that differ."""
    differ = []
    for key, value in before.items():
        other = after[key]
        if isinstance(value, torch.Tensor):
            same = torch.equal(value, other)
        elif key == "np_random":
            same = value[0] == other[0] and np.array_equal(value[1], other[1]) and value[2:] == other[2:]
        else:
            same = value == other
        if not same:
            differ.append(key)
    return differ


@pytest.fixture
def unchanged_notebook():
    """Fails the test if the check left any global setting, random state, stream, exit or alarm changed."""
    before = global_state()
    streams, exits = (sys.stdout, sys.stderr), (builtins.exit, builtins.quit)
    alarm = signal.getsignal(signal.SIGALRM) if hasattr(signal, "SIGALRM") else None
    filters = list(warnings.filters)
    yield
    assert same_state(before, global_state()) == []
    assert (sys.stdout, sys.stderr) == streams and (builtins.exit, builtins.quit) == exits
    if hasattr(signal, "SIGALRM"):
        assert signal.getsignal(signal.SIGALRM) is alarm and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert warnings.filters == filters


def run_check(exercise: Exercise, student) -> tuple[CheckResult, float]:
    start = time.perf_counter()
    result = exercise(student)
    return result, time.perf_counter() - start


# --- Behaviours that get the same message from every kind of checker ----------------------------------


def while_true(reference):
    def student(*args, **kwargs):
        while True:
            pass

    return student


def sleeps(reference):
    def student(*args, **kwargs):
        time.sleep(30)

    return student


def huge_loop(reference):
    def student(*args, **kwargs):
        total = 0
        for i in range(10**12):
            total += i
        return total

    return student


def counter_never_incremented(reference):
    def student(*args, **kwargs):
        i, total = 0, 0
        while i < 3:
            total += 1
        return total

    return student


def swallows_exceptions(reference):
    def student(*args, **kwargs):
        while True:
            try:
                time.sleep(1)
            except Exception:
                pass

    return student


def calls_sys_exit(reference):
    return lambda *args, **kwargs: sys.exit(0)


def raises_system_exit(reference):
    def student(*args, **kwargs):
        raise SystemExit(3)

    return student


def calls_exit(reference):
    return lambda *args, **kwargs: exit()  # the site's exit(), as a student would call it


def calls_quit(reference):
    return lambda *args, **kwargs: quit()


def raises_keyboard_interrupt(reference):
    def student(*args, **kwargs):
        raise KeyboardInterrupt

    return student


def then_correct(change):
    """A right answer that also changes a global setting."""

    def make(reference):
        def student(*args, **kwargs):
            change()
            return reference(*args, **kwargs)

        return student

    make.__name__ = change.__name__
    return make


def grad_off():
    torch.set_grad_enabled(False)


def default_float64():
    torch.set_default_dtype(torch.float64)


def numpy_raises():
    np.seterr(all="raise")


def more_threads():
    torch.set_num_threads(torch.get_num_threads() + 1)


def numpy_print_options():
    np.set_printoptions(precision=1)


def torch_print_options():
    torch.set_printoptions(precision=1)


def deterministic():
    torch.use_deterministic_algorithms(True)


def anomaly_detection():
    torch.autograd.set_detect_anomaly(True)


def floods(reference, lines=5_000):
    def student(*args, **kwargs):
        for i in range(lines):
            print("line", i)

    return student


def one_huge_line(reference):
    def student(*args, **kwargs):
        print("x" * 10_000_000)

    return student


def floods_stderr(reference):
    def student(*args, **kwargs):
        for i in range(5_000):
            print("warning", i, file=sys.stderr)

    return student


class UnprintableError(Exception):
    def __str__(self):
        raise RuntimeError("no message for you")


def raises_unprintable(reference):
    def student(*args, **kwargs):
        raise UnprintableError()

    return student


def recurses(reference):
    def student(*args, **kwargs):
        return student(*args, **kwargs)

    return student


def returns_itself(reference):
    def student(*args, **kwargs):
        return student

    return student


def returns_generator(reference):
    return lambda *args, **kwargs: (value for value in range(3))


class Hostile:
    """Everything a checker might call on a value raises."""

    def __eq__(self, other):
        raise RuntimeError("__eq__")

    def __ne__(self, other):
        raise RuntimeError("__ne__")

    def __len__(self):
        raise RuntimeError("__len__")

    def __array__(self, *args, **kwargs):
        raise RuntimeError("__array__")

    def __repr__(self):
        raise RuntimeError("__repr__")

    __hash__ = None


class NoRepr:
    def __repr__(self):
        raise RuntimeError("__repr__")


def returns_hostile_object(reference):
    return lambda *args, **kwargs: Hostile()


def returns_unrepresentable(reference):
    return lambda *args, **kwargs: NoRepr()


def returns_string(reference):
    return lambda *args, **kwargs: "oops"


def returns_a_class(reference):
    return lambda *args, **kwargs: Counter


def returns_none_after_printing(reference):
    def student(*args, **kwargs):
        print("step 1")
        print("step 2")

    return student


def raises_memory_error(reference):
    def student(*args, **kwargs):
        raise MemoryError("no room")

    return student


def raises_generator_exit(reference):
    def student(*args, **kwargs):
        raise GeneratorExit

    return student


HANGS = [while_true, sleeps, huge_loop, counter_never_incremented, swallows_exceptions]

GENERIC = {  # behaviour -> a phrase every kind's message must contain
    calls_sys_exit: "it called sys.exit() (or raised SystemExit): that stops the whole program",
    raises_system_exit: "it called sys.exit() (or raised SystemExit)",
    calls_exit: "it called exit(): that would end your notebook's kernel. Return the value instead.",
    calls_quit: "it called quit(): that would end your notebook's kernel.",
    raises_keyboard_interrupt: "the check was interrupted (a KeyboardInterrupt: you pressed stop, or your code",
    then_correct(grad_off): "it switched off gradients for the rest of the notebook with torch.set_grad_enabled("
    "False); use `with torch.no_grad():` inside the function instead.",
    then_correct(default_float64): "it changed torch's default dtype from float32 to float64 for the rest of the "
    "notebook with torch.set_default_dtype(torch.float64)",
    then_correct(numpy_raises): "np.seterr(divide='raise', over='raise', under='raise', invalid='raise')",
    then_correct(more_threads): "it changed the number of threads torch uses",
    then_correct(numpy_print_options): "np.set_printoptions(precision=1)",
    then_correct(torch_print_options): "torch.set_printoptions(precision=1)",
    then_correct(deterministic): "it changed torch.use_deterministic_algorithms to True",
    then_correct(anomaly_detection): "it switched torch's anomaly detection on",
    floods: "Your function printed 5,000 lines (48,890 characters); the start:\n   | line 0\n   | line 1",
    one_huge_line: "Your function printed 1 line (10,000,001 characters); the start:\n   | xxxx",
    floods_stderr: "Your function printed 5,000 lines",
    raises_unprintable: "it raised UnprintableError: (its message cannot be shown: str() of the exception fails)",
    recurses: "it raised RecursionError: maximum recursion depth exceeded",
    returns_itself: "it returned the function itself, not its result",
    returns_generator: "it returned a generator (a generator expression",
    returns_hostile_object: "it returned a Hostile (<Hostile that cannot be shown>)",
    returns_unrepresentable: "it returned a NoRepr (<NoRepr that cannot be shown>)",
    returns_string: "it returned a str ('oops')",
    returns_a_class: "it returned a class (Counter) instead of a value: call it",
    returns_none_after_printing: "it returned None. Did you forget a `return` statement?\n   Your function printed "
    "2 lines:\n   | step 1\n   | step 2",
    raises_memory_error: "it raised MemoryError: no room",
    raises_generator_exit: "it raised GeneratorExit",
}


@needs_alarm
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("hang", HANGS, ids=lambda f: f.__name__)
def test_a_hang_is_cut_at_the_time_limit(hang, kind, unchanged_notebook):
    result, seconds = run_check(fast(KINDS[kind]), hang(KINDS[kind].reference))
    assert seconds < LIMIT + 1.0
    assert not result.passed and result.message.startswith("✘ Case 1 of ")
    assert "it did not finish within 0.05 seconds, so the check stopped it" in result.message
    assert "a `while` loop whose condition never changes, a loop counter that is never incremented" in result.message


@needs_alarm
@pytest.mark.parametrize("student", [while_true(None), sleeps(None)], ids=["while True", "time.sleep(30)"])
def test_a_hang_returns_within_the_limit_plus_a_second(student, unchanged_notebook):
    result, seconds = run_check(fast(check_clip_gradient, 0.5), student)
    assert 0.5 <= seconds < 1.5 and "within 0.5 seconds" in result.message


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("behaviour", GENERIC, ids=lambda f: f.__name__)
def test_every_kind_of_checker_names_a_hostile_behaviour(behaviour, kind, unchanged_notebook):
    result, seconds = run_check(fast(KINDS[kind], 2.0), behaviour(KINDS[kind].reference))  # none of these hangs
    assert isinstance(result, CheckResult) and not result.passed
    assert GENERIC[behaviour] in result.message, result.message
    assert len(result.message) < 3000  # a flood of output stays a short message
    assert seconds < 5.0


def test_a_flood_of_100000_lines_stays_a_short_message(unchanged_notebook):
    result, seconds = run_check(check_clip_gradient, floods(None, 100_000))
    assert "Your function printed 100,000 lines (1,088,890 characters); the start:\n   | line 0" in result.message
    assert result.message.count("\n   | line") == 40 and len(result.message) < 1000 and seconds < 2.0


# --- Right answers with harmless side effects pass, and the side effects do not leak ------------------


def seeds_everything(reference):
    def student(*args, **kwargs):
        random.seed(1)
        np.random.seed(1)
        torch.manual_seed(1)
        np.random.rand(), torch.rand(1), random.random()
        return reference(*args, **kwargs)

    return student


def turns_warnings_into_errors(reference):
    def student(*args, **kwargs):
        warnings.simplefilter("error")
        return reference(*args, **kwargs)

    return student


def replaces_stdout(reference):
    def student(*args, **kwargs):
        import io

        sys.stdout = io.StringIO()
        return reference(*args, **kwargs)

    return student


def floods_then_answers(reference):
    def student(*args, **kwargs):
        for i in range(5_000):
            print(i)
        return reference(*args, **kwargs)

    return student


HARMLESS = {
    seeds_everything: "all",
    turns_warnings_into_errors: "all",
    replaces_stdout: "all",
    floods_then_answers: "while it was checked; not shown.)",
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("behaviour", HARMLESS, ids=lambda f: f.__name__)
def test_a_right_answer_with_a_harmless_side_effect_passes_and_leaks_nothing(behaviour, kind, unchanged_notebook):
    result, _ = run_check(fast(KINDS[kind], 2.0), behaviour(KINDS[kind].reference))
    assert result.passed, result.message
    assert HARMLESS[behaviour] in result.message and len(result.message) < 300


# --- In-place changes of numpy, torch, list and dict arguments ---------------------------------------


def clip_in_place(g, threshold):
    norm = np.linalg.norm(g)
    if norm > threshold:
        g *= threshold / norm
    return g


def masked_mean_in_place(states, mask):
    states.mul_(mask.unsqueeze(-1))
    return states.sum(dim=1) / mask.sum(dim=1, keepdim=True).clamp_min(1)


def span_popping(accuracies, threshold):
    span = None
    while accuracies:
        length = min(accuracies)
        if accuracies.pop(length) < threshold:
            break
        span = length
    return span


def lstm_step_in_place(x_t, h_prev, c_prev, W_x, W_h, b):
    h, c = lstm_step(x_t, h_prev, c_prev, W_x, W_h, b)
    h_prev[...] = h
    return h, c


def sorted_in_place(values):
    values.sort()
    return values


sorting = Exercise("sorted_copy", reference=lambda values: sorted(values), cases=[Case(([3, 1, 2],))])

IN_PLACE = {
    "numpy": (
        check_clip_gradient,
        clip_in_place,
        "it changed its argument `g` in place (from [3., 4.] to [0.6, 0.8]); return a new array instead "
        "(use g / n, not g /= n",
    ),
    "torch": (check_masked_mean, masked_mean_in_place, "it changed its argument `states` in place"),
    "tensor advice": (check_masked_mean, masked_mean_in_place, "or an in-place method such as states.div_(n)"),
    "dict": (
        check_memory_span,
        span_popping,
        "it changed its argument `accuracies` in place (from {5: 1.0, 10: 0.95, 20: 0.3, 50: 0.99} to {50: 0.99}); "
        "build a new dict instead (copy it first with dict(accuracies))",
    ),
    "tuple of arrays": (check_lstm_step, lstm_step_in_place, "it changed its argument `h_prev` in place"),
    "list": (sorting, sorted_in_place, "it changed its argument `values` in place (from [3, 1, 2] to [1, 2, 3])"),
}


@pytest.mark.parametrize("name", IN_PLACE)
def test_an_argument_changed_in_place_fails_and_is_named(name, unchanged_notebook):
    exercise, student, phrase = IN_PLACE[name]
    before = copy.deepcopy(exercise.cases)
    result = exercise(student)
    assert not result.passed and phrase in result.message, result.message
    assert "Otherwise the caller's" in result.message
    for case, original in zip(exercise.cases, before):  # the exercise's own cases are untouched
        assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(case.args[:1], original.args[:1]))


def test_a_right_answer_that_only_reads_its_arguments_passes():
    assert check_memory_span(memory_span).passed and check_lstm_step(lstm_step).passed


# --- Odd dtypes, containers and values, kind by kind ------------------------------------------------


def lstm_answer(*args):
    return lstm_step(*args)


ODD = {  # name -> (checker, student, phrase)
    "bfloat16 tensor": (
        check_masked_mean,
        lambda s, m: check_masked_mean.reference(s, m).to(torch.bfloat16),
        "the result has dtype bfloat16, but dtype float32 was expected.",
    ),
    "float16 tensor": (
        check_masked_mean,
        lambda s, m: check_masked_mean.reference(s, m).half(),
        "the result has dtype float16, but dtype float32 was expected.",
    ),
    "float64 tensor": (
        check_masked_mean,
        lambda s, m: check_masked_mean.reference(s, m).double(),
        "the result has dtype float64, but dtype float32 was expected.",
    ),
    "complex tensor": (
        check_masked_mean,
        lambda s, m: check_masked_mean.reference(s, m).to(torch.complex64),
        "the result is complex (dtype complex64), but real numbers were expected.",
    ),
    "tensor with inf": (
        check_masked_mean,
        lambda s, m: check_masked_mean.reference(s, m) / 0.0,
        "the result contains inf",
    ),
    "tensor with NaN": (
        check_masked_mean,
        lambda s, m: check_masked_mean.reference(s, m) * torch.nan,
        "the result contains NaN at index (0, 0) (6 in all)",
    ),
    "float16 array": (
        check_clip_gradient,
        lambda g, t: clip_gradient(g, t).astype(np.float16),
        "the result has dtype float16, but dtype float64 was expected.",
    ),
    "complex array": (
        check_clip_gradient,
        lambda g, t: clip_gradient(g, t) + 0j,
        "the result is complex (dtype complex128), but real numbers were expected.",
    ),
    "object array": (
        check_clip_gradient,
        lambda g, t: np.array([0.6, "0.8"], dtype=object),
        "its entries are not all numbers of one kind (dtype object)",
    ),
    "array of strings": (
        check_clip_gradient,
        lambda g, t: np.array(["0.6", "0.8"]),
        "its entries are not all numbers of one kind (dtype <U3)",
    ),
    "dict for an array": (
        check_clip_gradient,
        lambda g, t: {"g": clip_gradient(g, t)},
        "it returned a dict ({'g': array([0.6, 0.8])}), but a numpy array of shape (2,) was expected.",
    ),
    "NaN array": (
        check_clip_gradient,
        lambda g, t: g / np.zeros_like(g) * 0,
        "the result contains NaN at index (0,) (2 in all). NaN comes from 0/0",
    ),
    "inf array": (check_clip_gradient, lambda g, t: g / 0.0, "the result contains inf"),
    "array for a dict": (
        check_bag_of_words,
        lambda s: np.array([1, 1, 1]),
        "it returned a numpy array of shape (3,) and dtype int64, but a dict was expected, such as "
        "{'bites': 1, 'dog': 1, 'man': 1}.",
    ),
    "set for a dict": (check_bag_of_words, lambda s: set(s.lower().split()), "it returned a set ({"),
    "list of pairs for a dict": (
        check_bag_of_words,
        lambda s: list(Counter(s.lower().split()).items()),
        "it returned a list of length 3, but a dict was expected",
    ),
    "a count whose == raises": (
        check_bag_of_words,
        lambda s: {word: Hostile() for word in s.lower().split()},
        "it returned <dict that cannot be shown>, but {'bites': 1, 'dog': 1, 'man': 1} was expected.",
    ),
    "float ids": (
        check_greedy_decode_one,
        lambda *args: [float(word) for word in greedy_decode_one(*args)],
        "it returned [5.0, 3.0, 7.0], floats, but whole numbers were expected ([5, 3, 7])",
    ),
    "set of ids": (
        check_greedy_decode_one,
        lambda *args: set(greedy_decode_one(*args)),
        "a set keeps no order and no repeats. Return a list.",
    ),
    "ids as a string": (
        check_greedy_decode_one,
        lambda *args: " ".join(map(str, greedy_decode_one(*args))),
        "it returned a str ('5 3 7'), but a list of length 3 was expected.",
    ),
    "NaN steps": (check_steps_to_shrink, lambda *args: float("nan"), "the result contains NaN."),
    "inf steps": (check_steps_to_shrink, lambda *args: float("inf"), "the result contains inf"),
    "complex steps": (
        check_steps_to_shrink,
        lambda *args: np.complex128(132 + 1j),
        "the result is complex (dtype complex128), but real numbers were expected.",
    ),
    "steps as a string": (
        check_steps_to_shrink,
        lambda *args: "132",
        "it returned a str ('132'), but a number was expected.",
    ),
    "steps as a list": (check_steps_to_shrink, lambda *args: [132], "it returned a list, but a single number"),
    "tuple with a dict inside": (
        check_lstm_step,
        lambda *args: (lstm_answer(*args)[0], {"c": lstm_answer(*args)[1]}),
        "in element 1 of the returned tuple, it returned a dict",
    ),
    "tuple of bfloat16 tensors": (
        check_lstm_step,
        lambda *args: tuple(torch.from_numpy(part).to(torch.bfloat16) for part in lstm_answer(*args)),
        "in element 0 of the returned tuple, it returned a torch tensor, but a numpy array was expected.",
    ),
    "nested generator in a tuple": (
        check_lstm_step,
        lambda *args: (lstm_answer(*args)[0], (row for row in lstm_answer(*args)[1])),
        "in element 1 of the returned tuple, it returned a generator",
    ),
    "tuple with a NaN": (
        check_lstm_step,
        lambda *args: (lstm_answer(*args)[0], lstm_answer(*args)[1] * np.nan),
        "in element 1 of the returned tuple, the result contains NaN",
    ),
}


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
@pytest.mark.parametrize("name", ODD)
def test_an_odd_answer_gets_a_specific_message_and_no_crash(name, unchanged_notebook):
    exercise, student, phrase = ODD[name]
    result = fast(exercise, 2.0)(student)
    assert isinstance(result, CheckResult) and not result.passed
    assert phrase in result.message, result.message
    assert "Hint" not in result.message  # no listed mistake explains these


def test_there_are_at_least_45_hostile_students():
    assert len(HANGS) + len(GENERIC) + len(HARMLESS) + len(IN_PLACE) + len(ODD) >= 45


# --- The exit() of a notebook, the previous alarm, the interrupt ---------------------------------------


class KernelExit:
    """Like IPython's exit in a notebook's namespace: calling it would shut the kernel down."""

    def __init__(self):
        self.called = False

    def __call__(self, *args, **kwargs):
        self.called = True


def test_exit_in_the_notebooks_namespace_is_disarmed_and_put_back(unchanged_notebook):
    exiter = KernelExit()
    namespace = {"exit": exiter, "quit": exiter}
    exec("def student(g, threshold):\n    exit()\n    return g", namespace)  # a function defined in a cell
    result = check_clip_gradient(namespace["student"])
    assert "it called exit(): that would end your notebook's kernel" in result.message
    assert not exiter.called and namespace["exit"] is exiter and namespace["quit"] is exiter


@pytest.mark.parametrize("name", ["exit", "quit"])
def test_handing_in_exit_itself_is_caught(name, unchanged_notebook):
    result = check_steps_to_shrink(getattr(builtins, name))
    assert f"it called {name}(): that would end your notebook's kernel" in result.message


@needs_alarm
def test_an_alarm_set_before_the_check_is_put_back():
    rang = []

    def handler(*args):
        rang.append(True)

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 100.0)
        fast(check_clip_gradient, 0.2)(while_true(None))
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 90.0 < remaining < 100.0 and rang == []
        assert signal.getsignal(signal.SIGALRM) is handler
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@needs_alarm
def test_an_import_is_never_cut_in_half(tmp_path, monkeypatch):
    (tmp_path / "slow_course_module.py").write_text("import time\ntime.sleep(0.3)\nVALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    def student(g, threshold):
        import slow_course_module  # noqa: F401 - its import takes longer than the time limit

        while True:
            pass

    result = fast(check_clip_gradient, 0.1)(student)
    assert "it did not finish within 0.1 seconds" in result.message
    assert sys.modules.pop("slow_course_module").VALUE == 42  # imported whole, then the loop was cut


def test_an_interrupt_while_hints_are_searched_ends_the_check_with_a_message(unchanged_notebook):
    def student(g, threshold):
        if g.size == 2:
            return np.clip(g, -threshold, threshold)  # a listed mistake on case 1: the checker tries the others...
        raise KeyboardInterrupt  # ...where the reader presses stop

    result = check_clip_gradient(student)
    assert not result.passed
    assert result.message.startswith("✘ clip_gradient: the check was interrupted")


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32", reason="needs POSIX signals")
def test_a_real_stop_signal_during_the_call_is_reported(unchanged_notebook):
    import os

    def student(g, threshold):
        print("working")
        os.kill(os.getpid(), signal.SIGINT)  # what the notebook's stop button sends
        time.sleep(5)

    # as in a Jupyter kernel, SIGINT raises KeyboardInterrupt (pytest-xdist's workers ignore it otherwise)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        result, seconds = run_check(check_clip_gradient, student)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert "the check was interrupted (a KeyboardInterrupt: you pressed stop" in result.message
    assert "Your function printed 1 line:\n   | working" in result.message and seconds < 2.0


def test_a_check_run_outside_the_main_thread_works_without_a_time_limit():
    import threading

    results = []
    thread = threading.Thread(target=lambda: results.append(check_clip_gradient(lambda g, t: np.clip(g, -t, t))))
    thread.start()
    thread.join(timeout=30)
    assert "Hint: that is what you get if you clip each entry to ±threshold" in results[0].message


def test_guarded_call_reports_without_raising():
    outcome = guarded_call(lambda x: x.append(1) or len(x), ([0],), {}, time_limit=1.0)
    assert outcome.returned and outcome.value == 2 and outcome.arguments == ([0, 1],)
    outcome = guarded_call(lambda: 1 / 0, (), {})
    assert isinstance(outcome.error, ZeroDivisionError) and not outcome.returned


# --- The checker's own work is safe from the notebook's settings and from its own bugs ----------------


def test_np_seterr_raise_in_an_earlier_cell_breaks_the_students_code_not_the_checker():
    old = np.geterr()
    np.seterr(all="raise")
    try:
        result = check_temperature_probabilities(temperature_probabilities)  # the student's call underflows...
        assert "Case 4 of 4" in result.message and "it raised FloatingPointError: underflow" in result.message

        def careful(logits, temperature):
            with np.errstate(under="ignore"):
                return temperature_probabilities(logits, temperature)

        assert check_temperature_probabilities(careful).passed  # ...while the reference, computed calmly, does not
        assert np.geterr() == {"divide": "raise", "over": "raise", "under": "raise", "invalid": "raise"}
    finally:
        np.seterr(**old)


def test_gradients_switched_off_in_an_earlier_cell_break_nothing():
    torch.set_grad_enabled(False)
    try:
        assert check_masked_mean(check_masked_mean.reference).passed
        assert check_greedy_decode_one(greedy_decode_one).passed
        assert not torch.is_grad_enabled()  # the notebook's own setting stays
    finally:
        torch.set_grad_enabled(True)


def test_a_failing_reference_is_reported_as_ours():
    broken = Exercise("broken", reference=lambda x: 1 / 0, cases=[Case((1.0,))])
    result = broken(lambda x: x)
    assert not result.passed
    assert "the checker could not compute the expected answer of a case (ZeroDivisionError" in result.message
    assert "a bug in the course, not in your code" in result.message


def test_a_reference_answer_the_comparison_cannot_read_is_reported_not_raised():
    odd = Exercise("odd", reference=lambda x: object(), cases=[Case((1.0,))])
    result = odd(lambda x: 1.0)
    assert not result.passed and "the checker could not compare what came back, a float (1)" in result.message


# --- Returned subclasses that lie about their values ---------------------------------------------------


class _LyingArray(np.ndarray):
    """An array whose == says 'equal' everywhere."""

    def __eq__(self, other):  # type: ignore[override]
        return np.ones(np.shape(self), bool)


class _ArrayFunctionLiar(np.ndarray):
    """An array that answers np.allclose with True and np.isnan with all False."""

    def __array_function__(self, func, types, args, kwargs):
        if func is np.allclose:
            return True
        if func is np.isnan:
            return np.zeros(self.shape, bool)
        return super().__array_function__(func, types, args, kwargs)


class _LyingTensor(torch.Tensor):
    """A tensor whose .numpy() gives a lying array."""

    def numpy(self, *args, **kwargs):  # type: ignore[override]
        return torch.Tensor.numpy(self.as_subclass(torch.Tensor)).view(_LyingArray)


class _LyingDict(dict):
    """A dict that claims to hold every key, with the right length, each mapped to a lying array."""

    size = 0

    def __contains__(self, key):  # type: ignore[override]
        return True

    def __len__(self):
        return _LyingDict.size

    def __getitem__(self, key):
        return np.zeros(()).view(_LyingArray)


class _LyingList(list):
    """A list equal to everything."""

    def __eq__(self, other):  # type: ignore[override]
        return True

    __hash__ = None  # type: ignore[assignment]


def _wrong_clip(g, threshold):
    return np.zeros_like(np.asarray(g, dtype=float))


def _masked_wrong(g, threshold):
    answer = np.ma.masked_array(np.array(clip_gradient(g, threshold), dtype=float))
    answer.mask = np.zeros(answer.shape, bool)
    if answer.size > 1:
        answer[-1] = 99.0
        answer.mask[-1] = True  # the wrong entry hidden behind the mask
    return answer


def _lying_bag(sentence):
    _LyingDict.size = len(set(sentence.lower().split()))
    return _LyingDict()


def _lying_mean(states, mask):
    return torch.zeros(states.shape[0], states.shape[2]).as_subclass(_LyingTensor)


def _lying_decode(*args, **kwargs):
    return _LyingList([-1])


LIARS = {
    "eq_array": (check_clip_gradient, lambda g, t: _wrong_clip(g, t).view(_LyingArray)),
    "array_function": (check_clip_gradient, lambda g, t: _wrong_clip(g, t).view(_ArrayFunctionLiar)),
    "masked_array": (check_clip_gradient, _masked_wrong),
    "dict_subclass": (check_bag_of_words, _lying_bag),
    "tensor_subclass": (check_masked_mean, _lying_mean),
    "list_subclass": (check_greedy_decode_one, _lying_decode),
}


@pytest.mark.parametrize("name", LIARS)
def test_a_returned_subclass_that_lies_about_its_values_fails(name, unchanged_notebook):
    exercise, student = LIARS[name]
    for result in (fast(exercise)(student), fast(exercise).grade(student)):
        assert not result.passed, result.message


def test_a_dict_subclass_is_asked_for_a_plain_dict(unchanged_notebook):
    result = fast(check_bag_of_words)(_lying_bag)
    assert "it returned a _LyingDict, a kind of dict: return a plain dict" in result.message


def test_a_right_answer_in_a_harmless_subclass_still_passes(unchanged_notebook):
    class Marked(np.ndarray):
        pass

    assert fast(check_clip_gradient)(lambda g, t: clip_gradient(g, t).view(Marked)).passed


# --- Rebinding what the checker uses during the call ----------------------------------------------------


def _rebinds_the_reference(g, threshold):
    check_clip_gradient.reference = _rebinds_the_reference
    return np.zeros_like(np.asarray(g, dtype=float))


def _rebinds_compare(g, threshold):
    exercises_module.compare = lambda *args, **kwargs: None
    return np.zeros_like(np.asarray(g, dtype=float))


def _rebinds_numpy(g, threshold):
    np.linalg.norm = lambda *args, **kwargs: 0.0
    return np.zeros_like(np.asarray(g, dtype=float))


REBINDERS = {
    "reference": (_rebinds_the_reference, "check_clip_gradient.reference"),
    "compare": (_rebinds_compare, "helpers.course.exercises.compare"),
    "numpy": (_rebinds_numpy, "numpy.linalg.norm"),
}


@pytest.mark.parametrize("name", REBINDERS)
def test_rebinding_what_the_checker_uses_fails_is_named_and_put_back(name, unchanged_notebook):
    student, rebound = REBINDERS[name]
    originals = (check_clip_gradient.reference, exercises_module.compare, np.linalg.norm)
    for result in (check_clip_gradient(student), check_clip_gradient.grade(student)):
        assert not result.passed
        assert f"it changed {rebound}, which the checker and the notebook use" in result.message
        assert (check_clip_gradient.reference, exercises_module.compare, np.linalg.norm) == originals


# --- Signal handlers changed during the call -------------------------------------------------------------


def _ignores_the_stop_button(g, threshold):
    signal.signal(signal.SIGINT, signal.SIG_IGN if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN else print)
    return clip_gradient(g, threshold)


def _ignores_the_alarm(g, threshold):
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    return clip_gradient(g, threshold)


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32", reason="needs POSIX signals")
def test_changing_the_stop_buttons_handler_fails_is_named_and_put_back(unchanged_notebook):
    handler = signal.getsignal(signal.SIGINT)
    result = fast(check_clip_gradient)(_ignores_the_stop_button)
    assert not result.passed
    assert "it changed what the stop button does (the SIGINT handler, with signal.signal)" in result.message
    assert signal.getsignal(signal.SIGINT) is handler


@needs_alarm
def test_changing_the_alarms_handler_fails_and_is_named(unchanged_notebook):
    result = fast(check_clip_gradient)(_ignores_the_alarm)
    assert not result.passed
    assert "it changed the alarm the checker's time limit uses (the SIGALRM handler" in result.message


def _switches_off_the_alarm_and_loops(g, threshold):
    signal.setitimer(signal.ITIMER_REAL, 0)
    while True:
        pass


@needs_alarm
def test_a_loop_after_switching_off_the_alarm_is_still_cut(unchanged_notebook):
    started = time.monotonic()
    result = fast(check_clip_gradient)(_switches_off_the_alarm_and_loops)
    assert not result.passed and time.monotonic() - started < 3.0
