"""Notebook 03's count-based baselines, checked against probabilities worked out by hand and, for
Kneser–Ney, against a plain-loop implementation of the same formula."""

import math
from collections import Counter

import numpy as np
import pytest
import torch

from helpers import text as txt
from helpers.ngram import KneserNey, NGramModel, uniform_perplexity
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


# ---- Kneser–Ney ---------------------------------------------------------------------------------------


def reference_kneser_ney(train: list[int], order: int, vocab_size: int):
    """The module's formula written out with dicts and loops: returns prob(w, context) for a context of any length."""
    occurred = {k: Counter(tuple(train[i : i + k]) for i in range(len(train) - k + 1)) for k in range(1, order + 1)}
    counts = {order: dict(occurred[order])}  # the top order: raw counts
    for k in range(1, order):
        continuation: Counter = Counter()
        for gram in occurred[k + 1]:  # each different (k+1)-gram x·g: one more left extension x of g
            continuation[gram[1:]] += 1
        counts[k] = dict(continuation)
    discounts = {}
    for k, table in counts.items():
        n1 = sum(1 for c in table.values() if c == 1)
        n2 = sum(1 for c in table.values() if c == 2)
        discounts[k] = n1 / (n1 + 2 * n2) if n1 else 0.5

    def p(k: int, h: tuple, w: int) -> float:
        if k == 0:
            return 1 / vocab_size
        lower = p(k - 1, h[1:], w)
        table, d = counts[k], discounts[k]
        total = sum(c for gram, c in table.items() if gram[:-1] == h)
        if total == 0:
            return lower
        types = sum(1 for gram in table if gram[:-1] == h)
        return (max(table.get(h + (w,), 0) - d, 0) + d * types * lower) / total

    def prob(w: int, context: list[int]) -> float:
        h = tuple(context[len(context) - min(len(context), order - 1) :])
        return p(len(h) + 1, h, w)

    return prob, [discounts[k] for k in range(1, order + 1)]


def encode(text: str, alphabet: str) -> list[int]:
    return [alphabet.index(c) for c in text]


# "q" and "z" never occur: only the uniform floor gives them probability. "x" occurs only in the held-out text.
TOY_ALPHABET = " .acdefghilmnoqrstxz"
TOY_TRAIN = "the cat sat on the mat. the dog sat on the log. a cat and a dog met on the mat. the end."
TOY_HELD_OUT = "the fox sat on a log. the cat met the dog. "


# Reversed, the text starts with ".d", found nowhere else in it: the first n-grams have no left extension.
@pytest.mark.parametrize("train_text", [TOY_TRAIN, TOY_TRAIN[::-1]], ids=["forward", "reversed"])
def test_kneser_ney_matches_a_plain_loop_implementation_at_every_position(train_text):
    train, held_out = encode(train_text, TOY_ALPHABET), encode(TOY_HELD_OUT, TOY_ALPHABET)
    v = len(TOY_ALPHABET)
    for order in (1, 2, 3, 4):
        model = KneserNey(order, v).fit(np.array(train))
        prob, discounts = reference_kneser_ney(train, order, v)
        assert np.allclose(model.discounts, discounts), order
        for ids in (held_out, train, held_out[:2], held_out[:3]):
            expected = [math.log(prob(ids[t], ids[max(0, t - order + 1) : t])) for t in range(1, len(ids))]
            assert np.allclose(model.log_probs(ids), expected, rtol=1e-12, atol=0), (order, len(ids))
            assert math.isclose(model.perplexity(ids), math.exp(-np.mean(expected)), rel_tol=1e-12)
        for context in ([], held_out[:1], held_out[:3], held_out[5:10]):  # fox: an unseen context
            expected_dist = [prob(w, context) for w in range(v)]
            assert np.allclose(model.next_distribution(context), expected_dist, rtol=1e-12, atol=0), (order, context)


def test_kneser_ney_bigram_by_hand():
    # "abab", V = 3. Top order 2, raw counts: ab 2, ba 1 → n1 = 1, n2 = 1, D2 = 1/(1 + 2) = 1/3.
    # Order 1, continuation counts: a follows 1 different character (b), b follows 1 (a) → n1 = 2, n2 = 0, D1 = 1,
    #   P1(a) = (max(1 - 1, 0) + 1 · 2 · 1/3) / 2 = 1/3, and likewise 1/3 for b and c.
    # After a (2 counts, 1 different follower): P(b|a) = (2 - 1/3 + 1/3 · 1 · 1/3) / 2 = 8/9, P(a|a) = P(c|a) = 1/18.
    model = KneserNey(2, 3).fit(np.array(ABAB))
    assert np.allclose(model.discounts, [1, 1 / 3])
    assert np.allclose(model.next_distribution([A]), [1 / 18, 8 / 9, 1 / 18])
    # After b (1 count): P(a|b) = (1 - 1/3 + 1/3 · 1/3) / 1 = 7/9. After c (never seen): P1, uniform here.
    assert np.allclose(model.next_distribution([C, A, B]), [7 / 9, 1 / 9, 1 / 9])  # only the last id counts
    assert np.allclose(model.next_distribution([C]), [1 / 3, 1 / 3, 1 / 3])
    # "abab" predicts b|a, a|b, b|a: perplexity (8/9 · 7/9 · 8/9) ** (-1/3).
    assert np.allclose(model.log_probs(ABAB), np.log([8 / 9, 7 / 9, 8 / 9]))
    assert math.isclose(model.perplexity(torch.tensor(ABAB)), (448 / 729) ** (-1 / 3))


def test_kneser_ney_distributions_sum_to_one_for_seen_and_unseen_contexts():
    rng = np.random.default_rng(2)
    train = np.repeat(rng.integers(0, 5, size=200), rng.integers(1, 3, size=200))  # ids 5 and 6 never occur
    unseen = [6, 5, 6, 5, 6, 5, 6]
    for order in range(1, 9):
        model = KneserNey(order, 7).fit(train)
        for context in ([], train[:order], train[40 : 40 + order], unseen, [*train[:4], 6]):
            dist = model.next_distribution(context)
            assert dist.shape == (7,) and np.all(dist > 0), (order, context)
            assert math.isclose(dist.sum(), 1.0, rel_tol=1e-12), (order, context)


def test_kneser_ney_short_and_unseen_contexts_use_the_lower_orders():
    train, held_out = encode(TOY_TRAIN, TOY_ALPHABET), encode(TOY_HELD_OUT, TOY_ALPHABET)
    model = KneserNey(4, len(TOY_ALPHABET)).fit(train)
    # log_probs[t-1] is P(ids[t] | what precedes it, up to 3 ids), the first positions with shorter contexts.
    dists = [model.next_distribution(held_out[:t]) for t in range(1, len(held_out))]
    assert np.allclose(model.log_probs(held_out), np.log([d[w] for d, w in zip(dists, held_out[1:])]))
    # "zat" never occurred (z never does), "at" did (cat, sat, mat): after "zat" the model predicts as after "at".
    zat = encode("zat", TOY_ALPHABET)
    assert np.allclose(model.next_distribution(zat), model.next_distribution(zat[1:]))
    assert not np.allclose(model.next_distribution(zat), model.next_distribution(zat[2:]))
    # x never occurred, so no context ending in it did: after "fox" the model predicts as with no context at all.
    assert np.allclose(model.next_distribution(encode("fox", TOY_ALPHABET)), model.next_distribution([]))


def grammar_text(rng: np.random.Generator, sentences: int) -> str:
    nouns, verbs = ["cat", "dog", "king", "queen", "horse"], ["sees", "hears", "follows", "fears"]
    return "".join(f"the {rng.choice(nouns)} {rng.choice(verbs)} the {rng.choice(nouns)}. " for _ in range(sentences))


def test_kneser_ney_beats_add_one_on_held_out_text():
    rng = np.random.default_rng(3)
    train_text, held_out_text = grammar_text(rng, 150), grammar_text(rng, 40)
    alphabet = "".join(sorted(set(train_text + held_out_text)))
    train, held_out = encode(train_text, alphabet), encode(held_out_text, alphabet)
    kneser_ney = KneserNey(3, len(alphabet)).fit(train)
    add_one = NGramModel(3, len(alphabet), k=1.0).fit(np.array(train))
    # The same predicted positions t = 2, …: Kneser–Ney also scores t = 1, add-one does not.
    kn_perplexity = math.exp(-kneser_ney.log_probs(held_out)[1:].mean())
    add_one_perplexity = add_one.perplexity(held_out)
    assert kn_perplexity < add_one_perplexity < len(alphabet)


def test_kneser_ney_stores_only_the_ngrams_that_occurred():
    ids, held_out = np.split(np.random.default_rng(4).integers(0, 76, size=2500), [2000])
    model = KneserNey(8, 76).fit(torch.from_numpy(ids))  # a dense 8-gram table would have 76**8 ≈ 1.1·10**15 cells
    assert len(model.levels[-1].codes) == len(ids) - 7  # random 8-grams never repeat
    # New random characters have no pattern to learn: about a uniform guess (76), worse for the chance n-grams
    # it trusts.
    assert 70 < model.perplexity(held_out) < 100
    assert model.fit(np.array([0, 0, 0, 0, 0, 0, 0, 0])).levels[-1].codes.tolist() == [0]  # refitting replaces


def test_kneser_ney_errors_say_what_was_expected():
    with pytest.raises(ValueError, match="order must be an integer from 1 to 8 .* got 0"):
        KneserNey(0, 3)
    with pytest.raises(ValueError, match="order must be an integer from 1 to 8 .* got 9"):
        KneserNey(9, 3)
    with pytest.raises(ValueError, match="order must be an integer .* got 2.0"):
        KneserNey(2.0, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="vocab_size must be an integer of at least 1, got 0"):
        KneserNey(2, 0)
    with pytest.raises(ValueError, match=r"over 300 characters does not fit in one int64 code \(300\*\*8"):
        KneserNey(8, 300)
    model = KneserNey(3, 3)
    with pytest.raises(RuntimeError, match="not been fitted: call fit"):
        model.log_probs([0, 1, 2])
    with pytest.raises(ValueError, match="needs at least 3 training ids, got 2"):
        model.fit(np.array([0, 1]))
    with pytest.raises(ValueError, match=r"train_ids must lie in 0..2, got 3"):
        model.fit([0, 1, 3])
    with pytest.raises(ValueError, match="train_ids must be a 1-D sequence of integers, got shape .* float"):
        model.fit(torch.zeros(5))
    model.fit(ABAB)
    with pytest.raises(ValueError, match=r"ids must lie in 0..2, got -1"):
        model.perplexity([0, 1, -1])
    with pytest.raises(ValueError, match="ids must be a 1-D sequence of integers, got shape \\(2, 2\\)"):
        model.log_probs(np.zeros((2, 2), dtype=np.int64))
    with pytest.raises(ValueError, match="log_probs needs at least 2 ids .* got 1"):
        model.log_probs([0])
    with pytest.raises(ValueError, match=r"context_ids must lie in 0..2, got 5"):
        model.next_distribution([5])
