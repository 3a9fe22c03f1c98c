"""Hostile numbers (NaN, ±inf, negatives, zero, text, None, lists, bools, huge values) to the public functions and
to every widget: each is refused with a message that says what was expected and what came, and every widget
recovers from a rejected value."""

from __future__ import annotations

import inspect
import math
import re
from collections import Counter

import numpy as np
import pytest
import torch
import traitlets
from ipywidgets import Combobox, Dropdown, FloatSlider, IntSlider, SelectionSlider, Text

from helpers import (
    agreement,
    benchmarks,
    cells,
    connectivity,
    conveyor,
    course_map,
    genre,
    gradients,
    gru,
    lm,
    lstm,
    lstm_seeds,
    neuron,
    ngram,
    phrasebook,
    recall,
    rnn,
    seq2seq,
    tagging,
    tasks,
    text,
    today,
    training,
)
from helpers.course.widgets import sweep_values
from helpers.demos import all_demos

NAN, INF = float("nan"), float("inf")
SQUARE = lambda x: 2 * x  # noqa: E731 - the gradient of x², for the descent functions


def _char_lm() -> tuple[lm.CharLM, object]:
    from helpers.vocab import Vocabulary

    return lm.CharLM(5, 3), Vocabulary.from_text("abcde")


def _generate(length: object) -> str:
    model, vocab = _char_lm()
    return lm.generate(model, vocab, "ab", length, 1.0, torch.Generator())  # type: ignore[arg-type]


# (kind of hostile input, the call, a phrase the message must hold)
HOSTILE = [
    # notebook 01: the neuron, descent, recurrences, XOR
    (
        "nan",
        lambda: neuron.gradient_descent(SQUARE, 3.0, NAN, 20),
        "learning rate must be a positive finite number, got nan",
    ),
    (
        "negative",
        lambda: neuron.gradient_descent(SQUARE, 3.0, -0.1, 20),
        "learning rate must be a positive finite number, got -0.1",
    ),
    ("zero", lambda: neuron.gradient_descent(SQUARE, 3.0, 0.1, 0), "steps must be a whole number of at least 1, got 0"),
    ("inf", lambda: neuron.gradient_descent(SQUARE, INF, 0.1, 5), "start must be a finite number, got inf"),
    ("nan", lambda: neuron.neuron(np.ones(2), np.ones(2), NAN), "b must be a finite number, got nan"),
    ("zero", lambda: neuron.random_recurrent_matrix(0, 1.0), "hidden_size must be a whole number of at least 1, got 0"),
    ("nan", lambda: neuron.random_recurrent_matrix(4, NAN), "spectral radius must be a finite number ≥ 0, got nan"),
    (
        "negative",
        lambda: neuron.random_recurrent_matrix(4, -0.5),
        "spectral radius must be a finite number ≥ 0, got -0.5",
    ),
    (
        "float size",
        lambda: neuron.sgd_path(SQUARE, np.ones(2), 0.1, 2.5),
        "steps must be a whole number of at least 1, got 2.5",
    ),
    (
        "inf",
        lambda: neuron.adam_path(SQUARE, np.ones(2), INF, 5),
        "learning rate must be a positive finite number, got inf",
    ),
    ("huge", lambda: neuron.adam_path(SQUARE, np.ones(2), 0.1, 5, betas=(0.9, 1e9)), "each of betas must be"),
    (
        "negative",
        lambda: neuron.pulse_response(torch.eye(2), "tanh", torch.ones(2), -3),
        "steps must be a whole number of at least 1, got -3",
    ),
    (
        "text",
        lambda: neuron.xor_data("5", 0.2, torch.Generator()),
        "per_corner must be a whole number of at least 1, got '5' (text)",
    ),
    (
        "none",
        lambda: neuron.tanh_mlp(None, torch.Generator()),
        "hidden_size must be a whole number of at least 1, got None",
    ),
    (
        "inf",
        lambda: neuron.torch_bowl_path(np.ones(2), np.ones(2), INF, 5, "adam"),
        "learning rate must be a positive finite number, got inf",
    ),
    (
        "nan",
        lambda: neuron.logistic_loss(np.ones(2), NAN, np.ones((3, 2)), np.ones(3)),
        "bias must be a finite number, got nan",
    ),
    ("negative", lambda: neuron.seeded_recurrence(0.9, -1), "seed must be a whole number of at least 0, got -1"),
    # the training loop
    (
        "bool",
        lambda: training.train(torch.nn.Linear(1, 1), lambda s: torch.zeros(()), True),
        "steps must be a whole number ≥ 1, got True",
    ),
    (
        "nan",
        lambda: training.train(torch.nn.Linear(1, 1), lambda s: torch.zeros(()), 5, lr=NAN),
        "lr must be a positive finite number, got nan",
    ),
    ("negative", lambda: training.progress(10, -1), "reports must be a whole number of at least 0, got -1"),
    # notebook 04: gradients
    ("nan", lambda: gradients.trajectory(10, NAN, 4), "spectral radius must be a finite number, got nan"),
    ("negative", lambda: gradients.trajectory(-5, 0.9, 4), "length must be a whole number of at least 1, got -5"),
    (
        "list",
        lambda: gradients.gradient_decay([10], 0.9, 4),
        "length must be a whole number of at least 1, got [10] (a list)",
    ),
    ("inf", lambda: gradients.gradient_decay(10, INF, 4), "spectral radius must be a finite number, got inf"),
    ("inf", lambda: gradients.first_step_lengths(INF), "scale must be a finite number, got inf"),
    ("nan", lambda: gradients.steps_to_shrink(NAN), "factor must be a finite number, got nan"),
    ("huge", lambda: gradients.steps_to_shrink(1e308), "a fading factor lies strictly between 0 and 1, got 1e+308"),
    (
        "zero",
        lambda: gradients.explosion_run(0, 1.0, lr=0.0),
        "learning rate must be a positive finite number, got 0.0",
    ),
    ("nan", lambda: gradients.explosion_run(0, NAN), "clip must be a positive finite number, got nan"),
    ("zero", lambda: gradients.display_distances(0), "length must be a whole number of at least 1, got 0"),
    ("nan", lambda: gradients.log10_norm_over_seeds(10, NAN, 4), "spectral radius must be a finite number, got nan"),
    # notebook 09: memory
    ("nan", lambda: recall.share_left(NAN, 10), "the eigenvalue's size |λ| must be a finite number ≥ 0, got nan"),
    ("negative", lambda: recall.share_left(0.9, -1), "steps must be a whole number of at least 0, got -1"),
    ("negative", lambda: recall.signal_share(-0.5, 10), "spectral radius must be a positive finite number, got -0.5"),
    ("text", lambda: recall.steps_until("0.9", 0.1), "eigenvalue λ must be a finite number, got '0.9' (text)"),
    ("nan", lambda: recall.frozen_lstm(NAN, 0), "the forget gate f must be a finite number, got nan"),
    ("inf", lambda: recall.interference_recall(0.9, 10, noise=INF), "noise must be a positive finite number, got inf"),
    ("nan", lambda: recall.frozen_recall(NAN, 10), "spectral radius must be a finite number ≥ 0, got nan"),
    # notebook 00: the course map
    (
        "float size",
        lambda: course_map.long_range_sentence(2.5),
        "gap (filler words) must be a whole number from 0 to 30, got 2.5",
    ),
    (
        "huge",
        lambda: course_map.long_range_sentence(10**9),
        "gap (filler words) must be a whole number from 0 to 30, got 1000000000",
    ),
    ("nan", lambda: course_map.signal_left(5, factor=NAN), "factor must be a finite number ≥ 0, got nan"),
    ("none", lambda: course_map.ngram_window(["a", "b"], None), "position must be a whole number, got None"),
    # notebook 05: the conveyor belt
    ("nan", lambda: conveyor.conveyor_belt(NAN, 0.5, 0.5, 10), "forget must be a finite number, got nan"),
    (
        "huge",
        lambda: conveyor.conveyor_belt(0.9, 1e300, 0.5, 10),
        "a gate level lies between 0 and 1, got input_gate = 1e+300",
    ),
    ("zero", lambda: conveyor.conveyor_belt(0.9, 0.5, 0.5, 0), "steps must be a whole number of at least 1, got 0"),
    # notebook 03: language models
    ("nan", lambda: lm.with_temperature(torch.zeros(3), NAN), "temperature must be a finite number, got nan"),
    ("inf", lambda: lm.with_temperature(torch.zeros(3), INF), "temperature must be a finite number, got inf"),
    ("nan", lambda: lm.clip_by_global_norm([torch.ones(2)], NAN), "max_norm must be a positive finite number, got nan"),
    ("inf", lambda: lm.clip_by_global_norm([torch.tensor([INF, 0.0])], 1.0), "the gradients hold NaN or inf"),
    ("nan", lambda: neuron.sgd_path(SQUARE, [NAN, 1.0], 0.1, 3), "start must hold finite numbers"),
    ("negative", lambda: _generate(-1), "length must be a whole number of at least 0, got -1"),
    ("zero", lambda: lm.CharLM(5, 0), "hidden_size must be a whole number of at least 1, got 0"),
    ("bool", lambda: lm.CharLM(True, 8), "vocab_size must be a whole number of at least 2, got True (a bool)"),
    ("nan", lambda: lm.clip_gradient(np.ones(3), NAN), "threshold must be a finite number ≥ 0, got nan"),
    (
        "zero",
        lambda: lm.temperature_probabilities(np.zeros(3), 0),
        "temperature must be a positive finite number, got 0",
    ),
    ("bool", lambda: text.batchify(torch.arange(10), True), "batch_size must be a positive integer, got True"),
    ("nan", lambda: ngram.uniform_perplexity(NAN), "vocab_size must be a whole number, got nan"),
    # tasks and benchmarks
    (
        "negative",
        lambda: tasks.set_spectral_radius(tasks.SequenceModel(1, 4, 1), -1.0),
        "spectral radius must be a finite number ≥ 0, got -1.0",
    ),
    ("nan", lambda: tasks.first_symbol_task(NAN, 5, 4, torch.Generator()), "n must be a whole number, got nan"),
    ("zero", lambda: tasks.SequenceModel(3, 0, 2), "hidden_size must be a whole number of at least 1, got 0"),
    (
        "bool",
        lambda: tasks.multiply_adds_per_step("rnn", 8, True),
        "hidden_size must be a whole number of at least 1, got True (a bool)",
    ),
    (
        "nan",
        lambda: tasks.set_forget_bias(tasks.SequenceModel(3, 4, 2, kind="lstm"), NAN),
        "forget bias must be a finite number, got nan",
    ),
    ("nan", lambda: benchmarks.copy_task(4, NAN, torch.Generator()), "delay must be a whole number, got nan"),
    ("inf", lambda: benchmarks.adding_task(4, INF, torch.Generator()), "length must be a whole number, got inf"),
    (
        "huge",
        lambda: benchmarks.memory_span({5: 1.0}, 1e9),
        "threshold must be a finite number from 0 to 1, got 1000000000.0",
    ),
    ("zero", lambda: lstm_seeds.remember_first(0), "length must be a whole number of at least 1, got 0"),
    # notebook 10: today
    ("negative", lambda: today.cache_bytes(-1, 64, 2), "n must be a whole number of at least 0, got -1"),
    ("nan", lambda: today.scan_rounds(NAN), "T must be a whole number, got nan"),
    ("float size", lambda: today.RecurrentDecoder(0.5, 8), "vocab_size must be a whole number, got 0.5"),
    ("none", lambda: today.depth_gradient_norms(None), "depth must be a whole number, got None"),
    # notebooks 04, 07 and 08: tasks, taggers, translators, genres
    ("bool", lambda: agreement.agreement_task(True, 3, torch.Generator()), "n must be a whole number ≥ 1, got True"),
    (
        "nan",
        lambda: agreement.agreement_task(4, 3, torch.Generator(), attractor_rate=NAN),
        "attractor_rate must be a finite number, got nan",
    ),
    ("nan", lambda: connectivity.spread_positions(100, NAN, 10), "count must be a whole number, got nan"),
    (
        "nan",
        lambda: genre.bag_of_words_baseline(["a b"], torch.tensor([0]), ["a"], torch.tensor([0]), smoothing=NAN),
        "smoothing must be a finite number, got nan",
    ),
    ("none", lambda: genre.GenreRNN(10, None, 8), "embedding_size must be a whole number, got None"),
    ("inf", lambda: phrasebook.generate_pairs(INF, 0), "n must be a whole number, got inf"),
    ("float size", lambda: seq2seq.Seq2Seq(10, 10, 4.5, 8), "embedding_size must be a whole number, got 4.5"),
    ("nan", lambda: tagging.Tagger(10, 3, dropout=NAN), "dropout must be a finite number, got nan"),
    (
        "negative",
        lambda: tagging.make_tagging_data(10, 5, 5, seed=-1),
        "seed must be a whole number of at least 0, got -1",
    ),
    # the from-scratch cells
    ("zero", lambda: cells.parameter_count("rnn", 0, 4), "input_size must be a whole number of at least 1, got 0"),
    ("nan", lambda: rnn.init_rnn(3, NAN), "hidden_size must be a whole number of at least 1, got nan"),
    ("negative", lambda: lstm.init_lstm(-2, 3), "input_size must be a whole number of at least 1, got -2"),
    ("text", lambda: gru.init_gru(3, "4"), "hidden_size must be a whole number of at least 1, got '4' (text)"),
    (
        "zero",
        lambda: rnn.gradient_check(lambda p: 0.0, {}, {}, eps=0.0),
        "eps must be a positive finite number, got 0.0",
    ),
]


@pytest.mark.parametrize(
    "call, phrase", [pytest.param(call, phrase, id=f"{kind}-{i}") for i, (kind, call, phrase) in enumerate(HOSTILE)]
)
def test_a_hostile_number_is_refused_with_a_message_saying_what_was_expected_and_what_came(call, phrase):
    with pytest.raises(ValueError, match=re.escape(phrase)):
        call()


def test_the_hostile_inputs_cover_every_kind_and_many_functions():
    kinds = Counter(kind for kind, _, _ in HOSTILE)
    assert set(kinds) >= {"nan", "inf", "negative", "zero", "text", "none", "list", "bool", "huge", "float size"}
    sources = [inspect.getsource(call).replace("_generate(", "lm.generate(") for _, call, _ in HOSTILE]
    called = {re.search(r"lambda:\s*(\w+\.\w+)\(", source).group(1) for source in sources}
    assert len(HOSTILE) >= 40 and len(called) >= 25, (len(HOSTILE), sorted(called))


# --- Widgets ----------------------------------------------------------------------------------------------

ALL_DEMOS = all_demos()
_BUILT: dict[str, object] = {}


def built(builder):
    """One demo per builder for the whole module (some load caches and take seconds to build)."""
    if builder.__name__ not in _BUILT:
        _BUILT[builder.__name__] = builder()
    return _BUILT[builder.__name__]


BUILDERS = [pytest.param(builder, id=builder.__name__) for _, builder in ALL_DEMOS]  # built in the tests, not here


def _shown(demo) -> tuple[str, bytes]:
    return demo.text, bytes(demo.figure.image.value)


def _hostile_values(control) -> list[tuple[object, type[Exception] | None, str]]:
    """(value, what setting it raises in the caller or None, a phrase the readout or error must hold)."""
    if isinstance(control, FloatSlider):
        return [(NAN, None, f"cannot be nan: it takes numbers from {control.min:.2f} to {control.max:.2f}")]
    if isinstance(control, IntSlider):  # traitlets refuses these before the demo sees them
        return [
            (NAN, traitlets.TraitError, "expected an int, not the float nan"),
            (None, traitlets.TraitError, "expected an int"),
        ]
    if isinstance(control, (SelectionSlider, Dropdown)):
        return [(NAN, traitlets.TraitError, "Invalid selection"), ("∞", traitlets.TraitError, "Invalid selection")]
    if isinstance(control, (Combobox, Text)):
        return [("∞ ¤ ∞", None, "Unknown")]
    raise TypeError(f"no hostile values for a {type(control).__name__}")


@pytest.mark.parametrize("builder", BUILDERS)
def test_every_widget_survives_a_hostile_value_and_recovers_on_the_next_valid_move(builder):
    for name in built(builder).controls:
        survives_and_recovers(built(builder), name)


def survives_and_recovers(demo, name: str) -> None:
    """Set each hostile value on one control; the demo explains or refuses, then a valid move works as before."""
    control = demo.controls[name]
    start = control.value
    valid = next(v for v in sweep_values(control) if v != start)
    control.value = valid
    expected = _shown(demo)  # what this never-broken demo shows at the valid value
    control.value = start
    for value, raised, phrase in _hostile_values(control):
        before = _shown(demo)
        if raised is not None:
            with pytest.raises(raised, match=re.escape(phrase)):
                control.value = value
            assert control.value == start and _shown(demo) == before  # nothing reached the demo
        else:
            control.value = value  # must not raise: the demo explains instead
            assert phrase in demo.text, (name, demo.text)
            if isinstance(control, FloatSlider):
                assert demo.text.startswith(f"⚠ {control.description} cannot be nan")
                assert control.value == start and f"It is back at {start:.2f}." in demo.text
    control.value = valid
    assert _shown(demo) == expected, name
    control.value = start


@pytest.mark.parametrize("builder", BUILDERS)
def test_float_sliders_clamp_infinities_and_out_of_range_values_to_their_ends(builder):
    demo = built(builder)
    if not any(isinstance(c, FloatSlider) for c in demo.controls.values()):
        pytest.skip(f"{builder.__name__} has no float slider")
    for name, control in demo.controls.items():
        if not isinstance(control, FloatSlider):
            continue
        start = control.value
        control.value = control.max
        at_max = _shown(demo)
        control.value = start
        for value in (INF, control.max + 1e6):
            control.value = value
            assert control.value == control.max and _shown(demo) == at_max, name
            control.value = start
        control.value = -INF
        assert control.value == control.min and not demo.text.startswith("⚠"), name
        control.value = start
        assert not math.isnan(control.value)
