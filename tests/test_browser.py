"""End to end in a real browser: every notebook's widgets respond in JupyterLab and in the slide deck.

The browser opens each notebook's *widget page*: its student edition (`make student`: no solutions,
the exercises as nbgrader's answer and checker cells) cut down to what a browser must show, namely
the set-up cell, every widget (built by its builder at its default settings), the quiz and every
exercise, with all the text. Executing every notebook in full is left to nbval (the committed
notebooks) and tests/test_student_edition.py (the student editions, top to bottom), so CI runs each
long cell twice, not three times.

Each widget page is opened in JupyterLab (Debian's Chromium, driven by Playwright), all its cells are
run, and the controls listed in WIDGETS are moved. After each move the readout text and the plot
image must both change, with no error in the browser console or the kernel's log. Every checker
cell must say "not yet" (✘). A screenshot of each widget after its move goes to
artifacts/browser/<notebook>/.

Where Chromium cannot be installed these tests skip and say why; with COURSE_REQUIRE_BROWSER=1
(set by CI) they fail instead.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import nbformat
import pytest
from lab_browser import (
    VIEWPORT,
    AnswerQuiz,
    ConsoleWatch,
    LabServer,
    Move,
    advance_until_on_screen,
    check_notebook,
    checker_verdicts,
    chromium_browser,
    drag,
    kernel_errors,
    on_screen,
    open_notebook,
    require_browser,
    run_all,
    slug,
    start_deck,
    wait_until_drawn,
)

from helpers.course_map import course_quiz
from helpers.demos import DEMOS, demos_of
from helpers.demos.bidirectional import tagging_demo
from helpers.demos.course_map import lookback_demo
from helpers.demos.gru import comparison_demo
from helpers.demos.lstm import gate_demo
from helpers.demos.memory_playground import memory_playground_demo
from helpers.demos.neurons import learning_rate_demo, neuron_demo
from helpers.demos.seq2seq import translate_demo
from helpers.demos.today import token_cost_demo
from helpers.demos.training_rnns import connectivity_demo, temperature_demo
from helpers.demos.vanilla_rnn import unroll_demo
from helpers.demos.vanishing_gradients import gradient_decay_demo
from scripts.editions import exercises, write_student_edition

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
WIDGET = "application/vnd.jupyter.widget-view+json"
ARTIFACTS = ROOT / "artifacts" / "browser"

# Which controls the browser moves, notebook by notebook. A new notebook with widgets adds a line here.
WIDGETS = {
    "00_course_map": [Move(lookback_demo, "gap"), AnswerQuiz(course_quiz().title)],
    "01_neurons": [
        Move(neuron_demo, "x1", "w2", "b", "activation"),
        Move(learning_rate_demo, "learning_rate"),
        AnswerQuiz("Check your understanding"),
    ],
    "02_vanilla_rnn": [Move(unroll_demo, "length"), AnswerQuiz("Check your understanding")],
    "03_training_rnns": [
        Move(temperature_demo, "temperature"),
        Move(connectivity_demo, "position", "text"),  # the slider, then another passage typed into the text box
        AnswerQuiz("Check your understanding"),
    ],
    "04_vanishing_gradients": [
        Move(gradient_decay_demo, "length", "radius", "hidden_size", "activation"),
        AnswerQuiz("Check your understanding"),
    ],
    "05_lstm": [Move(gate_demo, "forget", "input_gate", "output", "steps"), AnswerQuiz("Check your understanding")],
    "06_gru": [Move(comparison_demo, "length"), AnswerQuiz("Check your understanding")],
    "07_bidirectional": [Move(tagging_demo, "sentence"), AnswerQuiz("Check your understanding")],
    "08_seq2seq": [Move(translate_demo, "sentence"), AnswerQuiz("Check your understanding")],
    "09_memory_playground": [
        Move(memory_playground_demo, "length", "eigenvalue", "forget"),
        AnswerQuiz("Check your understanding"),
    ],
    "10_rnns_today": [Move(token_cost_demo, "prefix", "width"), AnswerQuiz("Check your understanding")],
}


def widget_page(edition: nbformat.NotebookNode, course: nbformat.NotebookNode, checks: list) -> nbformat.NotebookNode:
    """A student edition cut down to its text, set-up cell, widgets, quiz and exercises, in their order.

    A cell that showed a demo in the committed notebook is replaced by calls of the demos' builders at
    their defaults (the notebook's own call may need variables from cells left out); a quiz cell stays.
    """
    shown = {c.source for c in course.cells if any(WIDGET in o.get("data", {}) for o in c.get("outputs", []))}
    builders = [check.builder for check in checks if isinstance(check, Move)]
    page = copy.deepcopy(edition)
    first_code = next(i for i, c in enumerate(page.cells) if c.cell_type == "code")
    cells = []
    for index, cell in enumerate(page.cells):
        if cell.cell_type != "code" or index == first_code or "nbgrader" in cell.metadata:
            cells.append(cell)
        elif cell.source in shown:
            called = [b for b in builders if f"{b.__name__}(" in cell.source]
            if called:
                cell.source = "\n".join(f"from {b.__module__} import {b.__name__}\n\n{b.__name__}()" for b in called)
            cell.outputs = []
            cells.append(cell)
    page.cells = cells
    return page


def widget_notebooks() -> list[str]:
    """Committed notebooks whose stored outputs contain a widget."""
    names = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        if WIDGET in path.read_text():
            names.append(path.stem)
    return names


def test_every_notebook_with_widgets_is_listed_with_all_its_demos():
    assert sorted(WIDGETS) == widget_notebooks()
    for notebook in DEMOS:
        builders = demos_of(notebook)
        listed = {check.builder for check in WIDGETS.get(notebook, []) if isinstance(check, Move)}
        assert set(builders) <= listed, f"{notebook}: demos missing from WIDGETS: {set(builders) - listed}"
        for check in WIDGETS[notebook]:
            if isinstance(check, Move):
                assert set(check.controls) <= set(check.builder().controls), f"{check.label}: unknown control"


# --- fixtures: one JupyterLab server and one Chromium for the whole module -------------------------


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_browser()
    root = tmp_path_factory.mktemp("lab")
    for path in write_student_edition(tmp_path_factory.mktemp("edition") / "student"):
        course = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
        edition = nbformat.read(path, as_version=4)
        nbformat.write(widget_page(edition, course, WIDGETS.get(path.stem, [])), root / path.name)
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # screenshots of this run only
    ARTIFACTS.mkdir(parents=True)
    server = LabServer(root, ARTIFACTS / "jupyterlab.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def chromium(lab):
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


# --- the checks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook", sorted(WIDGETS))
def test_widgets_respond_in_jupyterlab(lab, page, notebook):
    _, problems = check_notebook(page, lab, f"{notebook}.ipynb", WIDGETS[notebook], ARTIFACTS / notebook)
    source = nbformat.read(ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4)
    verdicts = checker_verdicts(page)
    assert len(verdicts) == len(exercises(source)), f"{notebook}: a checker cell is missing from the student edition"
    for verdict in verdicts:  # the untouched stubs: each checker says what is missing, none raises
        assert verdict.startswith("✘") and "Error" not in verdict.split("\n")[0], f"{notebook}: {verdict[:300]}"
    assert problems == [], "\n".join(problems)


SABOTAGE = {
    # every call the demos make to compute their numbers raises: the callback fails in the kernel
    "callback raises": "def _broken(*args, **kwargs):\n    raise RuntimeError('sabotaged by a test')\n"
    "helpers.demos.neurons.neuron = helpers.demos.neurons.gradient_descent = _broken",
    # the callback runs and updates the text, but the plot stays frozen
    "plot frozen": "helpers.course.widgets.LiveFigure.refresh = lambda self: None",
}


@pytest.mark.parametrize("how", sorted(SABOTAGE))
def test_a_broken_widget_callback_fails_the_browser_check(lab, page, how):
    notebook = nbformat.read(lab.root / "01_neurons.ipynb", as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell("import helpers.demos.neurons, helpers.course.widgets\n" + SABOTAGE[how])
    )
    name = f"sabotaged_{slug(how)}.ipynb"
    nbformat.write(notebook, lab.root / name)
    _, problems = check_notebook(page, lab, name, [Move(neuron_demo, "w1")], ARTIFACTS / "sabotaged" / slug(how))
    assert problems, "moving a slider whose callback is broken passed the browser check"
    assert "the plot image did not change" in "\n".join(problems)
    if how == "callback raises":
        assert "the readout reports a bug: '⚠" in "\n".join(problems)
        assert "RuntimeError: sabotaged by a test" in "\n".join(problems), "the kernel's error should be reported"


def test_the_deck_of_notebook_01_presents_a_live_slider(lab, page):
    watch = ConsoleWatch(page)
    open_notebook(page, lab, "01_neurons.ipynb")
    _, problems = run_all(page)
    assert problems == []
    start_deck(page)
    demo = page.locator(".course-demo").filter(has_text=neuron_demo().title)
    handle = demo.locator(".noUi-handle").first
    presses = advance_until_on_screen(page, handle)
    assert presses > 0, "the neuron demo should not be on the title slide"
    wait_until_drawn(demo)
    readout, image = demo.locator(".widget-html-content code"), demo.locator("img")
    text_before, image_before = readout.inner_text(), image.screenshot()
    drag(page, handle, 60)
    page.wait_for_function("([el, before]) => el.textContent !== before", arg=[readout.element_handle(), text_before])
    shots = ARTIFACTS / "01_neurons"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=shots / "deck__neuron_demo_after_drag.png")
    assert image.screenshot() != image_before, "the plot did not change in the deck"
    assert page.locator(".jp-Deck").count() == 1, "dragging the slider left the deck"
    assert on_screen(handle), "the slider left the screen when dragged"
    assert watch.errors == [] and kernel_errors(page) == []
    page.keyboard.press("Escape")  # the README tells presenters that Escape leaves the deck
    page.wait_for_selector(".jp-Deck", state="detached", timeout=10_000)
