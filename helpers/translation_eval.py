"""Notebook 08: what each translator gets right, measured so that each number means what its name says.

Four questions, each with a metric that isolates it:

- Exposure bias. Until its first mistake a greedy decoder reads exactly the gold prefix, so it is
  teacher forcing; the two can only part after it. Teacher forced, every position is predicted from
  the gold prefix: its wrong predictions are the model's own local mistakes. Free running, the
  output's word-level edit distance to the reference counts what went wrong, a dropped word as one
  error (position by position it would shift every later word). Errors that breed errors make the
  edit distance larger than the local mistakes: the excess is what reading its own output costs.
- Compositional generalisation: scores on the test pairs whose adjective–noun combination never
  occurs in training, beside those whose combinations all do.
- Beam search: greedy decoding against one beam search, its winner picked by total log-probability
  and by log-probability per prediction (seq2seq.beam_candidates and seq2seq.pick).
- The bottleneck: teacher-forced accuracy by relative position in long sentences (does the plain
  model lose their first words?) and by length (does every word get worse, or only the whole
  sentence, as it would at constant per-word accuracy: p^n?).

`evaluate` computes one translator's record; `scripts/evaluate_translators.py` caches them for every
translator and seed (helpers.cache), and tests re-verify the records of the weights kept (seed 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from helpers.cache import DATA_DIR, ResultCache, Tolerance, fingerprint
from helpers.metrics import corpus_bleu, exact_match, token_accuracy
from helpers.phrasebook import NOUNS, Pair, Splits, combinations_in
from helpers.seq2seq import Batch, Seq2Seq, beam_candidates, decode_split, pick
from helpers.translation import MAX_LEN, SEEDS, TRANSLATORS, Data, load_records

Tokens = Sequence[str]
CACHE_PATH = DATA_DIR / "translation_eval" / "evaluations.json"
SCRIPT = "python scripts/evaluate_translators.py"
BEAM_SIZE = 4
BEAM_SENTENCES = 1000  # the first test pairs (the test split is shuffled): a beam costs ~25 ms a sentence
LONG_FROM = 18  # "long" English sentences, for accuracy by relative position
POSITION_BINS = 5  # fifths of the French sentence
LENGTH_BINS = ((3, 5), (6, 8), (9, 11), (12, 14), (15, 17), (18, 20), (21, 23), (24, 25))
END = "<end>"  # marks the end of a sentence when comparing token lists


# --- Exposure bias ------------------------------------------------------------------------------


def edit_distance(hypothesis: Tokens, reference: Tokens) -> int:
    """Word-level Levenshtein distance: the fewest insertions, deletions and substitutions from one to the other."""
    if isinstance(hypothesis, str) or isinstance(reference, str):
        raise ValueError("expected token lists such as ['le', 'chat'], got a string")
    previous = list(range(len(reference) + 1))
    for i, word in enumerate(hypothesis, start=1):
        current = [i]
        for j, target in enumerate(reference, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != target)))
        previous = current
    return previous[-1]


def positional_errors(hypothesis: Tokens, reference: Tokens) -> int:
    """Reference positions (the end included) where the output has another token: what token accuracy counts."""
    ended, expected = [*hypothesis, END], [*reference, END]
    return sum(h != r for h, r in zip(ended, expected)) + max(len(expected) - len(ended), 0)


def correct_prefix(hypothesis: Tokens, reference: Tokens) -> int:
    """How many tokens (the end included) the output gets right before its first mistake."""
    count = 0
    for h, r in zip([*hypothesis, END], [*reference, END]):
        if h != r:
            break
        count += 1
    return count


@torch.no_grad()
def teacher_forced_hits(model: Seq2Seq, encoded: Batch, batch_size: int = 256) -> list[np.ndarray]:
    """For each pair, whether each prediction (its French words, then EOS) is right when fed the gold prefix."""
    hits = []
    for start in range(0, len(encoded), batch_size):
        part = encoded.select(torch.arange(start, min(start + batch_size, len(encoded))))
        logits, _ = model(part)
        right = (logits.argmax(dim=2) == part.tgt_out).numpy()
        lengths = part.tgt_mask.sum(dim=1).tolist()
        hits += [row[:n].copy() for row, n in zip(right, lengths)]
    return hits


@dataclass(frozen=True)
class ExposureBias:
    """Mean errors per sentence: local (teacher forced), free running by edit distance, and position by position."""

    teacher_forced: float  # wrong predictions given the gold prefix (EOS included)
    edits: float  # edit distance of the greedy output (and its end) to the reference (and its end)
    positional: float  # positions with another token: what 1 − token accuracy counts, a dropped word shifting the rest
    same_first_mistake: float  # share of sentences whose greedy output first errs where teacher forcing first does

    @property
    def excess(self) -> float:
        """Errors per sentence that free running adds to the model's local mistakes (edits − teacher forced)."""
        return self.edits - self.teacher_forced


def exposure_bias(hits: Sequence[np.ndarray], outputs: Sequence[Tokens], references: Sequence[Tokens]) -> ExposureBias:
    """The errors per sentence of one model: teacher-forced hits beside its greedy outputs."""
    if not len(hits) == len(outputs) == len(references) or not references:
        raise ValueError(
            f"expected as many hits, outputs and references (at least one), got {len(hits)}, {len(outputs)}, "
            f"{len(references)}"
        )
    for row, reference in zip(hits, references):
        if len(row) != len(reference) + 1:
            raise ValueError(f"expected one hit per French word plus the EOS ({len(reference) + 1}), got {len(row)}")
    n = len(references)
    first_mistakes = [int(np.argmin(row)) if not row.all() else len(row) for row in hits]
    return ExposureBias(
        teacher_forced=sum(int((~row).sum()) for row in hits) / n,
        edits=sum(edit_distance([*o, END], [*r, END]) for o, r in zip(outputs, references)) / n,
        positional=sum(positional_errors(o, r) for o, r in zip(outputs, references)) / n,
        same_first_mistake=sum(correct_prefix(o, r) == f for o, r, f in zip(outputs, references, first_mistakes)) / n,
    )


# --- Held-out combinations ------------------------------------------------------------------------


def combination_groups(pairs: Sequence[Pair], splits: Splits) -> dict[str, list[int]]:
    """Indices of the pairs with an adjective–noun combination never in training ("unseen"), and of the pairs
    whose combinations all occur in training ("seen"); pairs with no such combination are in neither."""
    groups: dict[str, list[int]] = {"unseen": [], "seen": []}
    for i, pair in enumerate(pairs):
        found = combinations_in(pair.english)
        if found:
            groups["unseen" if found & splits.held_out else "seen"].append(i)
    return groups


def length_matched_exact_match(
    right: Sequence[bool], lengths: Sequence[int], rows: Sequence[int], like: Sequence[int]
) -> float:
    """Exact match of `rows`, weighting each English length as often as it occurs among `like` (lengths missing
    from `rows` are left out of the weights): the score `rows` would have at the length mix of `like`."""
    if not rows or not like:
        raise ValueError(f"expected pairs in both groups, got {len(rows)} and {len(like)}")
    by_length: dict[int, list[bool]] = {}
    for i in rows:
        by_length.setdefault(lengths[i], []).append(bool(right[i]))
    weights = dict.fromkeys(by_length, 0)
    for i in like:
        if lengths[i] in weights:
            weights[lengths[i]] += 1
    total = sum(weights.values())
    if total == 0:
        raise ValueError("the two groups share no English length")
    return sum(w * float(np.mean(by_length[length])) for length, w in weights.items()) / total


# --- Beam search ----------------------------------------------------------------------------------

# Each sentence's beam outcome as one digit: 4 if greedy is right, + 2 if the beam's best total is, + 1 if its
# best per prediction is. The record keeps them all, so a test can re-run a sample sentence by sentence.
GREEDY, TOTAL, NORMALISED = 4, 2, 1


@dataclass(frozen=True)
class BeamOutcome:
    """One sentence under greedy decoding and both picks of one beam: right or not, and the beam's log-probabilities."""

    code: int  # GREEDY + TOTAL + NORMALISED bits
    total_changed: bool  # the best-total pick differs from the greedy output
    normalised_changed: bool
    words: tuple[int, int, int]  # lengths of greedy, best-total and best-per-prediction outputs


def beam_outcome(
    model: Seq2Seq, data: Data, pair: Pair, greedy: Tokens, beam_size: int = BEAM_SIZE, max_len: int = MAX_LEN
) -> BeamOutcome:
    """Greedy against the beam's two picks on one pair."""
    candidates = beam_candidates(model, data.src_vocab.ids(pair.english), beam_size, max_len)
    total, normalised = (data.tgt_vocab.tokens_of(pick(candidates, norm).ids) for norm in (False, True))
    reference, greedy = list(pair.french), list(greedy)
    code = GREEDY * (greedy == reference) + TOTAL * (total == reference) + NORMALISED * (normalised == reference)
    return BeamOutcome(code, total != greedy, normalised != greedy, (len(greedy), len(total), len(normalised)))


def paired_difference(codes: Sequence[int], a: int, b: int) -> tuple[float, float]:
    """Exact match of decoder `a` minus decoder `b` (bits of the codes) on the same sentences, and its standard
    error from the number of sentences (paired: only sentences where one is right and the other wrong count)."""
    if not codes:
        raise ValueError("expected at least one sentence's code, got none")
    diffs = np.array([bool(c & a) - bool(c & b) for c in codes], dtype=float)
    return float(diffs.mean()), float(diffs.std(ddof=1) / math.sqrt(len(diffs))) if len(diffs) > 1 else math.nan


# --- The bottleneck -------------------------------------------------------------------------------


def accuracy_by_position(
    hits: Sequence[np.ndarray], bins: int = POSITION_BINS, keep: Sequence[np.ndarray] | None = None
) -> list[float]:
    """Teacher-forced accuracy of the French words (EOS left out) in each 1/bins of the sentence, pooled;
    with `keep` (a boolean per word of each sentence), only the words it marks count."""
    if bins < 1:
        raise ValueError(f"expected at least one bin, got {bins}")
    if keep is not None and (len(keep) != len(hits) or any(len(k) != len(h) - 1 for k, h in zip(keep, hits))):
        raise ValueError("expected keep to mark every French word (EOS left out) of every sentence")
    right, total = np.zeros(bins), np.zeros(bins)
    for i, row in enumerate(hits):
        words = len(row) - 1
        if words < 1:
            continue
        where = np.minimum(((np.arange(words) + 0.5) / words * bins).astype(int), bins - 1)
        chosen = np.ones(words, dtype=bool) if keep is None else np.asarray(keep[i], dtype=bool)
        np.add.at(right, where[chosen], row[:-1][chosen])
        np.add.at(total, where[chosen], 1)
    return [float(r / t) if t else math.nan for r, t in zip(right, total)]


FRENCH_NOUNS = frozenset(form for noun in NOUNS for form in (noun.french, noun.french_plural))


def noun_positions(french: Tokens) -> np.ndarray:
    """Which words of a French sentence are nouns (the phrasebook's nouns, singular or plural)."""
    return np.array([word in FRENCH_NOUNS for word in french], dtype=bool)


def accuracy_by_length(
    hits: Sequence[np.ndarray], lengths: Sequence[int], bins: Sequence[tuple[int, int]] = LENGTH_BINS
) -> list[float]:
    """Teacher-forced accuracy of every prediction (EOS included) by English length bin (both ends included)."""
    if len(hits) != len(lengths):
        raise ValueError(f"expected one English length per sentence, got {len(lengths)} for {len(hits)}")
    out = []
    for low, high in bins:
        rows = [row for row, n in zip(hits, lengths) if low <= n <= high]
        out.append(float(np.concatenate(rows).mean()) if rows else math.nan)
    return out


# --- One translator's record ----------------------------------------------------------------------


def _subset(outputs: Sequence[Tokens], references: Sequence[Tokens], rows: Sequence[int]) -> dict[str, float]:
    hyps, refs = [outputs[i] for i in rows], [references[i] for i in rows]
    return {"exact_match": exact_match(hyps, refs), "bleu": corpus_bleu(hyps, refs)}


def evaluate(
    model: Seq2Seq, data: Data, beam_sentences: int = BEAM_SENTENCES, beam_size: int = BEAM_SIZE
) -> tuple[dict, list[list[str]]]:
    """Every measurement of one translator on the test split (the beam on its first `beam_sentences` pairs),
    and its greedy outputs."""
    pairs = data.splits.test
    if not 0 <= beam_sentences <= len(pairs):
        raise ValueError(f"beam_sentences must lie in 0..{len(pairs)}, got {beam_sentences}")
    references = [list(pair.french) for pair in pairs]
    lengths = [len(pair.english) for pair in pairs]
    outputs = decode_split(model, data.test, data.tgt_vocab, MAX_LEN)
    hits = teacher_forced_hits(model, data.test)
    bias = exposure_bias(hits, outputs, references)
    right = [o == r for o, r in zip(outputs, references)]
    groups = combination_groups(pairs, data.splits)
    beams = [beam_outcome(model, data, pairs[i], outputs[i], beam_size) for i in range(beam_sentences)]
    long = [i for i, n in enumerate(lengths) if n >= LONG_FROM]
    long_rows = [hits[i] for i in long]
    record = {
        "exact_match": exact_match(outputs, references),
        "token_accuracy": token_accuracy(outputs, references),
        "bleu": corpus_bleu(outputs, references),
        "teacher_forced": float(np.concatenate(hits).mean()),
        "errors_teacher_forced": bias.teacher_forced,
        "errors_edits": bias.edits,
        "errors_positional": bias.positional,
        "same_first_mistake": bias.same_first_mistake,
        "unseen": _subset(outputs, references, groups["unseen"]),
        "seen": _subset(outputs, references, groups["seen"]),
        "seen_at_unseen_lengths": length_matched_exact_match(right, lengths, groups["seen"], groups["unseen"]),
        "beam_codes": "".join(str(b.code) for b in beams),
        "beam_total_changed": sum(b.total_changed for b in beams),
        "beam_normalised_changed": sum(b.normalised_changed for b in beams),
        "beam_words": [sum(b.words[k] for b in beams) for k in range(3)],
        "by_position_long": accuracy_by_position(long_rows),
        "by_position_long_nouns": accuracy_by_position(long_rows, keep=[noun_positions(references[i]) for i in long]),
        "by_length": accuracy_by_length(hits, lengths),
        "exact_by_length": [
            float(np.mean([right[i] for i, n in enumerate(lengths) if low <= n <= high])) for low, high in LENGTH_BINS
        ],
    }
    return record, outputs


# --- The cache ------------------------------------------------------------------------------------


def evaluation_cache(data: Data) -> ResultCache:
    """The cached evaluations: stale when the test pairs, the settings or the translators' records change."""
    settings = {
        "translators": list(TRANSLATORS),
        "seeds": list(SEEDS),
        "max_len": MAX_LEN,
        "beam_size": BEAM_SIZE,
        "beam_sentences": BEAM_SENTENCES,
        "long_from": LONG_FROM,
        "position_bins": POSITION_BINS,
        "length_bins": [list(b) for b in LENGTH_BINS],
    }
    trained = [[load_records(name, data)[seed]["losses"] for seed in SEEDS] for name in TRANSLATORS]
    tests = "\n".join(f"{pair.english_text}\t{pair.french_text}" for pair in data.splits.test)
    return ResultCache(CACHE_PATH, SCRIPT, settings, fingerprint(tests, trained), key=("name", "seed"))


def load_evaluations(data: Data) -> dict[str, dict[int, dict]]:
    """Every cached record by translator and seed, refused if stale."""
    expected = [(name, seed) for name in TRANSLATORS for seed in SEEDS]
    records = evaluation_cache(data).load(expected=expected)
    out: dict[str, dict[int, dict]] = {name: {} for name in TRANSLATORS}
    for record in records:
        out[record["name"]][record["seed"]] = record
    return out


def per_seed(records: dict[int, dict], *path: str) -> dict[int, float]:
    """One number of every seed's record, e.g. per_seed(records["plain"], "unseen", "exact_match")."""
    out = {}
    for seed, record in records.items():
        value: object = record
        for key in path:
            if not isinstance(value, dict):
                raise ValueError(f"the record's field before {key!r} is a number, not a group of fields")
            if key not in value:
                raise ValueError(f"no field {key!r} in the record (fields: {sorted(value)})")
            value = value[key]
        if not isinstance(value, (int, float)):
            raise ValueError(f"the field {'/'.join(path)} is not a number")
        out[seed] = float(value)
    return out


def beam_per_seed(records: dict[int, dict], a: int, b: int) -> dict[int, float]:
    """Exact match of decoder a minus decoder b (GREEDY, TOTAL or NORMALISED; b = 0 for a's own) by seed."""
    out = {}
    for seed, record in records.items():
        codes = [int(c) for c in record["beam_codes"]]
        out[seed] = paired_difference(codes, a, b)[0] if b else float(np.mean([bool(c & a) for c in codes]))
    return out


# How far a re-evaluation may differ from the record on another CPU: greedy decoding can flip a word where two
# are nearly tied, so a few sentences of 2000 (an error count by a few hundredths per sentence).
TOLERANCES = {
    "exact_match": Tolerance(abs=3 / 2000),
    "token_accuracy": Tolerance(abs=0.003),
    "bleu": Tolerance(abs=0.3),
    "teacher_forced": Tolerance(abs=0.002),
    "errors_teacher_forced": Tolerance(abs=0.02),
    "errors_edits": Tolerance(abs=0.03),
    "errors_positional": Tolerance(abs=0.05),
    "seen_at_unseen_lengths": Tolerance(abs=0.003),
    "by_position_long": Tolerance(abs=0.005),
    "by_position_long_nouns": Tolerance(abs=0.01),
    "by_length": Tolerance(abs=0.005),
}
