"""Notebook 03's last question: what does it take for an LSTM to beat well-smoothed counts (Kneser–Ney)?

The notebook's models train for one minute and lose to a 4-gram. This module trains one larger LSTM for
longer (about 40 minutes on one CPU thread, so `scripts/train_seed_runs.py long` does it and caches the
record and the weights), measuring validation perplexity along the way on exactly the characters the
n-grams are scored on. The weights are stored in half precision; the record's final perplexities are those
of the stored weights (the checkpoints', of the full-precision weights while training), so
tests/test_long_lm.py re-computes one from the file and replays the first updates.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from helpers.cache import DATA_DIR, ResultCache, Tolerance, fingerprint, loss_summary
from helpers.lm import CharLM, perplexity, train_lm
from helpers.training import TrainLog, count_parameters

PATH = DATA_DIR / "seeds" / "long_lstm.json"
WEIGHTS = DATA_DIR / "seeds" / "long_lstm.pt"
SCRIPT = "python scripts/train_seed_runs.py long"
HEAD = 20_001  # the first characters of the validation text, re-scored by the tests in seconds


@dataclass(frozen=True)
class LongRun:
    """The longer run: one LSTM, a cosine-decayed learning rate, validation checkpoints along the way."""

    hidden_size: int = 384
    steps: int = 2400
    batch_size: int = 64
    seq_len: int = 100
    lr: float = 2e-3
    final_lr: float = 1e-4
    clip: float = 1.0
    eval_every: int = 400
    seed: int = 0


LONG_RUN = LongRun()
# The replayed first losses agree across CPUs to a few parts in a thousand; the head perplexity is recomputed
# from the stored weights, so only the arithmetic of one forward pass can differ.
TOLERANCES = {"first_losses": Tolerance(rel=2e-3), "head_perplexity": Tolerance(rel=1e-3)}


def half_precision(model: CharLM) -> None:
    """Round the model's weights to what the half-precision file keeps, so measurements match the stored model."""
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(parameter.half().float())


def train_long(
    vocab_size: int, train_ids: torch.Tensor, val_ids: torch.Tensor, run: LongRun = LONG_RUN, steps: int | None = None
) -> tuple[CharLM, dict, TrainLog]:
    """Train the longer LSTM (torch seeded with run.seed), scoring validation every run.eval_every updates.

    `steps` stops early, on the same learning-rate schedule (a test replays the first updates); checkpoints are
    then skipped.
    """
    torch.manual_seed(run.seed)
    model = CharLM(vocab_size, hidden_size=run.hidden_size, kind="lstm")
    curve: list[tuple[int, float]] = []

    def checkpoint(step: int, log: TrainLog) -> None:
        if steps is None and step % run.eval_every == 0:
            curve.append((step, perplexity(model, val_ids)))
            print(f"update {step}: validation perplexity {curve[-1][1]:.3f}", flush=True)

    log = train_lm(
        model,
        train_ids,
        run.steps,
        batch_size=run.batch_size,
        seq_len=run.seq_len,
        lr=run.lr,
        final_lr=run.final_lr,
        clip=run.clip,
        report=None,
        hooks=[checkpoint],
        stop_after=steps,
    )
    half_precision(model)
    record = {
        "seed": run.seed,
        "parameters": count_parameters(model),
        "curve": curve,
        "perplexity": perplexity(model, val_ids) if steps is None else None,
        "head_perplexity": perplexity(model, val_ids[:HEAD]),
        **loss_summary(log.losses),
        "clipped": log.clipped,
        "seconds": log.seconds,
    }
    return model, record, log


def cache(train_ids: torch.Tensor, val_ids: torch.Tensor, run: LongRun = LONG_RUN) -> ResultCache:
    """Where the longer run is cached, how to rebuild it, and what must match: its settings and the data."""
    return ResultCache(PATH, SCRIPT, asdict(run), fingerprint(train_ids, val_ids), key=("seed",))


def save(model: CharLM, record: dict, train_ids: torch.Tensor, val_ids: torch.Tensor, run: LongRun = LONG_RUN) -> None:
    """Write the record (course cache format) and the weights in half precision."""
    cache(train_ids, val_ids, run).save([record])
    torch.save({name: value.half() for name, value in model.state_dict().items()}, WEIGHTS)


def load(
    vocab_size: int, train_ids: torch.Tensor, val_ids: torch.Tensor, run: LongRun = LONG_RUN
) -> tuple[CharLM, dict]:
    """The cached longer-trained LSTM and its record; refused if made from other data or settings."""
    (record,) = cache(train_ids, val_ids, run).load(expected=[(run.seed,)])
    model = CharLM(vocab_size, hidden_size=run.hidden_size, kind="lstm")
    state = torch.load(WEIGHTS, weights_only=True)
    model.load_state_dict({name: value.float() for name, value in state.items()})
    return model.eval(), record
