"""Notebook 08: additive (Bahdanau) attention, one decoder step at a time.

At decoder step t the model asks "which source words matter now?". It scores every encoder state
h_j against the previous decoder state s (the query), turns the scores into weights with a softmax
over the source positions, and reads out the weighted sum of the encoder states, the context:

    e_j = vᵀ tanh(W_q s + W_k h_j)        a score per source position j
    α   = softmax(e) over the real tokens   padding gets weight exactly 0
    c   = Σ_j α_j h_j                       the context, a vector of width H

W_k h_j does not depend on t, so the model projects the keys once per sentence, not at every step.
"""

from __future__ import annotations

import torch
from torch import nn

from helpers.course.exercises import Case, Exercise


def _check_dims(name: str, tensor: torch.Tensor, expected: str, dims: int) -> None:
    if tensor.dim() != dims:
        raise ValueError(f"expected {name} of shape {expected}, got shape {tuple(tensor.shape)}")


def additive_scores(
    query: torch.Tensor, keys_projected: torch.Tensor, W_q: nn.Linear | torch.Tensor, v: nn.Linear | torch.Tensor
) -> torch.Tensor:
    """Scores e_j = vᵀ tanh(W_q s + K_j), shape (B, S), from queries s (B, H_q) and projected keys K (B, S, A)."""
    _check_dims("query", query, "(batch, query size)", 2)
    _check_dims("keys_projected", keys_projected, "(batch, source length, attention size)", 3)
    projected = W_q(query) if isinstance(W_q, nn.Module) else query @ W_q.T  # (B, A)
    weight = v.weight.reshape(-1) if isinstance(v, nn.Module) else v.reshape(-1)  # (A,)
    batch, _, size = keys_projected.shape
    if projected.shape != (batch, size) or weight.shape != (size,):
        raise ValueError(
            f"expected W_q s of shape ({batch}, {size}) and v of shape ({size},) to match the keys "
            f"{tuple(keys_projected.shape)}, got {tuple(projected.shape)} and {tuple(weight.shape)}"
        )
    return torch.tanh(keys_projected + projected.unsqueeze(1)) @ weight


def attention_step(scores: torch.Tensor, values: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(context (B, H), weights (B, S)): a softmax over the real tokens of `mask`, then Σ_j α_j values_j."""
    _check_dims("scores", scores, "(batch, source length)", 2)
    _check_dims("values", values, "(batch, source length, hidden)", 3)
    if values.shape[:2] != scores.shape or mask.shape != scores.shape:
        raise ValueError(
            f"expected values (B, S, H) and mask (B, S) to match scores (B, S) = {tuple(scores.shape)}, "
            f"got values {tuple(values.shape)} and mask {tuple(mask.shape)}"
        )
    if mask.dtype != torch.bool:
        raise ValueError(f"expected a boolean mask (True for real tokens), got dtype {mask.dtype}")
    if not mask.any(dim=1).all():
        raise ValueError("a row of the mask is all False: every sentence needs at least one real token")
    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)  # exp(−inf) = 0: padding gets 0
    context = (weights.unsqueeze(1) @ values).squeeze(1)  # (B, 1, S) @ (B, S, H) → (B, H)
    return context, weights


# --- Exercise (notebook 08) -------------------------------------------------------------------


def _masked_softmax_wrong_axis(scores, values, mask):
    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=0)
    return (weights.unsqueeze(-1) * values).sum(dim=1), weights


def _no_mask(scores, values, mask):
    return attention_step(scores, values, torch.ones_like(mask))


def _mask_with_zero(scores, values, mask):
    return attention_step(scores.masked_fill(~mask, 0.0), values, torch.ones_like(mask))


def _zero_padding_after_softmax(scores, values, mask):
    weights = torch.softmax(scores, dim=1) * mask
    return (weights.unsqueeze(-1) * values).sum(dim=1), weights


def _raw_scores(scores, values, mask):
    weights = scores * mask
    return (weights.unsqueeze(-1) * values).sum(dim=1), weights


def _sum_over_hidden(scores, values, mask):
    _, weights = attention_step(scores, values, mask)
    return (weights.unsqueeze(-1) * values).sum(dim=2), weights


def _hard_max(scores, values, mask):
    _, weights = attention_step(scores, values, mask)
    return values[torch.arange(len(values)), weights.argmax(dim=1)], weights


def _attention_case(batch: int, length: int, hidden: int, real: list[int], seed: int) -> Case:
    generator = torch.Generator().manual_seed(seed)
    mask = torch.arange(length).unsqueeze(0) < torch.tensor(real).unsqueeze(1)  # padding at the end of each row
    scores = torch.randn(batch, length, generator=generator, dtype=torch.float64)
    return Case((scores, torch.randn(batch, length, hidden, generator=generator, dtype=torch.float64), mask))


def attention_exercise() -> Exercise:
    """The check of a student's attention_step(scores, values, mask) -> (context, weights)."""
    return Exercise(
        "attention_step",
        reference=attention_step,
        cases=[
            _attention_case(2, 5, 3, [3, 5], 0),
            _attention_case(3, 4, 2, [4, 1, 2], 1),
            _attention_case(1, 6, 4, [6], 2),
        ],
        hidden_cases=[_attention_case(1, 1, 2, [1], 3), _attention_case(4, 7, 3, [7, 2, 5, 1], 4)],
        mistakes={
            "forget the mask (the padding gets weight too)": _no_mask,
            "set the padding's scores to 0 instead of −inf "
            "(exp(0) = 1: the padding still gets weight)": _mask_with_zero,
            "zero the padding's weights after the softmax without renormalising "
            "(they no longer sum to 1)": _zero_padding_after_softmax,
            "take the softmax over the wrong axis "
            "(dim=0, the batch, instead of dim=1, the source positions)": _masked_softmax_wrong_axis,
            "use the raw scores as weights, without the softmax": _raw_scores,
            "sum the weighted states over the hidden axis instead of over the source positions": _sum_over_hidden,
            "take the state with the largest weight (a max) instead of the weighted sum": _hard_max,
        },
    )


check_attention_step = attention_exercise()
