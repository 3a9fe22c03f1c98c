"""Notebook 03's count-based baselines, checked against probabilities worked out by hand."""

import math

import numpy as np
import pytest
import torch

from helpers import text as txt
from helpers.ngram import NGramModel, uniform_perplexity
from helpers.vocab import Vocabulary

# The tiny corpus "abab" over the vocabulary a=0, b=1, c=2 (c never occurs), so V = 3.
ABAB = [0, 1, 0, 1]
A, B, C = 0, 1, 2


def test_unigram_by_hand():
    # Counts: a 2, b 2, c 0; N = 4.
    # k = 1:   P(a) = (2+1)/(4+3) = 3/7,   P(c) = (0+1)/(4+3) = 1/7.
    # k = 0.5: P(a) = 2.5/(4+1.5) = 5/11,  P(c) = 0.5/5.5 = 1/11.
    model = NGramModel(1, 3, k=1.0).fit(np.array(ABAB))
    assert model.counts.tolist() == [2, 2, 0]
    assert np.allclose(model.next_distribution([]), [3 / 7, 3 / 7, 1 / 7])
    # On "abab" itself every one of the 4 positions has probability 3/7: perplexity 7/3.
    assert math.isclose(model.perplexity(ABAB), 7 / 3)
    assert np.allclose(NGramModel(1, 3, k=0.5).fit(np.array(ABAB)).next_distribution([]), [5 / 11, 5 / 11, 1 / 11])


def test_bigram_by_hand():
    # Pairs in "abab": ab, ba, ab. After a: b twice (total 2); after b: a once (total 1); after c: nothing.
    # k = 1: P(b|a) = (2+1)/(2+3) = 3/5, P(a|a) = P(c|a) = 1/5;
    #        P(a|b) = (1+1)/(1+3) = 1/2, P(b|b) = P(c|b) = 1/4;  P(·|c) = 1/3 each.
    model = NGramModel(2, 3, k=1.0).fit(torch.tensor(ABAB))
    assert model.counts[A, B] == 2 and model.counts[B, A] == 1 and model.counts.sum() == 3
    assert np.allclose(model.next_distribution([A]), [1 / 5, 3 / 5, 1 / 5])
    assert np.allclose(model.next_distribution([C, A, B]), [1 / 2, 1 / 4, 1 / 4])  # only the last id counts
    assert np.allclose(model.next_distribution([C]), [1 / 3, 1 / 3, 1 / 3])
    # "abab" predicts b|a, a|b, b|a (the first a has no context and is skipped):
    # perplexity = (3/5 · 1/2 · 3/5) ** (-1/3) = (9/50) ** (-1/3) ≈ 1.7717.
    assert np.allclose(model.log_prob(ABAB), np.log([3 / 5, 1 / 2, 3 / 5]))
    assert math.isclose(model.perplexity(ABAB), (9 / 50) ** (-1 / 3))
    # k = 0.5: P(b|a) = 2.5/(2+1.5) = 5/7,  P(a|b) = 1.5/(1+1.5) = 3/5.
    half = NGramModel(2, 3, k=0.5).fit(np.array(ABAB))
    assert np.allclose(half.log_prob([A, B, A]), np.log([5 / 7, 3 / 5]))
    # An unseen pair "cc" under k = 0.5: 0.5/(0+1.5) = 1/3.
    assert math.isclose(half.perplexity([C, C]), 3.0)


def test_trigram_by_hand():
    # Triples in "abab": aba, bab. P(a|ab) = (1+1)/(1+3) = 1/2, P(b|ab) = P(c|ab) = 1/4; same for P(b|ba).
    model = NGramModel(3, 3, k=1.0).fit(np.array(ABAB))
    assert model.counts[A, B, A] == 1 and model.counts[B, A, B] == 1 and model.counts.sum() == 2
    assert np.allclose(model.next_distribution([A, B]), [1 / 2, 1 / 4, 1 / 4])
    # "abab" predicts a|ab and b|ba, each 1/2: perplexity 2.
    assert math.isclose(model.perplexity(ABAB), 2.0)
    # "abc": c|ab has 1/4, perplexity 4.  "cab": b|ca, context never seen, 1/3, perplexity 3.
    assert math.isclose(model.perplexity([A, B, C]), 4.0)
    assert math.isclose(model.perplexity([C, A, B]), 3.0)
    # k = 0.5: P(a|ab) = 1.5/(1+1.5) = 3/5, so perplexity (3/5)^-1 = 5/3 on "abab".
    assert math.isclose(NGramModel(3, 3, k=0.5).fit(np.array(ABAB)).perplexity(ABAB), 5 / 3)


def test_uniform_perplexity_is_the_vocabulary_size():
    assert uniform_perplexity(76) == 76.0
    # A unigram model fitted on a text using every character equally often is uniform too.
    model = NGramModel(1, 4).fit(np.tile(np.arange(4), 25))
    assert math.isclose(model.perplexity(np.arange(4)), uniform_perplexity(4))
    with pytest.raises(ValueError, match="vocab_size must be at least 1, got 0"):
        uniform_perplexity(0)


def test_every_next_distribution_sums_to_one():
    ids = np.random.default_rng(0).integers(0, 5, size=300)
    for order in (1, 2, 3):
        model = NGramModel(order, 5, k=0.3).fit(ids)
        assert np.allclose(model.probs.sum(axis=-1), 1.0)
        assert len(model.log_prob(ids)) == len(ids) - order + 1


def naive_counts(ids: list[int], order: int, vocab_size: int) -> np.ndarray:
    counts = np.zeros((vocab_size,) * order, dtype=np.int64)
    for t in range(order - 1, len(ids)):
        counts[tuple(ids[t - order + 1 : t + 1])] += 1
    return counts


def test_vectorised_counts_match_a_python_loop():
    ids = np.random.default_rng(1).integers(0, 6, size=1000)
    for order in (1, 2, 3, 4):
        model = NGramModel(order, 6).fit(torch.from_numpy(ids))
        assert np.array_equal(model.counts, naive_counts(ids.tolist(), order, 6)), order


def test_refitting_replaces_the_counts():
    model = NGramModel(2, 3).fit(np.array(ABAB)).fit(np.array([C, C]))
    assert model.counts.sum() == 1 and model.counts[C, C] == 1


def test_longer_contexts_fit_their_training_text_better():
    text = txt.load_plays(["macbeth"])["macbeth"]
    vocab = Vocabulary.from_text(text)
    ids = vocab.encode(text)
    perplexities = [NGramModel(order, len(vocab)).fit(ids).perplexity(ids) for order in (1, 2, 3)]
    assert perplexities[2] < perplexities[1] < perplexities[0] < uniform_perplexity(len(vocab))


def test_errors_say_what_was_expected():
    with pytest.raises(ValueError, match="order must be a positive integer .* got 0"):
        NGramModel(0, 3)
    with pytest.raises(ValueError, match="k must be positive .* got 0"):
        NGramModel(2, 3, k=0)
    with pytest.raises(ValueError, match="over 80 characters has 40,960,000 cells"):
        NGramModel(4, 80)
    model = NGramModel(3, 3)
    with pytest.raises(ValueError, match="needs at least 3 ids, got 2"):
        model.fit(np.array([0, 1]))
    with pytest.raises(ValueError, match=r"ids must lie in 0..2, got 3"):
        model.perplexity([0, 1, 3])
    with pytest.raises(ValueError, match="1-D sequence of integers"):
        model.fit(np.zeros(5))
    with pytest.raises(ValueError, match="needs a context of 2 ids, got 1"):
        model.next_distribution([0])
