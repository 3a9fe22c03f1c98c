"""Notebook 10: RNNs today. What one more generated token costs, and where the course's ideas live on.

A language model generates text one token at a time. A recurrent decoder carries a fixed-size state
from token to token; an attention decoder keeps the key and value of every earlier token (its
key/value cache) and reads all of them for each new token. With width d, vocabulary V and a prefix
of n tokens, the next token costs (multiply–adds, see `flops_per_token`):

    GRU                 6d² + dV               state between tokens: d numbers           O(1) in n
    attention           4d² + 2(n + 1)d + dV   cache between tokens: 2nd numbers (K, V)  O(n) in n
    transformer block   12d² + 2(n + 1)d + dV  the same cache, plus a feed-forward MLP   O(n) in n

Training reads a whole sequence of n tokens at once: the GRU still takes n steps one after another
(n(6d² + dV) multiply–adds), attention takes one pass whose scores cost 2n²d (`sequence_flops`).

Then the ideas of this course that today's models still use, each a small computation:

    gating                       → the gated linear unit, `glu`
    vanishing gradients          → residual connections x + f(x) and normalisation, `depth_gradient_norms`
    the linear recurrence, again → state-space models: S4 (a fixed a) trains it as a convolution,
                                   `linear_recurrence_conv`; Mamba (a_t depends on the input) with a
                                   parallel scan, `linear_recurrence_scan`; both equal `linear_recurrence_loop`
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from helpers.course import validate
from helpers.course.exercises import Case, Exercise


def _describe(tensor: object) -> str:
    """What came: a tensor's shape and dtype, or the type of anything else."""
    if isinstance(tensor, torch.Tensor):
        return f"a {tensor.dtype} tensor of shape {tuple(tensor.shape)}"
    return f"a {type(tensor).__name__}"


def _check_tokens(tokens: torch.Tensor, vocab_size: int, expected: str, dims: int) -> None:
    if not isinstance(tokens, torch.Tensor) or tokens.dim() != dims or tokens.dtype != torch.long:
        raise ValueError(f"expected token ids as a torch.long tensor of shape {expected}, got {_describe(tokens)}")
    if tokens.numel() and (tokens.min() < 0 or tokens.max() >= vocab_size):
        raise ValueError(
            f"expected token ids in 0 … {vocab_size - 1} (the vocabulary has {vocab_size}), "
            f"got ids from {tokens.min().item()} to {tokens.max().item()}"
        )


def _check_sizes(vocab_size: int, hidden_size: int, even: bool = False) -> None:
    validate.number("vocab_size", vocab_size, integer=True)
    validate.number("hidden_size", hidden_size, integer=True)
    if vocab_size < 1 or hidden_size < 1 or (even and hidden_size % 2):
        need = "an even hidden_size ≥ 2 (sines and cosines in pairs)" if even else "hidden_size ≥ 1"
        raise ValueError(
            f"expected vocab_size ≥ 1 and {need}, got vocab_size = {vocab_size}, hidden_size = {hidden_size}"
        )


# --- Two decoders, one token at a time --------------------------------------------------------


class RecurrentDecoder(nn.Module):
    """A GRU language model: embedding → nn.GRUCell → readout. Its state is one vector of size hidden_size."""

    def __init__(self, vocab_size: int = 64, hidden_size: int = 64):
        super().__init__()
        _check_sizes(vocab_size, hidden_size)
        self.vocab_size, self.hidden_size = vocab_size, hidden_size
        self.embedding = nn.Embedding(vocab_size, hidden_size)
        self.cell = nn.GRUCell(hidden_size, hidden_size)
        self.readout = nn.Linear(hidden_size, vocab_size)

    def start(self, batch: int = 1) -> torch.Tensor:
        """The state before the first token: zeros (batch, hidden_size)."""
        return torch.zeros(batch, self.hidden_size)

    def step(self, token_ids: torch.Tensor, state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Read one token per sequence (batch,): (logits (batch, vocab_size), next state (batch, hidden_size))."""
        _check_tokens(token_ids, self.vocab_size, "(batch,)", 1)
        if not isinstance(state, torch.Tensor) or state.shape != (len(token_ids), self.hidden_size):
            raise ValueError(
                f"expected a state of shape ({len(token_ids)}, {self.hidden_size}), got {_describe(state)}"
            )
        state = self.cell(self.embedding(token_ids), state)
        return self.readout(state), state

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Whole sequences (batch, n): (logits (batch, n, vocab_size), the state after the last token)."""
        _check_tokens(tokens, self.vocab_size, "(batch, n)", 2)
        state, states = self.start(len(tokens)), []
        for x in self.embedding(tokens).unbind(dim=1):  # a recurrence cannot skip ahead: n steps, one after another
            state = self.cell(x, state)
            states.append(state)
        logits = self.readout(torch.stack(states, dim=1)) if states else torch.zeros(len(tokens), 0, self.vocab_size)
        return logits, state

    def prefill(self, tokens: torch.Tensor) -> torch.Tensor:
        """The state after reading a prefix (batch, n), ready to generate token n + 1."""
        return self.forward(tokens)[1]


def positions(first: int, count: int, hidden_size: int) -> torch.Tensor:
    """Sinusoidal position codes (count, hidden_size) for positions first, first + 1, … (Vaswani et al., 2017)."""
    frequencies = 10000 ** (-torch.arange(0, hidden_size, 2) / hidden_size)  # from 1 down to about 1/10000
    angles = torch.arange(first, first + count, dtype=torch.float32)[:, None] * frequencies
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class AttentionDecoder(nn.Module):
    """One causal self-attention layer between an embedding and a readout, generating with a key/value cache.

    x = embedding + position code;  h = x + W_o · attention(x W_q, keys, values);  logits = readout(h).
    Each head compares its query with the keys of ALL positions so far (scaled dot products), takes
    a softmax and reads out the weighted sum of their values. There is no MLP block: one layer is
    enough to see what attention costs. The cache is a pair (keys, values), each
    (batch, heads, n, hidden_size / heads): one more row per token. `step` grows it with torch.cat, which
    copies the n old rows too: also O(n) per token (real systems allocate ahead; the reads stay O(n)).
    """

    def __init__(self, vocab_size: int = 64, hidden_size: int = 64, heads: int = 1):
        super().__init__()
        _check_sizes(vocab_size, hidden_size, even=True)
        if heads < 1 or hidden_size % heads:
            raise ValueError(f"expected heads ≥ 1 that divide hidden_size = {hidden_size}, got heads = {heads}")
        self.vocab_size, self.hidden_size, self.heads = vocab_size, hidden_size, heads
        self.embedding = nn.Embedding(vocab_size, hidden_size)
        self.query, self.key, self.value, self.out = (nn.Linear(hidden_size, hidden_size) for _ in range(4))
        self.readout = nn.Linear(hidden_size, vocab_size)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, n, hidden_size) → (batch, heads, n, hidden_size / heads): each head its own slice of the features."""
        batch, n, _ = x.shape
        return x.reshape(batch, n, self.heads, self.hidden_size // self.heads).transpose(1, 2)

    def _inputs(self, tokens: torch.Tensor, first: int) -> torch.Tensor:
        """Embeddings plus position codes (batch, n, hidden_size) for tokens (batch, n) from position `first` on."""
        return self.embedding(tokens) + positions(first, tokens.shape[1], self.hidden_size)

    def _keys_values(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The cache rows of x (batch, n, hidden_size): keys and values, each (batch, heads, n, hidden_size / heads)."""
        x = self._normed(x)
        return self._split(self.key(x)), self._split(self.value(x))

    def _normed(self, x: torch.Tensor) -> torch.Tensor:
        """What attention reads: x itself here; a transformer block normalises it first."""
        return x

    def _after_attention(self, h: torch.Tensor) -> torch.Tensor:
        """What comes between attention and the readout: nothing here; a transformer block adds its MLP."""
        return h

    def _attend(
        self, x: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Logits (batch, m, vocab_size) for inputs x (batch, m, hidden_size) that attend over keys and values."""
        queries = self._split(self.query(self._normed(x)))  # (B, heads, m, hidden_size / heads)
        scores = queries @ keys.transpose(-2, -1) / math.sqrt(keys.shape[-1])  # (B, heads, m, n)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))  # no peeking at later tokens
        context = torch.softmax(scores, dim=-1) @ values  # (B, heads, m, hidden_size / heads)
        context = context.transpose(1, 2).reshape(x.shape)  # heads side by side again
        return self.readout(self._after_attention(x + self.out(context)))  # residual, then readout

    def start(self, batch: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
        """The cache before the first token: empty keys and values (batch, heads, 0, hidden_size / heads)."""
        empty = torch.zeros(batch, self.heads, 0, self.hidden_size // self.heads)
        return empty, empty.clone()

    def step(
        self, token_ids: torch.Tensor, cache: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Read one token per sequence (batch,): (logits (batch, vocab_size), the cache one row longer)."""
        _check_tokens(token_ids, self.vocab_size, "(batch,)", 1)
        self._check_cache(cache, len(token_ids))
        keys, values = cache
        x = self._inputs(token_ids[:, None], first=keys.shape[2])  # (B, 1, hidden_size) at position n
        new_keys, new_values = self._keys_values(x)
        keys = torch.cat([keys, new_keys], dim=2)  # one more row: copies all n rows
        values = torch.cat([values, new_values], dim=2)
        return self._attend(x, keys, values)[:, 0], (keys, values)

    def _check_cache(self, cache: object, batch: int) -> None:
        expected = (batch, self.heads, "n", self.hidden_size // self.heads)
        good = (
            isinstance(cache, (tuple, list))
            and len(cache) == 2
            and all(isinstance(t, torch.Tensor) and t.dim() == 4 and t.shape == cache[0].shape for t in cache)
            and (cache[0].shape[:2], cache[0].shape[3]) == (expected[:2], expected[3])
        )
        if not good:
            got = ", ".join(map(_describe, cache)) if isinstance(cache, (tuple, list)) else _describe(cache)
            raise ValueError(f"expected a cache (keys, values), each of shape {expected}, got {got}")

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Whole sequences (batch, n) at once with a causal mask: (logits (batch, n, vocab_size), the cache)."""
        _check_tokens(tokens, self.vocab_size, "(batch, n)", 2)
        x = self._inputs(tokens, first=0)
        keys, values = self._keys_values(x)
        n = tokens.shape[1]
        causal = torch.ones(n, n, dtype=torch.bool).tril()  # position i sees 0 … i
        return self._attend(x, keys, values, causal), (keys, values)

    def prefill(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The cache after reading a prefix (batch, n) in one batched pass, ready to generate token n + 1.

        With one layer, the keys and values are projections of the inputs alone, so the cache needs
        no attention (no n × n scores): exactly the rows `step` would have appended one by one.
        """
        _check_tokens(tokens, self.vocab_size, "(batch, n)", 2)
        return self._keys_values(self._inputs(tokens, first=0))


class TransformerDecoder(AttentionDecoder):
    """One transformer block: the same cached attention, plus layer norms and a feed-forward MLP.

    a = x + W_o · attention(LayerNorm(x));  h = a + W_2 · gelu(W_1 · LayerNorm(a));  logits = readout(h).
    The MLP widens to 4 · hidden_size and back, as in Vaswani et al. (2017): per token it costs 8d²
    multiply–adds, twice the attention projections, whatever the prefix. Norms come before each part
    ("pre-norm"), as in GPT-2 and most models since. The cache is the same (keys, values) pair.
    """

    def __init__(self, vocab_size: int = 64, hidden_size: int = 64, heads: int = 1):
        super().__init__(vocab_size, hidden_size, heads)
        self.attention_norm, self.mlp_norm = nn.LayerNorm(hidden_size), nn.LayerNorm(hidden_size)
        self.up, self.down = nn.Linear(hidden_size, 4 * hidden_size), nn.Linear(4 * hidden_size, hidden_size)

    def _normed(self, x: torch.Tensor) -> torch.Tensor:
        return self.attention_norm(x)

    def _after_attention(self, h: torch.Tensor) -> torch.Tensor:
        return h + self.down(torch.nn.functional.gelu(self.up(self.mlp_norm(h))))


Decoder = RecurrentDecoder | AttentionDecoder


def state_bytes(state: torch.Tensor | tuple | list) -> int:
    """Bytes a decoder holds between tokens: the sum of the nbytes of its state's tensors."""
    if isinstance(state, torch.Tensor):
        return state.nbytes
    if isinstance(state, (tuple, list)):
        return sum(state_bytes(part) for part in state)
    raise ValueError(f"expected a tensor or a tuple/list of tensors, got {_describe(state)}")


def flops_per_token(decoder: Decoder, n: int) -> int:
    """Multiply–adds to generate one token after a prefix of n tokens (batch 1), counted by hand.

    Only the products of weights or cached rows with activations count; biases, gates, the softmax
    and other element-wise work are O(d) and left out. Width d, vocabulary V:

        GRU:        input and hidden projections of the three gates 3d·d + 3d·d, readout d·V
                    → 6d² + dV, whatever n is
        attention:  q, k, v projections 3d², scores q·k over n + 1 rows (the n cached and its own)
                    (n + 1)d, weighted sum of n + 1 values (n + 1)d, output projection d², readout dV
                    → 4d² + 2(n + 1)d + dV, growing by 2d per token of prefix (the heads split d, not add)
        transformer block: the same plus the MLP, d·4d up and 4d·d down → 12d² + 2(n + 1)d + dV
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"expected a prefix length n ≥ 0 (an int), got {n!r}")
    d, V = decoder.hidden_size, decoder.vocab_size
    if isinstance(decoder, RecurrentDecoder):
        return 6 * d * d + d * V
    if isinstance(decoder, AttentionDecoder):
        mlp = 8 * d * d if isinstance(decoder, TransformerDecoder) else 0
        return 4 * d * d + mlp + 2 * (n + 1) * d + d * V
    raise ValueError(f"expected a RecurrentDecoder or an AttentionDecoder, got {_describe(decoder)}")


def sequence_flops(decoder: Decoder, n: int) -> int:
    """Multiply–adds to read a whole sequence of n tokens in one training pass (batch 1), counted by hand.

    GRU: n steps of 6d² + dV, one after another. Attention: the projections and readout for all n
    positions at once, n(4d² + dV) (plus 8d² each for a transformer block's MLP), and the scores and
    weighted sums over an n × n grid, 2n²d: the causal mask hides half of the grid, but a plain
    implementation computes all of it. Quadratic in n, but in one pass rather than n steps.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"expected a sequence length n ≥ 1 (an int), got {n!r}")
    d, V = decoder.hidden_size, decoder.vocab_size
    if isinstance(decoder, RecurrentDecoder):
        return n * (6 * d * d + d * V)
    if isinstance(decoder, AttentionDecoder):
        mlp = 8 * d * d if isinstance(decoder, TransformerDecoder) else 0
        return n * (4 * d * d + mlp + d * V) + 2 * n * n * d
    raise ValueError(f"expected a RecurrentDecoder or an AttentionDecoder, got {_describe(decoder)}")


@dataclass
class TokenCost:
    """One decoder's cost of the next token after prefixes of several lengths."""

    prefix_lengths: list[int]
    seconds_per_token: np.ndarray  # median wall-clock time of one step
    state_bytes: np.ndarray  # bytes held between tokens after the prefix
    multiply_adds: np.ndarray  # flops_per_token: the deterministic count beside the noisy timing


def _check_decoder(decoder: object, where: str = "") -> None:
    if not isinstance(decoder, (RecurrentDecoder, AttentionDecoder)):
        raise ValueError(f"expected a RecurrentDecoder or an AttentionDecoder{where}, got {_describe(decoder)}")


def _lengths_ok(lengths: object) -> bool:
    """True for a non-empty list or tuple of whole numbers ≥ 1."""
    return (
        isinstance(lengths, (list, tuple))
        and bool(lengths)
        and all(not isinstance(n, bool) and isinstance(n, int) and n >= 1 for n in lengths)
    )


def measure_token_cost(decoder: Decoder, prefix_lengths: list[int], repeats: int = 25, seed: int = 0) -> TokenCost:
    """Time one generation step after real random prefixes of each length (median of `repeats` steps).

    The decoder reads each prefix for real (`prefill`), then the same next step is timed `repeats`
    times from that state with time.perf_counter; steps do not change the state they are given. The
    lengths take turns within each repeat (in reverse order every other repeat), so a busy moment of the
    machine slows every length alike.
    """
    _check_decoder(decoder)
    if not _lengths_ok(prefix_lengths):
        raise ValueError(f"expected a non-empty list of prefix lengths ≥ 1, got {prefix_lengths!r}")
    repeats = validate.whole("repeats", repeats)
    validate.seed("seed", seed)
    generator = torch.Generator().manual_seed(seed)
    # a hidden state or a (keys, values) cache, whichever `decoder` takes: typing cannot pair the two
    states: list[Any] = []
    tokens: list[torch.Tensor] = []
    times = np.zeros((repeats, len(prefix_lengths)))
    with torch.no_grad():
        for n in prefix_lengths:
            prefix = torch.randint(0, decoder.vocab_size, (1, n + 1), generator=generator)
            states.append(decoder.prefill(prefix[:, :n]))
            tokens.append(prefix[:, n])
            decoder.step(tokens[-1], states[-1])  # warm-up: the first call after a new size pays one-off costs
        for r in range(repeats):
            # forwards, then backwards: the shortest prefix is never timed straight after the longest
            order = range(len(states)) if r % 2 == 0 else reversed(range(len(states)))
            for i in order:
                token, state = tokens[i], states[i]
                start = time.perf_counter()
                decoder.step(token, state)
                times[r, i] = time.perf_counter() - start
    seconds = np.median(times, axis=0)
    sizes = [state_bytes(state) for state in states]
    return TokenCost(
        list(prefix_lengths), seconds, np.array(sizes), np.array([flops_per_token(decoder, n) for n in prefix_lengths])
    )


def growth_ratio(cost: TokenCost) -> float:
    """Seconds per token at the longest prefix / at the shortest: 1 means flat."""
    lengths = np.asarray(cost.prefix_lengths)
    return float(cost.seconds_per_token[lengths.argmax()] / cost.seconds_per_token[lengths.argmin()])


def measure_token_costs(
    decoders: dict[str, Decoder], prefix_lengths: list[int], rounds: int = 5, repeats: int = 25
) -> dict[str, list[TokenCost]]:
    """`measure_token_cost` for several decoders, repeated `rounds` times and interleaved.

    Round r measures every decoder once (with prefix seed r) before round r + 1 starts, so a busy
    moment of the machine slows all decoders alike instead of one. Returns each decoder's rounds.
    """
    validate.number("rounds", rounds, integer=True)
    validate.whole("repeats", repeats)
    if not decoders or rounds < 1:
        raise ValueError(f"expected at least one decoder and rounds ≥ 1, got {len(decoders)} and {rounds}")
    costs: dict[str, list[TokenCost]] = {name: [] for name in decoders}
    for r in range(rounds):
        for name, decoder in decoders.items():
            costs[name].append(measure_token_cost(decoder, prefix_lengths, repeats=repeats, seed=r))
    return costs


def median_cost(rounds: list[TokenCost]) -> TokenCost:
    """One TokenCost whose seconds are the median over rounds (bytes and counts do not vary)."""
    if not rounds:
        raise ValueError("expected at least one measured round, got none")
    seconds = np.median(np.stack([cost.seconds_per_token for cost in rounds]), axis=0)
    first = rounds[0]
    return TokenCost(first.prefix_lengths, seconds, first.state_bytes, first.multiply_adds)


def time_step_parts(
    decoder: AttentionDecoder, prefix_lengths: list[int], repeats: int = 25, seed: int = 0
) -> dict[str, np.ndarray]:
    """Median seconds of an attention step's two parts after prefixes of each length, timed in turns.

    "copy" makes the cache one row longer with torch.cat, as `step` does (it copies all n rows);
    "rest" is everything else the step does after the embedding: the query, the scores, softmax and
    weighted sum over the n + 1 rows, and the readout (and a transformer block's MLP).
    """
    if not isinstance(decoder, AttentionDecoder):
        raise ValueError(f"expected an AttentionDecoder, got {_describe(decoder)}")
    if not _lengths_ok(prefix_lengths):
        raise ValueError(f"expected a non-empty list of prefix lengths ≥ 1, got {prefix_lengths!r}")
    repeats = validate.whole("repeats", repeats)
    validate.seed("seed", seed)
    generator = torch.Generator().manual_seed(seed)
    # per prefix: the cache, the new token's input and cache rows, and the cache one row longer
    prepared: list[tuple[tuple[torch.Tensor, torch.Tensor], torch.Tensor, tuple[torch.Tensor, torch.Tensor], Any]] = []
    with torch.no_grad():
        for n in prefix_lengths:
            prefix = torch.randint(0, decoder.vocab_size, (1, n + 1), generator=generator)
            cache, x = decoder.prefill(prefix[:, :n]), decoder._inputs(prefix[:, n:], first=n)
            rows = decoder._keys_values(x)
            longer = tuple(torch.cat([old, new], dim=2) for old, new in zip(cache, rows, strict=True))
            decoder._attend(x, *longer)  # warm-up
            prepared.append((cache, x, rows, longer))
        times = np.zeros((repeats, len(prepared), 2))
        for r in range(repeats):
            order = range(len(prepared)) if r % 2 == 0 else reversed(range(len(prepared)))  # as in measure_token_cost
            for i in order:
                cache, x, rows, longer = prepared[i]
                start = time.perf_counter()
                for old, new in zip(cache, rows, strict=True):
                    torch.cat([old, new], dim=2)
                middle = time.perf_counter()
                decoder._attend(x, *longer)
                times[r, i] = middle - start, time.perf_counter() - middle
    median = np.median(times, axis=0)
    return {"copy": median[:, 0], "rest": median[:, 1]}


def time_sequence_passes(
    decoders: dict[str, Decoder], lengths: list[int], repeats: int = 5, seed: int = 0
) -> dict[str, np.ndarray]:
    """Seconds for one forward pass (batch 1, no gradients) at each length: per decoder, (repeats, len(lengths)).

    In each round every length takes its turn, and at each length every decoder, so a busy spell of
    the machine slows the lengths and the decoders alike: compare them round by round.
    """
    validate.number("repeats", repeats, integer=True)
    validate.seed("seed", seed)
    lengths = list(lengths)
    if not _lengths_ok(lengths) or repeats < 1:
        raise ValueError(f"expected lengths n ≥ 1 and repeats ≥ 1, got lengths {lengths!r}, repeats = {repeats!r}")
    if not isinstance(decoders, dict) or not decoders:
        came = "an empty dict" if isinstance(decoders, dict) else _describe(decoders)
        raise ValueError(f"expected a dict of named decoders, got {came}")
    for name, decoder in decoders.items():
        _check_decoder(decoder, f" for {name!r}")
    generator = torch.Generator().manual_seed(seed)
    vocab_size = min(decoder.vocab_size for decoder in decoders.values())
    inputs = [torch.randint(0, vocab_size, (1, n), generator=generator) for n in lengths]
    times = {name: np.zeros((repeats, len(lengths))) for name in decoders}
    with torch.no_grad():
        for decoder in decoders.values():
            for tokens in inputs:
                decoder(tokens)  # warm-up
        for round_ in range(repeats):
            for column, tokens in enumerate(inputs):
                for name, decoder in decoders.items():
                    start = time.perf_counter()
                    decoder(tokens)
                    times[name][round_, column] = time.perf_counter() - start
    return times


# --- Gating → the gated linear unit -----------------------------------------------------------


def glu(x: torch.Tensor, w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Gated linear unit (Dauphin et al., 2017): (x W) ⊙ σ(x V), a gate in (0, 1) per output feature.

    The LSTM's idea without the recurrence: σ ≈ 1 lets x W through, σ ≈ 0 blocks it. Transformer
    MLPs today use variants of it (SwiGLU, GeGLU). x (…, in), W and V (in, out) → (…, out).
    """
    if w.dim() != 2 or w.shape != v.shape or x.shape[-1] != w.shape[0]:
        raise ValueError(
            f"expected x (…, in) and W, V both (in, out) with the same in, got x {tuple(x.shape)}, "
            f"W {tuple(w.shape)} and V {tuple(v.shape)}"
        )
    return (x @ w) * torch.sigmoid(x @ v)


# --- Vanishing gradients → residual connections -----------------------------------------------


DEPTH_KINDS = ("plain", "residual", "pre-norm", "post-norm")


def depth_gradient_norms(
    depth: int, width: int = 64, kind: str = "plain", seed: int = 0, batch: int = 16
) -> np.ndarray:
    """‖∂loss/∂h_l‖ for the input h_l of each layer l = 0 … depth − 1 of a deep tanh MLP at initialisation.

    With f(h) = tanh(W_l h + b_l) and LN a layer norm (no learned scale):
        plain      h ← f(h)             the Jacobian is J: products of J shrink with depth
        residual   h ← h + f(h)         I + J: the identity carries the gradient down, and a little
                                        more at every layer, so it also grows with depth
        pre-norm   h ← h + f(LN(h))     as in GPT-2 and most transformers since
        post-norm  h ← LN(h + f(h))     as in the original transformer (Vaswani et al., 2017)
    The weights follow PyTorch's default nn.Linear init (uniform in ±1/√width) and are the same for
    every kind with the same seed. The loss is a fixed random projection of the last layer's output.
    """
    for name, value in (("depth", depth), ("width", width), ("batch", batch)):
        validate.number(name, value, integer=True)
    validate.seed("seed", seed)
    if depth < 1 or width < 1 or batch < 1:
        raise ValueError(f"expected depth, width and batch ≥ 1, got {depth}, {width}, {batch}")
    if kind not in DEPTH_KINDS:
        raise ValueError(f"expected kind to be one of {', '.join(DEPTH_KINDS)}, got {kind!r}")
    generator = torch.Generator().manual_seed(seed)
    bound = 1 / math.sqrt(width)
    h = torch.randn(batch, width, generator=generator, requires_grad=True)
    inputs = []
    for _ in range(depth):
        W = (torch.rand(width, width, generator=generator) * 2 - 1) * bound
        b = (torch.rand(width, generator=generator) * 2 - 1) * bound
        inputs.append(h)
        if kind == "plain":
            h = torch.tanh(h @ W.T + b)
        elif kind == "residual":
            h = h + torch.tanh(h @ W.T + b)
        elif kind == "pre-norm":
            h = h + torch.tanh(torch.nn.functional.layer_norm(h, (width,)) @ W.T + b)
        else:
            h = torch.nn.functional.layer_norm(h + torch.tanh(h @ W.T + b), (width,))
    direction = torch.randn(width, generator=generator)
    grads = torch.autograd.grad((h @ direction).sum(), inputs)
    return np.array([g.norm().item() for g in grads])


# --- The linear recurrence, computed in parallel ------------------------------------------------


def _check_recurrence(a: torch.Tensor, b: torch.Tensor) -> None:
    if not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor) or a.shape != b.shape or a.dim() < 1:
        raise ValueError(f"expected tensors a and b of the same shape (T, …), got {_describe(a)} and {_describe(b)}")
    if len(a) == 0:
        raise ValueError("expected at least one time step, got T = 0")


def linear_recurrence_loop(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """h_t = a_t ⊙ h_{t−1} + b_t from h_0 = 0, one step after another: T sequential steps. Returns h (T, …)."""
    _check_recurrence(a, b)
    h, hs = torch.zeros_like(b[0]), []
    for a_t, b_t in zip(a, b):
        h = a_t * h + b_t
        hs.append(h)
    return torch.stack(hs)


def scan_rounds(T: int) -> int:
    """Sequential rounds of the parallel scan over T steps: ⌈log₂ T⌉ (the loop needs T)."""
    if validate.number("T", T, integer=True) < 1:
        raise ValueError(f"expected T ≥ 1 steps, got {T}")
    return (T - 1).bit_length()


def linear_recurrence_scan(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The same h (T, …) as `linear_recurrence_loop`, in ⌈log₂ T⌉ rounds of whole-tensor operations.

    Step t is the map h ↦ a_t h + b_t. Two such maps in a row are again one: first (a', b'), then
    (a, b) gives h ↦ (a a') h + (a b' + b). Composing maps is associative, so they can be grouped
    in any order (Hillis & Steele, 1986): after round r, entry t holds the map of the 2^r steps
    ending at t, and after ⌈log₂ T⌉ rounds, of all steps from the start; applied to h_0 = 0 that is
    its b. Every round updates all T entries at once. This is how state-space models (S4, Mamba)
    train a recurrence in parallel.
    """
    _check_recurrence(a, b)
    A, B = a, b
    for r in range(scan_rounds(len(a))):
        s = 2**r  # combine each entry with the one s steps earlier; the first s are already complete
        A, B = torch.cat([A[:s], A[s:] * A[:-s]]), torch.cat([B[:s], A[s:] * B[:-s] + B[s:]])
    return B


def linear_recurrence_conv(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The same h (T, …) for a FIXED a (…): h_t = Σ_k a^k b_{t−k}, one causal convolution, done with FFTs.

    When a does not change with t (as in S4, Gu, Goel & Ré 2021), unrolling the recurrence gives
    h_t = b_t + a b_{t−1} + a² b_{t−2} + …: every output is the inputs convolved with one kernel
    K = (1, a, a², …). A convolution of length T costs O(T log T) with the FFT and needs no step
    after step. If a_t depends on the input (Mamba), there is no single kernel: that needs a scan.
    """
    if not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor) or b.dim() < 1 or a.shape != b.shape[1:]:
        raise ValueError(
            "expected a fixed a of shape (…) and b of shape (T, …) with the same …, "
            f"got {_describe(a)} and {_describe(b)}"
        )
    T = len(b)
    if T == 0:
        raise ValueError("expected at least one time step, got T = 0")
    kernel = a[None] ** torch.arange(T, dtype=a.dtype).reshape(T, *([1] * a.dim()))  # (T, …): 1, a, a², …
    size = 2 * T  # zero-padded, so the circular FFT convolution does not wrap around
    spectrum = torch.fft.rfft(kernel, n=size, dim=0) * torch.fft.rfft(b, n=size, dim=0)
    return torch.fft.irfft(spectrum, n=size, dim=0)[:T]


# --- Exercises ------------------------------------------------------------------------------------


def cache_bytes(n: int, hidden_size: int, layers: int, bytes_per_number: int = 4) -> int:
    """Bytes of a key/value cache after n tokens: a key and a value row of `hidden_size` numbers per token and layer."""
    validate.whole("n", n, low=0)
    validate.whole("hidden_size", hidden_size)
    validate.whole("layers", layers)
    validate.whole("bytes_per_number", bytes_per_number)
    return 2 * n * hidden_size * layers * bytes_per_number


def _cache_keys_only(n: int, hidden_size: int, layers: int, bytes_per_number: int = 4) -> int:
    return n * hidden_size * layers * bytes_per_number


def _cache_one_layer(n: int, hidden_size: int, layers: int, bytes_per_number: int = 4) -> int:
    return 2 * n * hidden_size * bytes_per_number


def _cache_in_bits(n: int, hidden_size: int, layers: int, bytes_per_number: int = 4) -> int:
    return 2 * n * hidden_size * layers * bytes_per_number * 8


def _cache_in_numbers(n: int, hidden_size: int, layers: int, bytes_per_number: int = 4) -> int:
    return 2 * n * hidden_size * layers


check_cache_bytes = Exercise(
    "cache_bytes",
    reference=cache_bytes,
    cases=[Case((10, 64, 1)), Case((1000, 512, 6)), Case((4096, 4096, 32), {"bytes_per_number": 2}), Case((0, 64, 2))],
    hidden_cases=[
        Case((1, 1, 1)),
        Case((2048, 768, 12), {"bytes_per_number": 4}),
        Case((3, 5, 7), {"bytes_per_number": 1}),
    ],
    mistakes={
        "keep only the keys (the cache holds a key AND a value per token)": _cache_keys_only,
        "count one layer only (every layer keeps its own cache)": _cache_one_layer,
        "count bits instead of bytes": _cache_in_bits,
        "count numbers and forget to multiply by the bytes per number": _cache_in_numbers,
    },
)


def _recurrence_without_a(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.cumsum(b, dim=0)


def _recurrence_gate_on_input(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    h, hs = torch.zeros_like(b[0]), []
    for a_t, b_t in zip(a, b):
        h = a_t * (h + b_t)
        hs.append(h)
    return torch.stack(hs)


def _recurrence_last_only(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return linear_recurrence_loop(a, b)[-1]


def _recurrence_shifted(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.cat([torch.zeros_like(b[:1]), linear_recurrence_loop(a, b)[:-1]])


def _recurrence_case(T: int, features: int, seed: int) -> Case:
    generator = torch.Generator().manual_seed(seed)
    return Case((torch.rand(T, features, generator=generator), torch.randn(T, features, generator=generator)))


check_linear_recurrence = Exercise(
    "linear_recurrence",
    reference=linear_recurrence_loop,
    cases=[_recurrence_case(5, 1, 0), _recurrence_case(12, 3, 1), _recurrence_case(1, 2, 2)],
    hidden_cases=[_recurrence_case(20, 2, 3), _recurrence_case(2, 1, 4)],  # a longer sequence, a short one
    mistakes={
        "leave out a_t (then h_t is just the running sum of the b's)": _recurrence_without_a,
        "multiply b_t by a_t too: h_t = a_t (h_{t−1} + b_t)": _recurrence_gate_on_input,
        "return only the last state instead of all T states": _recurrence_last_only,
        "store h before the update (every state is one step late)": _recurrence_shifted,
    },
)
