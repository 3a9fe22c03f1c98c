"""Notebook 07: what a bidirectional layer returns, and how to take it apart.

A bidirectional RNN runs two recurrences over the same sequence, one left to right and one right
to left, and concatenates their states at each position: output[:, t] = [→h_t, ←h_t], width 2h.
PyTorch's h_n holds the final state of every (layer, direction) pair, layer-major: h_n[2·layer] is
the forward direction, h_n[2·layer + 1] the backward one. Careful: the backward direction's final
state belongs to position 0, where it stopped, not to the last position.
"""

from __future__ import annotations

import torch
from torch import nn

from helpers.cells import layer_tensor
from helpers.course.exercises import Case, Exercise

Recurrent = nn.RNN | nn.GRU | nn.LSTM


def split_directions(output: torch.Tensor, hidden_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(forward, backward) states, each (batch, seq, h), from a bidirectional output (batch, seq, 2h)."""
    if output.dim() != 3 or output.shape[-1] != 2 * hidden_size:
        raise ValueError(
            f"expected a bidirectional output of shape (batch, seq, 2·{hidden_size}), got {tuple(output.shape)}"
        )
    both = output.view(output.shape[0], output.shape[1], 2, hidden_size)
    return both[:, :, 0], both[:, :, 1]


def final_states(h_n: torch.Tensor, num_layers: int, bidirectional: bool) -> torch.Tensor:
    """h_n (layers·directions, batch, h) as (layers, directions, batch, h): [layer, 0] forward, [layer, 1] backward."""
    directions = 2 if bidirectional else 1
    if h_n.dim() != 3 or h_n.shape[0] != num_layers * directions:
        raise ValueError(f"expected h_n of shape ({num_layers}·{directions}, batch, h), got {tuple(h_n.shape)}")
    return h_n.view(num_layers, directions, h_n.shape[1], h_n.shape[2])


def directions_as_layers(layer: Recurrent) -> tuple[Recurrent, Recurrent]:
    """Two one-way layers holding the first layer's forward and backward weights of a bidirectional layer."""
    if not layer.bidirectional:
        raise ValueError("expected a bidirectional layer (bidirectional=True)")
    copies = []
    for suffix in ("", "_reverse"):
        one_way = type(layer)(
            layer.input_size,
            layer.hidden_size,
            batch_first=layer.batch_first,
            bias=layer.bias,
            **({"nonlinearity": layer.nonlinearity} if isinstance(layer, nn.RNN) else {}),
        )
        with torch.no_grad():
            for name, _ in one_way.named_parameters():
                getattr(one_way, name).copy_(getattr(layer, name + suffix))
        copies.append(one_way.to(layer_tensor(layer, "weight_ih_l0").dtype))
    return copies[0], copies[1]


def run_right_to_left(layer: Recurrent, x: torch.Tensor) -> torch.Tensor:
    """Run a one-way layer from the last position to the first; outputs in the original order (batch first)."""
    output, _ = layer(x.flip(1))
    return output.flip(1)


# --- Exercises -------------------------------------------------------------------------------


def directions(output: torch.Tensor, hidden_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Exercise reference: the same as split_directions."""
    return split_directions(output, hidden_size)


def masked_mean(states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of states (batch, seq, width) over the positions where mask (batch, seq) is True."""
    weights = mask.unsqueeze(-1).to(states.dtype)
    return (states * weights).sum(dim=1) / weights.sum(dim=1).clamp_min(1.0)


def _output_case(batch: int, seq: int, hidden: int, seed: int) -> Case:
    return Case((torch.randn(batch, seq, 2 * hidden, generator=torch.Generator().manual_seed(seed)), hidden))


def _pool_case(batch: int, seq: int, width: int, seed: int) -> Case:
    generator = torch.Generator().manual_seed(seed)
    mask = torch.ones(batch, seq, dtype=torch.bool)
    mask[0, seq // 2 :] = False  # the first sequence is shorter: padding at its end
    return Case((torch.randn(batch, seq, width, generator=generator), mask))


check_directions = Exercise(
    "directions",
    reference=directions,
    cases=[_output_case(2, 4, 3, 0), _output_case(1, 1, 1, 1), _output_case(3, 5, 2, 2)],
    hidden_cases=[_output_case(1, 7, 4, 3), _output_case(4, 2, 1, 4)],  # a batch of one, a longer sequence
    mistakes={
        "view the last dimension as (h, 2) instead of (2, h)": lambda out, h: tuple(
            out.view(out.shape[0], out.shape[1], h, 2).unbind(-1)
        ),
        "return (backward, forward)": lambda out, h: split_directions(out, h)[::-1],
        "flip the backward states in time (they are already in sentence order)": lambda out, h: (
            split_directions(out, h)[0],
            split_directions(out, h)[1].flip(1),
        ),
    },
)

check_masked_mean = Exercise(
    "masked_mean",
    reference=masked_mean,
    cases=[_pool_case(2, 6, 3, 0), _pool_case(3, 4, 5, 1)],
    hidden_cases=[_pool_case(1, 5, 2, 3), _pool_case(4, 8, 3, 4)],  # a padded batch of one, a longer batch
    mistakes={
        "average over every position, padding included": lambda s, m: s.mean(dim=1),
        "zero the padding but still divide by the full length": lambda s, m: (
            (s * m.unsqueeze(-1)).sum(dim=1) / s.shape[1]
        ),
        "take the last position instead of the mean": lambda s, m: s[:, -1],
    },
)
