"""A bidirectional layer is two one-way layers run in opposite directions, concatenated."""

import pytest
import torch
from exercise_checks import assert_catches_every_listed_mistake
from torch import nn

from helpers.birnn import directions_as_layers, final_states, run_right_to_left, split_directions


@pytest.mark.parametrize("kind", [nn.RNN, nn.GRU, nn.LSTM])
@pytest.mark.parametrize("batch, seq, inputs, hidden", [(3, 6, 4, 5), (1, 1, 2, 1)])
def test_the_direction_split_equals_two_one_way_layers(kind, batch, seq, inputs, hidden):
    torch.manual_seed(0)
    layer = kind(inputs, hidden, batch_first=True, bidirectional=True).double()
    x = torch.randn(batch, seq, inputs, dtype=torch.float64)
    output, h_n = layer(x)
    forward, backward = split_directions(output, hidden)
    left_to_right, right_to_left = directions_as_layers(layer)
    assert torch.allclose(forward, left_to_right(x)[0], atol=1e-12)
    assert torch.allclose(backward, run_right_to_left(right_to_left, x), atol=1e-12)
    h = h_n[0] if kind is nn.LSTM else h_n
    finals = final_states(h, num_layers=1, bidirectional=True)
    assert torch.allclose(finals[0, 0], forward[:, -1]) and torch.allclose(finals[0, 1], backward[:, 0])


def test_two_layer_h_n_is_layer_major():
    torch.manual_seed(0)
    layer = nn.GRU(3, 4, num_layers=2, batch_first=True, bidirectional=True)
    output, h_n = layer(torch.randn(2, 5, 3))
    finals = final_states(h_n, num_layers=2, bidirectional=True)
    forward, backward = split_directions(output, 4)  # the output is the top layer's
    assert torch.allclose(finals[1, 0], forward[:, -1]) and torch.allclose(finals[1, 1], backward[:, 0])


def test_bad_shapes_are_explained():
    with pytest.raises(ValueError, match=r"\(batch, seq, 2·4\)"):
        split_directions(torch.zeros(2, 3, 5), 4)
    with pytest.raises(ValueError, match="bidirectional=True"):
        directions_as_layers(nn.GRU(2, 3))
    with pytest.raises(ValueError, match="h_n of shape"):
        final_states(torch.zeros(3, 2, 4), num_layers=1, bidirectional=True)


def test_exercises_accept_the_reference_and_name_each_mistake():
    from helpers.birnn import check_directions, check_masked_mean

    assert_catches_every_listed_mistake(check_directions)
    assert_catches_every_listed_mistake(check_masked_mean)


def test_masked_mean_ignores_padding():
    from helpers.birnn import masked_mean

    states = torch.tensor([[[1.0], [3.0], [100.0]]])
    assert masked_mean(states, torch.tensor([[True, True, False]])).item() == 2.0
