"""Notebook 03's baselines: character n-gram models that predict the next character by counting.

An order-n model looks at the previous n-1 characters (its context) and predicts the next one from
how often each character followed that context in the training text. Two ways to do that live here.

Add-k smoothing (`NGramModel`) adds k to every count, so that nothing it has not seen gets probability zero:

    P(c | context) = (count(context, c) + k) / (count(context) + k·V)      V = vocabulary size

Interpolated Kneser–Ney (`KneserNey`; Kneser & Ney 1995, in the form Chen & Goodman 1999 recommend) does
three things instead:

1. Discount. From every count it has seen, it takes away a fixed amount D (at most 1). A character seen
   once after a context loses most of its count; one seen 500 times hardly notices.
2. Hand the freed mass to a shorter context. What the discounts took away, D for each different
   character seen after the context, is shared out by the model of order n-1, whose context is one
   character shorter; that one does the same with order n-2, and so on down to a uniform guess 1/V.
   So every character gets some probability, and a long context that was never seen at all leaves
   the whole prediction to the shorter one.
3. Count differently in the shorter models. A shorter model is mostly asked about characters the
   longer context has not seen follow it. For that, "in how many different contexts did this appear?"
   is a better guide than "how often did it appear?". (The classic example is a word: "Francisco" is
   common, but almost only after "San", so it is a poor guess after a new word.) Below the top order, a
   count is therefore a continuation count: the number of different characters seen just before it.

In formulas, with h the context, w the next character and h' the context without its oldest character:

    P_k(w | h) = max(N_k(h w) − D_k, 0) / N_k(h •)  +  D_k · T_k(h) / N_k(h •) · P_(k-1)(w | h')
    P_0(w)     = 1 / V

    N_k(h w)  = the raw count c(h w) at the top order k = n, and below it the continuation count
                N1+(• h w) = how many different characters x make x h w occur in the training text
    N_k(h •)  = Σ_w N_k(h w)                      T_k(h) = how many different w have N_k(h w) > 0
    D_k       = n1 / (n1 + 2·n2), n1 and n2 = how many k-grams have N_k exactly 1 and exactly 2

The two terms add up to 1 over w: the discounts free D_k · T_k(h) of the N_k(h •) counted, and that is
what the second term hands on. A context never seen (N_k(h •) = 0) backs off fully: P_k(w | h) =
P_(k-1)(w | h'). The first characters of a text, with fewer than n-1 characters before them, are scored
the same way from the context they have: by the shorter orders of the recursion alone.

This is interpolated Kneser–Ney with one discount per order, estimated as Ney, Essen & Kneser propose
(if no k-gram has N_k = 1, only possible in a tiny text, that gives D = 0 and 0.5 is used instead);
"modified" Kneser–Ney (Chen & Goodman) uses three discounts per order, for counts of 1, 2 and 3 or more.

    H. Ney, U. Essen, R. Kneser (1994). On structuring probabilistic dependences in stochastic language
        modelling. Computer Speech & Language 8(1), 1–38.
    R. Kneser, H. Ney (1995). Improved backing-off for M-gram language modeling. ICASSP, 181–184.
    S. F. Chen, J. Goodman (1999). An empirical study of smoothing techniques for language modeling.
        Computer Speech & Language 13(4), 359–394.
"""

from __future__ import annotations

import numpy as np
import torch

from helpers.course import validate

# The count and probability tables are dense, V**order cells each (8 bytes a cell): 80**3 is 512 thousand
# cells, about 4 MB; 80**4 would be 41 million, over half a gigabyte for the two tables.
MAX_TABLE_CELLS = 10_000_000


def uniform_perplexity(vocab_size: int) -> float:
    """The perplexity of guessing every character with probability 1/V: exactly V."""
    if validate.number("vocab_size", vocab_size, integer=True) < 1:
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


# Character codes: an n-gram is one int64, its characters read as the digits of a number in base V.
MAX_KN_ORDER = 8
MAX_CODE = 2**63 - 1


def _as_ids(ids: torch.Tensor | np.ndarray | list[int], vocab_size: int, name: str = "ids") -> np.ndarray:
    """ids as a 1-D int64 array, refused with a clear message if not 1-D integers in 0..V-1."""
    array = np.asarray(ids.detach().cpu() if isinstance(ids, torch.Tensor) else ids)
    if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"{name} must be a 1-D sequence of integers, got shape {array.shape} and dtype {array.dtype}")
    bad = array[(array < 0) | (array >= vocab_size)]
    if bad.size:
        raise ValueError(f"{name} must lie in 0..{vocab_size - 1}, got {int(bad[0])}")
    return array.astype(np.int64)


class _Level:
    """The counts of one order k, sorted by code so that a lookup is a binary search (np.searchsorted).

    codes[i], counts[i]: a k-gram that occurred and its count (raw at the top order, continuation below).
    contexts[j], totals[j], types[j]: a context (its first k-1 characters), the sum of its counts, and
    how many different characters follow it (have a count > 0).
    """

    def __init__(self, codes: np.ndarray, counts: np.ndarray, vocab_size: int):
        self.codes, self.counts = codes, counts
        self.contexts, first, self.types = np.unique(codes // vocab_size, return_index=True, return_counts=True)
        self.totals = np.add.reduceat(counts, first)
        n1, n2 = np.count_nonzero(counts == 1), np.count_nonzero(counts == 2)
        # D = n1/(n1 + 2·n2). With no count of 1 (only in a tiny text) that is 0, which would give an unseen
        # character nothing at all: use 0.5 then.
        self.discount = n1 / (n1 + 2 * n2) if n1 else 0.5

    @staticmethod
    def _find(keys: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each query, where it sits in the sorted `keys` and whether it is there at all."""
        where = np.minimum(np.searchsorted(keys, queries), len(keys) - 1)
        return where, keys[where] == queries

    def interpolate(self, grams: np.ndarray, lower: np.ndarray, vocab_size: int) -> np.ndarray:
        """P_k(w | h) for each code h·w in `grams`, given P_(k-1)(w | h minus its first character) in `lower`."""
        where, found = self._find(self.codes, grams)
        count = np.where(found, self.counts[where], 0)
        where, seen = self._find(self.contexts, grams // vocab_size)
        total = np.where(seen, self.totals[where], 1)
        types = np.where(seen, self.types[where], 0)
        d = self.discount
        mixed = (np.maximum(count - d, 0.0) + d * types * lower) / total
        return np.where(seen, mixed, lower)  # a context never seen: back off fully to the lower order


class KneserNey:
    """Interpolated Kneser–Ney over character ids, any order from 1 to 8, one discount per order (see the module).

    `KneserNey(order, vocab_size).fit(train_ids)` counts; `log_probs(ids)` gives ln P(ids[t] | up to order-1
    ids before it) for every t = 1 … len(ids)-1; `perplexity(ids)` is exp(−their mean);
    `next_distribution(context_ids)` is P(next character) over the vocabulary. Counts are sparse: only the
    n-grams that occurred are stored, as sorted int64 codes, so a 6-gram model over 76 characters needs
    memory for the few million 6-grams of the text, not for 76**6 ≈ 2·10**11 table cells.
    """

    def __init__(self, order: int, vocab_size: int):
        if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or not 1 <= order <= MAX_KN_ORDER:
            raise ValueError(
                f"order must be an integer from 1 to {MAX_KN_ORDER} (1 = unigram, 2 = bigram, ...), got {order!r}"
            )
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)) or vocab_size < 1:
            raise ValueError(f"vocab_size must be an integer of at least 1, got {vocab_size!r}")
        if vocab_size**order > MAX_CODE:
            raise ValueError(
                f"an order-{order} n-gram over {vocab_size} characters does not fit in one int64 code "
                f"({vocab_size}**{order} > 2**63 - 1): use a lower order"
            )
        self.order, self.vocab_size = int(order), int(vocab_size)
        self.levels: list[_Level] = []  # levels[k-1] holds the counts of order k

    @property
    def discounts(self) -> tuple[float, ...]:
        """The discount D of each order, lowest first (continuation counts below the top order, raw at the top)."""
        return tuple(float(level.discount) for level in self._fitted())

    def _fitted(self) -> list[_Level]:
        if not self.levels:
            raise RuntimeError("this KneserNey model has not been fitted: call fit(train_ids) first")
        return self.levels

    def fit(self, train_ids: torch.Tensor | np.ndarray | list[int]) -> KneserNey:
        """Count the n-grams of `train_ids` (replacing earlier counts) and return the model."""
        ids = _as_ids(train_ids, self.vocab_size, "train_ids")
        n, v = self.order, self.vocab_size
        if len(ids) < n:
            raise ValueError(f"an order-{n} model needs at least {n} training ids, got {len(ids)}")
        codes = np.zeros(len(ids) - n + 1, dtype=np.int64)
        for j in range(n):  # a loop over the order, not over the text: the n-gram starting at i, in base V
            codes = codes * v + ids[j : j + len(codes)]
        grams, counts = np.unique(codes, return_counts=True)  # every different n-gram and how often it occurred
        levels = [_Level(grams, counts, v)]  # the top order keeps raw counts
        for k in range(n - 1, 0, -1):
            # Each different (k+1)-gram x·g gives its last k characters g one more left extension x.
            suffixes, continuation = np.unique(grams % v**k, return_counts=True)
            levels.insert(0, _Level(suffixes, continuation, v))
            # The different k-grams: suffixes of (k+1)-grams, plus the first k ids, which have none before them.
            start = np.int64(0)
            for j in range(k):
                start = start * v + ids[j]
            grams = np.union1d(suffixes, [start])
        self.levels = levels
        return self

    def log_probs(self, ids: torch.Tensor | np.ndarray | list[int]) -> np.ndarray:
        """ln P(ids[t] | ids[max(0, t-order+1) : t]) for every t = 1 … len(ids)-1.

        The first order-2 positions have shorter contexts: they are scored by the lower orders of the
        recursion alone, just as a context the model never saw is.
        """
        levels = self._fitted()
        ids = _as_ids(ids, self.vocab_size)
        if len(ids) < 2:
            raise ValueError(f"log_probs needs at least 2 ids (it predicts each one after the first), got {len(ids)}")
        v = self.vocab_size
        probs = np.full(len(ids), 1.0 / v)  # order 0: uniform over the V characters
        codes = ids.copy()  # codes[t]: the k-gram ending at t (valid for t ≥ k-1)
        for k, level in enumerate(levels, start=1):
            if k > len(ids):  # no position has k-1 characters before it
                break
            if k > 1:
                codes[k - 1 :] += ids[: len(ids) - k + 1] * v ** (k - 1)  # put one more character in front
            t = max(k - 1, 1)  # the predicted positions with (at least) k-1 characters before them
            probs[t:] = level.interpolate(codes[t:], probs[t:], v)
        return np.log(probs[1:])

    def perplexity(self, ids: torch.Tensor | np.ndarray | list[int]) -> float:
        """exp(mean negative log-probability) over ids[1:]: V for a uniform guess, 1 for a perfect one."""
        return float(np.exp(-self.log_probs(ids).mean()))

    def next_distribution(self, context_ids: torch.Tensor | np.ndarray | list[int]) -> np.ndarray:
        """P(next character) over the vocabulary after the last (up to) order-1 ids of `context_ids`."""
        levels = self._fitted()
        context = _as_ids(context_ids, self.vocab_size, "context_ids")
        context = context[max(0, len(context) - (self.order - 1)) :]
        v = self.vocab_size
        probs = np.full(v, 1.0 / v)
        for k in range(1, len(context) + 2):  # the context's last k-1 characters, then each possible next one
            h = np.int64(0)
            for c in context[len(context) - (k - 1) :]:
                h = h * v + c
            probs = levels[k - 1].interpolate(h * v + np.arange(v), probs, v)
        return probs
