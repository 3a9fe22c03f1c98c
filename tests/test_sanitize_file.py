"""nbval drops malformed sanitize pairs silently: check that every rule in ours is read and works."""

import re
from pathlib import Path

from nbval.plugin import get_sanitize_patterns

SANITIZE = Path(__file__).resolve().parent / "nbval_sanitize.cfg"


def sanitize(text):
    for pattern, replacement in get_sanitize_patterns(SANITIZE.read_text()):
        text = re.sub(pattern, replacement, text)
    return text


def test_every_rule_is_parsed():
    rules = SANITIZE.read_text().count("\nregex: ")
    assert len(get_sanitize_patterns(SANITIZE.read_text())) == rules >= 5


def test_rules_hide_what_differs_between_runs_and_keep_the_rest():
    assert sanitize("<Line2D at 0x7f3a2b1c>") == "<Line2D at 0xADDRESS>"
    assert sanitize("File /tmp/ipykernel_4242/1234.py:3") == "File <ipykernel-cell>:3"
    assert sanitize("epoch took 1.23 s") == sanitize("epoch took 0.98 s")
    assert sanitize("loss 0.693147") == sanitize("loss 0.693152") == "loss 0.6931"
    assert sanitize("12 steps, 3 cases") == "12 steps, 3 cases"
    assert sanitize("loss 0.6931") != sanitize("loss 0.6932")


def test_progress_lines_keep_their_shape_but_not_their_running_loss():
    line = "[#####...............]  25%  update  200/800  training loss {} nats/char"
    assert sanitize(line.format("1.85")) == sanitize(line.format("1.86")) == line.format("LOSS")
    assert sanitize(line.format("1.85")) != sanitize(line.replace("200/800", "300/800").format("1.85"))
    assert sanitize("final training loss 1.85") == "final training loss 1.85"  # a result stays compared
