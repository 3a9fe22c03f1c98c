"""Every registered demo builds, responds to each control, and reads out the right numbers."""

import numpy as np
import pytest

from helpers.course.widgets import sweep_values
from helpers.demos import all_demos
from helpers.demos.neurons import learning_rate_demo, neuron_demo

ALL_DEMOS = all_demos()


@pytest.mark.parametrize("notebook, builder", ALL_DEMOS, ids=lambda x: getattr(x, "__name__", x))
def test_every_control_changes_what_the_reader_sees(notebook, builder):
    demo = builder()
    for name, control in demo.controls.items():
        before_text, before_image = demo.text, bytes(demo.figure.image.value)
        new_value = next(v for v in sweep_values(control) if v != control.value)
        control.value = new_value
        assert (demo.text, bytes(demo.figure.image.value)) != (before_text, before_image), f"{name} changed nothing"


def test_neuron_demo_reads_out_the_worked_example_and_follows_the_activation():
    demo = neuron_demo()
    assert demo.text == "z = 2.00·0.50 + (-1.00)·0.30 + 0.10 = 0.800;  y = tanh(z) = 0.664"
    demo.controls["activation"].value = "relu"
    demo.controls["b"].value = -3.0
    assert demo.text.endswith("= -2.300;  y = relu(z) = 0.000")


@pytest.mark.parametrize(
    "rate, verdict",
    [(0.01, "converges"), (0.75, "converges, overshooting each step"), (1.0, "bounces forever"), (1.2, "diverges")],
)
def test_learning_rate_demo_at_every_regime(rate, verdict):
    demo = learning_rate_demo()
    demo.controls["learning_rate"].value = rate
    assert demo.text.endswith(f"({verdict})")


def test_unroll_demo_shows_t_copies_and_a_length_free_parameter_count():
    from helpers.demos.vanilla_rnn import unroll_demo

    demo = unroll_demo(input_size=10, hidden_size=16, output_size=10)
    demo.controls["length"].value = 3
    assert demo.text.startswith("T = 3: 3 copies")
    assert "602, for any T" in demo.text  # 16·(16 + 10 + 1) + 10·(16 + 1)
    assert len(demo.figure.moving[1].get_offsets()) == 3  # three state boxes drawn


def test_temperature_demo_flattens_the_distribution_as_t_grows():
    import re

    from helpers.demos.training_rnns import temperature_demo

    demo = temperature_demo(length=20)
    entropies = []
    for t in (0.2, 1.0, 2.0):
        demo.controls["temperature"].value = t
        entropies.append(float(re.search(r"entropy of the next character ([\d.]+)", demo.text).group(1)))
        assert demo.text.splitlines()[1] == "ROMEO:" and len(demo.text.split("\n", 1)[1]) == len("ROMEO:\n") + 20
    assert entropies == sorted(entropies) and entropies[0] < entropies[-1]


def test_gate_demo_keeps_the_fact_with_the_forget_gate_open_and_the_input_closed():
    from helpers.demos.lstm import gate_demo

    demo = gate_demo()
    demo.controls["forget"].value, demo.controls["input_gate"].value = 1.0, 0.0
    assert "keeps f^100 = 1 of its size; cell c = 1.000, exposed h = 0.762" in demo.text  # tanh(1) = 0.7616
    demo.controls["output"].value = 0.0
    assert demo.text.endswith("exposed h = 0.000")


def test_comparison_demo_reads_out_every_seeds_accuracy_from_the_cached_race():
    from helpers import race
    from helpers.demos.gru import comparison_demo

    records = race.load_race()
    demo = comparison_demo(records)
    demo.controls["length"].value = 25
    lines = demo.text.splitlines()
    assert lines[0] == "distance 25 (the answer is 25 steps back); test accuracy of seeds 0, 1, 2:"
    gru_64 = race.per_seed(records, "gru", "chrono", 64, 25)
    assert f"GRU (chrono) {' '.join(f'{gru_64[seed]:.0%}' for seed in (0, 1, 2))}" in lines[3]
    assert lines[1].startswith("  16 units: RNN (orthogonal)") and lines[3].startswith("  64 units:")
    image = bytes(demo.figure.image.value)
    demo.controls["length"].value = 50
    assert demo.text.startswith("distance 50") and bytes(demo.figure.image.value) != image


def test_translate_demo_handles_unknown_words_and_empty_input_and_draws_attention():
    from helpers.demos.seq2seq import translate_demo

    demo = translate_demo()
    sentence = demo.controls["sentence"]
    assert demo.text.startswith("with attention:") and "phrasebook (test pair)" in demo.text
    image = bytes(demo.figure.image.value)
    sentence.value = "the zebra sleeps"
    assert demo.text.startswith("Unknown word: 'zebra'") and bytes(demo.figure.image.value) != image
    sentence.value = ""
    assert demo.text.startswith("Type an English sentence")
    sentence.value = "I see the black cat."
    assert demo.text.splitlines()[0] == "with attention:    je vois le chat noir"


def test_connectivity_demo_draws_the_gradient_of_the_prediction_by_character():
    from matplotlib.collections import LineCollection

    from helpers.connectivity import log10_norms, prediction_gradients
    from helpers.demos.training_rnns import connectivity_demo
    from helpers.lm import CharLM
    from helpers.vocab import Vocabulary

    vocab = Vocabulary.from_text("abcdefgh \n")
    models = {"RNN": CharLM(len(vocab), 8, kind="rnn"), "LSTM": CharLM(len(vocab), 8, kind="lstm")}
    passages = {"first": "abc def\ngh abc", "second": "hgfedcba"}
    demo = connectivity_demo(models, vocab, passages, window=12)
    assert demo.controls["text"].value == "abc def⏎gh a" and demo.controls["position"].max == 11  # cut to 12
    demo.controls["position"].value = 4
    assert demo.text.splitlines()[0] == "After 'd', character 5 of 12:"
    bars = [artist for artist in demo.figure.moving if isinstance(artist, LineCollection)]
    for line, (name, model), bar in zip(demo.text.splitlines()[1:], models.items(), bars):
        result = prediction_gradients(model, vocab.encode("abc def"), 4)
        heights = [segment[1, 1] for segment in bar.get_segments()]
        assert heights == list(np.clip(log10_norms(result.norms)[::-1], -9.0, 1.0))
        assert line.startswith(f"{name}: predicts {vocab[result.top]!r} (p = {result.top_probability:.2f})")
        assert f"gives the true next 'e' p = {result.target_probability:.2f}" in line
    demo.controls["passage"].value = "hgfedcba"  # picking a passage fills the text box; the slider follows it
    assert demo.controls["text"].value == "hgfedcba" and demo.controls["position"].max == 7
    assert demo.text.startswith("After 'd', character 5 of 8:")  # position 4 kept
    demo.controls["position"].value = 7  # the last character: the prediction of a character not yet typed
    assert "true next" not in demo.text and demo.text.startswith("After 'a', character 8 of 8:")


def test_connectivity_demo_explains_unknown_characters_empty_and_long_text():
    from helpers.demos.training_rnns import connectivity_demo

    demo = connectivity_demo()
    text, image = demo.controls["text"], bytes(demo.figure.image.value)
    text.value = "Café société"
    assert demo.text.startswith("Unknown character(s) 'é': the models know only the 96 characters")
    assert bytes(demo.figure.image.value) != image
    text.value = ""
    assert demo.text.startswith("Type some text")
    text.value = "ROMEO:⏎But soft!"  # ⏎ in the text box is a line break
    assert demo.controls["position"].max == 15 and demo.text.startswith("After '!', character 16 of 16:")
    text.value = "x" * 130
    first_line = demo.text.splitlines()[0]  # the slider keeps its place on a longer text
    assert first_line == "After 'x', character 16 of 120 (only the first 120 of 130 characters are read):"


def test_connectivity_demo_needs_the_vocabulary_and_readable_passages():
    from helpers.demos.training_rnns import connectivity_demo
    from helpers.lm import CharLM
    from helpers.vocab import Vocabulary

    vocab = Vocabulary.from_text("ab")
    models = {"RNN": CharLM(2, 4)}
    with pytest.raises(ValueError, match="pass the vocabulary"):
        connectivity_demo(models)
    with pytest.raises(ValueError, match="lacks: \\['c'\\]"):
        connectivity_demo(models, vocab, ["abc"])
    with pytest.raises(ValueError, match="position must lie in 0..2"):
        connectivity_demo(models, vocab, ["aba"], position=3)
