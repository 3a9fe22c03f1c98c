"""Character language models: an RNN or LSTM over characters, its training loop and text generation.

Training uses truncated backpropagation through time: the text is cut into `batch_size` parallel
streams, each step reads the next `seq_len` characters of every stream, the hidden state is carried
from one step to the next but detached, so gradients flow back at most `seq_len` steps. Gradients
are clipped by their global norm before each update.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from helpers.course import validate
from helpers.course.exercises import Case, Exercise
from helpers.text import batchify, chunks
from helpers.training import Hook, TrainLog, progress, train
from helpers.vocab import Vocabulary

State = torch.Tensor | tuple[torch.Tensor, torch.Tensor] | None
KINDS = {"rnn": nn.RNN, "lstm": nn.LSTM}


class CharLM(nn.Module):
    """Embedding → recurrent layer (vanilla RNN or LSTM) → linear read-out over the vocabulary."""

    def __init__(self, vocab_size: int, hidden_size: int, kind: str = "rnn", tie_weights: bool = False):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
        vocab_size = validate.whole("vocab_size", vocab_size, low=2)
        hidden_size = validate.whole("hidden_size", hidden_size)
        self.kind = kind
        self.vocab_size = vocab_size
        self.embedding = nn.Embedding(vocab_size, hidden_size)
        self.rnn = KINDS[kind](hidden_size, hidden_size, batch_first=True)
        self.readout = nn.Linear(hidden_size, vocab_size)
        if tie_weights:  # the read-out reuses the input embedding: one (vocab, hidden) matrix, not two
            self.readout.weight = self.embedding.weight

    def forward(self, ids: torch.Tensor, state: State = None) -> tuple[torch.Tensor, State]:
        """Logits for the next character at every position, shape (batch, seq, vocab), and the new state."""
        if ids.dim() != 2 or ids.dtype != torch.int64:
            raise ValueError(
                f"expected int64 character ids of shape (batch, seq), got {ids.dtype} of shape {tuple(ids.shape)}"
            )
        if ids.numel() and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(f"ids must lie in 0..{self.vocab_size - 1}, got {ids.min().item()}..{ids.max().item()}")
        outputs, state = self.rnn(self.embedding(ids), state)
        return self.readout(outputs), state


def detach_state(state: State) -> State:
    """Cut the graph behind a hidden state (a tensor, or the LSTM's (h, c) pair)."""
    if state is None:
        return None
    if isinstance(state, tuple):
        h, c = state
        return h.detach(), c.detach()
    return state.detach()


def next_char_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy (nats per character) of logits (batch, seq, vocab) against targets (batch, seq)."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


@torch.no_grad()
def perplexity(model: CharLM, ids: torch.Tensor, batch_size: int = 16, seq_len: int = 200) -> float:
    """exp(mean cross-entropy) over every character of held-out ids after the first, read as parallel streams.

    The text is cut into `batch_size` contiguous streams (each starting with a blank memory); the last one is
    padded and the padding is not scored, so exactly ids[1:] is scored: the same characters as the n-grams.
    """
    if ids.ndim != 1 or len(ids) < 2:
        raise ValueError(f"ids must be 1-D with at least 2 characters, got shape {tuple(ids.shape)}")
    batch_size = validate.whole("batch_size", batch_size)
    seq_len = validate.whole("seq_len", seq_len)
    targets = len(ids) - 1
    streams = min(batch_size, targets)
    length = math.ceil(targets / streams)
    pad = streams * length - targets
    x = torch.cat([ids[:-1], ids.new_zeros(pad)]).reshape(streams, length)
    y = torch.cat([ids[1:], ids.new_full((pad,), -100)]).reshape(streams, length)  # -100: not scored
    training = model.training
    model.eval()
    total, state = 0.0, None
    for start in range(0, length, seq_len):
        logits, state = model(x[:, start : start + seq_len], state)
        chunk = y[:, start : start + seq_len].reshape(-1)
        total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), chunk, reduction="sum", ignore_index=-100).item()
    model.train(training)
    return math.exp(total / targets)


def train_lm(
    model: CharLM,
    train_ids: torch.Tensor,
    steps: int,
    batch_size: int = 32,
    seq_len: int = 100,
    lr: float = 3e-3,
    clip: float | None = 1.0,
    reports: int = 5,
    report: Callable[[str], None] | None = print,
    final_lr: float | None = None,
    hooks: Sequence[Hook] = (),
    stop_after: int | None = None,
) -> TrainLog:
    """Train with truncated BPTT (state carried, detached) and global-norm clipping; return the log.

    Update i reads chunk i of the streams (starting over with a blank memory after the last chunk).
    Prints `reports` progress lines (no timings; see training.progress).
    `final_lr`, `hooks` and `stop_after`: see training.train.
    """
    steps = validate.whole("steps", steps)
    reports = validate.whole("reports", reports, low=0)
    pieces = chunks(batchify(train_ids, batch_size), seq_len)
    state: State = None

    def batch_loss(step: int) -> torch.Tensor:
        nonlocal state
        position = step % len(pieces)
        if position == 0:
            state = None  # a new pass over the text starts from a blank memory
        x, y = pieces[position]
        logits, state = model(x, detach_state(state))
        return next_char_loss(logits, y)

    shown = [progress(steps, reports, "nats/char", report=report)] if report and reports else []
    return train(
        model, batch_loss, steps, lr=lr, clip=clip, hooks=[*shown, *hooks], final_lr=final_lr, stop_after=stop_after
    )


def clip_by_global_norm(grads: list[torch.Tensor], max_norm: float) -> tuple[list[torch.Tensor], float]:
    """Scale all gradients together so their joint L2 norm is at most max_norm; return them and the old norm."""
    validate.positive("max_norm", max_norm)
    norm = math.sqrt(sum(float((g.double() ** 2).sum()) for g in grads))
    if not math.isfinite(norm):
        raise ValueError(f"the gradients hold NaN or inf (joint norm {norm}): clipping cannot rescue a diverged step")
    scale = min(1.0, max_norm / (norm + 1e-6))
    return [g * scale for g in grads], norm


def with_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Probabilities softmax(logits / T); T < 1 sharpens, T > 1 flattens."""
    if not validate.number("temperature", temperature) > 0:
        raise ValueError(f"temperature must be > 0 (use greedy decoding for T → 0), got {temperature}")
    return torch.softmax(logits / temperature, dim=-1)


@torch.no_grad()  # sampling needs no gradients: without this the graph would grow with every character
def generate(
    model: CharLM, vocab: Vocabulary, prompt: str, length: int, temperature: float, generator: torch.Generator
) -> str:
    """Continue `prompt` by `length` sampled characters; temperature 0 means always the likeliest."""
    if not prompt:
        raise ValueError(f"need a non-empty prompt and length ≥ 0, got {prompt!r} and {length}")
    length = validate.whole("length", length, low=0)
    validate.non_negative("temperature", temperature)
    training = model.training
    model.eval()
    logits, state = model(vocab.encode(prompt).unsqueeze(0))
    out = []
    for _ in range(length):
        last = logits[0, -1]
        if temperature == 0:
            choice = int(last.argmax())
        else:
            choice = int(torch.multinomial(with_temperature(last, temperature), 1, generator=generator))
        out.append(choice)
        logits, state = model(torch.tensor([[choice]]), state)
    model.train(training)
    return prompt + vocab.decode(out)


def made_up_share(text: str, known_words: set[str]) -> float:
    """The share of a text's words (split at white space) that never occur among `known_words`."""
    words = text.split()
    if not words:
        raise ValueError("the text has no words to count")
    return sum(word not in known_words for word in words) / len(words)


# --- Exercises (notebook 03) ------------------------------------------------------------------


def clip_gradient(g: np.ndarray, threshold: float) -> np.ndarray:
    """Rescale g to length `threshold` if it is longer; leave it alone otherwise."""
    validate.non_negative("threshold", threshold)
    norm = np.linalg.norm(g)
    return g * (threshold / norm) if norm > threshold else g


def temperature_probabilities(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / T), computed stably (the largest logit is subtracted first)."""
    validate.positive("temperature", temperature)
    z = logits / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


check_clip_gradient = Exercise(
    "clip_gradient",
    reference=clip_gradient,
    cases=[
        Case((np.array([3.0, 4.0]), 1.0)),
        Case((np.array([0.3, -0.4, 0.0]), 1.0)),
        Case((np.array([10.0, -20.0, 5.0, 1.0]), 5.0)),
        Case((np.array([-6.0]), 2.0)),
    ],
    hidden_cases=[
        Case((np.zeros(3), 1.0)),  # a zero gradient stays zero
        Case((np.array([1.0, 1.0, 1.0, 1.0]), 2.0)),  # a norm exactly at the threshold is left alone
        Case((np.array([0.5, -12.0, 5.0]), 0.1)),
    ],
    mistakes={
        "clip each entry to ±threshold instead of rescaling the whole vector": lambda g, t: np.clip(g, -t, t),
        "rescale every gradient to the threshold, even short ones": lambda g, t: g * t / np.linalg.norm(g),
        "divide by the norm but forget to multiply by the threshold": lambda g, t: (
            g / np.linalg.norm(g) if np.linalg.norm(g) > t else g
        ),
    },
)

check_temperature_probabilities = Exercise(
    "temperature_probabilities",
    reference=temperature_probabilities,
    cases=[
        Case((np.array([2.0, 1.0, 0.1]), 1.0)),
        Case((np.array([2.0, 1.0, 0.1]), 0.5)),
        Case((np.array([0.0, 3.0, -1.0, 1.0]), 1.5)),
        Case((np.array([1000.0, 999.0, 0.0]), 0.8)),
    ],
    hidden_cases=[
        Case((np.zeros(3), 0.3)),  # equal logits: equal probabilities at any temperature
        Case((np.array([-1000.0, -1001.0, -999.0, 5.0]), 0.1)),
        Case((np.array([1.0, 2.0, 4.0]), 3.0)),
    ],
    mistakes={
        "multiply the logits by T instead of dividing": lambda logits, t: temperature_probabilities(logits * t * t, t),
        "forget the temperature (plain softmax)": lambda logits, t: temperature_probabilities(logits, 1.0),
        "return logits / T without the softmax": lambda logits, t: logits / t,
    },
)
