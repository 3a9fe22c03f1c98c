"""The notebooks' widget demos, one module per notebook: `from helpers.demos.neurons import neuron_demo`.

Each demo builds controls and one reused figure around pure functions from a topic module. `DEMOS`
lists every demo by notebook so the benchmark and the tests can find them all; it names them rather
than importing them, so that showing notebook 01's neuron never loads seq2seq or the phrasebook.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

# notebook file stem -> (module in helpers/demos/, the demo functions it defines for that notebook)
DEMOS: dict[str, tuple[str, tuple[str, ...]]] = {
    "00_course_map": ("course_map", ("lookback_demo",)),
    "01_neurons": ("neurons", ("neuron_demo", "learning_rate_demo")),
    "02_vanilla_rnn": ("vanilla_rnn", ("unroll_demo",)),
    "03_training_rnns": ("training_rnns", ("temperature_demo", "connectivity_demo")),
    "04_vanishing_gradients": ("vanishing_gradients", ("gradient_decay_demo",)),
    "05_lstm": ("lstm", ("gate_demo",)),
    "06_gru": ("gru", ("comparison_demo",)),
    "07_bidirectional": ("bidirectional", ("tagging_demo",)),
    "08_seq2seq": ("seq2seq", ("translate_demo",)),
    "09_memory_playground": ("memory_playground", ("memory_playground_demo",)),
    "10_rnns_today": ("today", ("token_cost_demo",)),
}


def demos_of(notebook: str) -> list[Callable]:
    """The demo-building functions of one notebook (imports only that notebook's demo module)."""
    if notebook not in DEMOS:
        raise KeyError(f"no demos registered for {notebook!r}; notebooks with demos: {', '.join(DEMOS)}")
    module_name, names = DEMOS[notebook]
    module = importlib.import_module(f"helpers.demos.{module_name}")
    return [getattr(module, name) for name in names]


def all_demos() -> list[tuple[str, Callable]]:
    """(notebook, demo-building function) for every registered demo, in notebook order."""
    return [(notebook, builder) for notebook in DEMOS for builder in demos_of(notebook)]
