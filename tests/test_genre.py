"""Notebook 07's genre task: the split by play, the passages, the two baselines and the bidirectional GRU classifier."""

import math

import pytest
import torch
from torch import nn

from helpers import cache, genre
from helpers.text import load_plays, play_files, play_genre
from helpers.vocab import Vocabulary


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_split_puts_each_play_on_one_side_and_every_genre_on_each(seed):
    split = genre.split_plays_by_genre(seed)
    assert list(split) == ["train", "validation", "test"]
    sides = [set(slugs) for slugs in split.values()]
    assert sum(map(len, sides)) == len(set.union(*sides))  # no play on two sides
    assert set.union(*sides) == {slug for slug in play_files() if play_genre(slug) in genre.GENRE_CLASSES}
    for name, slugs in split.items():
        counts = {g: sum(play_genre(slug) == g for slug in slugs) for g in genre.GENRE_CLASSES}
        expected = {"train": None, "validation": genre.VALIDATION_PER_GENRE, "test": genre.TEST_PER_GENRE}[name]
        assert all(count >= 1 for count in counts.values()), (name, counts)
        assert expected is None or set(counts.values()) == {expected}, (name, counts)
    in_series = {slug for series in genre.SERIES for slug in series}
    assert in_series <= set(split["train"])  # a sequel's characters never cross the split
    assert genre.split_plays_by_genre(seed) == split


def test_the_seed_changes_which_plays_are_held_out():
    held_out = [tuple(genre.split_plays_by_genre(seed)["test"]) for seed in range(4)]
    assert len(set(held_out)) > 1


def test_passages_have_the_length_asked_for_and_their_play_s_genre():
    slugs = ["macbeth", "twelfth-night", "king-john"]
    texts, labels = genre.passages(slugs, 300, 5, seed=0)
    assert len(texts) == 15 and labels.dtype == torch.int64 and labels.tolist() == [2] * 5 + [0] * 5 + [1] * 5
    plays = load_plays(slugs)
    for i, text in enumerate(texts):
        play = plays[slugs[i // 5]]
        assert len(text) == 300
        start = play.index(text)
        assert start % 300 == 0  # cut on the grid 0, 300, 600, ...: passages never overlap
    assert len(set(texts)) == 15
    again, labels_again = genre.passages(slugs, 300, 5, seed=0)
    assert again == texts and torch.equal(labels_again, labels)
    assert genre.passages(slugs, 300, 5, seed=1)[0] != texts


def test_the_notebook_settings_fit_every_play():
    split = genre.split_plays_by_genre(0)
    texts, labels = genre.passages(sum(split.values(), []), genre.LENGTH, genre.PER_PLAY, seed=0)
    assert {len(text) for text in texts} == {genre.LENGTH}
    assert torch.bincount(labels).tolist() == [8 * genre.PER_PLAY, 11 * genre.PER_PLAY, 6 * genre.PER_PLAY]


def test_passage_errors():
    with pytest.raises(
        ValueError,
        match=r"plays must be from \('comedies', 'histories', 'tragedies'\), got \{'julius-caesar': 'roman'\}",
    ):
        genre.passages(["macbeth", "julius-caesar"], 300, 2, seed=0)
    with pytest.raises(
        ValueError, match=r"macbeth has 95,901 characters, 95 passages of 1000: fewer than the 100 asked for"
    ):
        genre.passages(["macbeth"], 1000, 100, seed=0)
    with pytest.raises(ValueError, match="length and per_play must be positive"):
        genre.passages(["macbeth"], 0, 1, seed=0)


def test_encode_passages_maps_unknown_characters_to_spaces():
    vocab = Vocabulary.from_text("ab ")
    assert genre.encode_passages(["abz", "b a"], vocab).tolist() == [[1, 2, 0], [2, 0, 1]]
    with pytest.raises(ValueError, match=r"same length, got lengths \[2, 3\]"):
        genre.encode_passages(["ab", "abc"], vocab)


def test_majority_baseline_by_hand():
    # Training labels 0, 1, 1, 2: the majority is 1; it is right on 2 of the 4 test labels.
    assert genre.majority_baseline(torch.tensor([0, 1, 1, 2]), torch.tensor([1, 0, 1, 2])) == 0.5
    assert genre.majority_baseline(torch.tensor([2, 2]), torch.tensor([0, 1])) == 0.0
    with pytest.raises(ValueError, match="need labels on both sides"):
        genre.majority_baseline(torch.tensor([], dtype=torch.int64), torch.tensor([0]))


def test_words_keep_inner_apostrophes():
    assert genre.words("O'er the HILL, 'tis ne'er done--") == ["o'er", "the", "hill", "tis", "ne'er", "done"]


def test_bag_of_words_separates_a_toy_dataset():
    train = [
        "jest and love and a wedding",
        "a merry jest",
        "the king and his crown",
        "crown the king of england",
        "blood and death",
        "a sword of death and blood",
    ]
    labels = torch.tensor([0, 0, 1, 1, 2, 2])
    test = ["love, a wedding!", "england's KING", "death by the sword", "a jest unseen-word"]
    assert genre.bag_of_words_baseline(train, labels, test, torch.tensor([0, 1, 2, 0])) == 1.0
    assert genre.bag_of_words_baseline(train, labels, test, torch.tensor([2, 2, 2, 2])) == 0.25


def test_bag_of_words_errors():
    with pytest.raises(ValueError, match="one label per passage, got 2 texts and 1 labels"):
        genre.bag_of_words_baseline(["a", "b"], torch.tensor([0]), ["a"], torch.tensor([0]))
    with pytest.raises(ValueError, match="smoothing must be positive"):
        genre.bag_of_words_baseline(["a"], torch.tensor([0]), ["a"], torch.tensor([0]), smoothing=0.0)


@pytest.mark.parametrize("pooling", genre.POOLINGS)
def test_the_classifier_scores_three_genres_per_passage(pooling):
    torch.manual_seed(0)
    model = genre.GenreRNN(vocab_size=10, embedding_size=4, hidden_size=5, pooling=pooling)
    scores = model(torch.randint(0, 10, (7, 12)))
    assert scores.shape == (7, 3)
    assert model.rnn.bidirectional and model.readout.in_features == 10


def test_classifier_errors():
    with pytest.raises(ValueError, match=r"pooling must be one of \('mean', 'max', 'last'\), got 'sum'"):
        genre.GenreRNN(10, 4, 5, pooling="sum")
    model = genre.GenreRNN(10, 4, 5)
    with pytest.raises(ValueError, match=r"ids must lie in 0..9, got 0..10"):
        model(torch.tensor([[0, 10]]))
    with pytest.raises(ValueError, match=r"int64 character ids of shape \(batch, seq\)"):
        model(torch.zeros(2, 3))


def _toy_task(n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Passages of 20 ids: noise from 3..5 with the label (0, 1 or 2) written at 4 random positions."""
    labels = torch.randint(0, 3, (n,), generator=generator)
    ids = torch.randint(3, 6, (n, 20), generator=generator)
    spots = torch.rand(n, 20, generator=generator).argsort(dim=1)[:, :4]  # 4 random positions show the label
    ids.scatter_(1, spots, labels[:, None].expand(-1, 4))
    return ids, labels


def test_a_short_training_run_learns_a_toy_task():
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    ids, labels = _toy_task(300, generator)
    model = genre.GenreRNN(vocab_size=6, embedding_size=4, hidden_size=8, pooling="max")
    losses = genre.train_genre_rnn(model, ids, labels, steps=60, generator=generator, batch_size=32, lr=1e-2).losses
    assert len(losses) == 60 and sum(losses[-10:]) < 0.5 * sum(losses[:10])
    test_ids, test_labels = _toy_task(200, generator)
    assert genre.accuracy(model, test_ids, test_labels) > 0.9
    assert genre.predict(model, test_ids).shape == (200,) and not model.training  # predict keeps the mode


def test_training_is_deterministic_given_the_seeds():
    ids, labels = _toy_task(50, torch.Generator().manual_seed(1))
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = genre.GenreRNN(6, 4, 4)
        runs.append(genre.train_genre_rnn(model, ids, labels, 5, torch.Generator().manual_seed(2), batch_size=8).losses)
    assert runs[0] == runs[1]


class _Recorder(nn.Module):
    """A stand-in model that remembers which passages it was shown (each passage's id is its row number)."""

    def __init__(self):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(3))
        self.seen: list[int] = []

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        self.seen += ids[:, 0].tolist()
        return self.bias.expand(len(ids), 3)


@pytest.mark.parametrize("balanced, expected", [(True, 0.5), (False, 0.1)])
def test_balanced_batches_show_each_genre_equally_often(balanced, expected):
    ids, labels = torch.arange(20)[:, None], torch.tensor([0] * 2 + [1] * 18)
    model = _Recorder()
    genre.train_genre_rnn(model, ids, labels, 50, torch.Generator().manual_seed(0), batch_size=40, balanced=balanced)
    share = sum(labels[i].item() == 0 for i in model.seen) / len(model.seen)
    assert abs(share - expected) < 0.05


def test_training_errors():
    model = genre.GenreRNN(6, 4, 4)
    with pytest.raises(ValueError, match=r"one label per passage, got shapes \(3, 5\) and \(2,\)"):
        genre.train_genre_rnn(model, torch.zeros(3, 5, dtype=torch.int64), torch.tensor([0, 1]), 1, torch.Generator())
    with pytest.raises(ValueError, match="steps and batch_size must be positive"):
        genre.train_genre_rnn(
            model, torch.zeros(3, 5, dtype=torch.int64), torch.tensor([0, 1, 2]), 0, torch.Generator()
        )


def test_label_entropy_by_hand():
    # The notebook's old training labels, 500 / 800 / 300: the loss of knowing only the genres' shares.
    labels = torch.tensor([0] * 500 + [1] * 800 + [2] * 300)
    shares = torch.tensor([500, 800, 300], dtype=torch.float64) / 1600
    assert genre.label_entropy(labels) == pytest.approx(float(-(shares * shares.log()).sum()))
    assert genre.label_entropy(labels) == pytest.approx(1.0239, abs=1e-4)
    assert genre.label_entropy(torch.tensor([0, 1, 2])) == pytest.approx(math.log(3))
    assert genre.label_entropy(torch.tensor([1, 1])) == 0.0
    with pytest.raises(ValueError, match="non-empty 1-d tensor"):
        genre.label_entropy(torch.tensor([], dtype=torch.int64))


def test_per_play_accuracy_by_hand():
    predicted, labels = torch.tensor([0, 0, 1, 2, 2, 2]), torch.tensor([0, 1, 1, 2, 2, 0])
    plays = ["a", "a", "b", "c", "c", "c"]
    assert genre.per_play_accuracy(predicted, labels, plays) == {"a": 0.5, "b": 1.0, "c": pytest.approx(2 / 3)}
    with pytest.raises(ValueError, match="one prediction, label and play per passage"):
        genre.per_play_accuracy(predicted, labels, plays[:5])


def test_a_balanced_bag_of_words_ignores_how_common_each_genre_was_in_training():
    # Class 1 has four times the passages: with its prior, an unseen word's passage goes to it; balanced, a tie.
    train = ["jest", "king", "king", "king", "king", "death"]
    labels = torch.tensor([0, 1, 1, 1, 1, 2])
    assert genre.bag_of_words_predict(train, labels, ["unseen"]).tolist() == [1]
    balanced = genre.bag_of_words_predict(train, labels, ["unseen", "jest", "death"], balanced=True)
    assert balanced.tolist()[1:] == [0, 2]
    with pytest.raises(ValueError, match="one label per passage, got 2 texts and 1 labels"):
        genre.bag_of_words_predict(["a", "b"], torch.tensor([0]), ["a"])


def test_the_cache_holds_every_seed_with_its_held_out_plays_and_a_balanced_bag_of_words():
    records = genre.genre_cache().load([(seed,) for seed in genre.SEEDS])
    for record in records:
        setup = genre.genre_setup(record["seed"])
        assert record["test_plays"] == setup.split["test"] and record["validation_plays"] == setup.split["validation"]
        assert list(record["per_play"]) == setup.split["test"]
        fresh = genre.bag_of_words_record(setup)  # no training: it must agree exactly
        assert fresh["bow_per_play"] == pytest.approx(record["bow_per_play"])
        assert fresh["bow_test"] == pytest.approx(record["bow_test"])
        assert sum(map(sum, record["confusion"])) == len(setup.labels["test"])
        assert 0 < record["best_step"] <= genre.TRAIN_STEPS and record["best_step"] % genre.EVAL_EVERY == 0


def test_a_rerun_starts_exactly_like_the_cached_seed_and_an_altered_number_fails():
    cached = next(r for r in genre.genre_cache().load() if r["seed"] == 1)
    _, log, _ = genre.train_selected(genre.genre_setup(1), stop_after=20)
    fresh = {"first_losses": log.losses}
    tolerance = {"first_losses": cache.Tolerance(rel=2e-3)}
    assert cache.differences({"first_losses": cached["first_losses"][:20]}, fresh, tolerance) == []
    altered = {"first_losses": [cached["first_losses"][0] * 1.01, *cached["first_losses"][1:20]]}
    assert cache.differences(altered, fresh, tolerance)


def test_training_with_selection_keeps_the_best_validation_weights():
    with pytest.raises(ValueError, match="eval_every must divide steps"):
        genre.train_selected(genre.genre_setup(0), steps=10, eval_every=3)
