"""Notebook 03's language models over seeds: five models, each trained with 5 seeds on the same budget.

The vanilla RNN and the LSTM at 128 units are the notebook's models; they differ in size as well as in
kind (the LSTM has 2.9× the parameters), so two more models match them in size: an RNN of 240 units
(the LSTM-128's parameter count) and an LSTM of 72 units (the RNN-128's). A fifth, the LSTM-128 with
tied embedding and read-out weights, tests weight tying.

One training run takes 15–60 s, so the notebook trains one live and reads every seed from a cache that
`scripts/train_seed_runs.py lm` writes (the course's cache format, helpers.cache). The tests replay the
first updates of seed 0 of every model, and seed 0 of the RNN in full, and compare them with the cache.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from helpers.cache import DATA_DIR, ResultCache, Tolerance, fingerprint, loss_summary
from helpers.connectivity import connectivity_profile, spread_positions
from helpers.lm import CharLM, perplexity, train_lm
from helpers.text import load_plays, split_by_play
from helpers.training import count_parameters
from helpers.vocab import Vocabulary

PATH = DATA_DIR / "seeds" / "language_models.json"
WEIGHTS = DATA_DIR / "seeds" / "language_models_seed0.pt"  # seed 0 of SAVED, in half precision
SAVED = ("lstm",)  # the notebook trains the RNN live and loads this one for its connectivity view
SCRIPT = "python scripts/train_seed_runs.py lm"


# name -> (kind, hidden size, tied embedding and read-out weights)
MODELS: dict[str, tuple[str, int, bool]] = {
    "rnn": ("rnn", 128, False),
    "lstm": ("lstm", 128, False),
    "rnn_240": ("rnn", 240, False),
    "lstm_72": ("lstm", 72, False),
    "lstm_tied": ("lstm", 128, True),
}


@dataclass(frozen=True)
class Budget:
    """Notebook 03's training budget, the same for every model and every seed."""

    steps: int = 600
    batch_size: int = 32
    seq_len: int = 100
    lr: float = 3e-3
    clip: float = 1.0
    models: tuple[str, ...] = tuple(MODELS)
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    probe_positions: int = 256  # validation positions at which the connectivity profile is measured
    probe_distance: int = 100  # how far back it looks


BUDGET = Budget()

# The first losses follow the same data, initialisation and arithmetic on every CPU; the perplexity after
# hundreds of updates differs in the second decimal between CPUs' vector units, inside its seed-to-seed spread.
# The connectivity profile (mean log10 gradient norm by distance) of a trained model moves with it: a generous
# half an order of magnitude.
TOLERANCES = {
    "first_losses": Tolerance(rel=2e-3),
    "perplexity": Tolerance(abs=0.05),
    "connectivity": Tolerance(abs=0.5),
}


def course_ids() -> tuple[Vocabulary, torch.Tensor, torch.Tensor]:
    """Notebook 03's data: the vocabulary of the training plays and the training and validation ids."""
    train_text, val_text = split_by_play(load_plays())
    vocab = Vocabulary.from_text(train_text)
    return vocab, vocab.encode(train_text), vocab.encode(vocab.replace_unknown(val_text))


def build(name: str, vocab_size: int) -> CharLM:
    """A fresh model of one of MODELS (initialised from torch's current random state)."""
    if name not in MODELS:
        raise ValueError(f"model must be one of {sorted(MODELS)}, got {name!r}")
    kind, hidden_size, tied = MODELS[name]
    return CharLM(vocab_size, hidden_size=hidden_size, kind=kind, tie_weights=tied)


def train_seed(
    name: str,
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
    if name not in budget.models:
        raise ValueError(f"model must be one of {budget.models}, got {name!r}")
    torch.manual_seed(seed)
    model = build(name, vocab_size)
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
        "model": name,
        "seed": seed,
        "parameters": count_parameters(model),
        "perplexity": perplexity(model, val_ids),
        "connectivity": connectivity(model, val_ids, budget).tolist(),
        **loss_summary(log.losses),
        "clipped": log.clipped,
        "largest_grad_norm": max(log.grad_norms),
        "seconds": log.seconds,
    }
    return model, record


def connectivity(model: CharLM, val_ids: torch.Tensor, budget: Budget = BUDGET) -> np.ndarray:
    """Mean log10 gradient norm of the next-character prediction by distance back, over validation positions."""
    positions = spread_positions(len(val_ids), budget.probe_positions, budget.probe_distance)
    return connectivity_profile(model, val_ids, positions, budget.probe_distance)


def save_weights(models: dict[str, CharLM]) -> None:
    """Store the given seed-0 models (names from SAVED) in half precision."""
    if sorted(models) != sorted(SAVED):
        raise ValueError(f"expected the seed-0 models {sorted(SAVED)}, got {sorted(models)}")
    torch.save({name: {k: v.half() for k, v in m.state_dict().items()} for name, m in models.items()}, WEIGHTS)


def load_weights(name: str, vocab_size: int) -> CharLM:
    """The stored seed-0 model `name` (one of SAVED), ready to evaluate."""
    if name not in SAVED:
        raise ValueError(f"only seed 0 of {SAVED} is stored, got {name!r}")
    model = build(name, vocab_size)
    state = torch.load(WEIGHTS, weights_only=True)[name]
    model.load_state_dict({k: v.float() for k, v in state.items()})
    return model.eval()


def cache(train_ids: torch.Tensor, val_ids: torch.Tensor, budget: Budget = BUDGET) -> ResultCache:
    """Where the runs are cached, how to rebuild them, and what must match: the budget and the data."""
    return ResultCache(PATH, SCRIPT, asdict(budget), fingerprint(train_ids, val_ids), key=("model", "seed"))


def load_runs(train_ids: torch.Tensor, val_ids: torch.Tensor, budget: Budget = BUDGET) -> dict[str, dict[int, dict]]:
    """The cached record of every (model, seed), as runs[model][seed]; refused if made from other data or settings."""
    records = cache(train_ids, val_ids, budget).load(expected=[(m, s) for m in budget.models for s in budget.seeds])
    return {name: {r["seed"]: r for r in records if r["model"] == name} for name in budget.models}


def perplexities(runs: dict[str, dict[int, dict]], name: str) -> dict[int, float]:
    """Validation perplexity by seed for one model."""
    return {seed: record["perplexity"] for seed, record in runs[name].items()}
