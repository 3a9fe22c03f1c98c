"""Notebooks 02–04's vanilla RNN, from scratch: the cell, the batched forward pass, BPTT and a gradient check.

One step reads an input xₜ and the previous hidden state hₜ₋₁:

    hₜ = tanh(xₜ W_xhᵀ + hₜ₋₁ W_hhᵀ + b_h)

Shapes are batch first, like `nn.RNN(..., batch_first=True)`: x is (batch, seq, input), the hidden
states H are (batch, seq, hidden). The parameters are a dict with "W_xh" (hidden, input), "W_hh"
(hidden, hidden) and "b_h" (hidden,). `rnn_cell`, `rnn_forward`, `many_to_one` and `many_to_many`
work on numpy arrays and on torch tensors alike, so the same loss function can be evaluated with
numpy (for finite differences) and with torch (for autograd):

    >>> generator = torch.Generator().manual_seed(0)
    >>> params = {k: v.numpy() for k, v in init_rnn(3, 4, generator).items()}
    >>> x = np.linspace(-1.0, 1.0, 2 * 5 * 3).reshape(2, 5, 3)       # (batch, seq, input)
    >>> H, h_last = rnn_forward(x, params)
    >>> H.shape, h_last.shape
    ((2, 5, 4), (2, 4))
    >>> def loss_fn(p):                                             # 0.5 Σ H², numpy or torch
    ...     H, _ = rnn_forward(p["x"], p)
    ...     return 0.5 * (H**2).sum()
    >>> grads = rnn_backward(x, params, H, None, dH=H)              # ∂loss/∂H = H
    >>> check = gradient_check(loss_fn, {**params, "x": x}, grads)
    >>> check.max_rel_error_finite_diff < 1e-6
    True

Constants inside a loss function (weights, targets) must match the kind of H: write
`like(weights, H)`, which is `weights` as a torch tensor when H is one.

The relative error between two gradients a and b is, entry by entry, |a − b| / (|a| + |b|), and we
report the largest one. Entries where |a| + |b| < 1e-8 are skipped: both are zero up to rounding,
and finite differences cannot resolve a gradient that small anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from helpers import cells
from helpers.cells import Array, like, same_kind
from helpers.course import validate
from helpers.course.exercises import Case, Exercise

RNNParams = Mapping[str, Array]

NEGLIGIBLE = 1e-8  # gradient entries with |a| + |b| below this are treated as both zero


# --- Parameters -----------------------------------------------------------------------------


def init_rnn(
    input_size: int, hidden_size: int, generator: torch.Generator | None = None, dtype: torch.dtype = torch.float64
) -> dict[str, torch.Tensor]:
    """Random W_xh, W_hh and b_h, each uniform in (−1/√hidden, 1/√hidden) like torch's nn.RNN."""
    cells.check_size("input_size", input_size)
    cells.check_size("hidden_size", hidden_size)
    shapes = {"W_xh": (hidden_size, input_size), "W_hh": (hidden_size, hidden_size), "b_h": (hidden_size,)}
    return cells.uniform_weights(shapes, hidden_size, generator, dtype)


def from_torch(rnn: nn.RNN) -> dict[str, torch.Tensor]:
    """Copies of a 1-layer, unidirectional, tanh, batch_first nn.RNN's weights, with b_h = bias_ih + bias_hh."""
    cells.check_torch_layer(rnn, nn.RNN)
    W_xh, W_hh, b_ih, b_hh = cells.torch_weights(rnn)
    return {"W_xh": W_xh, "W_hh": W_hh, "b_h": b_ih + b_hh}


def to_torch(params: RNNParams, batch_first: bool = True) -> nn.RNN:
    """An nn.RNN holding these weights (bias_ih = b_h, bias_hh = 0), in the parameters' dtype."""
    _check_params(params)
    return cells.torch_layer(nn.RNN, params["W_xh"], params["W_hh"], params["b_h"], batch_first=batch_first)


# --- Forward ----------------------------------------------------------------------------------


def rnn_cell(x_t: Array, h_prev: Array, params: RNNParams) -> Array:
    """One step, hₜ = tanh(xₜ W_xhᵀ + hₜ₋₁ W_hhᵀ + b_h), for x_t (batch, input) and h_prev (batch, hidden)."""
    tanh: Callable[[Any], Array] = torch.tanh if isinstance(x_t, torch.Tensor) else np.tanh  # x_t's kind
    return tanh(x_t @ params["W_xh"].T + h_prev @ params["W_hh"].T + params["b_h"])


def rnn_forward(x: Array, params: RNNParams, h0: Array | None = None) -> tuple[Array, Array]:
    """All hidden states H (batch, seq, hidden) and the last one (batch, hidden) for x (batch, seq, input)."""
    _check_inputs(x, params, h0)
    batch, steps, _ = x.shape
    h = like(np.zeros((batch, params["W_hh"].shape[0])), x) if h0 is None else h0
    x, W_xh, W_hh, b_h, h = same_kind(x, params["W_xh"], params["W_hh"], params["b_h"], h)
    projected = x @ W_xh.T + b_h  # the inputs' share of every step at once: (batch, seq, hidden)
    tanh: Callable[[Any], Array] = torch.tanh if isinstance(x, torch.Tensor) else np.tanh
    states: list[Any] = []  # arrays or tensors, the kind of x
    for t in range(steps):  # only the recurrence needs a loop: hₜ depends on hₜ₋₁
        h = tanh(projected[:, t] + h @ W_hh.T)
        states.append(h)
    H = torch.stack(states, dim=1) if isinstance(x, torch.Tensor) else np.stack(states, axis=1)
    return H, h


def many_to_one(H: Array, W_hy: Array, b_y: Array) -> Array:
    """Logits (batch, out) read from the last hidden state: H[:, −1] W_hyᵀ + b_y."""
    _check_output_layer(H, W_hy, b_y)
    H, W_hy, b_y = same_kind(H, W_hy, b_y)
    return H[:, -1] @ W_hy.T + b_y


def many_to_many(H: Array, W_hy: Array, b_y: Array) -> Array:
    """Logits (batch, seq, out) at every step: H W_hyᵀ + b_y."""
    _check_output_layer(H, W_hy, b_y)
    H, W_hy, b_y = same_kind(H, W_hy, b_y)
    return H @ W_hy.T + b_y


# --- Backpropagation through time -----------------------------------------------------------


def rnn_backward(
    x: np.ndarray, params: dict[str, np.ndarray], H: np.ndarray, h0: np.ndarray | None, dH: np.ndarray
) -> dict[str, np.ndarray]:
    """BPTT by hand: the gradients for W_xh, W_hh, b_h, h0 and x, given dH = ∂loss/∂H at every step."""
    _check_backward_inputs(x, params, H, h0, dH)
    W_xh, W_hh = params["W_xh"], params["W_hh"]
    batch, steps, _ = x.shape
    if h0 is None:
        h0 = np.zeros((batch, W_hh.shape[0]))
    grads = {
        "W_xh": np.zeros_like(W_xh),
        "W_hh": np.zeros_like(W_hh),
        "b_h": np.zeros_like(params["b_h"]),
        "x": np.zeros_like(x),
    }
    dh_next = np.zeros_like(h0)  # ∂loss/∂hₜ through the future steps; nothing comes after the last one
    for t in reversed(range(steps)):
        h_t = H[:, t]
        h_prev = H[:, t - 1] if t > 0 else h0
        # 1. hₜ is blamed twice: by the loss at step t and, through hₜ₊₁, by every later step.
        dh = dH[:, t] + dh_next
        # 2. Back through tanh: hₜ = tanh(zₜ), and tanh'(zₜ) = 1 − hₜ².
        dz = dh * (1.0 - h_t**2)
        # 3. zₜ = xₜ W_xhᵀ + hₜ₋₁ W_hhᵀ + b_h: the same weights act at every step, so their gradients add up.
        grads["W_xh"] += dz.T @ x[:, t]
        grads["W_hh"] += dz.T @ h_prev
        grads["b_h"] += dz.sum(axis=0)
        # 4. The input at this step gets its own gradient.
        grads["x"][:, t] = dz @ W_xh
        # 5. Pass the blame to hₜ₋₁; it joins the loss's own gradient there, one step earlier.
        dh_next = dz @ W_hh
    grads["h0"] = dh_next  # what reaches past the first step is the gradient for the initial state
    return grads


# --- Gradient check ---------------------------------------------------------------------------


@dataclass
class GradCheck:
    """How far a hand-written gradient is from autograd and from finite differences (max relative errors)."""

    max_rel_error_autograd: float
    max_rel_error_finite_diff: float
    worst_parameter: str

    def __str__(self) -> str:
        return (
            f"max relative error: {self.max_rel_error_autograd:.1e} vs autograd, "
            f"{self.max_rel_error_finite_diff:.1e} vs finite differences (worst: {self.worst_parameter})"
        )


def relative_error(a: Array, b: Array) -> float:
    """max |a − b| / max(1e-12, |a| + |b|) over the entries where |a| + |b| ≥ 1e-8 (0.0 if there are none)."""
    a, b = _numpy(a), _numpy(b)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs two arrays of the same shape, got {a.shape} and {b.shape}")
    scale = np.abs(a) + np.abs(b)
    errors = np.abs(a - b)[scale >= NEGLIGIBLE] / np.maximum(1e-12, scale[scale >= NEGLIGIBLE])
    return float(errors.max()) if errors.size else 0.0


def gradient_check(
    loss_fn: Callable[[RNNParams], float | torch.Tensor],
    params: dict[str, np.ndarray],
    analytic: dict[str, np.ndarray],
    eps: float = 1e-6,
) -> GradCheck:
    """Compare `analytic` with autograd and with central differences for every entry of every array in `params`."""
    validate.positive("eps", eps)
    _check_gradient_inputs(params, analytic)
    autograd = _autograd_gradients(loss_fn, params)
    errors = {}
    for name in params:
        numeric = _finite_difference(loss_fn, params, name, eps)
        errors[name] = (relative_error(analytic[name], autograd[name]), relative_error(analytic[name], numeric))
    worst = max(errors, key=lambda name: max(errors[name]))
    return GradCheck(max(e[0] for e in errors.values()), max(e[1] for e in errors.values()), worst)


def _autograd_gradients(loss_fn: Callable, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    leaves = {name: torch.tensor(value, dtype=torch.float64, requires_grad=True) for name, value in params.items()}
    loss = loss_fn(leaves)
    expected = "given torch tensors, loss_fn must return a scalar tensor computed from them with torch operations"
    if not isinstance(loss, torch.Tensor):
        raise ValueError(f"{expected} (no float() or .item()), got {type(loss).__name__}")
    if loss.numel() != 1:
        raise ValueError(f"{expected}, got a tensor of shape {cells.shape_of(loss)}")
    if not loss.requires_grad:
        raise ValueError(f"{expected}, got a tensor that does not depend on them")
    grads = torch.autograd.grad(loss.reshape(()), list(leaves.values()), allow_unused=True)
    return {name: np.zeros_like(params[name]) if grad is None else grad.numpy() for name, grad in zip(leaves, grads)}


def _finite_difference(loss_fn: Callable, params: dict[str, np.ndarray], name: str, eps: float) -> np.ndarray:
    shifted = {key: value.copy() for key, value in params.items()}  # never touch the caller's arrays
    values, grad = shifted[name], np.zeros_like(params[name])
    for index in np.ndindex(values.shape):
        original = values[index]
        values[index] = original + eps
        up = float(loss_fn(shifted))
        values[index] = original - eps
        down = float(loss_fn(shifted))
        values[index] = original
        grad[index] = (up - down) / (2 * eps)  # central difference: error ~ eps², not eps
    return grad


# --- Checks and small helpers ----------------------------------------------------------------


def _check_params(params: RNNParams) -> tuple[int, int]:
    missing = [name for name in ("W_xh", "W_hh", "b_h") if name not in params]
    if missing:
        raise ValueError(f"params must have keys W_xh, W_hh and b_h, missing {', '.join(missing)}")
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    if W_xh.ndim != 2:
        raise ValueError(f"W_xh must be 2-D (hidden, input), got shape {cells.shape_of(W_xh)}")
    hidden, inputs = cells.shape_of(W_xh)
    if cells.shape_of(W_hh) != (hidden, hidden):
        raise ValueError(
            f"W_hh must have shape (hidden, hidden) = {(hidden, hidden)} to match W_xh {cells.shape_of(W_xh)}, "
            f"got {cells.shape_of(W_hh)}"
        )
    if cells.shape_of(b_h) != (hidden,):
        raise ValueError(
            f"b_h must have shape (hidden,) = {(hidden,)} to match W_xh {cells.shape_of(W_xh)}, "
            f"got {cells.shape_of(b_h)}"
        )
    return hidden, inputs


def _check_inputs(x: Array, params: RNNParams, h0: Array | None) -> None:
    hidden, inputs = _check_params(params)
    if x.ndim != 3:
        raise ValueError(f"x must be 3-D (batch, seq, input) = (batch, seq, {inputs}), got shape {cells.shape_of(x)}")
    batch, steps, features = cells.shape_of(x)
    if features != inputs:
        raise ValueError(
            f"x must have {inputs} input features, as W_xh has shape {cells.shape_of(params['W_xh'])}: "
            f"expected (batch, seq, {inputs}), got {cells.shape_of(x)}"
        )
    if steps < 1:
        raise ValueError(
            f"x must have at least one time step: expected (batch, seq ≥ 1, {inputs}), got {cells.shape_of(x)}"
        )
    if h0 is not None and cells.shape_of(h0) != (batch, hidden):
        raise ValueError(f"h0 must have shape (batch, hidden) = {(batch, hidden)}, got {cells.shape_of(h0)}")


def _check_output_layer(H: Array, W_hy: Array, b_y: Array) -> None:
    if H.ndim != 3:
        raise ValueError(f"H must be 3-D (batch, seq, hidden), got shape {cells.shape_of(H)}")
    hidden = cells.shape_of(H)[2]
    if W_hy.ndim != 2 or cells.shape_of(W_hy)[1] != hidden:
        raise ValueError(f"W_hy must have shape (out, hidden) = (out, {hidden}), got {cells.shape_of(W_hy)}")
    if cells.shape_of(b_y) != (cells.shape_of(W_hy)[0],):
        raise ValueError(f"b_y must have shape (out,) = {(cells.shape_of(W_hy)[0],)}, got {cells.shape_of(b_y)}")


def _check_backward_inputs(x, params, H, h0, dH) -> None:
    for name, value in [("x", x), ("H", H), ("h0", h0), ("dH", dH), *params.items()]:
        if value is not None and not isinstance(value, np.ndarray):
            raise ValueError(f"rnn_backward works on numpy arrays, got {type(value).__name__} for {name}")
    _check_inputs(x, params, h0)
    expected = (*cells.shape_of(x)[:2], cells.shape_of(params["W_hh"])[0])
    for name, value in [("H", H), ("dH", dH)]:
        if cells.shape_of(value) != expected:
            raise ValueError(f"{name} must have shape (batch, seq, hidden) = {expected}, got {cells.shape_of(value)}")


def _check_gradient_inputs(params: dict[str, np.ndarray], analytic: dict[str, np.ndarray]) -> None:
    for name, value in params.items():
        if not isinstance(value, np.ndarray) or value.dtype != np.float64:
            kind = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
            raise ValueError(f"params[{name!r}] must be a float64 numpy array, got {kind}")
        if name not in analytic:
            raise ValueError(
                f"analytic has no gradient for {name!r}: expected keys {', '.join(params)}, got {', '.join(analytic)}"
            )
        if cells.shape_of(analytic[name]) != value.shape:
            raise ValueError(
                f"analytic[{name!r}] must have the shape of params[{name!r}], {value.shape}, "
                f"got {cells.shape_of(analytic[name])}"
            )


def _numpy(a: Array) -> np.ndarray:
    return a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)


# --- Exercise (notebook 02) -------------------------------------------------------------------


def rnn_step(x_t: np.ndarray, h_prev: np.ndarray, W_xh: np.ndarray, W_hh: np.ndarray, b_h: np.ndarray) -> np.ndarray:
    """One RNN step on a batch: tanh(x_t W_xhᵀ + h_prev W_hhᵀ + b_h), shape (batch, hidden)."""
    return np.tanh(x_t @ W_xh.T + h_prev @ W_hh.T + b_h)


def _step_case(batch: int, inputs: int, hidden: int, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    return Case(
        (
            rng.normal(size=(batch, inputs)),
            rng.uniform(-1, 1, (batch, hidden)),
            rng.normal(size=(hidden, inputs)),
            rng.normal(size=(hidden, hidden)) / hidden,
            rng.normal(size=hidden),
        )
    )


check_rnn_step = Exercise(
    "rnn_step",
    reference=rnn_step,
    cases=[_step_case(2, 3, 4, 0), _step_case(1, 5, 2, 1), _step_case(3, 2, 3, 2)],
    hidden_cases=[_step_case(1, 2, 1, 3), _step_case(5, 4, 6, 4)],  # one unit, a wider batch
    mistakes={
        "forget the tanh": lambda x, h, W_xh, W_hh, b: x @ W_xh.T + h @ W_hh.T + b,
        "leave out the previous state h_prev (that is a feed-forward layer)": lambda x, h, W_xh, W_hh, b: np.tanh(
            x @ W_xh.T + b
        ),
        "forget the bias b_h": lambda x, h, W_xh, W_hh, b: np.tanh(x @ W_xh.T + h @ W_hh.T),
        "use W_hh without transposing it (h_prev @ W_hh)": lambda x, h, W_xh, W_hh, b: np.tanh(
            x @ W_xh.T + h @ W_hh + b
        ),
        "use the sigmoid instead of tanh": lambda x, h, W_xh, W_hh, b: 1 / (1 + np.exp(-(x @ W_xh.T + h @ W_hh.T + b))),
    },
)
