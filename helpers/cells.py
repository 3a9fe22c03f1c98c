"""What the from-scratch cells (rnn, lstm, gru) share: numpy-or-torch arithmetic and the checks of their inputs.

Every from-scratch function works on numpy arrays and torch tensors alike, so one loss can be evaluated
with numpy (finite differences) and with torch (autograd). The checks raise a ValueError that says which
shape was expected and which came.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TypeVar, overload

import numpy as np
import torch
from torch import nn

from helpers.course import validate

Array = np.ndarray | torch.Tensor
Layer = TypeVar("Layer", nn.RNN, nn.LSTM, nn.GRU)


def like(value: Array, reference: Array) -> Array:
    """`value` as the same kind (numpy array or torch tensor) and dtype as `reference`."""
    if isinstance(reference, torch.Tensor):
        return torch.as_tensor(value, dtype=reference.dtype, device=reference.device)
    return np.asarray(value, dtype=reference.dtype)


def check_size(name: str, value: int) -> None:
    """A ValueError unless a size is a whole number of at least 1 (validate.size, under its old name)."""
    validate.size(name, value)


def shape_of(a: Array) -> tuple[int, ...]:
    """The shape of an array or a tensor as a tuple of ints."""
    return tuple(int(n) for n in a.shape)


@overload
def same_kind(*arrays: Array) -> tuple[Array, ...]: ...


@overload
def same_kind(*arrays: Array | None) -> tuple[Array | None, ...]: ...


def same_kind(*arrays: Array | None) -> tuple[Array | None, ...]:
    """The arrays as torch tensors (the first tensor's dtype) if any of them is one, else unchanged; None stays."""
    tensor = next((a for a in arrays if isinstance(a, torch.Tensor)), None)
    if tensor is None:
        return arrays
    return tuple(a if a is None or isinstance(a, torch.Tensor) else like(a, tensor) for a in arrays)


def sigmoid(z: Array) -> Array:
    """σ(z) = 1 / (1 + e^(−z)): torch.sigmoid for a tensor; for numpy, without overflow and in z's dtype."""
    if isinstance(z, torch.Tensor):
        return torch.sigmoid(z)
    e = np.exp(-np.abs(z))  # e^(−|z|) ≤ 1, so nothing overflows however large |z| is
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def tanh(z: Array) -> Array:
    """tanh(z): torch.tanh for a tensor, numpy's for an array."""
    return torch.tanh(z) if isinstance(z, torch.Tensor) else np.tanh(z)


def layer_tensor(layer: nn.Module, name: str) -> torch.Tensor:
    """A torch layer's weight or bias by name, e.g. nn.LSTM's "weight_ih_l0" (typing sees these only as attributes)."""
    value = getattr(layer, name)
    if not isinstance(value, torch.Tensor):
        raise ValueError(f"expected {type(layer).__name__}.{name} to be a tensor, got {type(value).__name__}")
    return value


def uniform_weights(
    shapes: dict[str, tuple[int, ...]],
    hidden_size: int,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
) -> dict[str, torch.Tensor]:
    """Each named tensor uniform in (−1/√hidden, 1/√hidden), drawn in order, as torch initialises a recurrent layer."""
    bound = 1.0 / math.sqrt(hidden_size)
    return {
        name: torch.empty(shape, dtype=dtype).uniform_(-bound, bound, generator=generator)
        for name, shape in shapes.items()
    }


def stacked_parameter_count(
    gates: int, input_size: int, hidden_size: int, output_size: int = 0, biases: int = 1
) -> int:
    """gates·h(h + d + biases) for a recurrent layer (one block per gate) plus o(h + 1) for an output layer."""
    check_size("input_size", input_size)
    check_size("hidden_size", hidden_size)
    validate.whole("gates", gates)
    validate.whole("biases", biases, low=0)
    if isinstance(output_size, bool) or not isinstance(output_size, (int, np.integer)) or output_size < 0:
        raise ValueError(f"output_size must be 0 (no output layer) or more, got {validate.shown(output_size)}")
    h, d, o = hidden_size, input_size, output_size
    return gates * h * (h + d + biases) + o * (h + 1)


# Weight blocks of each kind of cell: one per gate or candidate (the vanilla RNN has a single block).
BLOCKS = {"rnn": 1, "gru": 3, "lstm": 4}


def parameter_count(kind: str, input_size: int, hidden_size: int, output_size: int = 0) -> int:
    """blocks·h(h + d + 1), one bias per block as in the textbooks, plus o(h + 1) for an output layer.

    The RNN has h(h + d + 1), the LSTM 4h(h + d + 1), the GRU 3h(h + d + 1). PyTorch's layers (and our GRU's
    params, which need b_h inside the reset product) keep two biases per block: see torch_parameter_count.
    """
    return stacked_parameter_count(_blocks(kind), input_size, hidden_size, output_size)


def torch_parameter_count(kind: str, input_size: int, hidden_size: int) -> int:
    """blocks·h(h + d + 2): what sum(p.numel() for p in nn.RNN/LSTM/GRU(d, h).parameters()) adds up to."""
    return stacked_parameter_count(_blocks(kind), input_size, hidden_size, biases=2)


def _blocks(kind: str) -> int:
    if kind not in BLOCKS:
        raise ValueError(f"kind must be one of {sorted(BLOCKS)}, got {kind!r}")
    return BLOCKS[kind]


def torch_weights(layer: nn.RNNBase) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Copies of a 1-layer torch RNN/LSTM/GRU's weight_ih, weight_hh, bias_ih and bias_hh (zeros if it has no bias)."""
    W_x, W_h = (layer_tensor(layer, name).detach().clone() for name in ("weight_ih_l0", "weight_hh_l0"))
    if not layer.bias:
        return W_x, W_h, torch.zeros(len(W_x), dtype=W_x.dtype), torch.zeros(len(W_x), dtype=W_x.dtype)
    b_ih, b_hh = (layer_tensor(layer, name).detach().clone() for name in ("bias_ih_l0", "bias_hh_l0"))
    return W_x, W_h, b_ih, b_hh


def torch_layer(
    kind: type[Layer], W_x: Array, W_h: Array, b_ih: Array, b_hh: Array | None = None, batch_first: bool = True
) -> Layer:
    """A 1-layer torch `kind` (nn.RNN, nn.LSTM, nn.GRU) holding these weights in W_x's dtype (bias_hh zero if None)."""
    tensors = [torch.as_tensor(value) for value in (W_x, W_h, b_ih)]
    layer = kind(tensors[0].shape[1], tensors[1].shape[1], batch_first=batch_first, dtype=tensors[0].dtype)
    with torch.no_grad():
        for name, value in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0"), tensors, strict=True):
            layer_tensor(layer, name).copy_(value)
        if b_hh is None:
            layer_tensor(layer, "bias_hh_l0").zero_()
        else:
            layer_tensor(layer, "bias_hh_l0").copy_(torch.as_tensor(b_hh))
    return layer


def check_torch_layer(layer: nn.Module, kind: type) -> None:
    """A ValueError unless `layer` is a 1-layer, unidirectional, batch_first `kind` (a tanh nn.RNN, nn.LSTM, nn.GRU)."""
    if not isinstance(layer, kind):
        raise ValueError(f"expected a torch.nn.{kind.__name__}, got {type(layer).__name__}")
    wanted: dict[str, object] = {"num_layers": 1, "bidirectional": False, "batch_first": True}
    wanted |= {"nonlinearity": "tanh"} if kind is nn.RNN else {"proj_size": 0} if kind is nn.LSTM else {}
    problems = [f"{name}={getattr(layer, name)!r}" for name, value in wanted.items() if getattr(layer, name) != value]
    if problems:
        settings = ", ".join(f"{name}={value!r}" for name, value in wanted.items())
        raise ValueError(f"from_torch expects nn.{kind.__name__}({settings}), got {', '.join(problems)}")


def check_stacked_params(
    params: Mapping[str, Array], gates: tuple[str, ...], biases: tuple[str, ...]
) -> tuple[int, int]:
    """(hidden, input) from W_x (k·hidden, input), W_h (k·hidden, hidden) and the biases (k·hidden,), k = len(gates)."""
    names = ("W_x", "W_h", *biases)
    missing = [name for name in names if name not in params]
    if missing:
        raise ValueError(f"params must have keys {', '.join(names[:-1])} and {names[-1]}, missing {', '.join(missing)}")
    k, W_x, W_h = len(gates), params["W_x"], params["W_h"]
    stacked = f"the gates {', '.join(gates)} stacked"
    if W_x.ndim != 2 or W_x.shape[0] == 0 or W_x.shape[0] % k:
        raise ValueError(f"W_x must be 2-D ({k}·hidden, input), {stacked}, got shape {shape_of(W_x)}")
    rows, inputs = shape_of(W_x)
    hidden = rows // k
    if shape_of(W_h) != (rows, hidden):
        raise ValueError(
            f"W_h must have shape ({k}·hidden, hidden) = {(rows, hidden)} to match W_x {shape_of(W_x)}, "
            f"got {shape_of(W_h)}"
        )
    for name in biases:
        if shape_of(params[name]) != (rows,):
            raise ValueError(
                f"{name} must have shape ({k}·hidden,) = {(rows,)} to match W_x {shape_of(W_x)}, "
                f"got {shape_of(params[name])}"
            )
    return hidden, inputs


def check_state(name: str, value: Array | None, batch: int, hidden: int) -> None:
    """A ValueError unless a state is None or (batch, hidden); nn.LSTM's and nn.GRU's extra layer axis gets a hint."""
    if value is None or shape_of(value) == (batch, hidden):
        return
    hint = (
        f" (torch's layers add a leading layer axis; pass {name}[0])" if shape_of(value) == (1, batch, hidden) else ""
    )
    raise ValueError(f"{name} must have shape (batch, hidden) = {(batch, hidden)}, got {shape_of(value)}{hint}")


def check_sequence(x: Array, hidden: int, inputs: int, W_x: Array, states: dict[str, Array | None]) -> None:
    """A ValueError unless x is (batch, seq ≥ 1, input) and every state is None or (batch, hidden)."""
    if x.ndim != 3:
        raise ValueError(f"x must be 3-D (batch, seq, input) = (batch, seq, {inputs}), got shape {shape_of(x)}")
    batch, steps, features = shape_of(x)
    if features != inputs:
        raise ValueError(
            f"x must have {inputs} input features, as W_x has shape {shape_of(W_x)}: "
            f"expected (batch, seq, {inputs}), got {shape_of(x)}"
        )
    if steps < 1:
        raise ValueError(f"x must have at least one time step: expected (batch, seq ≥ 1, {inputs}), got {shape_of(x)}")
    for name, value in states.items():
        check_state(name, value, batch, hidden)


def check_step_input(x_t: Array, hidden: int, inputs: int, states: dict[str, Array]) -> None:
    """A ValueError unless x_t is (batch, input) and every state is (batch, hidden)."""
    if x_t.ndim != 2 or shape_of(x_t)[1] != inputs:
        raise ValueError(f"x_t must have shape (batch, input) = (batch, {inputs}), got {shape_of(x_t)}")
    for name, value in states.items():
        check_state(name, value, shape_of(x_t)[0], hidden)
