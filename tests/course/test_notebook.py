"""The one-call notebook set-up: reproducible seeds, fixed threads, stable printing."""

import random
import subprocess
import sys
from pathlib import Path

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

ROOT = Path(__file__).resolve().parents[2]


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


def test_every_inline_figure_gets_alt_text_in_its_metadata():
    """In an IPython shell with the inline backend, a figure's PNG output carries describe_figure's words."""
    script = """
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")
import matplotlib.pyplot as plt
from matplotlib_inline.backend_inline import configure_inline_support
configure_inline_support(shell, "inline")
from helpers.course.notebook import setup_notebook
setup_notebook(quiet=True)
setup_notebook(quiet=True)  # twice: the PNG is wrapped once
fig, ax = plt.subplots()
ax.plot([0, 1], [0, 2], label="loss")
ax.set(title="Training", xlabel="step", ylabel="loss")
data, metadata = shell.display_formatter.format(fig)
print(metadata["image/png"]["alt"])
print(data["image/png"][:5], data["text/plain"])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    alt, png = done.stdout.splitlines()[-2:]
    assert alt == "A chart. “Training”: 1 line; x axis step, 0 to 1; y axis loss, 0 to 2."
    assert png.startswith("iVBOR") and "<Figure size" in png
