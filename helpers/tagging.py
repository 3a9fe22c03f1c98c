"""A toy tagging task for notebook 07 (bidirectional and stacked RNNs): some tags need the words on the right.

Every sentence follows one pattern, with 0–3 plain adjectives, an optional "not" and 0–3 intensifiers:

    the/DET bank/BANK-RIVER near/PREP the/DET old/ADJ quiet/ADJ river/NOUN was/VERB not/NOT very/ADV good/NEG

- Right-decided tokens: an ambiguous noun (bank, bat, pitch, bass). Its sense tag (BANK-RIVER or
  BANK-MONEY, …) is set by a cue noun that comes 3–6 words LATER ("river", "shore" → RIVER; "loan",
  "cash" → MONEY). Nothing to its left says which sense, so a left-to-right tagger can only guess: 1/2.
- Left-decided tokens: a polar adjective (good, nice, bad, awful). Its tag POS or NEG is its own
  polarity, flipped when "not" came 1–4 words EARLIER: "not very bad" is POS. A right-to-left tagger
  would have to guess these.
- Plain tokens: every other word, with a fixed tag (the → DET, near → PREP, river → NOUN, …).

Tags are fully decided by the sentence: no noise, so a bidirectional tagger can be perfect. Sentences
are 7–14 words long, padded at the end with "<pad>" (tag PAD) to 14 tokens; `mask_pad`
marks the padding, which the loss and the accuracies leave out. No sentence occurs twice in the data:
not within a split, and not in two splits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from helpers.training import TrainLog, train
from helpers.vocab import Vocabulary

PAD = "<pad>"
AMBIGUOUS = {  # word → sense → the cue nouns that decide it
    "bank": {"RIVER": ("river", "shore"), "MONEY": ("loan", "cash")},
    "bat": {"ANIMAL": ("cave", "wings"), "SPORT": ("ball", "game")},
    "pitch": {"SOUND": ("song", "tune"), "FIELD": ("grass", "goal")},
    "bass": {"FISH": ("lake", "hook"), "MUSIC": ("guitar", "band")},
}
POLARITY = {"good": "POS", "nice": "POS", "bad": "NEG", "awful": "NEG"}
FLIP = {"POS": "NEG", "NEG": "POS"}  # what "not" does to a polarity
PLAIN = {
    "the": "DET",
    "near": "PREP",
    "by": "PREP",
    "with": "PREP",
    "for": "PREP",
    "old": "ADJ",
    "big": "ADJ",
    "quiet": "ADJ",
    "small": "ADJ",
    "was": "VERB",
    "not": "NOT",
    "very": "ADV",
    "really": "ADV",
    "so": "ADV",
}
PREPOSITIONS = ("near", "by", "with", "for")
ADJECTIVES = ("old", "big", "quiet", "small")
INTENSIFIERS = ("very", "really", "so")
MAX_ADJECTIVES = 3  # 0–3 plain adjectives: the cue comes 3–6 words after the ambiguous noun
MAX_INTENSIFIERS = 3  # 0–3 intensifiers: "not" comes 1–4 words before the polar adjective
MAX_LENGTH = 7 + MAX_ADJECTIVES + 1 + MAX_INTENSIFIERS  # every sentence is padded to this length

CUES = {cue: (word, sense) for word, senses in AMBIGUOUS.items() for sense, cues in senses.items() for cue in cues}
WORDS = Vocabulary([*PLAIN, *AMBIGUOUS, *CUES, *POLARITY], specials=(PAD,), separator=" ")  # <pad> has id 0
TAGS = Vocabulary(
    [
        "NOUN",
        "POS",
        "NEG",
        *PLAIN.values(),
        *(f"{word.upper()}-{sense}" for word, senses in AMBIGUOUS.items() for sense in senses),
    ],
    specials=("PAD",),
    separator=" ",
)
SPLITS = ("train", "val", "test")
MAX_SENTENCES = 100_000  # of about 870,000 possible sentences: more would make the search for new ones slow


def sentence(rng: random.Random) -> list[tuple[str, str]]:
    """One random sentence as (word, tag) pairs: the <ambiguous> <prep> the <adj>* <cue> was [not] <adv>* <polar>."""
    word = rng.choice(list(AMBIGUOUS))
    sense = rng.choice(list(AMBIGUOUS[word]))
    negated = rng.random() < 0.5
    polar = rng.choice(list(POLARITY))
    words = [
        "the",
        word,
        rng.choice(PREPOSITIONS),
        "the",
        *rng.choices(ADJECTIVES, k=rng.randint(0, MAX_ADJECTIVES)),
        rng.choice(AMBIGUOUS[word][sense]),
        "was",
        *(["not"] if negated else []),
        *rng.choices(INTENSIFIERS, k=rng.randint(0, MAX_INTENSIFIERS)),
        polar,
    ]
    tags = [PLAIN.get(w, "NOUN") for w in words]
    tags[1] = f"{word.upper()}-{sense}"
    tags[-1] = FLIP[POLARITY[polar]] if negated else POLARITY[polar]
    return list(zip(words, tags))


def tag_sentence(words: list[str]) -> list[str]:
    """The tags of a sentence of your own, by the rules above: the next cue on the right, a "not" on the left."""
    unknown = [w for w in words if w not in WORDS or w == PAD]
    if unknown:
        raise ValueError(f"expected words from the vocabulary, got {unknown}")
    tags, negated = [], False
    for i, w in enumerate(words):
        if w in AMBIGUOUS:
            cue = next((c for c in words[i + 1 :] if c in CUES), None)
            if cue is None or CUES[cue][0] != w:
                raise ValueError(f"{w!r} at position {i} needs one of its cues later in the sentence, got {cue!r}")
            tags.append(f"{w.upper()}-{CUES[cue][1]}")
        elif w in POLARITY:
            tags.append(FLIP[POLARITY[w]] if negated else POLARITY[w])
        else:
            tags.append(PLAIN.get(w, "NOUN"))
        negated = (negated or w == "not") and w not in POLARITY  # a polar adjective ends the scope of "not"
    return tags


@dataclass
class Split:
    """One split: word ids x and tag ids y (n, seq), and bool masks (n, seq) of the three kinds of token."""

    x: torch.Tensor
    y: torch.Tensor
    mask_right: torch.Tensor  # ambiguous nouns: decided by a later cue
    mask_left: torch.Tensor  # polar adjectives: decided by an earlier "not" (or its absence)
    mask_pad: torch.Tensor  # padding after the end of the sentence

    @property
    def mask_plain(self) -> torch.Tensor:
        """Real tokens whose tag is fixed by the word itself."""
        return ~(self.mask_right | self.mask_left | self.mask_pad)


@dataclass
class TaggingData:
    """The vocabulary, the tag set and the three splits."""

    words: Vocabulary
    tags: Vocabulary
    train: Split
    val: Split
    test: Split

    def split(self, name: str) -> Split:
        """The split called `name`: "train", "val" or "test"."""
        if name not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {name!r}")
        return getattr(self, name)


def encode(sentences: list[list[tuple[str, str]]]) -> Split:
    """Word and tag ids of (word, tag) sentences, padded to MAX_LENGTH, with their masks."""
    x = torch.zeros(len(sentences), MAX_LENGTH, dtype=torch.int64)
    y = torch.zeros(len(sentences), MAX_LENGTH, dtype=torch.int64)
    for i, pairs in enumerate(sentences):
        x[i, : len(pairs)] = torch.tensor(WORDS.ids([w for w, _ in pairs]))
        y[i, : len(pairs)] = torch.tensor(TAGS.ids([t for _, t in pairs]))
    right_ids = torch.tensor(WORDS.ids(list(AMBIGUOUS)))
    left_ids = torch.tensor(WORDS.ids(list(POLARITY)))
    return Split(x, y, torch.isin(x, right_ids), torch.isin(x, left_ids), x == 0)


def make_tagging_data(n_train: int, n_val: int, n_test: int, seed: int) -> TaggingData:
    """Distinct random sentences, the same for the same seed, cut into train, validation and test splits."""
    if min(n_train, n_val, n_test) < 1 or n_train + n_val + n_test > MAX_SENTENCES:
        raise ValueError(
            f"need 1 or more sentences per split and at most {MAX_SENTENCES:,} in all, "
            f"got {n_train}, {n_val} and {n_test}"
        )
    rng = random.Random(seed)
    seen: set[tuple[tuple[str, str], ...]] = set()
    sentences: list[list[tuple[str, str]]] = []
    while len(sentences) < n_train + n_val + n_test:
        pairs = sentence(rng)
        if tuple(pairs) not in seen:
            seen.add(tuple(pairs))
            sentences.append(pairs)
    cuts = (0, n_train, n_train + n_val, n_train + n_val + n_test)
    return TaggingData(WORDS, TAGS, *(encode(sentences[a:b]) for a, b in zip(cuts, cuts[1:])))


def decode(data: TaggingData, i: int, split: str = "train") -> list[tuple[str, str]]:
    """Sentence i of a split as (word, tag) pairs, without the padding."""
    part = data.split(split)
    if not 0 <= i < len(part.x):
        raise ValueError(f"sentence index must be in 0..{len(part.x) - 1}, got {i}")
    keep = ~part.mask_pad[i]
    return [(data.words[w], data.tags[t]) for w, t in zip(part.x[i][keep].tolist(), part.y[i][keep].tolist())]


def describe(data: TaggingData) -> str:
    """A few lines on the vocabulary, the tags and the size and make-up of each split."""
    lines = [f"{len(data.words)} words, {len(data.tags)} tags, sentences padded to {data.train.x.shape[1]} tokens"]
    for name in SPLITS:
        part = data.split(name)
        real = int((~part.mask_pad).sum())
        lines.append(
            f"{name:>5}: {len(part.x):5d} sentences, {real:6d} tokens: {int(part.mask_right.sum()):5d} "
            f"right-decided, {int(part.mask_left.sum()):5d} left-decided, {int(part.mask_plain.sum()):6d} plain"
        )
    return "\n".join(lines)


CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class Tagger(nn.Module):
    """Embedding → recurrent layers (one direction or both) → a linear layer: tag scores at every position.

    The padding sits at the end of each row: the forward direction meets it after the sentence, the
    backward direction reads it first, from a state that depends only on how much padding there is.
    """

    def __init__(
        self,
        words: int,
        tags: int,
        hidden_size: int = 64,
        kind: str = "gru",
        bidirectional: bool = False,
        num_layers: int = 1,
        dropout: float = 0.0,
        embedding_size: int = 16,
    ):
        super().__init__()
        if kind not in CELLS:
            raise ValueError(f"kind must be one of {sorted(CELLS)}, got {kind!r}")
        if num_layers < 1 or not 0.0 <= dropout < 1.0:
            raise ValueError(f"need num_layers ≥ 1 and 0 ≤ dropout < 1, got {num_layers} and {dropout}")
        self.kind, self.bidirectional = kind, bidirectional
        self.embedding = nn.Embedding(words, embedding_size, padding_idx=0)
        # dropout acts between layers, so it means nothing for one layer (and torch would warn)
        self.rnn = CELLS[kind](
            embedding_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.readout = nn.Linear(hidden_size * (2 if bidirectional else 1), tags)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Tag scores (batch, seq, tags) for word ids x (batch, seq)."""
        if x.dim() != 2 or x.dtype != torch.int64:
            raise ValueError(f"expected word ids of shape (batch, seq) and dtype int64, got {tuple(x.shape)} {x.dtype}")
        outputs, _ = self.rnn(self.embedding(x))
        return self.readout(outputs)


def tagging_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, mask_pad: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the real (non-padding) tokens."""
    return F.cross_entropy(model(x)[~mask_pad], y[~mask_pad])


def train_tagger(
    model: nn.Module,
    data: TaggingData,
    steps: int,
    generator: torch.Generator,
    batch_size: int = 64,
    lr: float = 1e-2,
    clip: float = 1.0,
) -> TrainLog:
    """Random mini-batches of training sentences (drawn with `generator`), the course's training loop.

    The model is left in eval mode (dropout off), ready to be measured.
    """
    train_split = data.train

    def batch_loss(step: int) -> torch.Tensor:
        rows = torch.randint(0, len(train_split.x), (batch_size,), generator=generator)
        return tagging_loss(model, train_split.x[rows], train_split.y[rows], train_split.mask_pad[rows])

    return train(model, batch_loss, steps, lr=lr, clip=clip)


@torch.no_grad()
def tag_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> float:
    """Fraction of the tokens where `mask` is True that get the right tag."""
    if not mask.any():
        raise ValueError("the mask selects no tokens")
    training = model.training
    model.eval()
    right = (model(x).argmax(dim=-1) == y)[mask]
    model.train(training)
    return float(right.float().mean())


def tag_accuracies(model: nn.Module, part: Split) -> dict[str, float]:
    """Accuracy of a split's real tokens: all of them, and the right-decided, left-decided and plain ones."""
    masks = {"all": ~part.mask_pad, "right": part.mask_right, "left": part.mask_left, "plain": part.mask_plain}
    return {name: tag_accuracy(model, part.x, part.y, mask) for name, mask in masks.items()}
