"""Notebook 08: an English → French encoder–decoder, with a fixed context or with attention.

The encoder reads the English sentence into one state per word. The decoder writes the French
sentence one word at a time, starting from <bos> and stopping at <eos>:

- plain (Cho et al., 2014): the decoder starts from the encoder's final state and reads that same
  final state, the fixed context c, at every step beside the previous word: input [emb(y_{t−1}); c].
- attention (Bahdanau et al., 2015): at every step the decoder scores all encoder states against
  its previous state and reads their weighted sum c_t instead (helpers.attention).

Both predict the next word from [s_t; c_t]. Training feeds the gold previous word (teacher
forcing); with scheduled sampling some steps feed the model's own greedy guess instead. Each
training batch holds pairs of similar length, so little time goes into padding.

Data: sentence pairs are any objects with `.english` and `.french` token sequences, such as
helpers.phrasebook.Pair. A split is encoded once into padded id tensors (a `Batch`); padding is
always at the end of a row, and PAD has id 0 in both vocabularies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from helpers.attention import additive_scores, attention_step
from helpers.course import validate
from helpers.course.exercises import Case, Exercise
from helpers.training import TrainLog, progress, train
from helpers.vocab import Vocabulary

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)
PAD_ID, BOS_ID, EOS_ID, UNK_ID = range(len(SPECIALS))  # the same ids in every vocabulary
LAYERS = {"gru": nn.GRU, "lstm": nn.LSTM}  # a whole sequence in one fused call
CELLS = {"gru": nn.GRUCell, "lstm": nn.LSTMCell}  # one step at a time
State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]  # h (B, H), or an LSTM's (h, c)


# --- Words and ids ------------------------------------------------------------------------------


def words_of(vocab: Vocabulary, ids: Iterable[int]) -> list[str]:
    """The words of `ids` up to the first EOS, leaving out PAD and BOS."""
    words = []
    for i in ids:
        i = int(i)
        if i == EOS_ID:
            break
        if i not in (PAD_ID, BOS_ID):
            words.append(vocab[i])
    return words


class PairLike(Protocol):
    """A sentence pair: anything with English and French token sequences, such as phrasebook.Pair."""

    @property
    def english(self) -> Sequence[str]: ...

    @property
    def french(self) -> Sequence[str]: ...


def build_vocabs(pairs: Sequence[PairLike]) -> tuple[Vocabulary, Vocabulary]:
    """The English (source) and French (target) vocabularies of the pairs: the special tokens first, then words."""
    return (
        Vocabulary.from_sentences((pair.english for pair in pairs), SPECIALS),
        Vocabulary.from_sentences((pair.french for pair in pairs), SPECIALS),
    )


@dataclass
class Batch:
    """Sentence pairs as padded id tensors: the source (B, S), the decoder's input and target (B, T), and masks."""

    src: torch.Tensor  # English ids, PAD at the end of each row
    src_mask: torch.Tensor  # True at real source words
    tgt_in: torch.Tensor  # BOS + French: what the decoder reads
    tgt_out: torch.Tensor  # French + EOS: what it must predict, one step ahead of tgt_in
    tgt_mask: torch.Tensor  # True where tgt_out is a real word or the EOS

    def __len__(self) -> int:
        return len(self.src)

    def select(self, rows: torch.Tensor) -> Batch:
        """The given rows, cut to the longest source and target among them (no column of pure padding)."""
        src_mask, tgt_mask = self.src_mask[rows], self.tgt_mask[rows]
        s, t = int(src_mask.sum(dim=1).max()), int(tgt_mask.sum(dim=1).max())
        return Batch(
            self.src[rows][:, :s], src_mask[:, :s], self.tgt_in[rows][:, :t], self.tgt_out[rows][:, :t], tgt_mask[:, :t]
        )


def _padded(rows: list[list[int]], pad: int) -> torch.Tensor:
    out = torch.full((len(rows), max(map(len, rows))), pad, dtype=torch.int64)
    for i, row in enumerate(rows):
        out[i, : len(row)] = torch.tensor(row, dtype=torch.int64)
    return out


def _unknown_token(unknown: str) -> str | None:
    """What an unknown word becomes: an error ("error") or the UNK token ("unk")."""
    if unknown not in ("error", "unk"):
        raise ValueError(f"unknown must be 'error' or 'unk', got {unknown!r}")
    return UNK if unknown == "unk" else None


def _encode_all(vocab: Vocabulary, sentences: list[Sequence[str]], unknown: str, language: str) -> list[list[int]]:
    """Every sentence's ids; an error names all the unknown words of all the sentences at once."""
    missing = sorted({word for sentence in sentences for word in sentence if word not in vocab})
    if missing and unknown == "error":
        raise ValueError(
            f"{len(missing)} {language} word(s) not in the vocabulary: {', '.join(map(repr, missing))} "
            f"(pass unknown='unk' to read them as {UNK})"
        )
    return [vocab.ids(sentence, _unknown_token(unknown)) for sentence in sentences]


def make_batch(
    pairs: Sequence[PairLike], src_vocab: Vocabulary, tgt_vocab: Vocabulary, unknown: str = "error"
) -> Batch:
    """Pairs as one padded Batch: source = the English ids, tgt_in = BOS + French, tgt_out = French + EOS."""
    if not pairs:
        raise ValueError("expected at least one sentence pair, got none")
    empty = [i for i, pair in enumerate(pairs) if len(pair.english) == 0]
    if empty:
        raise ValueError(f"every English sentence needs at least one word; pairs {empty[:5]} are empty")
    src = _encode_all(src_vocab, [pair.english for pair in pairs], unknown, "English")
    tgt = _encode_all(tgt_vocab, [pair.french for pair in pairs], unknown, "French")
    src_ids = _padded(src, PAD_ID)
    tgt_in = _padded([[BOS_ID, *ids] for ids in tgt], PAD_ID)
    tgt_out = _padded([[*ids, EOS_ID] for ids in tgt], PAD_ID)
    return Batch(src_ids, src_ids != PAD_ID, tgt_in, tgt_out, tgt_out != PAD_ID)


def encode_pairs(
    pairs: Sequence[PairLike], src_vocab: Vocabulary, tgt_vocab: Vocabulary, unknown: str = "error"
) -> Batch:
    """A whole split encoded once; training batches are then its rows, `split.select(rows)`, with no Python per pair."""
    return make_batch(pairs, src_vocab, tgt_vocab, unknown)


# --- The model ----------------------------------------------------------------------------------


def hidden_of(state: State) -> torch.Tensor:
    """The hidden state h of a GRU state h or an LSTM state (h, c)."""
    return state[0] if isinstance(state, tuple) else state


def select_state(state: State, rows: torch.Tensor) -> State:
    """The given batch rows of a state (each of an LSTM's h and c)."""
    if isinstance(state, tuple):
        h, c = state
        return h[rows], c[rows]
    return state[rows]


def _as_layer(state: State) -> State:
    """(B, H) → (1, B, H): the shape nn.GRU / nn.LSTM take and return (one layer, one direction)."""
    if isinstance(state, tuple):
        h, c = state
        return h.unsqueeze(0), c.unsqueeze(0)
    return state.unsqueeze(0)


def _from_layer(state: State) -> State:
    if isinstance(state, tuple):
        h, c = state
        return h.squeeze(0), c.squeeze(0)
    return state.squeeze(0)


@dataclass
class Encoded:
    """The encoder's reading of a batch: every state, the state after each last real word, the mask, the keys."""

    states: torch.Tensor  # (B, S, H), zeros at padding
    final: State  # the state after each sentence's last real word: (B, H), or (h, c) for an LSTM
    mask: torch.Tensor  # (B, S), True at real words
    keys: torch.Tensor | None  # W_k h_j + b, (B, S, A), projected once per sentence; None without attention

    def rows(self, index: torch.Tensor) -> Encoded:
        """The given batch rows (repeat a row to decode several hypotheses of one sentence)."""
        return Encoded(
            self.states[index],
            select_state(self.final, index),
            self.mask[index],
            None if self.keys is None else self.keys[index],
        )


class Seq2Seq(nn.Module):
    """Encoder–decoder: a one-way GRU/LSTM encoder; a decoder with a fixed context, or with additive attention."""

    def __init__(
        self,
        src_vocab_size: int,
        tgt_vocab_size: int,
        embedding_size: int = 64,
        hidden_size: int = 128,
        kind: str = "gru",
        attention: bool = False,
        attention_size: int | None = None,
    ):
        super().__init__()
        if kind not in LAYERS:
            raise ValueError(f"kind must be one of {sorted(LAYERS)}, got {kind!r}")
        for name, size in (("src_vocab_size", src_vocab_size), ("tgt_vocab_size", tgt_vocab_size)):
            validate.number(name, size, integer=True)
        validate.number("embedding_size", embedding_size, integer=True)
        validate.number("hidden_size", hidden_size, integer=True)
        if min(src_vocab_size, tgt_vocab_size) <= len(SPECIALS) or min(embedding_size, hidden_size) < 1:
            raise ValueError(
                f"need vocabularies larger than the {len(SPECIALS)} special tokens and embedding_size, "
                f"hidden_size ≥ 1, got {src_vocab_size}, {tgt_vocab_size}, {embedding_size}, {hidden_size}"
            )
        self.kind, self.has_attention = kind, attention
        self.src_embed = nn.Embedding(src_vocab_size, embedding_size, padding_idx=PAD_ID)
        self.tgt_embed = nn.Embedding(tgt_vocab_size, embedding_size, padding_idx=PAD_ID)
        self.encoder = LAYERS[kind](embedding_size, hidden_size, batch_first=True)
        if attention:
            size = attention_size or hidden_size
            self.key = nn.Linear(hidden_size, size)  # W_k (with the one bias), applied once per sentence
            self.query = nn.Linear(hidden_size, size, bias=False)  # W_q, applied to the decoder state at every step
            self.v = nn.Linear(size, 1, bias=False)  # v: from tanh(...) (B, S, A) to a score per position
            self.decoder = CELLS[kind](
                embedding_size + hidden_size, hidden_size
            )  # the context changes every step: a step loop
        else:
            self.decoder = LAYERS[kind](
                embedding_size + hidden_size, hidden_size, batch_first=True
            )  # fixed context: one fused call
        self.readout = nn.Linear(2 * hidden_size, tgt_vocab_size)  # next-word logits from [s_t; c_t]

    def encode(self, src: torch.Tensor, src_mask: torch.Tensor) -> Encoded:
        """Run the encoder over the real words only (packed), so `final` is the state after each last real word."""
        if src.dim() != 2 or src.shape != src_mask.shape:
            raise ValueError(
                f"expected src and src_mask of the same shape (batch, length), got {tuple(src.shape)} "
                f"and {tuple(src_mask.shape)}"
            )
        lengths = src_mask.sum(dim=1)
        if (lengths == 0).any():
            raise ValueError("every source sentence needs at least one real word")
        packed = pack_padded_sequence(self.src_embed(src), lengths, batch_first=True, enforce_sorted=False)
        outputs, final = self.encoder(packed)
        states, _ = pad_packed_sequence(outputs, batch_first=True, total_length=src.shape[1])
        keys = self.key(states) if self.has_attention else None
        return Encoded(states, _from_layer(final), src_mask, keys)

    def _advance(
        self, embedded: torch.Tensor, state: State, encoded: Encoded
    ) -> tuple[State, torch.Tensor, torch.Tensor | None]:
        """One step from the previous word's embedding (B, E): new state, features [s_t; c_t], attention or None."""
        if self.has_attention:  # c_t from the previous state s_{t−1}, then the new state s_t
            if encoded.keys is None:
                raise ValueError("an attention decoder needs the encoder's keys: encode the batch with this model")
            scores = additive_scores(hidden_of(state), encoded.keys, self.query, self.v)
            context, weights = attention_step(scores, encoded.states, encoded.mask)
            state = self.decoder(torch.cat([embedded, context], dim=1), state)
        else:
            context, weights = hidden_of(encoded.final), None
            _, state = self.decoder(torch.cat([embedded, context], dim=1).unsqueeze(1), _as_layer(state))
            state = _from_layer(state)
        return state, torch.cat([hidden_of(state), context], dim=1), weights

    def step(
        self, prev: torch.Tensor, state: State, encoded: Encoded
    ) -> tuple[torch.Tensor, State, torch.Tensor | None]:
        """Logits (B, V) for the next word after words `prev` (B,), the new state, and attention (B, S) or None."""
        state, features, weights = self._advance(self.tgt_embed(prev), state, encoded)
        return self.readout(features), state, weights

    def _teacher_forced_plain(self, encoded: Encoded, tgt_in: torch.Tensor) -> torch.Tensor:
        """The plain decoder over the whole target in one fused call: every input is [emb(y_{t−1}); c]."""
        embedded = self.tgt_embed(tgt_in)
        context = hidden_of(encoded.final).unsqueeze(1).expand(-1, tgt_in.shape[1], -1)
        states, _ = self.decoder(torch.cat([embedded, context], dim=2), _as_layer(encoded.final))
        return self.readout(torch.cat([states, context], dim=2))

    def forward(
        self, batch: Batch, teacher_forcing: float = 1.0, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits (B, T, V) for every target position, and attention weights (B, T, S) or None.

        Teacher forcing 1 feeds the gold previous word at every step. Below 1 (scheduled sampling)
        each sentence, at each step, feeds the model's own greedy guess instead with probability
        1 − teacher_forcing, drawn from `generator`.
        """
        if not 0.0 <= validate.number("teacher_forcing", teacher_forcing) <= 1.0:
            raise ValueError(f"teacher_forcing must lie in [0, 1], got {teacher_forcing}")
        encoded = self.encode(batch.src, batch.src_mask)
        if teacher_forcing == 1.0 and not self.has_attention:
            return self._teacher_forced_plain(encoded, batch.tgt_in), None
        own_guess = None
        if teacher_forcing < 1.0:
            if generator is None:
                raise ValueError("scheduled sampling (teacher_forcing < 1) draws its coins from a generator: pass one")
            own_guess = torch.rand(batch.tgt_in.shape, generator=generator) >= teacher_forcing  # (B, T)
        gold = self.tgt_embed(batch.tgt_in)  # (B, T, E): every gold input embedded at once
        state = encoded.final
        features: list[torch.Tensor] = []
        weights: list[torch.Tensor] = []  # attention weights, if the model attends
        for t, embedded in enumerate(gold.unbind(dim=1)):  # unbind: one backward for all steps, not one per slice
            if own_guess is not None and t > 0:
                with torch.no_grad():
                    guess = self.readout(features[-1]).argmax(dim=1)  # the model's own word for position t
                embedded = torch.where(own_guess[:, t, None], self.tgt_embed(guess), embedded)
            state, feature, weight = self._advance(embedded, state, encoded)
            features.append(feature)
            if weight is not None:
                weights.append(weight)
        logits = self.readout(torch.stack(features, dim=1))  # one big product for all steps
        return logits, torch.stack(weights, dim=1) if self.has_attention else None


# --- Training -----------------------------------------------------------------------------------


def translation_loss(logits: torch.Tensor, tgt_out: torch.Tensor, pad: int = PAD_ID) -> torch.Tensor:
    """Mean cross-entropy (nats per word) over the real target positions (EOS included, PAD left out)."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1), ignore_index=pad)


POOL = 8  # batches drawn at once and sorted by length


def similar_length_batches(train: Batch, batch_size: int, generator: torch.Generator) -> list[torch.Tensor]:
    """POOL batches of random rows: drawn together, sorted by length, cut, and returned in random order.

    Every pair is equally likely, but a batch holds sentences of similar length, so the decoder
    runs few steps of padding (a batch of 64 random pairs is nearly always as long as the longest).
    """
    rows = torch.randint(0, len(train), (POOL * batch_size,), generator=generator)
    lengths = train.src_mask[rows].sum(dim=1) + train.tgt_mask[rows].sum(dim=1)
    batches = rows[lengths.argsort(stable=True)].split(batch_size)
    return [batches[i] for i in torch.randperm(POOL, generator=generator).tolist()]


def train_seq2seq(
    model: Seq2Seq,
    train_batch: Batch,
    steps: int,
    generator: torch.Generator,
    batch_size: int = 64,
    lr: float = 3e-3,
    clip: float = 1.0,
    teacher_forcing: float | Callable[[int], float] = 1.0,
    reports: int = 5,
    report: Callable[[str], None] | None = print,
) -> TrainLog:
    """Batches of similar-length random pairs (drawn with `generator`), the course's training loop; the log.

    `teacher_forcing` is a number or a schedule: a function of the update number (0, 1, …).
    Prints `reports` progress lines (no timings; see training.progress).
    """
    for name, value in (("steps", steps), ("batch_size", batch_size), ("reports", reports)):
        validate.number(name, value, integer=True)
    if steps < 1 or batch_size < 1 or reports < 0:
        raise ValueError(f"need steps ≥ 1, batch_size ≥ 1 and reports ≥ 0, got {steps}, {batch_size}, {reports}")
    schedule = teacher_forcing if callable(teacher_forcing) else (lambda step: teacher_forcing)
    waiting: list[torch.Tensor] = []

    def batch_loss(step: int) -> torch.Tensor:
        if not waiting:
            waiting.extend(similar_length_batches(train_batch, batch_size, generator))
        batch = train_batch.select(waiting.pop())
        logits, _ = model(batch, teacher_forcing=schedule(step), generator=generator)
        return translation_loss(logits, batch.tgt_out)

    shows_forcing = callable(teacher_forcing) or teacher_forcing < 1
    note = (lambda step: f"teacher forcing {schedule(step - 1):.2f}") if shows_forcing else None
    hooks = [progress(steps, reports, "nats/word", note, report)] if report and reports else []
    return train(model, batch_loss, steps, lr=lr, clip=clip, hooks=hooks)


# --- Decoding -----------------------------------------------------------------------------------


@dataclass
class Decoded:
    """Greedy translations of a batch: word ids without EOS, attention (B, T, S) or None, and who reached EOS."""

    tokens: list[list[int]]
    attention: torch.Tensor | None  # row t of sentence b is where it looked for word t; zeros after its last word
    finished: list[bool]  # True if the sentence ended with EOS, False if it ran into max_len


@torch.no_grad()
def greedy_decode(model: Seq2Seq, src: torch.Tensor, src_mask: torch.Tensor, max_len: int) -> Decoded:
    """Translate a batch by always taking the likeliest next word, for at most max_len steps; EOS ends a sentence."""
    if validate.number("max_len", max_len, integer=True) < 1:
        raise ValueError(f"max_len must be at least 1, got {max_len}")
    encoded = model.encode(src, src_mask)
    prev = torch.full((len(src),), BOS_ID, dtype=torch.int64)
    state, done = encoded.final, torch.zeros(len(src), dtype=torch.bool)
    words: list[torch.Tensor] = []
    weights: list[torch.Tensor] = []  # attention weights, if the model attends
    for _ in range(max_len):
        logits, state, weight = model.step(prev, state, encoded)
        prev = logits.argmax(dim=1)
        words.append(prev)
        if weight is not None:
            weights.append(weight)
        done |= prev == EOS_ID
        if done.all():
            break
    ids = torch.stack(words, dim=1)  # (B, steps): what each sentence said, EOS and beyond included
    is_eos = ids == EOS_ID
    finished = is_eos.any(dim=1)
    lengths = torch.where(finished, is_eos.int().argmax(dim=1), ids.shape[1])  # words before the first EOS
    tokens = [row[:n].tolist() for row, n in zip(ids, lengths.tolist())]
    attention = None
    if model.has_attention:
        kept = torch.arange(ids.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)  # (B, steps)
        attention = torch.stack(weights, dim=1) * kept.unsqueeze(2)
    return Decoded(tokens, attention, finished.tolist())


@dataclass
class Hypothesis:
    """One translation a beam search kept: word ids (no EOS), total log-probability, and whether it ended with EOS."""

    ids: list[int]
    log_prob: float  # log P(words, then EOS if finished | source): the sum of every prediction's log-probability
    finished: bool

    @property
    def predictions(self) -> int:
        """How many predictions its log-probability sums over: its words, and the EOS if it has one."""
        return len(self.ids) + int(self.finished)

    def score(self, length_norm: bool) -> float:
        """What a beam search ranks it by at the end: the total log-probability, or that per prediction."""
        return self.log_prob / max(self.predictions, 1) if length_norm else self.log_prob


@torch.no_grad()
def beam_candidates(
    model: Seq2Seq, src_ids: Sequence[int] | torch.Tensor, beam_size: int = 4, max_len: int = 30
) -> list[Hypothesis]:
    """The hypotheses a beam of `beam_size` ends with for one sentence: the finished ones, else the live ones.

    Each step extends every live hypothesis by every word and keeps the best beam_size − (finished)
    by total log-probability; a hypothesis that picks EOS is finished and keeps its slot. The search
    itself always ranks by total log-probability; only the final pick (beam_search) may normalise.
    """
    validate.number("beam_size", beam_size, integer=True)
    validate.number("max_len", max_len, integer=True)
    if beam_size < 1 or max_len < 1:
        raise ValueError(f"need beam_size ≥ 1 and max_len ≥ 1, got {beam_size} and {max_len}")
    src = torch.as_tensor(src_ids, dtype=torch.int64).reshape(1, -1)
    if src.shape[1] == 0:
        raise ValueError("expected at least one source word id, got none")
    encoded = model.encode(src, torch.ones_like(src, dtype=torch.bool))
    live: list[list[int]] = [[]]  # hypotheses: word ids so far
    live_scores, state = torch.zeros(1), encoded.final  # their total log-probabilities
    finished: list[Hypothesis] = []
    for _ in range(max_len):
        prev = torch.tensor([ids[-1] if ids else BOS_ID for ids in live])
        logits, state, _ = model.step(prev, state, encoded.rows(torch.zeros(len(live), dtype=torch.int64)))
        totals = live_scores.unsqueeze(1) + torch.log_softmax(logits, dim=1)  # (live, V)
        best, where = totals.flatten().topk(min(beam_size - len(finished), totals.numel()))
        kept_rows, kept_ids, kept_scores = [], [], []
        for score, index in zip(best.tolist(), where.tolist()):
            row, word = divmod(index, totals.shape[1])
            if word == EOS_ID:
                finished.append(Hypothesis(live[row], score, True))
            else:
                kept_rows.append(row)
                kept_ids.append(live[row] + [word])
                kept_scores.append(score)
        if not kept_ids:
            break
        live, live_scores = kept_ids, torch.tensor(kept_scores)
        state = select_state(state, torch.tensor(kept_rows))
    if finished:
        return finished
    return [Hypothesis(ids, score, False) for ids, score in zip(live, live_scores.tolist())]  # none said EOS


def pick(candidates: Sequence[Hypothesis], length_norm: bool) -> Hypothesis:
    """The winner among a beam's hypotheses: best total log-probability, or best per prediction (length_norm)."""
    if not candidates:
        raise ValueError("expected at least one hypothesis to pick from, got none")
    return max(candidates, key=lambda h: h.score(length_norm))


def beam_search(
    model: Seq2Seq,
    src_ids: Sequence[int] | torch.Tensor,
    beam_size: int = 4,
    max_len: int = 30,
    length_norm: bool = True,
) -> tuple[list[int], float]:
    """The translation (ids without EOS) a beam of `beam_size` picks for one sentence, and its total log-probability.

    The search keeps the best hypotheses by total log-probability (beam_candidates). At the end,
    with length_norm (the default) the winner is the finished hypothesis with the best log-probability
    per prediction (its words and the EOS), which favours longer ones; without it, the best total.
    With beam_size 1 this is greedy decoding.
    """
    best = pick(beam_candidates(model, src_ids, beam_size, max_len), length_norm)
    return best.ids, best.log_prob


@torch.no_grad()
def sequence_log_prob(
    model: Seq2Seq, src_ids: Sequence[int] | torch.Tensor, tgt_ids: Sequence[int], with_eos: bool = True
) -> float:
    """log P(tgt_ids, then EOS if with_eos | source) under the model, teacher-forced: compare decoders' picks."""
    src = torch.as_tensor(src_ids, dtype=torch.int64).reshape(1, -1)
    tgt = torch.tensor([[BOS_ID, *tgt_ids]])
    gold = torch.tensor([[*tgt_ids, EOS_ID]])
    batch = Batch(src, torch.ones_like(src, dtype=torch.bool), tgt, gold, torch.ones_like(gold, dtype=torch.bool))
    logits, _ = model(batch)
    log_probs = torch.log_softmax(logits[0], dim=1).gather(1, gold[0].unsqueeze(1)).squeeze(1)
    return float(log_probs.sum() if with_eos else log_probs[:-1].sum())


@dataclass
class Translation:
    """One translated sentence: its French words, the attention (words, source words) or None, and whether it ended."""

    tokens: list[str]
    attention: np.ndarray | None
    finished: bool


def translate(
    model: Seq2Seq,
    src_vocab: Vocabulary,
    tgt_vocab: Vocabulary,
    tokens: Sequence[str] | str,
    max_len: int = 30,
    unknown: str = "error",
) -> Translation:
    """Greedy translation of one English sentence (a list of words, or a string split at spaces)."""
    words = tokens.split() if isinstance(tokens, str) else list(tokens)
    if not words:
        raise ValueError("expected at least one English word, got none")
    src = torch.tensor([src_vocab.ids(words, _unknown_token(unknown))])
    decoded = greedy_decode(model, src, torch.ones_like(src, dtype=torch.bool), max_len)
    ids = decoded.tokens[0]
    attention = None if decoded.attention is None else decoded.attention[0, : len(ids)].numpy()
    return Translation(tgt_vocab.tokens_of(ids), attention, decoded.finished[0])


def _slices(count: int, batch_size: int) -> list[torch.Tensor]:
    return [torch.arange(start, min(start + batch_size, count)) for start in range(0, count, batch_size)]


def decode_split(
    model: Seq2Seq, encoded: Batch, tgt_vocab: Vocabulary, max_len: int, batch_size: int = 256
) -> list[list[str]]:
    """Greedy translations of a whole encoded split, in batches: one list of French words per pair."""
    out = []
    for rows in _slices(len(encoded), batch_size):
        part = encoded.select(rows)
        decoded = greedy_decode(model, part.src, part.src_mask, max_len)
        out += [tgt_vocab.tokens_of(ids) for ids in decoded.tokens]
    return out


@torch.no_grad()
def teacher_forced_accuracy(model: Seq2Seq, encoded: Batch, batch_size: int = 256) -> float:
    """Fraction of target positions (EOS included) where the argmax is the gold word, when fed the gold prefix."""
    right = total = 0
    for rows in _slices(len(encoded), batch_size):
        part = encoded.select(rows)
        logits, _ = model(part)
        right += int((logits.argmax(dim=2) == part.tgt_out)[part.tgt_mask].sum())
        total += int(part.tgt_mask.sum())
    return right / total


# --- Exercise (notebook 08): greedy decoding of one sentence ------------------------------------


def greedy_decode_one(step: Callable, state: object, bos: int, eos: int, max_len: int) -> list[int]:
    """Feed BOS, then each argmax back in, for at most max_len steps; return the words before EOS (EOS left out)."""
    words, prev = [], bos
    for _ in range(max_len):
        logits, state = step(prev, state)
        prev = int(logits.argmax())
        if prev == eos:
            break
        words.append(prev)
    return words


IGNORE_MAX_LEN = "ignore max_len (decode until EOS, which may never come)"


class ScriptedStep:
    """A fake decoder step for the exercise: its state is the position; fed its own last word it follows `script`.

    Fed any other word, it predicts that word again, so a loop that feeds back the wrong word shows.
    It counts its calls and raises once a loop has run 5 steps past max_len, so no loop runs forever.
    """

    def __init__(self, script: list[int], bos: int, max_len: int, vocab_size: int = 8):
        self.script, self.bos, self.max_len, self.vocab_size = script, bos, max_len, vocab_size
        self.calls = 0

    def __repr__(self) -> str:
        return f"step(script {' '.join(map(str, self.script))})"

    def __call__(self, prev_token: int, position: int) -> tuple[torch.Tensor, int]:
        self.calls += 1
        if self.calls > self.max_len + 5:
            raise RuntimeError(
                f"step() was called {self.calls} times, but max_len = {self.max_len}: did you {IGNORE_MAX_LEN}?"
            )
        expected = self.bos if position == 0 else self.script[(position - 1) % len(self.script)]
        word = self.script[position % len(self.script)] if int(prev_token) == expected else int(prev_token)
        logits = torch.zeros(self.vocab_size)
        logits[word] = 2.0
        logits[(word + 1) % self.vocab_size] = -1.0  # a clear least likely word
        return logits, position + 1


def _greedy_with(
    step: Callable,
    state: object,
    bos: int,
    eos: int,
    max_len: int,
    *,
    keep_eos: bool = False,
    keep_bos: bool = False,
    limit: bool = True,
    feed_back: bool = True,
    carry_state: bool = True,
    pick: Callable[[torch.Tensor], torch.Tensor] = torch.argmax,
    extra_steps: int = 0,
) -> list[int]:
    """greedy_decode_one with one classic mistake switched on."""
    words, prev, first_state, count = [bos] if keep_bos else [], bos, state, 0
    while not limit or count < max_len + extra_steps:
        logits, new_state = step(prev if feed_back else bos, state)
        state = new_state if carry_state else first_state
        prev, count = int(pick(logits)), count + 1
        if prev == eos:
            words += [eos] if keep_eos else []
            break
        words.append(prev)
    return words


def _greedy_case(script: list[int], max_len: int) -> Case:
    return Case((ScriptedStep(script, bos=1, max_len=max_len), 0, 1, 2, max_len))  # BOS = 1, EOS = 2


def greedy_exercise() -> Exercise:
    """The check of a student's greedy_decode_one(step, state, bos, eos, max_len) -> list of word ids."""
    return Exercise(
        "greedy_decode_one",
        reference=greedy_decode_one,
        cases=[
            _greedy_case([5, 3, 7, 2], 10),
            _greedy_case([2], 5),
            _greedy_case([4, 6, 3, 5], 6),
            _greedy_case([6, 5, 4, 3, 2], 3),
            _greedy_case([3, 4, 2], 3),
        ],
        hidden_cases=[
            _greedy_case([7, 6, 5, 2], 1),
            _greedy_case([3, 3, 3, 2], 8),
            _greedy_case([5, 4, 6, 7, 3, 2], 12),
        ],
        mistakes={
            "include the EOS at the end": lambda *args: _greedy_with(*args, keep_eos=True),
            "include the BOS at the start": lambda *args: _greedy_with(*args, keep_bos=True),
            IGNORE_MAX_LEN: lambda *args: _greedy_with(*args, limit=False),
            "feed BOS back in at every step instead of the word just predicted": lambda *args: _greedy_with(
                *args, feed_back=False
            ),
            "pass the first state to every step instead of the state step() returned": lambda *args: _greedy_with(
                *args, carry_state=False
            ),
            "take the argmin (the least likely word) instead of the argmax": lambda *args: _greedy_with(
                *args, pick=torch.argmin
            ),
            "stop one step early (range(max_len - 1))": lambda *args: _greedy_with(*args, extra_steps=-1),
        },
    )


check_greedy_decode_one = greedy_exercise()
