"""Notebook 03's language models over seeds: the vanilla RNN and the LSTM, each trained with 5 seeds.

One training run takes 15–30 s, so the notebook trains seed 0 of each live and reads every seed
from a cache that `scripts/train_seed_runs.py lm` writes (the course's cache format, helpers.cache).
The test re-trains seed 0 of each kind and compares it with the cache; the notebook shows that its
live seed-0 run starts exactly like the cached one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from helpers.cache import DATA_DIR, ResultCache, Tolerance, fingerprint, loss_summary
from helpers.lm import CharLM, perplexity, train_lm
from helpers.text import load_plays, split_by_play
from helpers.vocab import Vocabulary

PATH = DATA_DIR / "seeds" / "language_models.json"
SCRIPT = "python scripts/train_seed_runs.py lm"


@dataclass(frozen=True)
class Budget:
    """Notebook 03's training budget, the same for both kinds of model and every seed."""

    hidden_size: int = 128
    steps: int = 600
    batch_size: int = 32
    seq_len: int = 100
    lr: float = 3e-3
    clip: float = 1.0
    kinds: tuple[str, ...] = ("rnn", "lstm")
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)


BUDGET = Budget()

# The first losses follow the same data, initialisation and arithmetic on every CPU; the perplexity after
# hundreds of updates differs in the second decimal between CPUs' vector units, inside its seed-to-seed spread.
TOLERANCES = {"first_losses": Tolerance(rel=2e-3), "perplexity": Tolerance(abs=0.05)}


def course_ids() -> tuple[Vocabulary, torch.Tensor, torch.Tensor]:
    """Notebook 03's data: the vocabulary of the training plays and the training and validation ids."""
    train_text, val_text = split_by_play(load_plays())
    vocab = Vocabulary.from_text(train_text)
    return vocab, vocab.encode(train_text), vocab.encode(vocab.replace_unknown(val_text))


def train_seed(
    kind: str,
    seed: int,
    vocab_size: int,
    train_ids: torch.Tensor,
    val_ids: torch.Tensor,
    budget: Budget = BUDGET,
    steps: int | None = None,
) -> tuple[CharLM, dict]:
    """Train one model exactly as notebook 03 does (torch seeded with `seed`) and keep its record.

    `steps` stops early (a test replays the first updates only); the record is then of that shorter run.
    """
    if kind not in budget.kinds:
        raise ValueError(f"kind must be one of {budget.kinds}, got {kind!r}")
    torch.manual_seed(seed)
    model = CharLM(vocab_size, hidden_size=budget.hidden_size, kind=kind)
    log = train_lm(
        model,
        train_ids,
        steps or budget.steps,
        batch_size=budget.batch_size,
        seq_len=budget.seq_len,
        lr=budget.lr,
        clip=budget.clip,
        report=None,
    )
    record = {
        "kind": kind,
        "seed": seed,
        "perplexity": perplexity(model, val_ids),
        **loss_summary(log.losses),
        "clipped": log.clipped,
        "largest_grad_norm": max(log.grad_norms),
        "seconds": log.seconds,
    }
    return model, record


def cache(train_ids: torch.Tensor, val_ids: torch.Tensor, budget: Budget = BUDGET) -> ResultCache:
    """Where the runs are cached, how to rebuild them, and what must match: the budget and the data."""
    return ResultCache(PATH, SCRIPT, asdict(budget), fingerprint(train_ids, val_ids), key=("kind", "seed"))


def load_runs(train_ids: torch.Tensor, val_ids: torch.Tensor, budget: Budget = BUDGET) -> dict[str, dict[int, dict]]:
    """The cached record of every (kind, seed), as runs[kind][seed]; refused if made from other data or settings."""
    records = cache(train_ids, val_ids, budget).load(expected=[(k, s) for k in budget.kinds for s in budget.seeds])
    return {kind: {r["seed"]: r for r in records if r["kind"] == kind} for kind in budget.kinds}


def perplexities(runs: dict[str, dict[int, dict]], kind: str) -> dict[int, float]:
    """Validation perplexity by seed for one kind of model."""
    return {seed: record["perplexity"] for seed, record in runs[kind].items()}
