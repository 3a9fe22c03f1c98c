"""Notebook 05: the LSTM's conveyor belt with the gates held at fixed levels.

A fact is written into the cell at step 0 (c₀ = 1). At every later step the cell keeps a share f of
what it had and adds i × (a new candidate value g in (−1, 1)): cₜ = f cₜ₋₁ + i gₜ. The output gate
decides how much of the cell is shown: hₜ = o tanh(cₜ). With f = 1 and i = 0 the fact rides the belt
unchanged for ever; every f < 1 fades it like f^t.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.course import validate


@dataclass
class BeltTrace:
    """Step by step: what is left of the first fact, the whole cell, and what the output exposes."""

    fact: np.ndarray  # f^t: the share of c₀ still in the cell
    cell: np.ndarray  # cₜ
    exposed: np.ndarray  # hₜ = o tanh(cₜ)


def candidates(steps: int, seed: int = 0) -> np.ndarray:
    """The new values gₜ offered at steps 1..steps (a fixed random sequence in (−1, 1))."""
    steps = validate.whole("steps", steps, low=0)
    validate.seed("seed", seed)
    return np.tanh(np.random.default_rng(seed).normal(size=steps))


def conveyor_belt(forget: float, input_gate: float, output: float, steps: int, seed: int = 0) -> BeltTrace:
    """Run cₜ = f cₜ₋₁ + i gₜ from c₀ = 1 for `steps` steps with fixed gate levels (each in [0, 1])."""
    for name, value in (("forget", forget), ("input_gate", input_gate), ("output", output)):
        if not 0.0 <= validate.number(name, value) <= 1.0:
            raise ValueError(f"a gate level lies between 0 and 1, got {name} = {value}")
    steps = validate.whole("steps", steps)
    g = candidates(steps, seed)
    t = np.arange(steps + 1)
    fact = forget**t
    # cₜ = f^t c₀ + i Σ_{s=1..t} f^(t−s) g_s, computed step by step (a loop of a few hundred is instant)
    cell = np.empty(steps + 1)
    cell[0] = 1.0
    for step in range(1, steps + 1):
        cell[step] = forget * cell[step - 1] + input_gate * g[step - 1]
    return BeltTrace(fact, cell, output * np.tanh(cell))
