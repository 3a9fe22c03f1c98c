"""Notebook 05's LSTM, from scratch: the gates, the cell, the batched forward pass, and copies to and from nn.LSTM.

One step reads an input xₜ and the previous state, a pair (hₜ₋₁, cₜ₋₁). Four gates look at xₜ and hₜ₋₁:

    iₜ = σ(xₜ W_xiᵀ + hₜ₋₁ W_hiᵀ + b_i)      input gate: how much of the candidate to write
    fₜ = σ(xₜ W_xfᵀ + hₜ₋₁ W_hfᵀ + b_f)      forget gate: how much of the old cell to keep
    gₜ = tanh(xₜ W_xgᵀ + hₜ₋₁ W_hgᵀ + b_g)   candidate: what could be written
    oₜ = σ(xₜ W_xoᵀ + hₜ₋₁ W_hoᵀ + b_o)      output gate: how much of the cell to show
    cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ                  the cell: kept old memory plus written new memory
    hₜ = oₜ ⊙ tanh(cₜ)                        the hidden state: what the cell shows

σ is the sigmoid, so i, f and o lie in (0, 1); ⊙ multiplies entry by entry. The four gates' weights
are stacked into one matrix each, in PyTorch's order i, f, g, o: "W_x" (4·hidden, input), "W_h"
(4·hidden, hidden) and "b" (4·hidden,), where rows 0:h belong to i, h:2h to f, 2h:3h to g and 3h:4h
to o. One matrix product then gives all four gates' pre-activations at once.

Shapes are batch first, like `nn.LSTM(..., batch_first=True)`: x is (batch, seq, input), the hidden
states H are (batch, seq, hidden). Like `helpers.rnn`, everything works on numpy arrays and on torch
tensors alike:

    >>> generator = torch.Generator().manual_seed(0)
    >>> params = init_lstm(3, 4, generator)
    >>> x = torch.randn(2, 5, 3, generator=generator, dtype=torch.float64)   # (batch, seq, input)
    >>> H, (h_last, c_last) = lstm_forward(x, params)
    >>> H.shape, h_last.shape, c_last.shape
    (torch.Size([2, 5, 4]), torch.Size([2, 4]), torch.Size([2, 4]))
    >>> expected, _ = to_torch(params)(x)                                  # the same weights in nn.LSTM
    >>> bool((H - expected).abs().max() < 1e-12)
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, Literal, overload

import numpy as np
import torch
from torch import nn

from helpers import cells
from helpers.cells import Array, like, same_kind, sigmoid, tanh
from helpers.course.exercises import Case, Exercise

LSTMParams = Mapping[str, Array]
GATES = ("i", "f", "g", "o")  # PyTorch's order of the stacked rows of W_x, W_h and b


# --- Parameters -----------------------------------------------------------------------------


def init_lstm(
    input_size: int, hidden_size: int, generator: torch.Generator | None = None, dtype: torch.dtype = torch.float64
) -> dict[str, torch.Tensor]:
    """Random W_x (4h, d), W_h (4h, h) and b (4h,), gates stacked i, f, g, o, uniform in ±1/√hidden like nn.LSTM."""
    cells.check_size("input_size", input_size)
    cells.check_size("hidden_size", hidden_size)
    rows = 4 * hidden_size
    shapes = {"W_x": (rows, input_size), "W_h": (rows, hidden_size), "b": (rows,)}
    return cells.uniform_weights(shapes, hidden_size, generator, dtype)


def from_torch(lstm: nn.LSTM) -> dict[str, torch.Tensor]:
    """Copies of a 1-layer, unidirectional, batch_first nn.LSTM's weights (no proj_size), with b = bias_ih + bias_hh."""
    cells.check_torch_layer(lstm, nn.LSTM)
    W_x, W_h, b_ih, b_hh = cells.torch_weights(lstm)
    return {"W_x": W_x, "W_h": W_h, "b": b_ih + b_hh}


def to_torch(params: LSTMParams, batch_first: bool = True) -> nn.LSTM:
    """An nn.LSTM holding these weights (bias_ih = b, bias_hh = 0), in the parameters' dtype."""
    _check_params(params)
    return cells.torch_layer(nn.LSTM, params["W_x"], params["W_h"], params["b"], batch_first=batch_first)


# --- Forward ----------------------------------------------------------------------------------


def _split_gates(z: Array) -> dict[str, Array]:
    """The four gates from the stacked pre-activations z (batch, 4·hidden), rows in the order i, f, g, o."""
    h = z.shape[-1] // 4
    return {
        "i": sigmoid(z[:, 0:h]),  # input gate
        "f": sigmoid(z[:, h : 2 * h]),  # forget gate
        "g": tanh(z[:, 2 * h : 3 * h]),  # candidate
        "o": sigmoid(z[:, 3 * h : 4 * h]),
    }  # output gate


def _update(gates: dict[str, Array], c_prev: Array) -> tuple[Array, Array]:
    """The new state: cₜ = f ⊙ cₜ₋₁ + i ⊙ g, then hₜ = o ⊙ tanh(cₜ)."""
    c_t = gates["f"] * c_prev + gates["i"] * gates["g"]
    return gates["o"] * tanh(c_t), c_t


def lstm_gates(x_t: Array, state: tuple[Array, Array], params: LSTMParams) -> dict[str, Array]:
    """The gates i, f, g, o, each (batch, hidden), for x_t (batch, input) and state = (h_prev, c_prev)."""
    _check_step(x_t, state, params)
    x_t, h_prev, _, W_x, W_h, b = same_kind(x_t, *state, params["W_x"], params["W_h"], params["b"])
    return _split_gates(x_t @ W_x.T + h_prev @ W_h.T + b)  # one product for all four gates


def lstm_cell(x_t: Array, state: tuple[Array, Array], params: LSTMParams) -> tuple[Array, Array]:
    """One step: the new (h_t, c_t), each (batch, hidden), for x_t (batch, input) and state = (h_prev, c_prev)."""
    gates = lstm_gates(x_t, state, params)
    _, c_prev = same_kind(gates["f"], state[1])  # c_prev as the same kind as the gates
    return _update(gates, c_prev)


@overload
def lstm_forward(
    x: Array, params: LSTMParams, state: tuple[Array, Array] | None = None, return_gates: Literal[False] = False
) -> tuple[Array, tuple[Array, Array]]: ...


@overload
def lstm_forward(
    x: Array, params: LSTMParams, state: tuple[Array, Array] | None = None, *, return_gates: Literal[True]
) -> tuple[Array, tuple[Array, Array], dict[str, Array]]: ...


@overload
def lstm_forward(
    x: Array, params: LSTMParams, state: tuple[Array, Array] | None = None, return_gates: bool = False
) -> tuple[Array, tuple[Array, Array]] | tuple[Array, tuple[Array, Array], dict[str, Array]]: ...


def lstm_forward(
    x: Array, params: LSTMParams, state: tuple[Array, Array] | None = None, return_gates: bool = False
) -> tuple[Array, tuple[Array, Array]] | tuple[Array, tuple[Array, Array], dict[str, Array]]:
    """H (batch, seq, hidden) and the last state (h_T, c_T) for x (batch, seq, input); state = (h0, c0), zeros if None.

    With return_gates=True, a third value: a dict of the gates "i", "f", "g", "o" and the cell states
    "c" at every step, each (batch, seq, hidden), to trace what the LSTM did.
    """
    _check_inputs(x, params, state)
    h0, c0 = (None, None) if state is None else state
    batch, steps, _ = x.shape
    hidden = params["W_h"].shape[1]
    h = like(np.zeros((batch, hidden)), x) if h0 is None else h0
    c = like(np.zeros((batch, hidden)), x) if c0 is None else c0
    x, W_x, W_h, b, h, c = same_kind(x, params["W_x"], params["W_h"], params["b"], h, c)
    projected = x @ W_x.T + b  # the inputs' share of all four gates at every step at once: (batch, seq, 4·hidden)
    states: list[Any] = []  # arrays or tensors, the kind of x
    trace: dict[str, list[Any]] = {name: [] for name in (*GATES, "c")}
    for t in range(steps):  # only the recurrence needs a loop: step t needs hₜ₋₁ and cₜ₋₁
        gates = _split_gates(projected[:, t] + h @ W_h.T)
        h, c = _update(gates, c)
        states.append(h)
        for name, value in {**gates, "c": c}.items():
            trace[name].append(value)
    stack = partial(torch.stack, dim=1) if isinstance(x, torch.Tensor) else partial(np.stack, axis=1)
    H = stack(states)
    if return_gates:
        return H, (h, c), {name: stack(values) for name, values in trace.items()}
    return H, (h, c)


def _check_params(params: LSTMParams) -> tuple[int, int]:
    return cells.check_stacked_params(params, GATES, ("b",))


def _state_pair(state: object) -> tuple[Array, Array]:
    if not isinstance(state, (tuple, list)) or len(state) != 2:
        what = (
            f"shape {cells.shape_of(state)}" if isinstance(state, (np.ndarray, torch.Tensor)) else type(state).__name__
        )
        raise ValueError(f"the LSTM's state must be a pair (h, c) of (batch, hidden) arrays, got {what}")
    return state[0], state[1]


def _check_inputs(x: Array, params: LSTMParams, state: tuple[Array, Array] | None) -> None:
    hidden, inputs = _check_params(params)
    h0, c0 = (None, None) if state is None else _state_pair(state)
    cells.check_sequence(x, hidden, inputs, params["W_x"], {"h0": h0, "c0": c0})


def _check_step(x_t: Array, state: tuple[Array, Array], params: LSTMParams) -> None:
    hidden, inputs = _check_params(params)
    h_prev, c_prev = _state_pair(state)
    cells.check_step_input(x_t, hidden, inputs, {"h_prev": h_prev, "c_prev": c_prev})


# --- Exercise (notebook 05) -------------------------------------------------------------------


def lstm_step(
    x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, W_x: np.ndarray, W_h: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step on a batch, gates stacked i, f, g, o in W_x, W_h and b: (h_t, c_t), each (batch, hidden)."""
    h = h_prev.shape[1]
    z = x_t @ W_x.T + h_prev @ W_h.T + b  # (batch, 4·hidden): all four gates' pre-activations
    i = sigmoid(z[:, 0:h])  # input gate
    f = sigmoid(z[:, h : 2 * h])  # forget gate
    g = np.tanh(z[:, 2 * h : 3 * h])  # candidate
    o = sigmoid(z[:, 3 * h : 4 * h])  # output gate
    c_t = f * c_prev + i * g
    h_t = o * np.tanh(c_t)
    return h_t, c_t


def _lstm_step_with(
    x_t,
    h_prev,
    c_prev,
    W_x,
    W_h,
    b,
    gate=sigmoid,
    candidate=np.tanh,
    order="ifgo",
    forget=True,
    cell_tanh=True,
    swap=False,
):
    """lstm_step with one classic mistake switched on, for the exercise's hints."""
    z = x_t @ W_x.T + h_prev @ W_h.T + b
    h = h_prev.shape[1]
    block = {name: z[:, k * h : (k + 1) * h] for k, name in enumerate(order)}
    i, f, g, o = gate(block["i"]), gate(block["f"]), candidate(block["g"]), gate(block["o"])
    c_t = (f * c_prev if forget else c_prev) + i * g
    h_t = o * (np.tanh(c_t) if cell_tanh else c_t)
    return (c_t, h_t) if swap else (h_t, c_t)


def _step_case(batch: int, inputs: int, hidden: int, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    return Case(
        (
            rng.normal(size=(batch, inputs)),
            rng.uniform(-1, 1, (batch, hidden)),
            rng.normal(size=(batch, hidden)),
            rng.normal(size=(4 * hidden, inputs)),
            rng.normal(size=(4 * hidden, hidden)) / hidden,
            rng.normal(size=4 * hidden),
        )
    )


check_lstm_step = Exercise(
    "lstm_step",
    reference=lstm_step,
    cases=[_step_case(2, 3, 4, 0), _step_case(1, 5, 2, 1), _step_case(3, 2, 3, 2)],
    hidden_cases=[_step_case(1, 1, 1, 3), _step_case(4, 3, 5, 4)],  # one unit, a wider batch
    mistakes={
        "use tanh instead of the sigmoid on the gates i, f and o": partial(_lstm_step_with, gate=np.tanh),
        "use the sigmoid instead of tanh for the candidate g": partial(_lstm_step_with, candidate=sigmoid),
        "read the gates in the order f, i, g, o (PyTorch stacks them i, f, g, o)": partial(
            _lstm_step_with, order="figo"
        ),
        "leave out the forget gate (c_t = c_prev + i ⊙ g)": partial(_lstm_step_with, forget=False),
        "leave out the tanh of the cell (h_t = o ⊙ c_t)": partial(_lstm_step_with, cell_tanh=False),
        "return (c_t, h_t) instead of (h_t, c_t)": partial(_lstm_step_with, swap=True),
    },
)
