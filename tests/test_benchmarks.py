"""The copy task and the adding problem: data, scoring, baselines, memory span and training."""

import dataclasses

import pytest
import torch
import torch.nn.functional as F
from exercise_checks import assert_catches_every_listed_mistake

from helpers import benchmarks
from helpers.benchmarks import (
    ADDING,
    ADDING_TOLERANCE,
    COPY,
    LENGTHS,
    SOLVED,
    BenchmarkSettings,
    CopyModel,
    adding_task,
    chance_accuracy,
    copy_task,
    held_out_set,
    memory_span,
    score,
    train_benchmark,
)
from helpers.cache import differences

TINY = BenchmarkSettings(hidden_size=8, steps=5, lr=1e-2, chrono_horizon=20, test_size=50)


def test_copy_task_shapes_and_answer_positions():
    x, y = copy_task(30, 7, torch.Generator().manual_seed(0), symbols=6, count=4)
    assert x.shape == (30, 2 * 4 + 7 + 1, 6 + 2) and x.dtype == torch.float32
    assert y.shape == (30, 4) and y.dtype == torch.int64
    ids = x.argmax(dim=-1)
    assert torch.all(x.sum(dim=-1) == 1)
    assert torch.equal(ids[:, :4], y)  # the data symbols, in order, are what must be recalled
    assert torch.all(ids[:, 4 : 4 + 7] == 6)  # then the delay: blanks
    assert torch.all(ids[:, 4 + 7] == 7)  # then "go"
    assert torch.all(ids[:, -4:] == 6)  # the answer steps show only blanks


def test_copy_task_with_no_delay():
    x, y = copy_task(5, 0, torch.Generator().manual_seed(0))
    assert x.shape == (5, 11, 10) and torch.equal(x[:, :5].argmax(dim=-1), y)


def test_adding_task_has_one_marker_per_half_and_the_target_is_their_sum():
    x, y = adding_task(200, 11, torch.Generator().manual_seed(0))
    assert x.shape == (200, 11, 2) and y.shape == (200, 1) and x.dtype == y.dtype == torch.float32
    values, markers = x[..., 0], x[..., 1]
    assert torch.all((values >= 0) & (values < 1))
    assert torch.all(markers.sum(dim=1) == 2) and torch.all((markers == 0) | (markers == 1))
    assert torch.all(markers[:, :5].sum(dim=1) == 1) and torch.all(markers[:, 5:].sum(dim=1) == 1)
    assert torch.allclose(y[:, 0], (values * markers).sum(dim=1))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: copy_task(0, 5, torch.Generator()), "n ≥ 1"),
        (lambda: copy_task(4, -1, torch.Generator()), "delay ≥ 0.*delay = -1"),
        (lambda: copy_task(4, 5, torch.Generator(), symbols=1), "symbols ≥ 2"),
        (lambda: copy_task(4, 5, torch.Generator(), count=0), "count ≥ 1"),
        (lambda: adding_task(4, 1, torch.Generator()), "length ≥ 2.*length = 1"),
        (lambda: train_benchmark("sort", "lstm", 5, 0, TINY), "task must be one of"),
        (lambda: train_benchmark("copy", "transformer", 5, 0, TINY), "kind must be one of"),
        (lambda: train_benchmark("adding", "lstm", 1, 0, TINY), "length ≥ 2"),
        (lambda: chance_accuracy("sort", 5, TINY), "task must be one of"),
        (lambda: memory_span({}, SOLVED), "at least one length"),
    ],
)
def test_bad_arguments_are_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("task, kind", [("copy", "lstm"), ("adding", "gru"), ("adding", "rnn")])
def test_training_is_deterministic(task, kind):
    first, second = (train_benchmark(task, kind, 5, 3, TINY) for _ in range(2))
    assert first.losses == second.losses and first.accuracy == second.accuracy
    assert len(first.losses) == TINY.steps and 0 <= first.accuracy <= 1 and first.seconds > 0


def test_copy_model_reads_out_the_last_count_steps():
    model = CopyModel(10, 8, 8, kind="gru", count=5)
    x, _ = copy_task(3, 4, torch.Generator().manual_seed(0))
    assert model(x).shape == (3, 5, 8)


def test_chance_accuracy_is_measured_on_the_test_set():
    settings = BenchmarkSettings(hidden_size=8, steps=1, lr=1e-2)  # 2000 test sequences
    assert abs(chance_accuracy("copy", 10, settings) - 1 / 8) < 0.02
    assert abs(chance_accuracy("adding", 50, settings) - (1 - 0.9**2)) < 0.03  # P(|y − 1| < 0.1)


@pytest.mark.parametrize("task", ["copy", "adding"])
def test_a_perfect_answer_scores_one(task):
    x, y = held_out_set(task, 10, TINY)
    if task == "copy":
        oracle = F.one_hot(x[:, : TINY.count].argmax(dim=-1), TINY.symbols).float()  # read the data steps back
        wrong = oracle.roll(1, dims=1)  # right symbols, wrong order
    else:
        oracle = (x[..., 0] * x[..., 1]).sum(dim=1, keepdim=True)  # add the marked values
        wrong = oracle + 2 * ADDING_TOLERANCE
    assert score(task, oracle, y) == 1.0
    assert score(task, wrong, y) < 0.5


def test_memory_span_stops_at_the_first_failure():
    assert memory_span({5: 1.0, 10: 0.95, 20: 0.3, 50: 0.99}, 0.9) == 10  # a later success does not count
    assert memory_span({50: 0.99, 5: 1.0, 10: 0.95}, 0.9) == 50  # order of the dict does not matter
    assert memory_span({5: 0.5, 10: 0.95}, 0.9) is None  # the shortest fails
    assert memory_span({5: 0.89, 10: 0.2}, 0.9) is None
    assert memory_span({5: 0.9, 10: 0.9}, 0.9) == 10  # ≥ threshold counts as solved


def test_a_short_training_run_lowers_the_adding_loss():
    run = train_benchmark("adding", "lstm", 10, 0, BenchmarkSettings(hidden_size=16, steps=150, lr=1e-2, test_size=500))
    first, last = sum(run.losses[:20]) / 20, sum(run.losses[-20:]) / 20
    assert last < 0.5 * first and last < 1 / 6  # below the constant-1.0 baseline's squared error


def test_the_presets_cover_their_lengths():
    assert COPY.chrono_horizon >= max(LENGTHS["copy"]) and ADDING.chrono_horizon >= max(LENGTHS["adding"])
    assert list(LENGTHS["copy"]) == sorted(LENGTHS["copy"]) and list(LENGTHS["adding"]) == sorted(LENGTHS["adding"])


# --- The cached grid (scripts/train_memory_grid.py) ---------------------------------------------------

# the copy task's cell takes longest to re-train: make test re-trains it, make unit the other two (slow)
GRID_SAMPLE = [
    ("adding", "lstm", 10, 1),
    ("adding", "gru", 5, 2),
    pytest.param("copy", "rnn", 5, 0, marks=pytest.mark.slow),
]


@pytest.fixture(scope="module")
def cached():
    return benchmarks.load_grid()


def test_the_cache_has_every_cell(cached):
    assert {(r["task"], r["kind"], r["length"], r["seed"]) for r in cached.runs} == set(benchmarks.grid_cells())
    assert cached.accuracies("copy", "lstm").shape == (len(benchmarks.LENGTHS["copy"]), len(benchmarks.SEEDS))


@pytest.mark.parametrize("task, kind, length, seed", GRID_SAMPLE)
def test_retraining_a_cell_reproduces_the_cache(cached, task, kind, length, seed):
    run = benchmarks.train_benchmark(task, kind, length, seed, benchmarks.SETTINGS[task])
    record = benchmarks.grid_record((task, kind, length, seed), run)
    assert differences(cached.run(task, kind, length, seed), record, benchmarks.TOLERANCES[task]) == []


def test_an_altered_cached_number_fails_the_check(cached):
    run = benchmarks.train_benchmark("adding", "gru", 5, 2, benchmarks.SETTINGS["adding"])
    record = benchmarks.grid_record(("adding", "gru", 5, 2), run)
    altered = dict(cached.run("adding", "gru", 5, 2))
    altered["accuracy"] -= 0.03
    assert [line.split(":")[0] for line in differences(altered, record, benchmarks.TOLERANCES["adding"])] == [
        "accuracy"
    ]


def test_a_stale_or_incomplete_cache_is_refused(cached, tmp_path, monkeypatch):
    path = tmp_path / "benchmarks.json"
    benchmarks.save_grid(cached.runs, path)
    assert benchmarks.load_grid(path).runs == cached.runs
    benchmarks.save_grid(cached.runs[1:], path)
    with pytest.raises(ValueError, match="lacks 1 runs"):
        benchmarks.load_grid(path)
    benchmarks.save_grid(cached.runs, path)
    monkeypatch.setitem(benchmarks.SETTINGS, "copy", dataclasses.replace(benchmarks.COPY, steps=1))
    with pytest.raises(ValueError, match="other settings"):
        benchmarks.load_grid(path)
    with pytest.raises(FileNotFoundError, match="train_memory_grid.py"):
        benchmarks.load_grid(tmp_path / "nothing.json")


def test_spans_are_per_seed(cached):
    for task in benchmarks.TASKS:
        for kind in benchmarks.KINDS:
            scores = cached.accuracies(task, kind)
            spans = cached.seed_spans(task, kind)
            assert spans == [
                benchmarks.memory_span(dict(zip(benchmarks.LENGTHS[task], scores[:, i])))
                for i in range(len(benchmarks.SEEDS))
            ]
    assert not hasattr(cached, "span"), "a span of the mean over seeds overstates: report each seed's span"
    missing = r"no cached record for task='copy', kind='lstm', length=7, seed=0; the grid has lengths"
    with pytest.raises(ValueError, match=missing):
        cached.run("copy", "lstm", 7, 0)


def test_span_text_names_failed_seeds():
    assert benchmarks.span_text([20, 5, None]) == "20, 5, none"
    with pytest.raises(ValueError, match="at least one seed"):
        benchmarks.span_text([])


def test_the_memory_span_exercise_catches_its_mistakes():
    assert_catches_every_listed_mistake(benchmarks.check_memory_span)
