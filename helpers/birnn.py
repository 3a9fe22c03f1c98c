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

Recurrent = nn.RNN | nn.GRU | nn.LSTM


def split_directions(output: torch.Tensor, hidden_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(forward, backward) states, each (batch, seq, h), from a bidirectional output (batch, seq, 2h)."""
    if output.dim() != 3 or output.shape[-1] != 2 * hidden_size:
        raise ValueError(f"expected a bidirectional output of shape (batch, seq, 2·{hidden_size}), got {tuple(output.shape)}")
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
        one_way = type(layer)(layer.input_size, layer.hidden_size, batch_first=layer.batch_first,
                              bias=layer.bias, **({"nonlinearity": layer.nonlinearity} if isinstance(layer, nn.RNN) else {}))
        with torch.no_grad():
            for name, _ in one_way.named_parameters():
                getattr(one_way, name).copy_(getattr(layer, name + suffix))
        copies.append(one_way.to(layer.weight_ih_l0.dtype))
    return copies[0], copies[1]


def run_right_to_left(layer: Recurrent, x: torch.Tensor) -> torch.Tensor:
    """Run a one-way layer from the last position to the first; outputs in the original order (batch first)."""
    output, _ = layer(x.flip(1))
    return output.flip(1)
