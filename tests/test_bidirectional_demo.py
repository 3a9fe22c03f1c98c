"""Notebook 07's widget: one row per tagger, a readout of every decided token, clear errors."""

import pytest

from helpers import tagging
from helpers.demos.bidirectional import short_name, tagging_demo


def test_the_widget_shows_one_row_per_tagger_and_reads_out_each_decided_token():
    data = tagging.make_tagging_data(20, 5, 40, seed=0)
    taggers = {tagging.run_name(*run): tagging.new_tagger(*run, seed=0) for run in tagging.RUNS[:2]}
    demo = tagging_demo(taggers, data)
    test = data.test
    for sentence in (0, 7):
        demo.controls["sentence"].value = sentence
        lines = demo.text.split("\n")
        words = [data.words[w] for w in test.x[sentence][~test.mask_pad[sentence]].tolist()]
        assert lines[0] == " ".join(words)
        decided = int((test.mask_right | test.mask_left | test.mask_both)[sentence].sum())
        assert len(lines) == 1 + decided and all("→ 1" in line and "↔ 1" in line for line in lines[1:])
    assert demo.figure.moving[0].get_array().shape == (2 * tagging.MAX_LENGTH,)


def test_short_names_and_errors():
    assert short_name("one way, 1 layer") == "→ 1" and short_name("both ways, 3 layers") == "↔ 3"
    data = tagging.make_tagging_data(5, 5, 5, seed=0)
    with pytest.raises(ValueError, match="pass the taggers with the data"):
        tagging_demo(None, data)
    with pytest.raises(ValueError, match="named like run_name"):
        tagging_demo({"deep": tagging.new_tagger("one way", 1, 0)}, data)
