"""Notebook 00: the course map, why order matters, how far back a model looks, and task shapes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from helpers.course import validate
from helpers.course.exercises import Case, Exercise
from helpers.course.plotting import PALETTE, label
from helpers.course.quiz import Question, Quiz

# ---------------------------------------------------------------------------------------------
# The course map
# ---------------------------------------------------------------------------------------------

NOTEBOOKS = {
    "00": "Course map and environment check",
    "01": "Neurons, activations and tanh",
    "02": "The vanilla RNN",
    "03": "Training RNNs: language models and BPTT",
    "04": "Vanishing and exploding gradients",
    "05": "LSTM",
    "06": "GRU",
    "07": "Bidirectional and stacked RNNs",
    "08": "Sequence to sequence",
    "09": "Memory playground",
    "10": "RNNs today",
}
SHORT_TITLES = {
    "00": "course map",
    "01": "neurons and tanh",
    "02": "vanilla RNN",
    "03": "language models, BPTT",
    "04": "vanishing gradients",
    "05": "LSTM",
    "06": "GRU",
    "07": "bidirectional, stacked",
    "08": "seq2seq",
    "09": "memory playground",
    "10": "RNNs today",
}


@dataclass(frozen=True)
class Stage:
    """One idea in the history of language models, a landmark year, and the notebooks that meet it."""

    name: str
    year: str
    notebooks: tuple[str, ...]
    source: str  # the landmark paper(s) the year stands for


STAGES = (
    Stage("n-gram models", "1948", ("00", "03"), "Shannon 1948, A Mathematical Theory of Communication"),
    Stage("word embeddings", "2003", ("03", "08"), "Bengio et al. 2003, A Neural Probabilistic Language Model"),
    Stage(
        "RNNs",
        "2010",
        ("01", "02", "03", "04", "05", "06", "07", "09", "10"),
        "Mikolov et al. 2010, Recurrent Neural Network Based Language Model",
    ),
    Stage("seq2seq", "2014", ("08", "10"), "Sutskever, Vinyals & Le 2014; Cho et al. 2014"),
    Stage(
        "attention / transformers",
        "2015–17",
        ("08", "10"),
        "Bahdanau, Cho & Bengio 2015 (attention); Vaswani et al. 2017 (transformers)",
    ),
)
RNN_ORIGINS = "Jordan 1986; Elman 1990, Finding Structure in Time"  # the recurrent network itself
RNN_STAGE = 2  # the index of the stage this course is about


def course_table() -> str:
    """Every notebook with its title and the stages of the map it covers, as aligned text."""
    lines = [f"{'nb':<3} {'title':<41} ideas on the map"]
    for number, title in NOTEBOOKS.items():
        ideas = [s.name for s in STAGES if number in s.notebooks]
        lines.append(f"{number:<3} {title:<41} {', '.join(ideas) or '(foundations)'}")
    return "\n".join(lines)


def landmarks() -> str:
    """Each stage of the map with its year and the paper(s) the year stands for, as aligned text."""
    lines = [f"{stage.name + ' (' + stage.year + ')':<34} {stage.source}" for stage in STAGES]
    return "\n".join([*lines, f"{'the recurrent network itself':<34} {RNN_ORIGINS}"])


def draw_course_map(ax: Axes) -> Axes:
    """Draw the stages in historical order (x) against the notebooks that cover them (y)."""
    numbers = list(NOTEBOOKS)
    colours = [PALETTE[c] for c in ("sky", "green", "vermillion", "purple", "orange")]
    ax.axvspan(RNN_STAGE - 0.45, RNN_STAGE + 0.45, color=PALETTE["vermillion"], alpha=0.12, linewidth=0)
    for x, (stage, colour) in enumerate(zip(STAGES, colours)):
        ys = [numbers.index(n) for n in stage.notebooks]
        ax.scatter([x] * len(ys), ys, s=140, marker="s", color=colour, edgecolors=PALETTE["black"], zorder=3)
    for x in range(len(STAGES) - 1):  # arrows along the top: each idea grew out of the previous one
        ax.annotate(
            "",
            xy=(x + 0.75, -1.5),
            xytext=(x + 0.25, -1.5),
            arrowprops={"arrowstyle": "->", "color": PALETTE["black"], "lw": 1.5},
            annotation_clip=False,
        )
    ax.text(RNN_STAGE, -0.8, "this course", ha="center", va="center", color=PALETTE["vermillion"], fontweight="bold")
    ticks = [stage.name.replace(" / ", " /\n") + f"\n({stage.year})" for stage in STAGES]
    ax.set_xticks(range(len(STAGES)), ticks, fontsize=9)
    ax.set_yticks(range(len(numbers)), [f"{n} {SHORT_TITLES[n]}" for n in numbers], fontsize=9)
    ax.set(xlim=(-0.6, len(STAGES) - 0.4), ylim=(len(numbers) - 0.5, -1.9))
    ax.grid(False)
    return label(
        ax,
        "Where RNNs sit, and which notebook covers each idea",
        "idea, older → newer (year of a landmark paper)",
        "notebook",
    )


# ---------------------------------------------------------------------------------------------
# Words, order and distance
# ---------------------------------------------------------------------------------------------


def tokenize(sentence: str) -> list[str]:
    """Lower-case a sentence and split it on whitespace into words (tokens)."""
    if not isinstance(sentence, str):
        raise ValueError(f"a sentence must be a string, got {type(sentence).__name__}")
    tokens = sentence.lower().split()
    if not tokens:
        raise ValueError("the sentence is empty: give at least one word")
    return tokens


def bag_of_words(sentence: str) -> dict[str, int]:
    """How often each word occurs, ignoring order (keys sorted alphabetically)."""
    counts = Counter(tokenize(sentence))
    return {word: counts[word] for word in sorted(counts)}


def token_distance(tokens: list[str], first: str, second: str) -> int:
    """How many positions `second` comes after `first` (first occurrence of each)."""
    for word in (first, second):
        if word not in tokens:
            raise ValueError(f"{word!r} is not one of the tokens {tokens}")
    return tokens.index(second) - tokens.index(first)


def ngram_window(tokens: list[str], position: int, n: int = 3) -> list[str]:
    """The words an n-gram model sees when predicting the token at `position`: the n − 1 before it."""
    if validate.number("n", n, integer=True) < 1:
        raise ValueError(f"an n-gram model needs n ≥ 1, got n = {n}")
    if not 0 <= validate.number("position", position, integer=True) < len(tokens):
        raise ValueError(f"position must be 0..{len(tokens) - 1}, got {position}")
    return tokens[max(0, position - (n - 1)) : position]


BLANK = "___"
PREFIX = ("i", "grew", "up", "in", "france")
FILLER = tuple(
    "and lived there until i was twelve then we moved to a small town by the sea "
    "where i went to school made new friends and learned to sail so".split()
)
SUFFIX = ("i", "speak", BLANK)
MAX_GAP = len(FILLER)  # 30 filler words


def long_range_sentence(gap: int) -> list[str]:
    """'i grew up in france', then `gap` filler words, then 'i speak ___', as tokens."""
    gap = validate.whole("gap (filler words)", gap, low=0, high=MAX_GAP)
    return [*PREFIX, *FILLER[:gap], *SUFFIX]


def signal_left(steps: int, factor: float = 0.9) -> float:
    """A preview of fading memory: what is left of a signal that keeps `factor` of itself per step."""
    steps = validate.whole("steps", steps, low=0)
    return validate.non_negative("factor", factor) ** steps


class Lookback(TypedDict):
    """What the 'how far back' demo shows for one gap (see lookback)."""

    tokens: list[str]
    words: int  # words before the blank
    distance: int  # how far back 'france' is from the blank
    window: list[str]  # what an n-gram model sees
    reaches: bool  # whether that window holds 'france'
    order_needed: int  # the n of an n-gram model that would
    signal: float  # the fading-memory preview, signal_left(distance)


def lookback(gap: int, n: int = 3) -> Lookback:
    """Everything the 'how far back' demo shows for one gap: lengths, distance, window, reach."""
    tokens = long_range_sentence(gap)
    blank = tokens.index(BLANK)
    distance = token_distance(tokens, "france", BLANK)
    window = ngram_window(tokens, blank, n)
    return {
        "tokens": tokens,
        "words": blank,
        "distance": distance,
        "window": window,
        "reaches": "france" in window,
        "order_needed": distance + 1,
        "signal": signal_left(distance),
    }


def lookback_readout(gap: int) -> str:
    """The demo's one-line readout for a gap."""
    info = lookback(gap)
    reach = "yes" if info["reaches"] else f"no (it would take a {info['order_needed']}-gram)"
    return (
        f"gap {gap}: {info['words']} words before the blank, 'france' is {info['distance']} back; "
        f"trigram sees '{' '.join(info['window'])}', reaches 'france': {reach}; "
        f"preview 0.9^{info['distance']} = {info['signal']:.4f}"
    )


def words_of(text: str) -> list[str]:
    """The words of a text: lower-cased runs of letters and apostrophes ("'Tis so." → ["'tis", "so"])."""
    return re.findall(r"[a-z']+", text.lower())


def history_coverage(seen: list[str], new: list[str], lengths: Iterable[int]) -> dict[int, float]:
    """For each length k, the fraction of the k-word sequences of `new` that occur somewhere in `seen`.

    An n-gram model predicts from the n − 1 words before; a sequence it has never seen has no count.
    Exact: every k-word sequence gets a number (equal sequences, equal numbers), built from the
    (k − 1)-word sequence's number and the k-th word.
    """
    lengths = sorted(set(lengths))
    if not lengths or lengths[0] < 1 or lengths[-1] > min(len(seen), len(new)):
        raise ValueError(f"lengths must be 1..{min(len(seen), len(new))} words, got {lengths}")
    ids: dict[str, int] = {}
    words = np.fromiter((ids.setdefault(word, len(ids)) for word in [*seen, *new]), dtype=np.int64)
    vocabulary, total = len(ids), len(words)
    number = words  # number[i]: which k-word sequence starts at position i
    coverage = {}
    for k in range(1, lengths[-1] + 1):
        if k > 1:
            number = np.unique(number[:-1] * vocabulary + words[k - 1 :], return_inverse=True)[1].astype(np.int64)
        if k in lengths:  # sequences that lie wholly inside `seen`, and wholly inside `new`
            counted, histories = number[: len(seen) - k + 1], number[len(seen) : total - k + 1]
            coverage[k] = float(np.isin(histories, counted).mean())
    return coverage


def shakespeare_words() -> tuple[list[str], list[str]]:
    """The words of notebook 03's training plays and of its three held-out plays (helpers.text's split)."""
    from helpers.text import load_plays, split_by_play  # here, not at the top: only this function reads the plays

    train, held_out = split_by_play(load_plays())
    return words_of(train), words_of(held_out)


# ---------------------------------------------------------------------------------------------
# Task shapes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskShape:
    """A task shape with a worked example: input tokens, output tokens, and whether they align."""

    name: str
    task: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    aligned: bool = False
    rule: str = ""

    def __post_init__(self):
        if not self.inputs or not self.outputs:
            raise ValueError(f"{self.name}: a task needs at least one input and one output")
        if self.aligned and len(self.inputs) != len(self.outputs):
            raise ValueError(
                f"{self.name}: aligned tasks have one output per input, "
                f"got {len(self.inputs)} inputs and {len(self.outputs)} outputs"
            )


TASK_SHAPES = (
    TaskShape("one-to-one", "image classification", ("[image]",), ("cat",), aligned=True, rule="1 → 1"),
    TaskShape("one-to-many", "image captioning", ("[image]",), ("a", "dog", "catches", "a", "ball"), rule="1 → m"),
    TaskShape("many-to-one", "sentiment", ("what", "a", "great", "film"), ("positive",), rule="n → 1"),
    TaskShape(
        "many-to-many, aligned", "tagging", ("the", "dog", "barks"), ("DET", "NOUN", "VERB"), aligned=True, rule="n → n"
    ),
    TaskShape("many-to-many, unaligned", "translation", ("i", "am", "hungry"), ("j'ai", "faim"), rule="n → m"),
)


def shape_layout(shape: TaskShape) -> tuple[list[int], list[int], int]:
    """At which time steps an RNN reads inputs and writes outputs, and how many steps it runs."""
    n_in, n_out = len(shape.inputs), len(shape.outputs)
    if shape.aligned:
        return list(range(n_in)), list(range(n_out)), n_in
    if n_in == 1:  # one-to-many: read once, then keep writing
        return [0], list(range(n_out)), n_out
    if n_out == 1:  # many-to-one: read everything, answer at the end
        return list(range(n_in)), [n_in - 1], n_in
    return list(range(n_in)), list(range(n_in, n_in + n_out)), n_in + n_out  # read all, then write


def task_shape_table() -> str:
    """The task shapes with their example, input length and output length, as aligned text."""
    lines = [f"{'shape':<24} {'example task':<21} {'rule':<6} {'in':>3} {'out':>4}  example"]
    for s in TASK_SHAPES:
        example = f"{' '.join(s.inputs)} → {' '.join(s.outputs)}"
        lines.append(f"{s.name:<24} {s.task:<21} {s.rule:<6} {len(s.inputs):>3} {len(s.outputs):>4}  {example}")
    return "\n".join(lines)


def _box(ax: Axes, x: float, y: float, text: str, colour: str) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x - 0.4, y - 0.3),
            0.8,
            0.6,
            boxstyle="round,pad=0.02",
            facecolor=colour,
            edgecolor=PALETTE["black"],
            linewidth=1,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=7 if len(text) > 4 else 8)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="->", mutation_scale=8, color=PALETTE["black"], linewidth=1))


def draw_task_shape(ax: Axes, shape: TaskShape) -> Axes:
    """Draw one task shape: inputs (bottom), RNN steps (middle) and outputs (top), with arrows."""
    reads, writes, steps = shape_layout(shape)
    for t in range(steps):
        _box(ax, t, 1, "h", PALETTE["green"])
        if t + 1 < steps:
            _arrow(ax, (t + 0.4, 1), (t + 0.6, 1))
    for word, t in zip(shape.inputs, reads):
        _box(ax, t, 0, word, PALETTE["sky"])
        _arrow(ax, (t, 0.3), (t, 0.7))
    for word, t in zip(shape.outputs, writes):
        _box(ax, t, 2, word, PALETTE["orange"])
        _arrow(ax, (t, 1.3), (t, 1.7))
    ax.set(xlim=(-0.55, steps - 0.45), ylim=(-0.5, 2.5), xticks=range(steps))
    ax.set_yticks([0, 1, 2], ["input", "RNN", "output"])
    ax.grid(False)
    return label(ax, f"{shape.name}\n({shape.task})", "time step", "")


def draw_task_shapes(axes) -> None:
    """Draw every task shape, one per axes, left to right (widths: see `task_shape_widths`)."""
    axes = list(axes)
    if len(axes) != len(TASK_SHAPES):
        raise ValueError(f"need {len(TASK_SHAPES)} axes, one per task shape, got {len(axes)}")
    for index, (ax, shape) in enumerate(zip(axes, TASK_SHAPES)):
        draw_task_shape(ax, shape)
        if index:
            ax.set_yticklabels([])
        else:
            ax.set_ylabel("layer")


def task_shape_widths() -> list[int]:
    """Relative widths for the task-shape panels: the number of time steps of each."""
    return [shape_layout(s)[2] for s in TASK_SHAPES]


# ---------------------------------------------------------------------------------------------
# The quiz and the exercise
# ---------------------------------------------------------------------------------------------

QUIZ_QUESTIONS = (
    Question(
        "Translating 'i am hungry' into 'j'ai faim' has which task shape?",
        ("one-to-many", "many-to-one", "many-to-many, aligned", "many-to-many, unaligned"),
        answer=3,
        explanation="A sentence goes in and a sentence comes out, and their lengths differ (3 words in, 2 out), "
        "so the outputs cannot line up one-to-one with the inputs.",
        hints={
            0: "The input is a whole sentence, not a single item.",
            1: "The output is a sentence too, not one label.",
            2: "Aligned means exactly one output per input word. Count the words on each side.",
        },
    ),
    Question(
        "Why does a bag of words give the same result for 'dog bites man' and 'man bites dog'?",
        (
            "It lower-cases every word",
            "It counts words and forgets their order",
            "The two sentences have different lengths",
            "It only counts nouns",
        ),
        answer=1,
        explanation="Both sentences contain dog, bites and man once each. Only the order differs, "
        "and a bag of words throws the order away.",
        hints={
            0: "Both sentences are already lower-case, so that changes nothing here.",
            2: "Count them: both have 3 words.",
            3: "It counts every word, 'bites' included.",
        },
    ),
    Question(
        "'france' is 20 words before the blank in '… i speak ___'. Which model can, in principle, use 'france' "
        "to fill it?",
        ("A trigram model", "A 5-gram model", "An RNN", "None of them"),
        answer=2,
        explanation="In principle, an RNN: it updates its hidden state at every word, so what it read 20 words "
        "ago can still shape its guess. Whether a trained RNN really does is an experiment: notebook 04 measures "
        "how far back a vanilla RNN learns to look, and notebook 05 what an LSTM and the starting weights change.",
        hints={
            0: "A trigram model sees only the 2 previous words: 'i speak'.",
            1: "A 5-gram model sees 4 previous words; 'france' is 20 back.",
            3: "One of them has read every word so far, so in principle it can. Which one?",
        },
    ),
)


def course_quiz() -> Quiz:
    """The quiz of notebook 00."""
    return Quiz("Quiz: sequences, order and task shapes", list(QUIZ_QUESTIONS))


# ---------------------------------------------------------------------------------------------
# The exercise
# ---------------------------------------------------------------------------------------------

check_bag_of_words = Exercise(
    "bag_of_words",
    reference=bag_of_words,
    cases=[
        Case(("dog bites man",)),
        Case(("man bites dog",)),
        Case(("The cat saw the other cat",)),
        Case(("to be or not to be",)),
        Case(("Dog  bites   MAN",)),
    ],
    hidden_cases=[Case(("word",)), Case(("a a a b B",)), Case(("  Leading and  trailing spaces ",))],
    mistakes={
        "forget to lower-case the sentence first": lambda s: dict(Counter(s.split())),
        "count each word once, as in a set, instead of counting repeats": lambda s: dict.fromkeys(s.lower().split(), 1),
        "split with .split(' '), which keeps empty strings between double spaces; .split() does not": lambda s: dict(
            Counter(s.lower().split(" "))
        ),
    },
)
