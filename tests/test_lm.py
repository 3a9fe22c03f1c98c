"""Character language models: shapes, weight tying, truncated-BPTT training, clipping, sampling."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from exercise_checks import assert_catches_every_listed_mistake

from helpers.lm import CharLM, clip_by_global_norm, detach_state, generate, perplexity, train_lm, with_temperature
from helpers.training import count_parameters
from helpers.vocab import Vocabulary

PATTERN = "abcd" * 300


@pytest.fixture
def vocab():
    return Vocabulary.from_text("abcd")


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_forward_gives_logits_per_position_and_a_state(kind):
    model = CharLM(vocab_size=5, hidden_size=7, kind=kind)
    logits, state = model(torch.zeros(3, 4, dtype=torch.int64))
    assert logits.shape == (3, 4, 5)
    h = state[0] if kind == "lstm" else state
    assert h.shape == (1, 3, 7)


def test_weight_tying_shares_one_matrix_and_saves_its_parameters():
    untied, tied = CharLM(50, 32), CharLM(50, 32, tie_weights=True)
    assert tied.readout.weight is tied.embedding.weight
    assert count_parameters(untied) - count_parameters(tied) == 50 * 32


@pytest.mark.parametrize(
    "ids, message",
    [
        (torch.zeros(4, dtype=torch.int64), "shape (batch, seq)"),
        (torch.zeros(2, 3), "int64"),
        (torch.full((1, 2), 9, dtype=torch.int64), "0..4"),
    ],
)
def test_bad_input_is_explained(ids, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        CharLM(5, 3)(ids)


def test_unknown_kind_is_explained():
    with pytest.raises(ValueError, match="'gru'"):
        CharLM(5, 3, kind="gru")


def test_detach_state_cuts_the_graph_for_rnn_and_lstm_states():
    h = torch.ones(2, requires_grad=True) * 2
    assert not detach_state(h).requires_grad
    assert all(not s.requires_grad for s in detach_state((h, h)))
    assert detach_state(None) is None


def test_perplexity_is_exp_of_the_mean_cross_entropy():
    torch.manual_seed(0)
    model = CharLM(4, 8)
    ids = torch.randint(0, 4, (401,))
    logits, _ = model(ids[:-1].unsqueeze(0))
    expected = math.exp(F.cross_entropy(logits[0], ids[1:]).item())
    assert math.isclose(perplexity(model, ids, batch_size=1, seq_len=400), expected, rel_tol=1e-5)


def test_training_learns_a_repeating_pattern_and_reports_progress(vocab):
    torch.manual_seed(0)
    model = CharLM(len(vocab), 16)
    lines = []
    log = train_lm(
        model, vocab.encode(PATTERN), steps=120, batch_size=4, seq_len=20, lr=1e-2, reports=4, report=lines.append
    )
    assert len(log.losses) == len(log.grad_norms) == 120
    assert log.losses[0] > 1.0 and np.mean(log.losses[-10:]) < 0.05
    assert perplexity(model, vocab.encode(PATTERN[:400]), batch_size=2, seq_len=50) < 1.1
    assert len(lines) == 4 and lines[-1].startswith("[####################] 100%  update  120/120")


def test_clipping_counts_the_steps_it_clipped(vocab):
    torch.manual_seed(0)
    log = train_lm(
        CharLM(len(vocab), 16), vocab.encode(PATTERN), steps=30, batch_size=4, seq_len=20, clip=1e-3, report=None
    )
    assert log.clipped == 30
    log = train_lm(
        CharLM(len(vocab), 16), vocab.encode(PATTERN), steps=30, batch_size=4, seq_len=20, clip=None, report=None
    )
    assert log.clipped == 0


def test_clip_by_global_norm_matches_torch():
    torch.manual_seed(0)
    grads = [torch.randn(3, 4) * 5, torch.randn(7) * 5]
    clipped, norm = clip_by_global_norm(grads, 1.0)
    params = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    torch_norm = torch.nn.utils.clip_grad_norm_(params, 1.0)
    assert math.isclose(norm, torch_norm.item(), rel_tol=1e-6)
    for c, p in zip(clipped, params):
        assert torch.allclose(c, p.grad, atol=1e-6)
    small, _ = clip_by_global_norm([torch.full((2,), 0.1)], 1.0)
    assert torch.equal(small[0], torch.full((2,), 0.1)), "a gradient under the threshold is left alone"
    with pytest.raises(ValueError, match="positive"):
        clip_by_global_norm(grads, 0.0)


def test_temperature_sharpens_and_flattens():
    logits = torch.tensor([2.0, 1.0, 0.1])
    assert torch.allclose(with_temperature(logits, 1.0), torch.softmax(logits, -1))
    assert with_temperature(logits, 0.05)[0] > 0.999
    assert torch.allclose(with_temperature(logits, 1000.0), torch.full((3,), 1 / 3), atol=1e-3)
    entropies = [float(-(p * p.log()).sum()) for p in (with_temperature(logits, t) for t in (0.5, 1.0, 1.5))]
    assert entropies == sorted(entropies)
    with pytest.raises(ValueError, match="greedy"):
        with_temperature(logits, 0.0)


def test_generation_is_reproducible_and_greedy_follows_the_pattern(vocab):
    torch.manual_seed(0)
    model = CharLM(len(vocab), 16)
    train_lm(model, vocab.encode(PATTERN), steps=120, batch_size=4, seq_len=20, lr=1e-2, report=None)
    assert generate(model, vocab, "ab", 10, 0, torch.Generator()) == "abcdabcdabcd"
    one = generate(model, vocab, "a", 50, 1.5, torch.Generator().manual_seed(1))
    two = generate(model, vocab, "a", 50, 1.5, torch.Generator().manual_seed(1))
    assert one == two and len(one) == 51
    with pytest.raises(ValueError, match="non-empty prompt"):
        generate(model, vocab, "", 5, 1.0, torch.Generator())


@pytest.mark.parametrize("name", ["check_clip_gradient", "check_temperature_probabilities"])
def test_exercises_accept_the_solution_and_name_each_mistake(name):
    import helpers.lm as lm

    assert_catches_every_listed_mistake(getattr(lm, name))


def test_clip_gradient_and_temperature_reference_numbers():
    from helpers.lm import clip_gradient, temperature_probabilities

    assert np.allclose(clip_gradient(np.array([3.0, 4.0]), 1.0), [0.6, 0.8])
    assert np.array_equal(clip_gradient(np.array([0.3, 0.4]), 1.0), [0.3, 0.4])
    p = temperature_probabilities(np.array([1000.0, 999.0, 0.0]), 1.0)
    assert np.allclose(p, [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1)), 0.0])


def test_made_up_share_counts_words_never_seen():
    from helpers.lm import made_up_share

    assert made_up_share("to be or nto be", {"to", "be", "or"}) == 0.2
    with pytest.raises(ValueError, match="no words"):
        made_up_share("  ", {"to"})


def test_perplexity_scores_every_character_after_the_first_once_whatever_the_streams():
    torch.manual_seed(0)
    model = CharLM(5, 8, kind="lstm")
    ids = torch.randint(0, 5, (103,))  # 102 targets: 16 streams of 7 leave 10 padded places, 7 x 30 leaves none
    streams = [ids[start : start + 8] for start in range(0, 102, 7)]  # each stream's inputs and its targets
    total = sum(F.cross_entropy(model(s[:-1].unsqueeze(0))[0][0], s[1:], reduction="sum").item() for s in streams)
    expected = math.exp(total / 102)
    assert math.isclose(perplexity(model, ids, batch_size=16, seq_len=5), expected, rel_tol=1e-5)
    one_stream = perplexity(model, ids, batch_size=1, seq_len=30)
    logits, _ = model(ids[:-1].unsqueeze(0))
    assert math.isclose(one_stream, math.exp(F.cross_entropy(logits[0], ids[1:]).item()), rel_tol=1e-5)
    with pytest.raises(ValueError, match="at least 2 characters"):
        perplexity(model, ids[:1])


def test_final_lr_lowers_the_learning_rate_along_a_half_cosine():
    torch.manual_seed(0)
    model = CharLM(4, 4)
    ids = torch.randint(0, 4, (200,))
    seen = []
    train_lm(
        model,
        ids,
        steps=4,
        batch_size=2,
        seq_len=10,
        lr=1e-2,
        final_lr=1e-3,
        report=None,
        hooks=[lambda step, log: seen.append(step)],
    )
    assert seen == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="final_lr"):
        train_lm(model, ids, steps=2, batch_size=2, seq_len=10, lr=1e-3, final_lr=1e-2, report=None)
