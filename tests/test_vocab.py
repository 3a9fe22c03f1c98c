"""The course's one vocabulary: characters for the language models, words with special tokens for seq2seq."""

import pytest
import torch

from helpers.vocab import Vocabulary


def test_a_character_vocabulary_round_trips():
    vocab = Vocabulary.from_text("hello, world\n")
    assert vocab.tokens == ["\n", " ", ",", "d", "e", "h", "l", "o", "r", "w"] and len(vocab) == 10
    ids = vocab.encode("hello world")
    assert ids.dtype == torch.int64 and ids.tolist() == [5, 4, 6, 6, 7, 1, 9, 7, 8, 6, 3]
    assert vocab.decode(ids) == vocab.decode(ids.numpy()) == vocab.decode(ids.tolist()) == "hello world"
    assert vocab.encode("").tolist() == [] and vocab.decode([]) == "" and vocab[5] == "h" and vocab.index["h"] == 5


def test_unknown_characters_are_named_and_can_be_replaced():
    vocab = Vocabulary.from_text("abc ")
    with pytest.raises(
        ValueError, match=r"character 'z' at position 2 .* \(3 unknown characters in all\).*replace_unknown"
    ):
        vocab.encode("abzcz—")
    assert vocab.unknown_counts("abzcz—") == {"z": 2, "—": 1}
    assert vocab.replace_unknown("abzcz—") == "ab c  "
    assert vocab.replace_unknown("abzc", fallback="a") == "abac"
    with pytest.raises(ValueError, match="fallback must be a token of the vocabulary, got 'z'"):
        vocab.replace_unknown("abc", fallback="z")


def test_a_word_vocabulary_puts_the_specials_first_then_sorted_words_whatever_the_order_of_the_data():
    specials = ("<pad>", "<bos>", "<eos>", "<unk>")
    vocab = Vocabulary.from_sentences([["b", "a"], ["c", "a", "<eos>"]], specials)
    assert vocab.tokens == [*specials, "a", "b", "c"] and vocab.specials == specials
    assert Vocabulary.from_sentences([["c", "a"], ["a", "b"]], specials).tokens == vocab.tokens
    assert len(vocab) == 7 and "a" in vocab and "z" not in vocab
    assert vocab.decode(vocab.encode(["c", "a"])) == "c a" and vocab.tokens_of([4, 6]) == ["a", "c"]


def test_unknown_words_are_all_named_or_read_as_a_special_token():
    vocab = Vocabulary.from_sentences([["the", "cat"]], ("<pad>", "<unk>"))
    with pytest.raises(ValueError, match="2 tokens not in the vocabulary: 'dog', 'sleeps'.*unknown="):
        vocab.ids(["the", "dog", "sleeps", "dog"])
    assert vocab.ids(["the", "dog"], unknown="<unk>") == [vocab.index["the"], 1]
    with pytest.raises(ValueError, match="unknown must be a token of the vocabulary"):
        vocab.ids(["the"], unknown="<mask>")
    assert vocab.unknown_counts(["the", "dog", "dog"]) == {"dog": 2}


def test_counts_tabulate_known_tokens_per_sentence():
    vocab = Vocabulary.from_sentences([["a", "b"], ["c"]])
    table = vocab.counts([["a", "a", "z"], [], ["c", "b"]])
    assert table.tolist() == [[2.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 1.0, 1.0]] and table.dtype == torch.float64


def test_vocabulary_errors():
    with pytest.raises(ValueError, match="non-empty strings"):
        Vocabulary(["a", ""])
    with pytest.raises(ValueError, match="special tokens must be distinct"):
        Vocabulary(["a"], specials=("<pad>", "<pad>"))
    vocab = Vocabulary(["a", "b", "a"])
    assert vocab.tokens == ["a", "b"]
    with pytest.raises(ValueError, match=r"ids must lie in 0..1, got 2"):
        vocab.decode([0, 2])
    with pytest.raises(ValueError, match="1-D sequence of integers"):
        vocab.decode(torch.zeros(2, 2, dtype=torch.int64))
