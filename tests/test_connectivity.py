"""The connectivity view: gradient norms by distance match a brute-force autograd, batched = one at a time."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.connectivity import (
    LOG10_FLOOR,
    connectivity_profile,
    gradient_by_distance,
    log10_norms,
    prediction_gradients,
    reach,
    spread_positions,
)
from helpers.lm import CharLM

VOCAB = 7


def tiny(kind: str, seed: int = 0) -> CharLM:
    torch.manual_seed(seed)
    return CharLM(VOCAB, 6, kind=kind).double()


def text(length: int, seed: int = 1) -> torch.Tensor:
    return torch.randint(0, VOCAB, (length,), generator=torch.Generator().manual_seed(seed))


def brute_force(model: CharLM, ids: torch.Tensor, position: int, target: int) -> np.ndarray:
    """The gradient norm w.r.t. each input embedding, one input at a time (a fresh forward for each), by distance."""
    norms = []
    for k in range(position + 1):
        vectors = [model.embedding.weight[int(i)].detach() for i in ids[: position + 1]]
        vectors[k] = vectors[k].clone().requires_grad_(True)
        outputs, _ = model.rnn(torch.stack(vectors).unsqueeze(0))
        log_p = F.log_softmax(model.readout(outputs[0, -1]), dim=-1)[target]
        (grad,) = torch.autograd.grad(log_p, vectors[k])
        norms.append(float(grad.norm()))
    return np.array(norms[::-1])


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_norms_by_distance_match_one_input_at_a_time(kind):
    model, ids = tiny(kind), text(12)
    for position in (0, 5, 10):
        expected = brute_force(model, ids, position, int(ids[position + 1]))
        assert np.allclose(gradient_by_distance(model, ids, position), expected, rtol=1e-10, atol=0)


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_the_last_position_differentiates_the_top_choice(kind):
    model, ids = tiny(kind), text(9)
    result = prediction_gradients(model, ids, 8)
    with torch.no_grad():
        probabilities = torch.softmax(model(ids.unsqueeze(0))[0][0, -1], dim=-1)
    assert not result.target_is_true_next and result.target == result.top == int(probabilities.argmax())
    assert np.isclose(result.top_probability, float(probabilities.max()))
    assert np.allclose(result.norms, brute_force(model, ids, 8, result.top), rtol=1e-10)
    inside = prediction_gradients(model, ids, 4)
    with torch.no_grad():
        expected = torch.softmax(model(ids[:5].unsqueeze(0))[0][0, -1], dim=-1)[ids[5]]
    assert inside.target_is_true_next and inside.target == int(ids[5])
    assert np.isclose(inside.target_probability, float(expected))


def test_parameter_gradients_are_left_alone():
    model, ids = tiny("lstm"), text(10)
    gradient_by_distance(model, ids, 6)
    connectivity_profile(model, ids, [3, 5], 3)
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_the_batched_profile_is_the_mean_of_per_position_log10_norms(kind):
    model, ids, max_distance = tiny(kind), text(60), 20
    positions = [20, 27, 33, 41, 58]
    profile = connectivity_profile(model, ids, positions, max_distance)
    one_at_a_time = [
        log10_norms(gradient_by_distance(model, ids[p - max_distance : p + 2], max_distance)) for p in positions
    ]
    assert profile.shape == (max_distance + 1,)
    assert np.allclose(profile, np.mean(one_at_a_time, axis=0), rtol=0, atol=1e-9)
    assert np.array_equal(profile, connectivity_profile(model, ids, positions, max_distance)), "not deterministic"


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_without_recurrence_only_the_current_character_matters(kind):
    model, ids = tiny(kind), text(15)
    with torch.no_grad():
        model.rnn.weight_hh_l0.zero_()  # no path through h
        if kind == "lstm":  # and none through the cell: forget gates shut (gate order i, f, g, o)
            model.rnn.bias_ih_l0[6:12] = -1000.0
    norms = gradient_by_distance(model, ids, 11)
    assert norms[0] > 0 and np.all(norms[1:] == 0)
    profile = connectivity_profile(model, ids, [6, 9, 13], 5)
    assert profile[0] > LOG10_FLOOR and np.all(profile[1:] == LOG10_FLOOR)
    assert reach(profile) == 1


def test_reach_finds_the_first_drop_and_says_when_there_is_none():
    profile = np.array([0.0, -0.5, -1.9, -2.0, -1.0, -3.0])
    assert reach(profile, drop=2.0) == 3
    assert reach(profile, drop=0.5) == 1
    assert reach(profile, drop=3.5) is None  # never 3.5 orders below within the window
    with pytest.raises(ValueError, match="positive"):
        reach(profile, drop=0)
    with pytest.raises(ValueError, match="1-D"):
        reach(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="finite"):
        reach(np.array([0.0, -np.inf]))


def test_log10_norms_floors_zeros_and_underflow():
    assert np.array_equal(log10_norms(np.array([1.0, 1e-3, 0.0, 1e-40])), [0.0, -3.0, LOG10_FLOOR, LOG10_FLOOR])


def test_spread_positions_have_a_full_window_and_a_next_character():
    positions = spread_positions(200, 10, 50)
    assert positions[0] == 50 and positions[-1] == 198 and len(positions) == 10
    with pytest.raises(ValueError, match="too short: need at least 52"):
        spread_positions(51, 3, 50)


def test_clear_errors():
    model, ids = tiny("rnn"), text(10)
    with pytest.raises(ValueError, match=r"position must lie in 0..9 .* got 10"):
        gradient_by_distance(model, ids, 10)
    with pytest.raises(ValueError, match="got -1"):
        gradient_by_distance(model, ids, -1)
    with pytest.raises(TypeError, match="whole number"):
        gradient_by_distance(model, ids, 2.0)
    with pytest.raises(ValueError, match="1-D torch.int64 tensor, got torch.int32"):
        gradient_by_distance(model, ids.int(), 2)
    with pytest.raises(ValueError, match=r"shape \(1, 10\)"):
        gradient_by_distance(model, ids.unsqueeze(0), 2)
    with pytest.raises(TypeError, match="vocab.encode"):
        gradient_by_distance(model, [1, 2, 3], 2)
    with pytest.raises(ValueError, match=r"0..6 .* got 0..9"):
        gradient_by_distance(model, torch.arange(10), 2)
    with pytest.raises(ValueError, match="too short"):
        gradient_by_distance(model, ids[:0], 0)
    with pytest.raises(TypeError, match="CharLM"):
        gradient_by_distance(torch.nn.RNN(3, 3), ids, 2)
    with pytest.raises(ValueError, match="too short: need at least 12"):
        connectivity_profile(model, ids, [9], 10)
    with pytest.raises(ValueError, match=r"must lie in 4..8; got \[3, 9\]"):
        connectivity_profile(model, ids, [3, 5, 9], 4)
    with pytest.raises(ValueError, match="positions is empty"):
        connectivity_profile(model, ids, [], 4)
    with pytest.raises(ValueError, match="max_distance"):
        connectivity_profile(model, ids, [5], -1)
