"""What the from-scratch cells (rnn, lstm, gru) share: numpy-or-torch arithmetic and the checks of their inputs.

Every from-scratch function works on numpy arrays and torch tensors alike, so one loss can be evaluated
with numpy (finite differences) and with torch (autograd). The checks raise a ValueError that says which
shape was expected and which came.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import overload

import numpy as np
import torch
from torch import nn

Array = np.ndarray | torch.Tensor


def like(value: Array, reference: Array) -> Array:
    """`value` as the same kind (numpy array or torch tensor) and dtype as `reference`."""
    if isinstance(reference, torch.Tensor):
        return torch.as_tensor(value, dtype=reference.dtype, device=reference.device)
    return np.asarray(value, dtype=reference.dtype)


def check_size(name: str, value: int) -> None:
    """A ValueError unless a size is a whole number of at least 1."""
    if not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")


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


def check_torch_layer(layer: nn.Module, kind: type) -> None:
    """A ValueError unless `layer` is a 1-layer, unidirectional, batch_first `kind` (nn.LSTM or nn.GRU)."""
    if not isinstance(layer, kind):
        raise ValueError(f"expected a torch.nn.{kind.__name__}, got {type(layer).__name__}")
    problems = []
    if layer.num_layers != 1:
        problems.append(f"num_layers={layer.num_layers}")
    if layer.bidirectional:
        problems.append("bidirectional=True")
    if not layer.batch_first:
        problems.append("batch_first=False")
    if getattr(layer, "proj_size", 0):
        problems.append(f"proj_size={layer.proj_size}")
    if problems:
        extra = ", proj_size=0" if kind is nn.LSTM else ""
        raise ValueError(
            f"from_torch expects nn.{kind.__name__}(num_layers=1, bidirectional=False, batch_first=True"
            f"{extra}), got {', '.join(problems)}"
        )


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
