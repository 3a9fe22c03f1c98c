"""Notebook 04: subject–verb agreement across a clause, a long dependency in a sentence.

"The keys to the old wooden cabinet are …": the verb agrees with the subject ("keys", plural), not with
the noun right before it ("cabinet", singular, an *attractor*). Linzen, Dupoux & Goldberg (2016) trained
LSTMs to predict a verb's number in real English sentences and counted their errors by the number of
attractors. Here is a small synthetic version that a vanilla RNN can be trained on in a second:

- a subject noun, singular or plural (the label: the verb's number, 0 = singular "is", 1 = plural "are");
- a clause of k tokens: filler words ("to", "the", "old", …), now and then a noun of either number (it
  says nothing about the subject), and last the noun nearest the verb, which agrees with the subject
  except with probability `attractor_rate` (as in real text, the nearest noun usually agrees).

So "agree with the nearest noun" is a strong shortcut (right about 1 − attractor_rate of the time)
that needs no memory at all, and only sentences whose nearest noun is an attractor tell a model that
reads the subject from one that copies the nearest noun.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import torch
import torch.nn.functional as F

from helpers import training
from helpers.course import validate
from helpers.experiments import run_seeds
from helpers.tasks import SequenceModel, input_gradient_norms

NOUNS = ("key", "cabinet", "door", "drawer")  # each in two forms: singular, then plural (+ "s")
FILLERS = ("to", "the", "old", "wooden", "of", "near", "small", "red")
VOCAB = tuple(form for noun in NOUNS for form in (noun, noun + "s")) + FILLERS
VERBS = ("is", "are")  # the verb's number: 0 = singular, 1 = plural


@dataclass(frozen=True)
class Sentences:
    """A batch of agreement sentences: tokens, one-hot inputs, the subject's number and the nearest noun's."""

    ids: torch.Tensor  # (n, 1 + k) token ids into VOCAB; position 0 is the subject
    x: torch.Tensor  # (n, 1 + k, len(VOCAB)) one-hot inputs
    number: torch.Tensor  # (n,) int64: the subject's number, which the verb must have (the label)
    nearest: torch.Tensor  # (n,) int64: the number of the noun nearest the verb (the clause's last token)

    @property
    def attractor(self) -> torch.Tensor:
        """(n,) bool: the nearest noun has the other number (an attractor stands right before the verb)."""
        return self.nearest != self.number

    def sentence(self, i: int) -> str:
        """Sentence i in words, with the verb it needs: 'keys to the old wooden cabinet → are'."""
        if not 0 <= i < len(self.ids):
            raise ValueError(f"i must lie in 0..{len(self.ids) - 1}, got {i}")
        words = " ".join(VOCAB[t] for t in self.ids[i].tolist())
        return f"{words} → {VERBS[int(self.number[i])]}"


def agreement_task(
    n: int, clause_length: int, generator: torch.Generator, attractor_rate: float = 0.25, noun_rate: float = 0.25
) -> Sentences:
    """n sentences: a subject, then a clause of clause_length tokens whose last token is the noun nearest the verb.

    The nearest noun has the subject's number except with probability attractor_rate; each earlier clause
    token is a noun of random number with probability noun_rate, else a filler word.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a whole number ≥ 1, got {n!r}")
    if isinstance(clause_length, bool) or not isinstance(clause_length, int) or clause_length < 1:
        raise ValueError(
            f"clause_length must be a whole number ≥ 1 (the nearest noun is its last token), got {clause_length!r}"
        )
    for name, rate in (("attractor_rate", attractor_rate), ("noun_rate", noun_rate)):
        if not 0 <= validate.number(name, rate) <= 1:
            raise ValueError(f"{name} must be a probability between 0 and 1, got {rate}")
    nouns, fillers = len(NOUNS), len(FILLERS)
    number = torch.randint(0, 2, (n,), generator=generator)
    subject = 2 * torch.randint(0, nouns, (n,), generator=generator) + number
    is_noun = torch.rand(n, clause_length - 1, generator=generator) < noun_rate
    middle_nouns = 2 * torch.randint(0, nouns, (n, clause_length - 1), generator=generator)
    middle_nouns += torch.randint(0, 2, (n, clause_length - 1), generator=generator)  # either number
    middle_fillers = 2 * nouns + torch.randint(0, fillers, (n, clause_length - 1), generator=generator)
    middle = torch.where(is_noun, middle_nouns, middle_fillers)
    attractor = torch.rand(n, generator=generator) < attractor_rate
    nearest = torch.where(attractor, 1 - number, number)
    last = 2 * torch.randint(0, nouns, (n,), generator=generator) + nearest
    ids = torch.cat([subject[:, None], middle, last[:, None]], dim=1)
    return Sentences(ids, F.one_hot(ids, len(VOCAB)).float(), number, nearest)


@torch.no_grad()
def scores(model: SequenceModel, sentences: Sentences) -> dict[str, float]:
    """Accuracy of the predicted verb number: on all sentences, on those with an attractor, on those without."""
    right = model(sentences.x).argmax(dim=-1) == sentences.number
    attractor = sentences.attractor
    if attractor.all() or not attractor.any():
        raise ValueError("need sentences both with and without an attractor to score each kind")
    return {
        "accuracy": float(right.float().mean()),
        "attractor_accuracy": float(right[attractor].float().mean()),
        "agreeing_accuracy": float(right[~attractor].float().mean()),
    }


def nearest_noun_scores(sentences: Sentences) -> dict[str, float]:
    """The same three accuracies for the rule 'give the verb the number of the nearest noun' (no memory at all)."""
    right = sentences.nearest == sentences.number
    return {
        "accuracy": float(right.float().mean()),
        "attractor_accuracy": float(right[sentences.attractor].float().mean()),
        "agreeing_accuracy": float(right[~sentences.attractor].float().mean()),
    }


def log10_subject_share(model: SequenceModel, sentences: Sentences) -> float:
    """log10(‖∂L/∂x_subject‖ / ‖∂L/∂x_nearest‖): the subject's share of the loss's blame, in orders of magnitude."""
    norms = input_gradient_norms(model, sentences.x, sentences.number)
    return math.log10(norms[0] / norms[-1])


@dataclass(frozen=True)
class Settings:
    """Notebook 04's agreement experiment: the same model and budget as its first-symbol runs."""

    clause_lengths: tuple[int, ...] = (10, 15, 20)
    seeds: tuple[int, ...] = (0, 1, 2)
    hidden_size: int = 32
    steps: int = 300
    batch_size: int = 64
    lr: float = 3e-3
    clip: float = 1.0
    attractor_rate: float = 0.25
    noun_rate: float = 0.25
    test_size: int = 2000
    probe_size: int = 256  # test sentences on which the untrained model's gradients are measured
    test_seed: int = 999


SETTINGS = Settings()

READS_SUBJECT = 0.9  # attractor accuracy above this: the model reads the subject
COPIES_NEAREST = 0.1  # below this: it gives the verb the nearest noun's number


def test_sentences(clause_length: int, settings: Settings = SETTINGS) -> Sentences:
    """The fixed held-out sentences for one clause length (never trained on: their own generator seed)."""
    generator = torch.Generator().manual_seed(settings.test_seed)
    return agreement_task(settings.test_size, clause_length, generator, settings.attractor_rate, settings.noun_rate)


def _probe(test: Sentences, size: int) -> Sentences:
    return Sentences(test.ids[:size], test.x[:size], test.number[:size], test.nearest[:size])


def untrained_model(seed: int, settings: Settings = SETTINGS) -> SequenceModel:
    """The vanilla RNN a run starts from: PyTorch's default initialisation after torch.manual_seed(seed)."""
    if not isinstance(seed, int):
        raise ValueError(f"seed must be a whole number, got {seed!r}")
    torch.manual_seed(seed)
    return SequenceModel(len(VOCAB), settings.hidden_size, 2)


def untrained_subject_share(clause_length: int, seed: int, settings: Settings = SETTINGS) -> float:
    """log10 of the subject's share of the gradient (see log10_subject_share) before any training."""
    probe = _probe(test_sentences(clause_length, settings), settings.probe_size)
    return log10_subject_share(untrained_model(seed, settings), probe)


def run(clause_length: int, seed: int, settings: Settings = SETTINGS) -> tuple[SequenceModel, dict]:
    """Train one vanilla RNN (PyTorch's default initialisation) on one clause length; return it and its record."""
    model = untrained_model(seed, settings)
    test = test_sentences(clause_length, settings)
    untrained_share = log10_subject_share(model, _probe(test, settings.probe_size))
    generator = torch.Generator().manual_seed(1000 + seed)

    def batch_loss(step: int) -> torch.Tensor:
        batch = agreement_task(
            settings.batch_size, clause_length, generator, settings.attractor_rate, settings.noun_rate
        )
        return F.cross_entropy(model(batch.x), batch.number)

    log = training.train(model, batch_loss, settings.steps, lr=settings.lr, clip=settings.clip)
    record = {
        "clause_length": clause_length,
        "seed": seed,
        **scores(model, test),
        "untrained_log10_subject_share": untrained_share,
        "largest_gradient_norm": max(log.grad_norms),
        "clipped_updates": log.clipped,
    }
    return model, record


def record(clause_length: int, seed: int, settings: Settings = SETTINGS) -> dict:
    """The record of run(clause_length, seed) alone (the trained model is dropped)."""
    return run(clause_length, seed, settings)[1]


def run_grid(settings: Settings = SETTINGS) -> list[dict]:
    """One record for every clause length and seed of the settings, shortest clause first."""
    records: list[dict] = []
    for clause_length in settings.clause_lengths:
        records += run_seeds(partial(record, clause_length, settings=settings), settings.seeds).values()
    return records


def verdict(attractor_accuracy: float) -> str:
    """What a model did on the attractor sentences: 'reads the subject', 'copies the nearest noun' or 'mixed'."""
    if attractor_accuracy > READS_SUBJECT:
        return "reads the subject"
    if attractor_accuracy < COPIES_NEAREST:
        return "copies the nearest noun"
    return "mixed"


def summary_table(records: list[dict]) -> list[str]:
    """One line per record: clause length, seed, accuracies (whole percent) and the verdict on the attractors."""
    lines = [f"{'clause k':>8} {'seed':>4} {'all':>5} {'attractor':>9} {'agreeing':>8}  verdict"]
    for r in records:
        lines.append(
            f"{r['clause_length']:>8} {r['seed']:>4} {r['accuracy']:>5.0%} {r['attractor_accuracy']:>9.0%} "
            f"{r['agreeing_accuracy']:>8.0%}  {verdict(r['attractor_accuracy'])}"
        )
    return lines


def per_seed(records: list[dict], clause_length: int, field: str) -> dict[int, float]:
    """One field of every seed's record at one clause length, by seed (for experiments.summarise)."""
    found = {r["seed"]: float(r[field]) for r in records if r["clause_length"] == clause_length}
    if not found:
        raise ValueError(
            f"no record at clause length {clause_length}: have {sorted({r['clause_length'] for r in records})}"
        )
    return found
