"""The tagging data of notebook 07, its tagger, training loop and accuracy."""

import warnings

import pytest
import torch
from torch import nn

from helpers import cache, tagging
from helpers.tagging import (
    ADJECTIVE_PHRASES,
    AMBIGUOUS,
    BOTH_SIDES,
    CUES,
    INTENSIFIER_PHRASES,
    LINKS,
    MAX_LENGTH,
    POLARITY,
    Tagger,
    decode,
    describe,
    make_tagging_data,
    sentence,
    tag_accuracies,
    tag_accuracy,
    tag_sentence,
    train_tagger,
)


@pytest.fixture(scope="module")
def data():
    return make_tagging_data(400, 100, 300, seed=0)


def sentences(data, split):
    """Every sentence of a split as a tuple of (word, tag) pairs."""
    return [tuple(decode(data, i, split)) for i in range(len(data.split(split).x))]


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    a, b, c = (make_tagging_data(50, 10, 20, seed) for seed in (3, 3, 4))
    for split in ("train", "val", "test"):
        for field in ("x", "y", "mask_right", "mask_left", "mask_both", "mask_pad"):
            assert torch.equal(getattr(a.split(split), field), getattr(b.split(split), field))
        assert not torch.equal(a.split(split).x, c.split(split).x)


def test_no_sentence_occurs_twice_within_or_across_splits(data):
    every = sentences(data, "train") + sentences(data, "val") + sentences(data, "test")
    assert len(every) == 800 and len(set(every)) == 800


def test_the_splits_have_the_sizes_asked_for_and_the_description_counts_them(data):
    assert [len(data.split(s).x) for s in ("train", "val", "test")] == [400, 100, 300]
    assert data.train.x.shape == data.train.y.shape == (400, MAX_LENGTH)
    text = describe(data)
    right = int(data.test.mask_right.sum())
    assert "400 sentences" in text and f"{len(data.words)} words" in text and f"{right:5d} right-decided" in text


def test_the_generator_follows_the_rules_it_documents(data):
    for split in ("train", "val", "test"):
        for pairs in sentences(data, split):
            words, tags = zip(*pairs)
            assert list(tags) == tag_sentence(list(words))


def test_a_right_decided_tag_changes_with_the_later_cue_and_nothing_else_does():
    river = tag_sentence("the bank near the old river was not good".split())
    loan = tag_sentence("the bank near the old loan was not good".split())
    assert river[1] == "BANK-RIVER" and loan[1] == "BANK-MONEY"
    assert river[:1] + river[2:] == loan[:1] + loan[2:]


def test_every_right_decided_token_in_the_data_flips_when_its_cue_is_swapped(data):
    for pairs in sentences(data, "test"):
        words = [w for w, _ in pairs]
        if words[1] not in AMBIGUOUS:  # a plain subject: "the movie was …"
            continue
        j = next(k for k, w in enumerate(words) if w in CUES)
        word, sense = CUES[words[j]]
        other = next(c for c, (w, s) in CUES.items() if w == word and s != sense)
        swapped = tag_sentence(words[:j] + [other] + words[j + 1 :])
        before = [t for _, t in pairs]
        assert swapped[1] != before[1] and swapped[:1] + swapped[2:] == before[:1] + before[2:]


def test_nothing_left_of_an_ambiguous_word_tells_its_sense(data):
    train = [pairs for pairs in sentences(data, "train") if any(w in AMBIGUOUS for w, _ in pairs)]
    assert all(pairs[0][0] == "the" and pairs[1][0] in AMBIGUOUS for pairs in train)  # "the" is all it has on its left
    for word in AMBIGUOUS:
        tags = [t for pairs in train for w, t in pairs if w == word]
        share = sum(t == tags[0] for t in tags) / len(tags)
        assert 0.35 < share < 0.65, f"{word}: {share:.2f} of its tags are {tags[0]}"


def test_a_left_decided_tag_flips_with_an_earlier_not():
    plain, negated = (
        tag_sentence(s.split())
        for s in ("the bat near the cave was very bad", "the bat near the cave was not very bad")
    )
    assert plain[-1] == "NEG" and negated[-1] == "POS"


def test_masks_are_disjoint_and_mark_the_ambiguous_words_the_polar_adjectives_and_the_padding(data):
    for split in ("train", "val", "test"):
        part = data.split(split)
        kinds = torch.stack([part.mask_right, part.mask_left, part.mask_both, part.mask_pad, part.mask_plain]).long()
        assert torch.all(kinds.sum(dim=0) == 1)  # every token is exactly one kind
        assert torch.all(part.mask_right.sum(dim=1) <= 1) and torch.all(part.mask_left.sum(dim=1) == 1)
        words = [[data.words[w] for w in row] for row in part.x.tolist()]
        for row, right, left, both in zip(
            words, *(m.tolist() for m in (part.mask_right, part.mask_left, part.mask_both))
        ):
            assert [w in AMBIGUOUS for w in row] == right and [w in POLARITY for w in row] == left
            assert [w == BOTH_SIDES for w in row] == both
        lengths = (~part.mask_pad).sum(dim=1)
        assert torch.equal(part.mask_pad, torch.arange(MAX_LENGTH) >= lengths[:, None])  # padding only at the end
        assert torch.all(part.y[part.mask_pad] == data.tags.index["PAD"]) and lengths.min() >= 5


def test_decode_shows_a_sentence_without_padding(data):
    pairs = decode(data, 0, "test")
    assert pairs[0] == ("the", "DET") and all(w != "<pad>" for w, _ in pairs)
    assert len(pairs) == int((~data.test.mask_pad[0]).sum())


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_the_tagger_scores_every_tag_at_every_position(kind, bidirectional, num_layers):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # dropout with one layer must not make torch warn
        model = Tagger(
            39, 18, hidden_size=8, kind=kind, bidirectional=bidirectional, num_layers=num_layers, dropout=0.2
        )
    assert model(torch.zeros(5, 11, dtype=torch.int64)).shape == (5, 11, 18)
    assert model.readout.in_features == 8 * (2 if bidirectional else 1) and model.rnn.num_layers == num_layers
    assert model.rnn.dropout == (0.2 if num_layers == 2 else 0.0)


class Fixed(nn.Module):
    """A 'model' that predicts the given tags, whatever the input."""

    def __init__(self, predictions: torch.Tensor, tags: int):
        super().__init__()
        self.scores = nn.functional.one_hot(predictions, tags).float()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.scores


def test_tag_accuracy_counts_only_the_masked_tokens():
    y = torch.tensor([[1, 2, 3, 0], [2, 2, 1, 0]])
    model = Fixed(torch.tensor([[1, 0, 3, 2], [2, 2, 2, 2]]), 4)
    everything = torch.tensor([[True, True, True, False], [True, True, True, False]])
    assert tag_accuracy(model, y, y, everything) == pytest.approx(4 / 6)
    assert tag_accuracy(model, y, y, torch.tensor([[False, True, False, False], [False, False, True, False]])) == 0.0
    assert tag_accuracy(model, y, y, torch.tensor([[True, False, True, False], [False] * 4])) == 1.0
    assert model.training  # measured in eval mode, then handed back as it came


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: make_tagging_data(10, 0, 10, 0), "1 or more sentences per split"),
        (lambda: make_tagging_data(10**6, 10, 10, 0), "at most"),
        (lambda: decode(make_tagging_data(3, 1, 1, 0), 3, "train"), r"index must be in 0\.\.2"),
        (lambda: make_tagging_data(3, 1, 1, 0).split("dev"), "split must be one of"),
        (lambda: Tagger(10, 5, kind="transformer"), "kind must be one of"),
        (lambda: Tagger(10, 5, num_layers=0), "num_layers ≥ 1"),
        (lambda: Tagger(10, 5)(torch.zeros(2, 3, 4, dtype=torch.int64)), r"\(batch, seq\)"),
        (
            lambda: tag_accuracy(
                Tagger(10, 5),
                torch.zeros(1, 3, dtype=torch.int64),
                torch.zeros(1, 3, dtype=torch.int64),
                torch.zeros(1, 3, dtype=torch.bool),
            ),
            "selects no tokens",
        ),
        (lambda: tag_sentence(["the", "bank", "was", "good"]), "needs one of its cues later"),
        (lambda: tag_sentence(["the", "bank", "near", "the", "cave"]), "needs one of its cues later"),
        (lambda: tag_sentence(["the", "spoon"]), "from the vocabulary"),
        (lambda: tag_sentence("the movie was terribly".split()), "needs a polar adjective later"),
        (lambda: tagging.new_tagger("one way", 2, 0), r"\(direction, layers\) must be one of"),
    ],
)
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_bidirectional_tagger_gets_the_right_decided_tags_a_forward_one_can_only_guess():
    data = make_tagging_data(500, 10, 300, seed=0)
    scores = {}
    for bidirectional in (False, True):
        torch.manual_seed(0)
        model = Tagger(len(data.words), len(data.tags), hidden_size=64, bidirectional=bidirectional)
        log = train_tagger(model, data, 200, torch.Generator().manual_seed(0))
        scores[bidirectional] = tag_accuracies(model, data.test)
        assert log.steps == 200 and not model.training
    assert 0.4 < scores[False]["right"] < 0.6 and scores[False]["left"] > 0.95 and scores[False]["plain"] > 0.95
    assert scores[True]["right"] > 0.95 and scores[True]["left"] > 0.95 and scores[True]["all"] > 0.95


@pytest.fixture(scope="module")
def many():
    """50,000 generated sentences (seed 1), as word lists."""
    rng = __import__("random").Random(1)
    return [[w for w, _ in sentence(rng)] for _ in range(50_000)]


def test_links_fit_their_cue_and_the_oddities_cannot_be_produced(many):
    for words in many:
        text = " ".join(words)
        for odd in ("the bank by the loan", "small small", "big small", "small big", "so really so", "very very"):
            assert odd not in text, text
        repeated = [w for w in set(words) if w != "the" and words.count(w) > 1]
        assert not repeated, text
        if words[1] in AMBIGUOUS:
            cue = next(w for w in words if w in CUES)
            link = tuple(words[2 : words.index("the", 2)])
            assert link in LINKS[cue] and CUES[cue][0] == words[1], text
            assert tuple(words[words.index("the", 2) + 1 : words.index(cue)]) in ADJECTIVE_PHRASES + ((),)
        polar = words.index(next(w for w in words if w in POLARITY))
        was = words.index("was")
        assert tuple(words[was + 1 + (words[was + 1] == "not") : polar]) in INTENSIFIER_PHRASES, text
        assert len(words) <= MAX_LENGTH


def test_the_syllabus_examples_are_generated_and_tagged(many):
    texts = {" ".join(words) for words in many}
    assert "the movie was terribly exciting" in texts
    assert any(text.startswith("the bank that denied the loan was") for text in texts)
    assert tag_sentence("the movie was terribly exciting".split()) == ["DET", "NOUN", "VERB", "POS", "POS"]
    assert tag_sentence("the bank that denied the loan".split())[1] == "BANK-MONEY"


@pytest.mark.parametrize(
    "text, tag",
    [
        ("the movie was terribly exciting", "POS"),
        ("the movie was not terribly exciting", "NEG"),
        ("the movie was terribly boring", "NEG"),
        ("the movie was not so terribly boring", "POS"),
    ],
)
def test_terribly_takes_the_polarity_of_its_phrase_left_and_right(text, tag):
    words = text.split()
    tags = tag_sentence(words)
    assert tags[words.index("terribly")] == tag == tags[-1]


def test_every_run_of_the_cache_is_named_and_has_its_parameters():
    records = tagging.load_runs()
    assert len(records) == len(tagging.RUNS) * len(tagging.RUN_SEEDS)
    for record in records:
        model = tagging.new_tagger(record["direction"], record["layers"], record["seed"])
        assert record["parameters"] == sum(p.numel() for p in model.parameters())


def test_a_rerun_starts_exactly_like_the_cached_run_and_an_altered_number_fails():
    data = tagging.notebook_data()
    cached = next(r for r in tagging.load_runs() if (r["direction"], r["layers"], r["seed"]) == ("both ways", 2, 1))
    _, log = tagging.train_run("both ways", 2, 1, data, stop_after=cache.KEPT_LOSSES)
    fresh = {"first_losses": log.losses}
    tolerance = {"first_losses": cache.Tolerance(rel=2e-3)}
    assert cache.differences(cached, fresh, tolerance) == []
    altered = {**cached, "first_losses": [cached["first_losses"][0] * 1.01, *cached["first_losses"][1:]]}
    assert cache.differences(altered, fresh, tolerance)


def test_the_kept_weights_give_seed_0_s_cached_test_scores():
    data = tagging.notebook_data()
    taggers = tagging.load_seed0_taggers()
    for record in (r for r in tagging.load_runs() if r["seed"] == 0):
        scores = tag_accuracies(taggers[tagging.run_name(record["direction"], record["layers"])], data.test)
        assert all(abs(scores[name] - record[f"test_{name}"]) < 0.01 for name in scores)


def test_per_seed_picks_one_run_s_field_by_seed():
    records = [
        {"direction": "one way", "layers": 1, "seed": 0, "test_all": 0.5},
        {"direction": "one way", "layers": 1, "seed": 1, "test_all": 0.7},
        {"direction": "both ways", "layers": 1, "seed": 0, "test_all": 0.9},
    ]
    assert tagging.per_seed(records, "one way", 1, "test_all") == {0: 0.5, 1: 0.7}
    with pytest.raises(ValueError, match="no records of 'both ways, 2 layers'"):
        tagging.per_seed(records, "both ways", 2, "test_all")
