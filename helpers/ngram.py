"""Notebook 03's baselines: character n-gram models that predict the next character by counting.

An order-n model looks at the previous n-1 characters (its context) and predicts the next one from
how often each character followed that context in the training text, plus k (add-k smoothing) so
that nothing it has not seen gets probability zero:

    P(c | context) = (count(context, c) + k) / (count(context) + k·V)      V = vocabulary size
"""

from __future__ import annotations

import numpy as np
import torch

# The count and probability tables are dense, V**order cells each (8 bytes a cell): 80**3 is 512 thousand
# cells, about 4 MB; 80**4 would be 41 million, over half a gigabyte for the two tables.
MAX_TABLE_CELLS = 10_000_000


def uniform_perplexity(vocab_size: int) -> float:
    """The perplexity of guessing every character with probability 1/V: exactly V."""
    if vocab_size < 1:
        raise ValueError(f"vocab_size must be at least 1, got {vocab_size}")
    return float(vocab_size)


class NGramModel:
    """A character n-gram model with add-k smoothing: order 1 = unigram, 2 = bigram, 3 = trigram."""

    def __init__(self, order: int, vocab_size: int, k: float = 1.0):
        if not isinstance(order, int) or order < 1:
            raise ValueError(f"order must be a positive integer (1 = unigram, 2 = bigram, ...), got {order!r}")
        if vocab_size < 1:
            raise ValueError(f"vocab_size must be at least 1, got {vocab_size}")
        if not k > 0:
            raise ValueError(f"k must be positive (it is added to every count), got {k}")
        if vocab_size**order > MAX_TABLE_CELLS:
            raise ValueError(
                f"a dense order-{order} table over {vocab_size} characters has {vocab_size**order:,} "
                f"cells, more than the {MAX_TABLE_CELLS:,} allowed: use a lower order"
            )
        self.order, self.vocab_size, self.k = order, vocab_size, float(k)
        self.counts = np.zeros((vocab_size,) * order, dtype=np.int64)  # counts[a, b, c]: how often a b c occurred
        self.probs = self._smoothed()  # probs[a, b, c] = P(c | a b)

    def _smoothed(self) -> np.ndarray:
        totals = self.counts.sum(axis=-1, keepdims=True)  # how often each context occurred (before something)
        return (self.counts + self.k) / (totals + self.k * self.vocab_size)

    def _ngram_index(self, ids: torch.Tensor | np.ndarray | list[int]) -> np.ndarray:
        """For each position t ≥ order-1, the flat index of the n-gram ids[t-order+1 .. t] in the table."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
            raise ValueError(f"ids must be a 1-D sequence of integers, got shape {ids.shape} and dtype {ids.dtype}")
        if len(ids) < self.order:
            raise ValueError(f"an order-{self.order} model needs at least {self.order} ids, got {len(ids)}")
        bad = ids[(ids < 0) | (ids >= self.vocab_size)]
        if bad.size:
            raise ValueError(f"ids must lie in 0..{self.vocab_size - 1}, got {int(bad[0])}")
        ids = ids.astype(np.int64)
        n = len(ids) - self.order + 1
        index = np.zeros(n, dtype=np.int64)
        for j in range(self.order):  # a loop over the order (at most a few steps), not over the text
            index = index * self.vocab_size + ids[j : j + n]  # the n-gram read as a number in base V
        return index

    def fit(self, ids: torch.Tensor | np.ndarray) -> NGramModel:
        """Count every n-gram of `ids` (replacing earlier counts) and return the model."""
        index = self._ngram_index(ids)
        self.counts = np.bincount(index, minlength=self.vocab_size**self.order).reshape(self.counts.shape)
        self.probs = self._smoothed()
        return self

    def log_prob(self, ids: torch.Tensor | np.ndarray | list[int]) -> np.ndarray:
        """ln P(ids[t] | the order-1 ids before it) for t = order-1, …, len-1 (the first order-1 lack full context)."""
        return np.log(self.probs.reshape(-1)[self._ngram_index(ids)])

    def perplexity(self, ids: torch.Tensor | np.ndarray | list[int]) -> float:
        """exp(mean negative log-probability) over the predicted positions: V for a uniform guess, 1 for a perfect."""
        return float(np.exp(-self.log_prob(ids).mean()))

    def next_distribution(self, context_ids: torch.Tensor | np.ndarray | list[int]) -> np.ndarray:
        """P(next character) over the vocabulary, given the last order-1 ids of `context_ids`."""
        context = np.asarray(context_ids, dtype=np.int64).reshape(-1)
        if len(context) < self.order - 1:
            raise ValueError(f"an order-{self.order} model needs a context of {self.order - 1} ids, got {len(context)}")
        context = context[len(context) - (self.order - 1) :]
        if np.any((context < 0) | (context >= self.vocab_size)):
            raise ValueError(f"context ids must lie in 0..{self.vocab_size - 1}, got {context.tolist()}")
        return self.probs[tuple(context)].copy()
