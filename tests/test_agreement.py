"""Subject–verb agreement across a clause: the sentences say what they should, the scores and rules are right."""

import math

import pytest
import torch
from torch import nn

from helpers import agreement as ag
from helpers.tasks import SequenceModel


def sentences(n=4000, clause_length=6, seed=0, **rates):
    return ag.agreement_task(n, clause_length, torch.Generator().manual_seed(seed), **rates)


def number_of(ids):
    """0 = singular, 1 = plural for noun ids; -1 for filler words."""
    nouns = 2 * len(ag.NOUNS)
    return torch.where(ids < nouns, ids % 2, torch.full_like(ids, -1))


def test_sentences_put_the_subject_first_and_the_nearest_noun_last():
    s = sentences()
    assert s.ids.shape == (4000, 7) and s.x.shape == (4000, 7, len(ag.VOCAB))
    assert torch.equal(s.x.argmax(dim=-1), s.ids) and torch.equal(s.x.sum(dim=-1), torch.ones(4000, 7))
    assert torch.equal(number_of(s.ids[:, 0]), s.number)
    assert torch.equal(number_of(s.ids[:, -1]), s.nearest)
    assert torch.equal(s.attractor, s.nearest != s.number)


def test_rates_are_what_they_say_and_the_middle_of_the_clause_says_nothing_about_the_subject():
    s = sentences(n=20000, clause_length=9)
    assert abs(s.number.float().mean().item() - 0.5) < 0.02
    assert abs(s.attractor.float().mean().item() - 0.25) < 0.01
    middle = number_of(s.ids[:, 1:-1])
    is_noun = middle >= 0
    assert abs(is_noun.float().mean().item() - 0.25) < 0.01
    agrees = (middle == s.number[:, None])[is_noun]
    assert abs(agrees.float().mean().item() - 0.5) < 0.01  # a middle noun agrees by chance only
    no_attractors = sentences(n=2000, attractor_rate=0.0, noun_rate=0.0)
    assert not no_attractors.attractor.any()
    assert (number_of(no_attractors.ids[:, 1:-1]) == -1).all()


def test_a_one_token_clause_is_just_the_nearest_noun():
    s = sentences(n=50, clause_length=1)
    assert s.ids.shape == (50, 2)


def test_the_same_generator_seed_gives_the_same_sentences():
    assert torch.equal(sentences(seed=3).ids, sentences(seed=3).ids)
    assert not torch.equal(sentences(seed=3).ids, sentences(seed=4).ids)


def test_a_sentence_reads_as_words_with_its_verb():
    s = sentences(n=3)
    text = s.sentence(0)
    words, verb = text.split(" → ")
    assert len(words.split()) == 7 and verb == ag.VERBS[int(s.number[0])]
    assert words.split()[0] in ag.VOCAB[: 2 * len(ag.NOUNS)]
    with pytest.raises(ValueError, match=r"i must lie in 0..2, got 3"):
        s.sentence(3)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n": 0}, "n must be a whole number ≥ 1, got 0"),
        ({"clause_length": 0}, "clause_length must be a whole number ≥ 1"),
        ({"attractor_rate": 1.5}, "attractor_rate must be a probability between 0 and 1, got 1.5"),
        ({"noun_rate": -0.1}, "noun_rate must be a probability"),
    ],
)
def test_bad_arguments_are_explained(kwargs, message):
    arguments = {"n": 5, "clause_length": 3, "generator": torch.Generator()} | kwargs
    with pytest.raises(ValueError, match=message):
        ag.agreement_task(**arguments)


class Rule(nn.Module):
    """A fixed 'model' that reads one position's noun number: 0 = the subject, -1 = the nearest noun."""

    def __init__(self, position):
        super().__init__()
        self.position = position

    def forward(self, x):
        ids = x.argmax(dim=-1)[:, self.position]
        return nn.functional.one_hot(ids % 2, 2).float()


def test_scores_tell_a_model_reading_the_subject_from_one_copying_the_nearest_noun():
    s = sentences()
    assert ag.scores(Rule(0), s) == {"accuracy": 1.0, "attractor_accuracy": 1.0, "agreeing_accuracy": 1.0}
    copying = ag.scores(Rule(-1), s)
    assert copying == ag.nearest_noun_scores(s)
    assert copying["attractor_accuracy"] == 0.0 and copying["agreeing_accuracy"] == 1.0
    assert math.isclose(copying["accuracy"], 1 - s.attractor.float().mean().item(), abs_tol=1e-6)
    with pytest.raises(ValueError, match="both with and without an attractor"):
        ag.scores(Rule(0), sentences(n=100, attractor_rate=0.0))


def test_verdicts_have_a_wide_margin():
    assert ag.verdict(1.0) == ag.verdict(0.95) == "reads the subject"
    assert ag.verdict(0.0) == ag.verdict(0.05) == "copies the nearest noun"
    assert ag.verdict(0.5) == "mixed"


def test_a_run_is_reproducible_and_reports_what_the_notebook_prints():
    small = ag.Settings(steps=5, test_size=400, probe_size=64)
    _, first = ag.run(4, 0, small)
    _, again = ag.run(4, 0, small)
    assert first == again
    assert set(first) == {
        "clause_length",
        "seed",
        "accuracy",
        "attractor_accuracy",
        "agreeing_accuracy",
        "untrained_log10_subject_share",
        "largest_gradient_norm",
        "clipped_updates",
    }
    lines = ag.summary_table([first])
    assert lines[0].split()[:2] == ["clause", "k"] and lines[1].split()[:2] == ["4", "0"]
    assert ag.per_seed([first], 4, "accuracy") == {0: first["accuracy"]}
    with pytest.raises(ValueError, match=r"no record at clause length 9: have \[4\]"):
        ag.per_seed([first], 9, "accuracy")


def test_a_short_clause_is_learned_and_the_subject_gets_less_blame_from_further_away():
    model, record = ag.run(3, 0)  # the notebook's budget: 300 updates
    assert ag.verdict(record["attractor_accuracy"]) == "reads the subject"
    torch.manual_seed(0)
    untrained = SequenceModel(len(ag.VOCAB), 32, 2)
    near, far = (ag.log10_subject_share(untrained, ag.test_sentences(k)) for k in (3, 20))
    assert far < near - 2  # 17 more steps cost more than 2 orders of magnitude at PyTorch's initialisation
