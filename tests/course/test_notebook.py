"""The one-call notebook set-up: reproducible seeds, fixed threads, stable printing."""

import random

import numpy as np
import pytest
import torch

from helpers.course.notebook import (
    environment_report,
    format_report,
    pinned_versions,
    seed_everything,
    set_threads,
    setup_notebook,
)


def draw():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_seeding_makes_python_numpy_and_torch_repeat():
    generator = seed_everything(3)
    first = draw() + (torch.rand(1, generator=generator).item(),)
    generator = seed_everything(3)
    assert draw() + (torch.rand(1, generator=generator).item(),) == first


def test_setup_notebook_sets_threads_precision_and_says_so(capsys):
    setup_notebook(seed=1, threads=1)
    assert torch.get_num_threads() == 1
    assert np.get_printoptions()["precision"] == 4
    assert capsys.readouterr().out == "Notebook ready: seed 1, 1 torch thread(s), floats shown to 4 decimals.\n"
    setup_notebook(quiet=True)
    assert capsys.readouterr().out == ""


def test_threads_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        set_threads(0)


def test_pins_come_from_requirements_and_match_what_is_installed():
    pins = pinned_versions()
    assert pins["torch"] == "2.13.0"
    rows = environment_report()
    assert [row["package"] for row in rows][:2] == ["python", "torch"]
    assert all(row["ok"] == "yes" for row in rows), format_report(rows)
    assert format_report(rows).splitlines()[0].split() == ["package", "wanted", "installed", "ok"]


def test_show_source_displays_the_real_source_of_a_helpers_function():
    from helpers.course.notebook import show_source
    from helpers.vocab import Vocabulary

    shown = show_source(Vocabulary.encode).data
    assert shown.startswith("From `helpers.vocab`:") and "def encode(" in shown and shown.endswith("```")
    with pytest.raises(TypeError, match="function or class from helpers"):
        show_source(len)
