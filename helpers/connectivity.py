"""What a trained character language model uses: the gradient of one prediction with respect to each earlier input.

For the prediction made after reading the character at `position`, take the log-probability the model gives to
one next character and differentiate it with respect to every input embedding vector read so far. The norm of
that gradient at distance d (d = 0 is the character just read, d = 1 the one before, ...) says how strongly a
small change of the character d steps back would move this prediction: a "connectivity" view of what the model
actually uses (the "connectivity" of Madsen, 2019, "Visualizing memorization in RNNs", Distill). A large norm
means the prediction is sensitive to that character; it does not by itself say how the model uses it.

Conventions used throughout:
- The model reads `ids[0..position]` from a blank state (zeros), as a passage typed into the widget is read.
- The differentiated quantity is log P(next character): the true next character `ids[position + 1]` when the
  text has one, otherwise the model's own top choice.
- Norms below 1e-30 (where float32 arithmetic underflows) are shown as 1e-30, so a log10 stays finite; this is
  notebook 04's "vanished" floor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from helpers.course import validate
from helpers.lm import CharLM

LOG10_FLOOR = -30.0  # log10 of the smallest norm kept: "vanished below 1e-30"


@dataclass(frozen=True)
class PredictionGradients:
    """One prediction and how strongly it depends on each earlier input character."""

    norms: np.ndarray  # ‖∂ log P(target) / ∂ x_{position − d}‖ at distance d = 0..position (float64)
    target: int  # the character whose log-probability was differentiated
    target_is_true_next: bool  # True: ids[position + 1]; False: the model's top choice (no next character)
    target_probability: float  # P(target) under the model
    top: int  # the model's likeliest next character
    top_probability: float  # its probability

    @property
    def log10_norms(self) -> np.ndarray:
        """log10 of the norms, floored at LOG10_FLOOR."""
        return log10_norms(self.norms)


def _check_model(model: object) -> None:
    if not isinstance(model, CharLM):
        raise TypeError(f"expected a helpers.lm.CharLM (embedding → RNN/LSTM → read-out), got {type(model).__name__}")


def _check_ids(model: CharLM, ids: object, shortest: int) -> torch.Tensor:
    if not isinstance(ids, torch.Tensor):
        raise TypeError(f"ids must be a 1-D torch.int64 tensor (vocab.encode(text)), got {type(ids).__name__}")
    if ids.dim() != 1 or ids.dtype != torch.int64:
        raise ValueError(f"ids must be a 1-D torch.int64 tensor, got {ids.dtype} of shape {tuple(ids.shape)}")
    if len(ids) < shortest:
        raise ValueError(f"the text is too short: need at least {shortest} characters, got {len(ids)}")
    if ids.min() < 0 or ids.max() >= model.vocab_size:
        raise ValueError(
            f"ids must lie in 0..{model.vocab_size - 1} (the model's vocabulary), "
            f"got {ids.min().item()}..{ids.max().item()}"
        )
    return ids


def _log_probability_gradients(
    model: CharLM, windows: torch.Tensor, targets: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """For windows (batch, length): gradient norms (batch, length) of log P(target) after each window's last
    character w.r.t. each input embedding, the targets used (top choices where `targets` is None), and the
    log-probabilities after the last character (batch, vocab). One forward, one backward."""
    with torch.enable_grad():
        embedded = model.embedding(windows).detach().requires_grad_(True)
        outputs, _ = model.rnn(embedded)
        log_probs = F.log_softmax(model.readout(outputs[:, -1]), dim=-1)
        if targets is None:
            targets = log_probs.argmax(dim=-1)
        chosen = log_probs.gather(1, targets.unsqueeze(1)).sum()  # windows are independent: one backward for all
        (grad,) = torch.autograd.grad(chosen, embedded)
    return grad.norm(dim=-1).detach(), targets, log_probs.detach()


def prediction_gradients(model: CharLM, ids: torch.Tensor, position: int) -> PredictionGradients:
    """The prediction after ids[position] and its gradient norm w.r.t. each earlier input, by distance back."""
    _check_model(model)
    ids = _check_ids(model, ids, shortest=1)
    if isinstance(position, bool) or not isinstance(position, (int, np.integer)):
        raise TypeError(f"position must be a whole number, got {type(position).__name__}")
    if not 0 <= position < len(ids):
        raise ValueError(f"position must lie in 0..{len(ids) - 1} (the text has {len(ids)} characters), got {position}")
    position = int(position)
    has_next = position + 1 < len(ids)
    targets = ids[position + 1 : position + 2] if has_next else None
    norms, used, log_probs = _log_probability_gradients(model, ids[: position + 1].unsqueeze(0), targets)
    probabilities = log_probs[0].exp()
    target, top = int(used[0]), int(probabilities.argmax())
    return PredictionGradients(
        norms=norms[0].flip(0).double().numpy(),
        target=target,
        target_is_true_next=has_next,
        target_probability=float(probabilities[target]),
        top=top,
        top_probability=float(probabilities[top]),
    )


def gradient_by_distance(model: CharLM, ids: torch.Tensor, position: int) -> np.ndarray:
    """‖∂ log P(next) / ∂ x_{position − d}‖ for d = 0..position: index 0 is the character just read.

    "next" is the true next character ids[position + 1], or the model's top choice after the last character.
    """
    return prediction_gradients(model, ids, position).norms


def log10_norms(norms: np.ndarray) -> np.ndarray:
    """log10 of gradient norms, with norms below 1e-30 (and exact zeros) shown as 1e-30."""
    norms = np.asarray(norms, dtype=np.float64)
    safe = np.maximum(norms, 10.0**LOG10_FLOOR)
    return np.maximum(np.log10(safe), LOG10_FLOOR)


def spread_positions(length: int, count: int, max_distance: int) -> list[int]:
    """`count` positions spread evenly over a text of `length` characters, each with a full window behind it."""
    first, last = max_distance, length - 2  # a full window of max_distance + 1 characters, and a true next one
    for name, value in (("length", length), ("count", count), ("max_distance", max_distance)):
        validate.number(name, value, integer=True)
    if count < 1:
        raise ValueError(f"count must be ≥ 1, got {count}")
    if last < first:
        raise ValueError(f"the text is too short: need at least {max_distance + 2} characters, got {length}")
    return sorted({round(x) for x in np.linspace(first, last, count)})


def connectivity_profile(model: CharLM, ids: torch.Tensor, positions: list[int], max_distance: int) -> np.ndarray:
    """Mean over positions of log10 ‖∂ log P(true next) / ∂ x_{p − d}‖ at d = 0..max_distance (batched).

    Each position p is read as its own window ids[p − max_distance .. p], from a blank state, and the
    log-probability of the true next character ids[p + 1] is differentiated: one forward and one backward
    for all positions together. Deterministic for a given model and ids. Norms below 1e-30 count as 1e-30.
    """
    _check_model(model)
    if isinstance(max_distance, bool) or not isinstance(max_distance, (int, np.integer)) or max_distance < 0:
        raise ValueError(f"max_distance must be a whole number ≥ 0, got {max_distance!r}")
    ids = _check_ids(model, ids, shortest=max_distance + 2)
    positions = [int(p) for p in positions] if not isinstance(positions, (int, np.integer)) else [positions]
    if not positions:
        raise ValueError("positions is empty: give at least one position (spread_positions can choose them)")
    bad = [p for p in positions if not max_distance <= p <= len(ids) - 2]
    if bad:
        raise ValueError(
            f"every position needs {max_distance} characters before it and a true next character after it, "
            f"so it must lie in {max_distance}..{len(ids) - 2}; got {bad[:5]}{' ...' if len(bad) > 5 else ''}"
        )
    starts = torch.tensor(positions) - max_distance
    windows = ids[starts.unsqueeze(1) + torch.arange(max_distance + 1)]  # (positions, max_distance + 1)
    norms, _, _ = _log_probability_gradients(model, windows, ids[torch.tensor(positions) + 1])
    logs = log10_norms(norms.flip(1).double().numpy())
    return np.array([math.fsum(column) / len(positions) for column in logs.T])


def reach(profile: np.ndarray, drop: float = 2.0) -> int | None:
    """The first distance at which the profile has fallen `drop` orders of magnitude below its value at distance 0.

    None if it never falls that far within the profile's window (the reach is beyond len(profile) − 1).
    """
    profile = np.asarray(profile, dtype=np.float64)
    if profile.ndim != 1 or len(profile) < 1:
        raise ValueError(f"profile must be a 1-D array of log10 norms by distance, got shape {profile.shape}")
    if not np.all(np.isfinite(profile)):
        raise ValueError("profile must be finite (log10 norms, floored as connectivity_profile does)")
    if not drop > 0:
        raise ValueError(f"drop must be a positive number of orders of magnitude, got {drop}")
    below = np.flatnonzero(profile <= profile[0] - drop)
    return int(below[0]) if len(below) else None
