"""A toy tagging task for notebook 07 (bidirectional and stacked RNNs): some tags need the words on the right.

Most sentences follow one pattern: an ambiguous noun, a link that fits its cue noun, 0–2 adjectives, the cue,
then "was", an optional "not", an intensifier phrase and a polar adjective:

    the/DET bank/BANK-MONEY that/PRON denied/VERB the/DET big/ADJ loan/NOUN was/VERB not/NOT terribly/NEG good/NEG

One in ten instead has a plain subject ("the movie was terribly exciting"): no ambiguous noun.

- Right-decided tokens: an ambiguous noun (bank, bat, pitch, bass). Its sense tag (BANK-RIVER or
  BANK-MONEY, …) is set by the words on its right: the cue noun 3–6 words later ("river", "shore" → RIVER;
  "loan", "cash" → MONEY) and often already the link ("that denied the loan"). Nothing to its left says
  which sense, so a left-to-right tagger can only guess: 1/2.
- Left-decided tokens: a polar adjective (good, nice, exciting, bad, awful, boring). Its tag POS or NEG is
  its own polarity, flipped when "not" came 1–3 words EARLIER: "not very bad" is POS.
- Both-sides tokens: "terribly" is tagged with the polarity of the phrase it intensifies, the tag of the polar
  adjective after it. That needs the adjective on its right AND a "not" on its left ("terribly exciting" is
  POS, "not terribly exciting" NEG): a one-way tagger sees only one of the two. One bidirectional layer sees
  both but adds them up before its linear read-out, and a sum cannot compute "flip the right side's polarity
  if the left side says not" (an exclusive or): it can get at most 3 of the 4 cases right. A second layer,
  which reads both directions' states, can.
- Plain tokens: every other word, with a fixed tag (the → DET, near → PREP, river → NOUN, …).

Links fit their cue ("the bank by the river", "the bank that denied the loan", never "the bank by the loan");
adjectives are distinct (none before "cash") and never both "big" and "small"; no intensifier comes twice.
Tags are fully decided by the sentence: no noise. Sentences are 5–13 words long, padded at the end with
"<pad>" (tag PAD) to 13 tokens; `mask_pad` marks the padding, which the loss and the accuracies leave out.
No sentence occurs twice in the data: not within a split, and not in two splits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from helpers.cache import DATA_DIR, ResultCache, fingerprint, loss_summary
from helpers.course import validate
from helpers.training import TrainLog, count_parameters, train
from helpers.vocab import Vocabulary

PAD = "<pad>"
AMBIGUOUS = {  # word → sense → the cue nouns that decide it
    "bank": {"RIVER": ("river", "shore"), "MONEY": ("loan", "cash")},
    "bat": {"ANIMAL": ("cave", "wings"), "SPORT": ("ball", "game")},
    "pitch": {"SOUND": ("song", "tune"), "FIELD": ("grass", "goal")},
    "bass": {"FISH": ("lake", "hook"), "MUSIC": ("guitar", "band")},
}
LINKS = {  # cue noun → the words that may join the ambiguous noun to "the <adjectives> <cue>"
    "river": (("near",), ("by",)),
    "shore": (("near",), ("on",)),
    "loan": (("that", "denied"), ("that", "gave")),
    "cash": (("with",), ("that", "had")),
    "cave": (("in",), ("near",)),
    "wings": (("with",),),
    "ball": (("that", "hit"),),
    "game": (("for",), ("in",)),
    "song": (("of",), ("for",)),
    "tune": (("of",),),
    "grass": (("with",), ("on",)),
    "goal": (("near",), ("by",)),
    "lake": (("in",), ("from",)),
    "hook": (("on",),),
    "guitar": (("with",),),
    "band": (("in",), ("of",)),
}
POLARITY = {"good": "POS", "nice": "POS", "exciting": "POS", "bad": "NEG", "awful": "NEG", "boring": "NEG"}
FLIP = {"POS": "NEG", "NEG": "POS"}  # what "not" does to a polarity
BOTH_SIDES = "terribly"  # tagged with the polarity of the phrase it intensifies
PLAIN = {
    "the": "DET",
    "near": "PREP",
    "by": "PREP",
    "on": "PREP",
    "in": "PREP",
    "with": "PREP",
    "for": "PREP",
    "of": "PREP",
    "from": "PREP",
    "that": "PRON",
    "denied": "VERB",
    "gave": "VERB",
    "had": "VERB",
    "hit": "VERB",
    "big": "ADJ",
    "small": "ADJ",
    "old": "ADJ",
    "new": "ADJ",
    "was": "VERB",
    "not": "NOT",
    "very": "ADV",
    "really": "ADV",
    "so": "ADV",
}
SUBJECTS = ("movie", "film", "show")  # plain subjects: one sentence in ten
ADJECTIVE_PHRASES = ((), ("big",), ("small",), ("old",), ("new",), ("big", "old"), ("small", "old"), ("big", "new"))
INTENSIFIER_PHRASES = (
    (),
    ("very",),
    ("really",),
    ("so",),
    ("terribly",),
    ("really", "very"),
    ("really", "terribly"),
    ("so", "terribly"),
)
UNCOUNTABLE = ("cash",)  # takes no adjective: never "the big new cash"
PLAIN_SUBJECT_SHARE = 0.1
MAX_LENGTH = 13  # the longest sentence: the bank that denied the big old loan was not really terribly good

CUES = {cue: (word, sense) for word, senses in AMBIGUOUS.items() for sense, cues in senses.items() for cue in cues}
WORDS = Vocabulary(
    [*PLAIN, *AMBIGUOUS, *CUES, *SUBJECTS, BOTH_SIDES, *POLARITY], specials=(PAD,), separator=" "
)  # <pad> has id 0
TAGS = Vocabulary(
    [
        "NOUN",
        "POS",
        "NEG",
        *dict.fromkeys(PLAIN.values()),
        *(f"{word.upper()}-{sense}" for word, senses in AMBIGUOUS.items() for sense in senses),
    ],
    specials=("PAD",),
    separator=" ",
)
SPLITS = ("train", "val", "test")
MAX_SENTENCES = 12_000  # of 21,696 possible sentences: more would make the search for new ones slow


def sentence(rng: random.Random) -> list[tuple[str, str]]:
    """One random sentence as (word, tag) pairs: the <ambiguous> <link> the <adj>* <cue> was [not] <adv>* <polar>."""
    negated = rng.random() < 0.5
    polar = rng.choice(list(POLARITY))
    if rng.random() < PLAIN_SUBJECT_SHARE:
        subject = ["the", *rng.choice(ADJECTIVE_PHRASES), rng.choice(SUBJECTS)]
    else:
        word = rng.choice(list(AMBIGUOUS))
        cue = rng.choice(AMBIGUOUS[word][rng.choice(list(AMBIGUOUS[word]))])
        adjectives = rng.choice(ADJECTIVE_PHRASES) if cue not in UNCOUNTABLE else ()
        subject = ["the", word, *rng.choice(LINKS[cue]), "the", *adjectives, cue]
    words = [*subject, "was", *(["not"] if negated else []), *rng.choice(INTENSIFIER_PHRASES), polar]
    return list(zip(words, tag_sentence(words)))


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
        elif w == BOTH_SIDES:
            polar = next((p for p in words[i + 1 :] if p in POLARITY), None)
            if polar is None:
                raise ValueError(f"{w!r} at position {i} needs a polar adjective later in the sentence")
            tags.append(FLIP[POLARITY[polar]] if negated else POLARITY[polar])
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
    mask_both: torch.Tensor  # "terribly": decided by the adjective on its right and a "not" on its left
    mask_pad: torch.Tensor  # padding after the end of the sentence

    @property
    def mask_plain(self) -> torch.Tensor:
        """Real tokens whose tag is fixed by the word itself."""
        return ~(self.mask_right | self.mask_left | self.mask_both | self.mask_pad)


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
    return Split(x, y, torch.isin(x, right_ids), torch.isin(x, left_ids), x == WORDS.index[BOTH_SIDES], x == 0)


def make_tagging_data(n_train: int, n_val: int, n_test: int, seed: int) -> TaggingData:
    """Distinct random sentences, the same for the same seed, cut into train, validation and test splits."""
    for name, value in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test)):
        validate.number(name, value, integer=True)
    validate.seed("seed", seed)
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
            f"right-decided, {int(part.mask_left.sum()):5d} left-decided, {int(part.mask_both.sum()):4d} both-sides, "
            f"{int(part.mask_plain.sum()):6d} plain"
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
        validate.number("num_layers", num_layers, integer=True)
        validate.number("dropout", dropout)
        for name, size in (("hidden_size", hidden_size), ("embedding_size", embedding_size)):
            validate.whole(name, size)
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
    stop_after: int | None = None,
) -> TrainLog:
    """Random mini-batches of training sentences (drawn with `generator`), the course's training loop.

    The model is left in eval mode (dropout off), ready to be measured.
    """
    train_split = data.train

    def batch_loss(step: int) -> torch.Tensor:
        rows = torch.randint(0, len(train_split.x), (batch_size,), generator=generator)
        return tagging_loss(model, train_split.x[rows], train_split.y[rows], train_split.mask_pad[rows])

    return train(model, batch_loss, steps, lr=lr, clip=clip, stop_after=stop_after)


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
    """Accuracy of a split's real tokens: all, right-decided, left-decided, both-sides and plain ones."""
    masks = {
        "all": ~part.mask_pad,
        "right": part.mask_right,
        "left": part.mask_left,
        "both": part.mask_both,
        "plain": part.mask_plain,
    }
    return {name: tag_accuracy(model, part.x, part.y, mask) for name, mask in masks.items()}


# --- Notebook 07's measurements over seeds: one way against both ways, and 1, 2, 3 stacked layers -------------

RUNS = (("one way", 1), ("both ways", 1), ("both ways", 2), ("both ways", 3))  # (direction, layers)
RUN_SEEDS = (0, 1, 2)  # each seed: its own initial weights and batches, on the same data
DATA_SIZES, DATA_SEED = (2000, 500, 1000), 0
HIDDEN_SIZE, STEPS, BATCH_SIZE, LR = 32, 600, 64, 1e-2  # fixed before measuring; no dropout, so depth alone differs
RUNS_PATH = DATA_DIR / "seeds" / "taggers.json"
WEIGHTS_PATH = RUNS_PATH.with_suffix(".pt")  # seed 0's weights of every run, for the notebook's widget


def notebook_data() -> TaggingData:
    """Notebook 07's tagging data: 2,000 training, 500 validation and 1,000 test sentences (seed 0)."""
    return make_tagging_data(*DATA_SIZES, seed=DATA_SEED)


def run_name(direction: str, layers: int) -> str:
    """'one way, 1 layer', 'both ways, 2 layers', …"""
    return f"{direction}, {layers} layer{'s' if layers > 1 else ''}"


def new_tagger(direction: str, layers: int, seed: int) -> Tagger:
    """The seeded, untrained tagger of one run."""
    validate.seed("seed", seed)
    if (direction, layers) not in RUNS:
        raise ValueError(f"(direction, layers) must be one of {RUNS}, got {(direction, layers)}")
    torch.manual_seed(seed)
    return Tagger(len(WORDS), len(TAGS), HIDDEN_SIZE, bidirectional=direction == "both ways", num_layers=layers)


def train_run(
    direction: str, layers: int, seed: int, data: TaggingData, stop_after: int | None = None
) -> tuple[Tagger, TrainLog]:
    """Train one run's tagger with its seed (stop_after: replay only the start)."""
    model = new_tagger(direction, layers, seed)
    log = train_tagger(model, data, STEPS, torch.Generator().manual_seed(seed), BATCH_SIZE, LR, stop_after=stop_after)
    return model, log


def run_record(direction: str, layers: int, seed: int, data: TaggingData) -> tuple[dict, Tagger]:
    """One cached record (test accuracies, losses, parameters, seconds per update) and the trained tagger."""
    model, log = train_run(direction, layers, seed, data)
    return {
        "direction": direction,
        "layers": layers,
        "seed": seed,
        **loss_summary(log.losses),
        **{f"test_{name}": value for name, value in tag_accuracies(model, data.test).items()},
        "parameters": count_parameters(model),
        "seconds_per_step": log.seconds / log.steps,
    }, model


def runs_cache() -> ResultCache:
    """Notebook 07's tagger runs, one record per (direction, layers, seed); scripts/train_taggers.py rebuilds it."""
    data = notebook_data()
    settings = {
        "runs": [list(run) for run in RUNS],
        "seeds": list(RUN_SEEDS),
        "data": [*DATA_SIZES, DATA_SEED],
        "hidden_size": HIDDEN_SIZE,
        "steps": STEPS,
        "batch_size": BATCH_SIZE,
        "lr": LR,
    }
    parts = [data.split(name) for name in SPLITS]
    return ResultCache(
        RUNS_PATH,
        "python scripts/train_taggers.py",
        settings,
        fingerprint(*[t for part in parts for t in (part.x, part.y)]),
        ("direction", "layers", "seed"),
    )


def load_runs() -> list[dict]:
    """The cached records of every run and seed."""
    return runs_cache().load([(d, n, seed) for d, n in RUNS for seed in RUN_SEEDS])


def load_seed0_taggers() -> dict[str, Tagger]:
    """Seed 0's trained tagger of every run, by run_name, from the weights kept beside the cache."""
    states = torch.load(WEIGHTS_PATH, weights_only=True)
    models = {}
    for direction, layers in RUNS:
        name = run_name(direction, layers)
        if name not in states:
            raise ValueError(f"{WEIGHTS_PATH} lacks {name!r}: run `python scripts/train_taggers.py` to rebuild it")
        models[name] = new_tagger(direction, layers, 0)
        models[name].load_state_dict(states[name])
        models[name].eval()
    return models


def per_seed(records: list[dict], direction: str, layers: int, field: str) -> dict[int, float]:
    """One field of one run's records, by seed (for experiments.summarise and compare)."""
    chosen = {r["seed"]: float(r[field]) for r in records if (r["direction"], r["layers"]) == (direction, layers)}
    if not chosen:
        raise ValueError(f"no records of {run_name(direction, layers)!r}: the runs are {RUNS}")
    return chosen
