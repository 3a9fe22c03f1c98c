"""The course's one vocabulary: tokens (characters or words) with integer ids.

The special tokens come first, in the order given (seq2seq's <pad> = 0, <bos>, <eos>, <unk>), then every
other token once, sorted. Id i is `vocab[i]`; the id of a token is `vocab.index[token]`.

    chars = Vocabulary.from_text("hello")                 # notebook 03: e h l o
    chars.encode("hole")                                  # tensor([1, 3, 2, 0])
    words = Vocabulary.from_sentences([["le", "chat"]], specials=("<pad>", "<unk>"))
    words.ids(["le", "chien"], unknown="<unk>")           # [3, 1]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import torch


class Vocabulary:
    """Tokens with integer ids: the special tokens first, then every other token once, sorted."""

    def __init__(self, tokens: Iterable[str], specials: Sequence[str] = (), separator: str = ""):
        tokens = list(tokens)
        bad = [token for token in [*tokens, *specials] if not isinstance(token, str) or not token]
        if bad:
            raise ValueError(f"tokens must be non-empty strings, got {bad[:3]!r}")
        if len(set(specials)) != len(specials):
            raise ValueError(f"special tokens must be distinct, got {list(specials)!r}")
        self.specials = tuple(specials)
        self.tokens = [*specials, *sorted(set(tokens) - set(specials))]
        self.index = {token: i for i, token in enumerate(self.tokens)}
        self.separator = separator  # what `decode` puts between tokens: "" for characters, " " for words

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """Every distinct character of a text, sorted."""
        return cls(text)

    @classmethod
    def from_sentences(cls, sentences: Iterable[Sequence[str]], specials: Sequence[str] = ()) -> Vocabulary:
        """Every distinct word of some tokenised sentences, after the special tokens."""
        return cls((word for sentence in sentences for word in sentence), specials, separator=" ")

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: object) -> bool:
        return token in self.index

    def __getitem__(self, i: int) -> str:
        return self.tokens[i]

    def __repr__(self) -> str:
        shown = self.tokens[len(self.specials) : len(self.specials) + 8]
        return (
            f"Vocabulary({len(self)} tokens: {', '.join(map(repr, shown))}{', …' if len(self) > len(shown) else ''}"
            f"{f'; specials {list(self.specials)}' if self.specials else ''})"
        )

    def ids(self, tokens: Sequence[str], unknown: str | None = None) -> list[int]:
        """The ids of `tokens`; an unknown token is an error, or gets the id of the token `unknown` if given."""
        if unknown is not None and unknown not in self.index:
            raise ValueError(
                f"unknown must be a token of the vocabulary, such as one of {list(self.specials)}, got {unknown!r}"
            )
        missing = list(dict.fromkeys(token for token in tokens if token not in self.index))
        if missing and unknown is None:
            raise ValueError(
                f"{len(missing)} tokens not in the vocabulary: {', '.join(map(repr, missing[:10]))}"
                + (" (pass unknown=... to read them as that token)" if self.specials else "")
            )
        fallback = self.index.get(unknown, -1) if unknown is not None else -1
        return [self.index.get(token, fallback) for token in tokens]

    def encode(self, tokens: str | Sequence[str]) -> torch.Tensor:
        """The ids of a text's characters (or of a list of tokens) as an int64 tensor; unknown ones are an error."""
        if isinstance(tokens, str) and all(len(token) == 1 for token in self.tokens):
            return self._encode_characters(tokens)
        return torch.tensor(self.ids(list(tokens)), dtype=torch.int64)

    def _encode_characters(self, text: str) -> torch.Tensor:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)  # one Unicode code point per character
        known = np.array([ord(char) for char in self.tokens], dtype=np.int64)
        table = np.full(max(int(codes.max(initial=0)), int(known.max(initial=0))) + 1, -1, dtype=np.int64)
        table[known] = np.arange(len(known))  # code point -> id, -1 for characters we do not know
        ids = table[codes]
        unknown = np.flatnonzero(ids < 0)
        if unknown.size:
            first = int(unknown[0])
            raise ValueError(
                f"character {text[first]!r} at position {first} is not in the vocabulary "
                f"({unknown.size} unknown characters in all); "
                f"map them to a known one first with replace_unknown(text)"
            )
        return torch.from_numpy(ids)

    def tokens_of(self, ids: torch.Tensor | np.ndarray | Sequence[int]) -> list[str]:
        """The tokens of a 1-D sequence of ids."""
        ids = np.asarray(ids)
        if ids.ndim > 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
            raise ValueError(f"ids must be a 1-D sequence of integers, got shape {ids.shape} and dtype {ids.dtype}")
        ids = ids.reshape(-1)
        bad = ids[(ids < 0) | (ids >= len(self))]
        if bad.size:
            raise ValueError(f"ids must lie in 0..{len(self) - 1}, got {int(bad[0])}")
        return [self.tokens[i] for i in ids.tolist()]

    def decode(self, ids: torch.Tensor | np.ndarray | Sequence[int]) -> str:
        """The text spelled by a sequence of ids (characters joined as they are, words with spaces)."""
        return self.separator.join(self.tokens_of(ids))

    def counts(self, sentences: Sequence[Sequence[str]]) -> torch.Tensor:
        """A (sentences, vocabulary) table of how often each token occurs in each sentence; unknown tokens left out."""
        rows, cols = [], []
        for row, sentence in enumerate(sentences):
            known = [self.index[token] for token in sentence if token in self.index]
            rows += [row] * len(known)
            cols += known
        table = torch.zeros(len(sentences), len(self), dtype=torch.float64)
        table.index_put_(
            (torch.tensor(rows, dtype=torch.int64), torch.tensor(cols, dtype=torch.int64)),
            torch.ones(len(rows), dtype=torch.float64),
            accumulate=True,
        )
        return table

    def unknown_counts(self, text: str | Sequence[str]) -> dict[str, int]:
        """How often each token of `text` that is not in the vocabulary occurs, sorted."""
        count = text.count if isinstance(text, str) else list(text).count
        return {token: count(token) for token in sorted(set(text) - set(self.index))}

    def replace_unknown(self, text: str, fallback: str = " ") -> str:
        """`text` with every character not in the vocabulary replaced by `fallback`."""
        if fallback not in self.index:
            raise ValueError(f"fallback must be a token of the vocabulary, got {fallback!r}")
        for char in self.unknown_counts(text):
            text = text.replace(char, fallback)
        return text
