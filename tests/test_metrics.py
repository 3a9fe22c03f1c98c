import math
import random

import pytest
import sacrebleu

from helpers.metrics import bleu_statistics, corpus_bleu, exact_match, exact_match_by_length, ngrams, token_accuracy

WORDS = "le la chat chien voit mange une pomme pas ne de".split()


def sacre(hypotheses, references, smooth="exp"):
    return sacrebleu.corpus_bleu(
        [" ".join(h) for h in hypotheses], [[" ".join(r) for r in references]], tokenize="none", smooth_method=smooth
    ).score


def noisy_copy(reference, rng):
    """A hypothesis that shares some n-grams with the reference: words dropped, swapped, added."""
    out = [w for w in reference if rng.random() > 0.2]
    if len(out) > 2 and rng.random() < 0.5:
        i = rng.randrange(len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    out += rng.choices(WORDS, k=rng.randrange(3))
    return out


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("smooth", ["exp", "none"])
def test_corpus_bleu_equals_sacrebleu(seed, smooth):
    rng = random.Random(seed)
    references = [rng.choices(WORDS, k=rng.randint(1, 12)) for _ in range(rng.randint(1, 30))]
    hypotheses = [noisy_copy(r, rng) for r in references]
    assert corpus_bleu(hypotheses, references, smooth=smooth) == pytest.approx(
        sacre(hypotheses, references, smooth), abs=1e-6
    )


@pytest.mark.parametrize(
    "hypotheses, references",
    [
        ([["le", "chat"]], [["le", "chat"]]),  # shorter than 3- and 4-grams
        ([["le"]], [["le", "chat", "voit", "la", "pomme"]]),  # brevity penalty, no bigrams
        ([["un", "deux"]], [["le", "chat"]]),  # nothing matches
        ([[]], [["le", "chat"]]),  # empty output
        ([["le", "chat", "voit", "la", "pomme", "rouge"]], [["le", "chat", "voit", "la", "pomme"]]),
        ([["la", "pomme", "le", "chat"], ["le", "chien"]], [["le", "chat", "voit", "la", "pomme"], ["le", "chien"]]),
    ],
)
@pytest.mark.parametrize("smooth", ["exp", "none"])
def test_corpus_bleu_edge_cases_equal_sacrebleu(hypotheses, references, smooth):
    assert corpus_bleu(hypotheses, references, smooth=smooth) == pytest.approx(
        sacre(hypotheses, references, smooth), abs=1e-6
    )


def test_bleu_by_hand():
    # output: le chat voit la (4 tokens), reference: le chat voit la pomme (5 tokens)
    # precisions 4/4, 3/3, 2/2, 1/1 → 1; brevity exp(1 - 5/4)
    assert corpus_bleu([["le", "chat", "voit", "la"]], [["le", "chat", "voit", "la", "pomme"]]) == pytest.approx(
        100 * math.exp(1 - 5 / 4)
    )
    assert corpus_bleu([["le", "chat", "voit", "la", "pomme"]] * 2, [["le", "chat", "voit", "la", "pomme"]] * 2) == 100


def test_ngram_counts_are_clipped_by_the_reference():
    matches, counts, out_len, ref_len = bleu_statistics([["le", "le", "le"]], [["le", "chat"]], max_n=2)
    assert matches == [1, 0] and counts == [3, 2] and (out_len, ref_len) == (3, 2)
    assert ngrams(["a", "b", "a", "b"], 2) == {("a", "b"): 2, ("b", "a"): 1}


def test_exact_match_and_token_accuracy():
    references = [["le", "chat"], ["la", "pomme", "rouge"]]
    assert exact_match([["le", "chat"], ["la", "pomme"]], references) == 0.5
    # 3 + 4 positions (each with its end); right: le, chat, end | la, pomme → 5 of 7
    assert token_accuracy([["le", "chat"], ["la", "pomme"]], references) == pytest.approx(5 / 7)
    # an extra word at the end takes the place of the end marker
    assert token_accuracy([["le", "chat", "noir"]], [["le", "chat"]]) == pytest.approx(2 / 3)
    assert token_accuracy(references, references) == 1.0


def test_exact_match_by_length_bins():
    references = [["a"], ["b"], ["c"], ["d"]]
    hypotheses = [["a"], ["x"], ["c"], ["d"]]
    scores = exact_match_by_length(
        hypotheses, references, lengths=[3, 4, 10, 11], bins=[(1, 5), (6, 10), (11, 20), (21, 30)]
    )
    assert scores[:3] == [0.5, 1.0, 1.0] and math.isnan(scores[3])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: exact_match([["a"]], [["a"], ["b"]]), "one hypothesis per reference"),
        (lambda: corpus_bleu([], []), "at least one sentence"),
        (lambda: token_accuracy(["le chat"], [["le", "chat"]]), "got a string"),
        (lambda: corpus_bleu([["a"]], [["a"]], smooth="add-k"), "smooth must be"),
        (lambda: exact_match_by_length([["a"]], [["a"]], [1, 2], [(1, 2)]), "one source length per sentence"),
    ],
)
def test_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
