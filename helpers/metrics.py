"""Notebook 08: scoring translations — exact match, token accuracy and corpus BLEU.

Every function takes token lists: hypotheses (what the model wrote) and references (the right
answer), one of each per sentence. BLEU here is Papineni et al.'s corpus BLEU with one reference:
clipped n-gram precisions for n = 1..4 summed over the whole corpus, their geometric mean, and a
brevity penalty for output that is too short. It is reported from 0 to 100, like sacrebleu, and
equals `sacrebleu.corpus_bleu(..., tokenize="none")` on the same tokens (a test checks).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

Tokens = Sequence[str]


def _check_pairs(hypotheses: Sequence[Tokens], references: Sequence[Tokens]) -> None:
    if len(hypotheses) != len(references):
        raise ValueError(
            f"expected one hypothesis per reference, got {len(hypotheses)} hypotheses and {len(references)} references"
        )
    if len(references) == 0:
        raise ValueError("expected at least one sentence, got none")
    for sentence in (*hypotheses[:1], *references[:1]):
        if isinstance(sentence, str):
            raise ValueError(f"expected token lists such as ['le', 'chat'], got a string: {sentence!r}")


def exact_match(hypotheses: Sequence[Tokens], references: Sequence[Tokens]) -> float:
    """Fraction of sentences translated exactly right, every token in place and nothing extra."""
    _check_pairs(hypotheses, references)
    return sum(list(h) == list(r) for h, r in zip(hypotheses, references)) / len(references)


def token_accuracy(hypotheses: Sequence[Tokens], references: Sequence[Tokens]) -> float:
    """Fraction of reference positions, the end of the sentence included, where the output has the right token."""
    _check_pairs(hypotheses, references)
    right = total = 0
    for hypothesis, reference in zip(hypotheses, references):
        ended: list[str | None] = [*hypothesis, None]  # None marks the end
        expected: list[str | None] = [*reference, None]
        right += sum(h == r for h, r in zip(ended, expected))
        total += len(expected)
    return right / total


def ngrams(tokens: Tokens, n: int) -> Counter:
    """How many times each n-gram (a tuple of n tokens) occurs in a sentence."""
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def bleu_statistics(
    hypotheses: Sequence[Tokens], references: Sequence[Tokens], max_n: int = 4
) -> tuple[list[int], list[int], int, int]:
    """Corpus totals: clipped n-gram matches and n-gram counts for n = 1..max_n, output and reference length."""
    _check_pairs(hypotheses, references)
    matches, counts = [0] * max_n, [0] * max_n
    for hypothesis, reference in zip(hypotheses, references):
        hypothesis, reference = list(hypothesis), list(reference)
        for n in range(1, max_n + 1):
            mine, theirs = ngrams(hypothesis, n), ngrams(reference, n)
            matches[n - 1] += sum(min(count, theirs[gram]) for gram, count in mine.items())
            counts[n - 1] += max(len(hypothesis) - n + 1, 0)
    output_length = sum(len(h) for h in hypotheses)
    reference_length = sum(len(r) for r in references)
    return matches, counts, output_length, reference_length


def corpus_bleu(
    hypotheses: Sequence[Tokens], references: Sequence[Tokens], max_n: int = 4, smooth: str = "exp"
) -> float:
    """Corpus BLEU from 0 to 100; smooth="exp" (sacrebleu's default) or "none"."""
    if smooth not in ("exp", "none"):
        raise ValueError(f"smooth must be 'exp' or 'none', got {smooth!r}")
    matches, counts, output_length, reference_length = bleu_statistics(hypotheses, references, max_n)
    if output_length == 0 or sum(matches) == 0:
        return 0.0
    log_precisions, halvings = [], 1.0
    for n in range(max_n):
        if counts[n] == 0:  # every output is shorter than n tokens
            return 0.0
        if matches[n] > 0:
            log_precisions.append(math.log(matches[n] / counts[n]))
        elif smooth == "exp":  # NIST smoothing: 1/2, 1/4, ... of a match for each order with none
            halvings *= 2
            log_precisions.append(math.log(1 / (halvings * counts[n])))
        else:
            return 0.0
    brevity = 1.0 if output_length >= reference_length else math.exp(1 - reference_length / output_length)
    return 100 * brevity * math.exp(sum(log_precisions) / max_n)


def exact_match_by_length(
    hypotheses: Sequence[Tokens], references: Sequence[Tokens], lengths: Sequence[int], bins: Sequence[tuple[int, int]]
) -> list[float]:
    """Exact match within each (low, high) bin of source lengths, both ends included; NaN for an empty bin."""
    _check_pairs(hypotheses, references)
    if len(lengths) != len(references):
        raise ValueError(f"expected one source length per sentence, got {len(lengths)} for {len(references)}")
    scores = []
    for low, high in bins:
        chosen = [i for i, length in enumerate(lengths) if low <= length <= high]
        scores.append(
            exact_match([hypotheses[i] for i in chosen], [references[i] for i in chosen]) if chosen else math.nan
        )
    return scores
