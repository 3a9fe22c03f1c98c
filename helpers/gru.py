"""Notebook 06's GRU, from scratch in PyTorch's form: the gates, the cell, the batched forward pass, copies to and
from nn.GRU, and the textbook variant to compare with.

One step reads an input xₜ and the previous hidden state hₜ₋₁. Two gates and a candidate:

    rₜ = σ(xₜ W_xrᵀ + b_xr + hₜ₋₁ W_hrᵀ + b_hr)             reset gate: how much old state the candidate sees
    zₜ = σ(xₜ W_xzᵀ + b_xz + hₜ₋₁ W_hzᵀ + b_hz)             update gate: how much old state to keep
    nₜ = tanh(xₜ W_xnᵀ + b_xn + rₜ ⊙ (hₜ₋₁ W_hnᵀ + b_hn))   candidate: the proposed new state
    hₜ = (1 − zₜ) ⊙ nₜ + zₜ ⊙ hₜ₋₁                          z ≈ 1 keeps the old state, z ≈ 0 takes n

The gates' weights are stacked in PyTorch's order r, z, n: "W_x" (3·hidden, input), "W_h"
(3·hidden, hidden), "b_x" (3·hidden,) and "b_h" (3·hidden,); rows 0:h belong to r, h:2h to z and
2h:3h to n. Two things to watch when reading other sources:

1. The reset gate multiplies the state's projection, hₜ₋₁ W_hnᵀ + b_hn, after W_hn and its bias.
   Cho et al. (2014) reset first, W_hn (rₜ ⊙ hₜ₋₁), see `textbook_gru_cell`. Because b_hn sits
   inside the product with rₜ, it cannot be merged into b_xn, so we keep both bias vectors as
   nn.GRU does (only the r and z parts of b_x and b_h could be added up).
2. zₜ near 1 keeps the old state, as in Cho et al. (2014), Goodfellow et al.'s Deep Learning
   (eq. 10.45) and Dive into Deep Learning. Chung et al. (2014) write
   hₜ = (1 − zₜ) ⊙ hₜ₋₁ + zₜ ⊙ h̃ₜ, z the other way round: their zₜ is 1 − PyTorch's zₜ.

Shapes are batch first, like `nn.GRU(..., batch_first=True)`: x is (batch, seq, input), the hidden
states H are (batch, seq, hidden). Everything works on numpy arrays and on torch tensors alike:

    >>> generator = torch.Generator().manual_seed(0)
    >>> params = init_gru(3, 4, generator)
    >>> x = torch.randn(2, 5, 3, generator=generator, dtype=torch.float64)   # (batch, seq, input)
    >>> H, h_last = gru_forward(x, params)
    >>> H.shape, h_last.shape
    (torch.Size([2, 5, 4]), torch.Size([2, 4]))
    >>> expected, _ = to_torch(params)(x)                                  # the same weights in nn.GRU
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

GRUParams = Mapping[str, Array]
GATES = ("r", "z", "n")  # PyTorch's order of the stacked rows of W_x, W_h, b_x and b_h


# --- Parameters -----------------------------------------------------------------------------


def init_gru(
    input_size: int, hidden_size: int, generator: torch.Generator | None = None, dtype: torch.dtype = torch.float64
) -> dict[str, torch.Tensor]:
    """Random W_x (3h, d), W_h (3h, h), b_x and b_h (3h,), gates stacked r, z, n, uniform in ±1/√hidden like nn.GRU."""
    cells.check_size("input_size", input_size)
    cells.check_size("hidden_size", hidden_size)
    rows = 3 * hidden_size
    shapes = {"W_x": (rows, input_size), "W_h": (rows, hidden_size), "b_x": (rows,), "b_h": (rows,)}
    return cells.uniform_weights(shapes, hidden_size, generator, dtype)


def from_torch(gru: nn.GRU) -> dict[str, torch.Tensor]:
    """Copies of a 1-layer, unidirectional, batch_first nn.GRU's weights: b_x = bias_ih and b_h = bias_hh."""
    cells.check_torch_layer(gru, nn.GRU)
    W_x, W_h, b_x, b_h = cells.torch_weights(gru)
    return {"W_x": W_x, "W_h": W_h, "b_x": b_x, "b_h": b_h}


def to_torch(params: GRUParams, batch_first: bool = True) -> nn.GRU:
    """An nn.GRU holding these weights (bias_ih = b_x, bias_hh = b_h), in the parameters' dtype."""
    _check_params(params)
    W_x, W_h, b_x, b_h = (params[name] for name in ("W_x", "W_h", "b_x", "b_h"))
    return cells.torch_layer(nn.GRU, W_x, W_h, b_x, b_h, batch_first=batch_first)


# --- Forward ----------------------------------------------------------------------------------


def _split_gates(from_x: Array, from_h: Array) -> dict[str, Array]:
    """r, z, n from the inputs' share x W_xᵀ + b_x and the state's share h W_hᵀ + b_h, each (batch, 3·hidden)."""
    h = from_x.shape[-1] // 3
    r = sigmoid(from_x[:, :h] + from_h[:, :h])
    z = sigmoid(from_x[:, h : 2 * h] + from_h[:, h : 2 * h])
    n = tanh(from_x[:, 2 * h :] + r * from_h[:, 2 * h :])  # r scales the state's share after W_hn and b_hn
    return {"r": r, "z": z, "n": n}


def _update(gates: dict[str, Array], h_prev: Array) -> Array:
    """hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁: z ≈ 1 keeps the old state."""
    return (1 - gates["z"]) * gates["n"] + gates["z"] * h_prev


def gru_gates(x_t: Array, h_prev: Array, params: GRUParams) -> dict[str, Array]:
    """The gates r, z and the candidate n, each (batch, hidden), for x_t (batch, input) and h_prev (batch, hidden)."""
    _check_step(x_t, h_prev, params)
    x_t, h_prev, W_x, W_h, b_x, b_h = same_kind(x_t, h_prev, *(params[name] for name in ("W_x", "W_h", "b_x", "b_h")))
    return _split_gates(x_t @ W_x.T + b_x, h_prev @ W_h.T + b_h)


def gru_cell(x_t: Array, h_prev: Array, params: GRUParams) -> Array:
    """One step in PyTorch's form, hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁ (batch, hidden), where n resets hₜ₋₁ W_hnᵀ + b_hn."""
    gates = gru_gates(x_t, h_prev, params)
    _, h_prev = same_kind(gates["z"], h_prev)  # h_prev as the same kind as the gates
    return _update(gates, h_prev)


def textbook_gru_cell(x_t: Array, h_prev: Array, params: GRUParams) -> Array:
    """One step with Cho et al. (2014)'s candidate, reset BEFORE W_hn: n = tanh(xₜ W_xnᵀ + (r ⊙ hₜ₋₁) W_hnᵀ + b_n).

    b_n = b_xn + b_hn. Everything else is as in `gru_cell` (r, z, and z ≈ 1 keeping the old state),
    so for the same weights the two agree where r = 1 (or where W_hn is diagonal and b_hn = 0) and
    differ elsewhere.
    """
    _check_step(x_t, h_prev, params)
    x_t, h_prev, W_x, W_h, b_x, b_h = same_kind(x_t, h_prev, *(params[name] for name in ("W_x", "W_h", "b_x", "b_h")))
    h = h_prev.shape[1]
    gates = _split_gates(x_t @ W_x.T + b_x, h_prev @ W_h.T + b_h)  # r and z as in PyTorch's form
    reset_first = (gates["r"] * h_prev) @ W_h[2 * h :].T  # 1. reset the old state, then project it
    gates["n"] = tanh(x_t @ W_x[2 * h :].T + reset_first + b_x[2 * h :] + b_h[2 * h :])  # 2. the candidate from that
    return _update(gates, h_prev)


@overload
def gru_forward(
    x: Array, params: GRUParams, h0: Array | None = None, return_gates: Literal[False] = False
) -> tuple[Array, Array]: ...


@overload
def gru_forward(
    x: Array, params: GRUParams, h0: Array | None = None, *, return_gates: Literal[True]
) -> tuple[Array, Array, dict[str, Array]]: ...


@overload
def gru_forward(
    x: Array, params: GRUParams, h0: Array | None = None, return_gates: bool = False
) -> tuple[Array, Array] | tuple[Array, Array, dict[str, Array]]: ...


def gru_forward(
    x: Array, params: GRUParams, h0: Array | None = None, return_gates: bool = False
) -> tuple[Array, Array] | tuple[Array, Array, dict[str, Array]]:
    """H (batch, seq, hidden) and the last state h_T (batch, hidden) for x (batch, seq, input); h0 zeros if None.

    With return_gates=True, a third value: a dict of "r", "z" and "n" at every step, each (batch, seq, hidden).
    """
    hidden, inputs = _check_params(params)
    cells.check_sequence(x, hidden, inputs, params["W_x"], {"h0": h0})
    batch, steps, _ = x.shape
    h = like(np.zeros((batch, hidden)), x) if h0 is None else h0
    x, W_x, W_h, b_x, b_h, h = same_kind(x, params["W_x"], params["W_h"], params["b_x"], params["b_h"], h)
    from_x = x @ W_x.T + b_x  # the inputs' share of r, z and n at every step at once: (batch, seq, 3·hidden)
    states: list[Any] = []  # arrays or tensors, the kind of x
    trace: dict[str, list[Any]] = {name: [] for name in GATES}
    for t in range(steps):  # only the recurrence needs a loop: step t needs hₜ₋₁
        gates = _split_gates(from_x[:, t], h @ W_h.T + b_h)
        h = _update(gates, h)
        states.append(h)
        for name, value in gates.items():
            trace[name].append(value)
    stack = partial(torch.stack, dim=1) if isinstance(x, torch.Tensor) else partial(np.stack, axis=1)
    H = stack(states)
    if return_gates:
        return H, h, {name: stack(values) for name, values in trace.items()}
    return H, h


# --- Checks -----------------------------------------------------------------------------------


def _check_params(params: GRUParams) -> tuple[int, int]:
    return cells.check_stacked_params(params, GATES, ("b_x", "b_h"))


def _check_step(x_t: Array, h_prev: Array, params: GRUParams) -> None:
    hidden, inputs = _check_params(params)
    cells.check_step_input(x_t, hidden, inputs, {"h_prev": h_prev})


# --- Exercise (notebook 06) -------------------------------------------------------------------


def gru_step(
    x_t: np.ndarray, h_prev: np.ndarray, W_x: np.ndarray, W_h: np.ndarray, b_x: np.ndarray, b_h: np.ndarray
) -> np.ndarray:
    """One GRU step on a batch in PyTorch's form, gates stacked r, z, n: returns h_t, (batch, hidden)."""
    h = h_prev.shape[1]
    from_x = x_t @ W_x.T + b_x  # (batch, 3·hidden): the input's share of r, z and n
    from_h = h_prev @ W_h.T + b_h  # (batch, 3·hidden): the old state's share
    r = sigmoid(from_x[:, 0:h] + from_h[:, 0:h])  # reset gate
    z = sigmoid(from_x[:, h : 2 * h] + from_h[:, h : 2 * h])  # update gate
    n = np.tanh(from_x[:, 2 * h :] + r * from_h[:, 2 * h :])  # candidate: r scales h_prev W_hnᵀ + b_hn
    return (1 - z) * n + z * h_prev


def _gru_step_with(
    x_t, h_prev, W_x, W_h, b_x, b_h, gate=sigmoid, candidate=np.tanh, order="rzn", reset="after", keep_with_z=True
):
    """gru_step with one classic mistake switched on, for the exercise's hints."""
    h = h_prev.shape[1]
    block = {name: slice(k * h, (k + 1) * h) for k, name in enumerate(order)}
    from_x, from_h = x_t @ W_x.T + b_x, h_prev @ W_h.T + b_h
    r = gate(from_x[:, block["r"]] + from_h[:, block["r"]])
    z = gate(from_x[:, block["z"]] + from_h[:, block["z"]])
    W_hn, b_hn = W_h[block["n"]], b_h[block["n"]]
    recurrent = {
        "after": r * (h_prev @ W_hn.T + b_hn),  # PyTorch's form (right)
        "before": (r * h_prev) @ W_hn.T + b_hn,  # the textbook form
        "bias outside": r * (h_prev @ W_hn.T) + b_hn,
    }[reset]
    n = candidate(from_x[:, block["n"]] + recurrent)
    return (1 - z) * n + z * h_prev if keep_with_z else z * n + (1 - z) * h_prev


def _step_case(batch: int, inputs: int, hidden: int, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    return Case(
        (
            rng.normal(size=(batch, inputs)),
            rng.uniform(-1, 1, (batch, hidden)),
            rng.normal(size=(3 * hidden, inputs)),
            rng.normal(size=(3 * hidden, hidden)) / hidden,
            rng.normal(size=3 * hidden),
            rng.normal(size=3 * hidden),
        )
    )


check_gru_step = Exercise(
    "gru_step",
    reference=gru_step,
    cases=[_step_case(2, 3, 4, 0), _step_case(1, 5, 2, 1), _step_case(3, 2, 3, 2)],
    hidden_cases=[_step_case(1, 1, 1, 3), _step_case(4, 3, 5, 4)],  # one unit, a wider batch
    mistakes={
        "apply the reset gate before the projection, (r ⊙ h_prev) W_hnᵀ (the textbook form; PyTorch's is "
        "r ⊙ (h_prev W_hnᵀ + b_hn))": partial(_gru_step_with, reset="before"),
        "leave b_hn out of the reset product (r ⊙ (h_prev W_hnᵀ) + b_hn; "
        "PyTorch's is r ⊙ (h_prev W_hnᵀ + b_hn))": partial(_gru_step_with, reset="bias outside"),
        "use z the other way round (h_t = z ⊙ n + (1 − z) ⊙ h_prev; in PyTorch's form z ≈ 1 keeps h_prev)": partial(
            _gru_step_with, keep_with_z=False
        ),
        "use tanh instead of the sigmoid on the gates r and z": partial(_gru_step_with, gate=np.tanh),
        "swap tanh and the sigmoid (tanh on the gates r and z, the sigmoid on the candidate n)": partial(
            _gru_step_with, gate=np.tanh, candidate=sigmoid
        ),
        "read the gates in the order z, r, n (PyTorch stacks them r, z, n)": partial(_gru_step_with, order="zrn"),
    },
)
