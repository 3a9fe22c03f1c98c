"""Additive attention: scores by hand, a masked softmax that gives padding exactly nothing, and the exercise."""

import pytest
import torch
from exercise_checks import assert_catches_every_listed_mistake
from torch import nn

from helpers.attention import additive_scores, attention_exercise, attention_step, check_attention_step


def test_additive_scores_match_a_hand_computation_per_position():
    torch.manual_seed(0)
    query, keys = torch.randn(2, 5), torch.randn(2, 3, 4)
    W_q, v = nn.Linear(5, 4, bias=False), nn.Linear(4, 1, bias=False)
    with torch.no_grad():
        scores = additive_scores(query, keys, W_q, v)
        by_hand = torch.tensor(
            [[float(v.weight[0] @ torch.tanh(W_q.weight @ query[b] + keys[b, j])) for j in range(3)] for b in range(2)]
        )
        assert scores.shape == (2, 3)
        assert torch.allclose(scores, by_hand, atol=1e-6)
        assert torch.allclose(additive_scores(query, keys, W_q.weight, v.weight[0]), scores)  # plain tensors work too


def test_additive_scores_name_mismatched_sizes():
    with pytest.raises(ValueError, match=r"\(2, 4\).*\(4,\).*\(2, 3, 4\).*\(2, 6\)"):
        additive_scores(torch.zeros(2, 5), torch.zeros(2, 3, 4), torch.zeros(6, 5), torch.zeros(4))
    with pytest.raises(ValueError, match=r"query of shape \(batch, query size\), got shape \(5,\)"):
        additive_scores(torch.zeros(5), torch.zeros(2, 3, 4), torch.zeros(4, 5), torch.zeros(4))


def test_padding_gets_exactly_zero_weight_and_the_weights_sum_to_one():
    torch.manual_seed(0)
    scores = torch.randn(3, 6) * 5
    scores[0, 4:] = 100.0  # huge scores at the padding must not matter
    mask = torch.arange(6) < torch.tensor([[4], [6], [1]])
    context, weights = attention_step(scores, torch.randn(3, 6, 2), mask)
    assert context.shape == (3, 2) and weights.shape == (3, 6)
    assert torch.all(weights[~mask] == 0.0)
    assert torch.allclose(weights.sum(dim=1), torch.ones(3))
    assert weights[2, 0] == 1.0  # a single real token takes all the weight


def test_context_is_the_weighted_sum_of_the_values():
    scores = torch.tensor([[0.0, torch.log(torch.tensor(3.0)).item(), 7.0]])
    values = torch.tensor([[[1.0, 0.0], [0.0, 2.0], [50.0, 50.0]]])
    context, weights = attention_step(scores, values, torch.tensor([[True, True, False]]))
    assert torch.allclose(weights, torch.tensor([[0.25, 0.75, 0.0]]))
    assert torch.allclose(context, torch.tensor([[0.25, 1.5]]))  # 0.25·(1, 0) + 0.75·(0, 2)


def test_attention_step_names_wrong_shapes_and_masks():
    scores, values, mask = torch.zeros(2, 3), torch.zeros(2, 3, 4), torch.ones(2, 3, dtype=torch.bool)
    with pytest.raises(ValueError, match=r"\(2, 3\).*got values \(2, 4, 4\) and mask \(2, 3\)"):
        attention_step(scores, torch.zeros(2, 4, 4), mask)
    with pytest.raises(ValueError, match=r"got values \(2, 3, 4\) and mask \(3, 2\)"):
        attention_step(scores, values, mask.T)
    with pytest.raises(ValueError, match=r"values of shape \(batch, source length, hidden\), got shape \(2, 3\)"):
        attention_step(scores, torch.zeros(2, 3), mask)
    with pytest.raises(ValueError, match="boolean mask"):
        attention_step(scores, values, mask.float())
    with pytest.raises(ValueError, match="all False"):
        attention_step(scores, values, torch.tensor([[True, True, False], [False, False, False]]))


def test_the_attention_exercise_accepts_the_reference_and_names_each_mistake():
    assert_catches_every_listed_mistake(attention_exercise())
    assert check_attention_step(attention_step).passed
