"""The playground in a real browser: `make playground` serves pages whose widgets work and whose code stays hidden.

A private Voilà server is started with the very command `make playground` runs (voila_command in
scripts/playground.py), on a free port. Each page in PAGES is opened as a student opens it: its demo
must appear, no source code may be visible, moving each listed control must change both the readout
and the plot, and neither the page, the browser console nor the kernel may show an error. Screenshots
go to artifacts/playground/<page>/. The list of pages at / must link every page.

The pages are stored without outputs (Voilà runs them when they are opened), so nbval never sees them:
they live outside pyproject's testpaths, and the guards below check both.

Where Chromium cannot be installed the browser tests skip and say why; with COURSE_REQUIRE_BROWSER=1
(set by CI) they fail instead.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
from lab_browser import (
    VIEWPORT,
    ConsoleWatch,
    ServerProcess,
    check_control,
    chromium_browser,
    require_browser,
    slug,
    wait_until_drawn,
)

from scripts.playground import DEFAULT_PORT, PLAYGROUND, voila_command

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts" / "playground"
PAGE_TIMEOUT_S = 180  # Voilà starts a kernel and runs the whole page before it answers; CI runs nbval beside it
DEMO_TIMEOUT_S = 90  # then the browser loads the widget code and draws the demo

# Every page of the playground and the labels of the controls the browser moves on it (all of them).
PAGES = {
    "gradient_decay.ipynb": ["sequence length T", "spectral radius ρ of W_hh", "hidden size h", "activation"],
    "memory.ipynb": ["sequence length T", "RNN's starting spectral radius λ", "untrained LSTM's forget gate f"],
}

# Voilà's lab template links Font Awesome's CSS from a CDN (the same icons are bundled with Voilà, so a
# classroom without internet loses nothing). The browser gets empty CSS instead, so that the result does
# not depend on the network. Any other request outside the server is reported: offline, it would fail.
CDN_STYLESHEETS = re.compile(r"^https://cdn\.jsdelivr\.net/npm/(font-awesome|@fortawesome/fontawesome-free)@[^/]+/css/")

# Outputs a page shows for an error (with show_tracebacks) or anything written to stderr (a warning).
STDERR_OUTPUT = "[data-mime-type='application/vnd.jupyter.stderr']"

# The page's text outside error outputs, scripts and styles.
READABLE_TEXT_JS = """selector => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll(`${selector}, script, style`).forEach(element => element.remove());
  return body.textContent;
}"""

# Errors a widget callback raises reach no page in Voilà: collect what the kernel reports, as lab_browser
# does in JupyterLab, so that kernel_errors() (used by check_control) sees them.
WATCH_KERNEL_JS = """async () => {
  const manager = await window.jupyterapp._widgetManagerPromise.promise;
  window.courseKernelErrors = [];
  manager.kernel.iopubMessage.connect((_, message) => {
    const content = message.content;
    if (message.header.msg_type === 'error') window.courseKernelErrors.push(`${content.ename}: ${content.evalue}`);
    if (message.header.msg_type === 'stream' && content.name === 'stderr') window.courseKernelErrors.push(content.text);
  });
}"""


class PlaygroundServer(ServerProcess):
    """A private Voilà server over `root`, started from the repository like `make playground`."""

    name = "Voilà"

    def __init__(self, root: Path, log_path: Path, extra_args: tuple[str, ...] = ()):
        super().__init__(log_path)
        self.root, self.extra_args = root, extra_args
        self.url = f"http://localhost:{self.port}"

    def command(self) -> list[str]:
        return voila_command(self.port, self.root) + list(self.extra_args)

    def ready_url(self) -> str:
        return f"{self.url}/"

    def cwd(self) -> Path:
        return ROOT

    def page_url(self, name: str) -> str:
        return f"{self.url}/voila/render/{name}"


def code_lines(path: Path) -> list[str]:
    """Every non-blank line of the page's code cells: none of them may show in the browser."""
    notebook = nbformat.read(path, as_version=4)
    return [
        line.strip()
        for cell in notebook.cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if line.strip()
    ]


def check_page(page, server: PlaygroundServer, name: str, controls: list[str], shots: Path) -> tuple[float, list[str]]:
    """Open one page and check it as a student sees it; returns (seconds until the demo was drawn, problems)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    shots.mkdir(parents=True, exist_ok=True)
    watch = ConsoleWatch(page)
    start = time.monotonic()
    response = page.goto(server.page_url(name), timeout=PAGE_TIMEOUT_S * 1000)
    problems = [] if response.ok else [f"{name}: Voilà answered HTTP {response.status}"]
    shown = [text.strip() for text in page.locator(STDERR_OUTPUT).all_inner_texts()]
    problems += [f"{name}: the page shows an error or warning:\n{text[-1500:]}" for text in shown]
    text = page.evaluate(READABLE_TEXT_JS, STDERR_OUTPUT)  # a traceback may quote code: it is reported above
    leaked = [line for line in code_lines(server.root / name) if line in text]
    if leaked or page.locator(".jp-CodeCell .jp-InputArea, .jp-InputPrompt").count():
        problems.append(f"{name}: source code is visible on the page: {leaked[:3]}")
    demo = page.locator(".course-demo")
    try:  # a page that already shows an error may never draw its demo: do not wait long for it
        demo.first.wait_for(state="attached", timeout=(20 if shown else DEMO_TIMEOUT_S) * 1000)
    except PlaywrightTimeoutError:
        pass  # reported just below
    if demo.count() != 1:
        page.screenshot(path=shots / "page.png", full_page=True)
        return time.monotonic() - start, problems + [f"{name}: expected one demo on the page, found {demo.count()}"]
    demo.scroll_into_view_if_needed()
    wait_until_drawn(demo)
    seconds = time.monotonic() - start
    try:
        page.evaluate(WATCH_KERNEL_JS)
    except PlaywrightError as error:  # a newer Voilà may have moved its widget manager
        problems.append(f"{name}: cannot watch the kernel for errors (did Voilà change?): {error}")
    time.sleep(0.5)  # let any late error of the first drawing arrive
    problems += [f"{name}: browser console error while opening: {error[:300]}" for error in watch.errors]
    labels = sorted(label for label in demo.locator(".widget-label").all_inner_texts() if label.strip())
    if labels != sorted(controls):
        problems.append(f"{name}: the demo's controls are {labels}, but PAGES lists {sorted(controls)}")
    for description in controls:
        problems += check_control(page, watch, demo, description, Path(name).stem, shots / f"{slug(description)}.png")
    page.screenshot(path=shots / "page.png", full_page=True)
    return seconds, problems


# --- guards that need no browser ------------------------------------------------------------------


def test_pages_lists_every_page_of_the_playground():
    assert sorted(PAGES) == sorted(path.name for path in PLAYGROUND.glob("*.ipynb"))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_is_stored_without_outputs_and_shows_its_demo_first(name):
    """The first code cell sets up and shows the demo (its last expression); later cells may print measured answers."""
    notebook = nbformat.read(PLAYGROUND / name, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"
    assert "widgets" not in notebook.metadata, "stored widget state: clear the outputs before committing"
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# ")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, "one code cell at least: set up, then show the demo"
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, "Voilà runs the page: store it without outputs"
        last = ast.parse(cell.source).body[-1]
        assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call), "each cell ends with a call it shows"
        assert not cell.source.rstrip().endswith(";"), "a trailing ; would hide the output"
    assert "setup_notebook(" in code[0].source
    assert all("_demo(" not in cell.source for cell in code[1:]), "one demo per page, in the first code cell"
    later = [line.strip() for cell in code[1:] for line in cell.source.splitlines() if line.strip()]
    assert all(len(line) > 3 for line in later), "a very short code line could match the page's text by chance"


def test_the_memory_pages_guided_experiments_print_measured_answers():
    """Each guided experiment of the memory page prints the playground's readout and a seed-by-seed verdict."""
    from helpers.demos.memory_playground import EXPERIMENTS, PlaygroundData, guided_experiment

    notebook = nbformat.read(PLAYGROUND / "memory.ipynb", as_version=4)
    printed = [cell.source for cell in notebook.cells if cell.cell_type == "code"][1:]
    assert printed == [f"print(guided_experiment(data, {number}))" for number in sorted(EXPERIMENTS)]
    data = PlaygroundData.load()
    for number in EXPERIMENTS:
        answer = guided_experiment(data, number)
        assert answer.startswith(f"{number}. {EXPERIMENTS[number]}")
        assert "seeds" in answer and ("better than" in answer or "no clear difference" in answer), answer
    with pytest.raises(ValueError, match="numbered"):
        guided_experiment(data, 5)


def test_nbval_does_not_collect_the_pages():
    testpaths = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
    for path in testpaths:
        assert not PLAYGROUND.resolve().is_relative_to((ROOT / path).resolve()), (
            f"nbval would run playground/ via {path}"
        )


def test_make_playground_runs_the_command_the_test_uses():
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")

    def recipe(*overrides: str) -> list[str]:  # make -n prints the commands (the install's too, if due) and runs none
        out = subprocess.run(
            [make, "-n", "--no-print-directory", "playground", *overrides],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        lines = [line for line in out.stdout.splitlines() if "scripts/playground.py" in line]
        assert len(lines) == 1, out.stdout
        return shlex.split(lines[0])

    assert recipe()[1:] == ["scripts/playground.py", "--port", str(DEFAULT_PORT)], "the Makefile's default port"
    python, *args = recipe("PLAYGROUND_PORT=8123")
    assert Path(python).name == "python" and args == ["scripts/playground.py", "--port", "8123"]
    printed = subprocess.run([sys.executable, *args, "--dry-run"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert shlex.split(printed.stdout) == voila_command(8123)
    assert "--no-browser" in voila_command() and "--Voila.ip=localhost" in voila_command()


# --- fixtures: one Voilà server and one Chromium for the whole module ------------------------------


@pytest.fixture(scope="module")
def playground():
    require_browser()
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # screenshots and timings of this run only
    ARTIFACTS.mkdir(parents=True)
    server = PlaygroundServer(PLAYGROUND, ARTIFACTS / "voila.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def chromium(playground):
    with chromium_browser() as browser:
        yield browser


def new_page(browser, server: PlaygroundServer, outside: list[str]):
    """A page in a fresh context that answers the CDN stylesheets and collects any other request off the server."""
    context = browser.new_context(viewport=VIEWPORT)

    def answer(route):
        url = route.request.url
        if CDN_STYLESHEETS.match(url):
            route.fulfill(status=200, content_type="text/css", body="")
        else:
            outside.append(url)
            route.abort()

    context.route(lambda url: not url.startswith(server.url), answer)
    context.route(f"{server.url}/favicon.ico", lambda route: route.fulfill(status=204))  # the browser's own ask
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


@pytest.fixture
def outside():
    return []


@pytest.fixture
def page(chromium, playground, outside):
    page = new_page(chromium, playground, outside)
    yield page
    page.context.close()


# --- the checks ----------------------------------------------------------------------------------


def test_the_list_of_pages_links_every_page(playground, page, outside):
    watch = ConsoleWatch(page)
    response = page.goto(f"{playground.url}/", timeout=60_000)
    assert response.ok
    links = page.locator("a[href*='/voila/render/']")
    links.first.wait_for(state="visible")
    paths = sorted(urlparse(href).path for href in (link.get_attribute("href") for link in links.all()))
    assert paths == sorted(f"/voila/render/{name}" for name in PAGES)
    for name in PAGES:
        assert page.get_by_role("link", name=name).is_visible(), f"{name} is not shown in the list"
    page.screenshot(path=ARTIFACTS / "list_of_pages.png")
    assert watch.errors == [] and outside == []


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_works_without_showing_code(playground, page, outside, name):
    seconds, problems = check_page(page, playground, name, PAGES[name], ARTIFACTS / Path(name).stem)
    with open(ARTIFACTS / "open_seconds.json", "a") as log:
        log.write(json.dumps({"page": name, "open_seconds": round(seconds, 1)}) + "\n")
    problems += [f"{name}: the page asked the internet for {url} (offline it would fail)" for url in outside]
    log = re.sub(r"\x1b\[[0-9;]*m", "", playground.log_tail(15))  # without the traceback's colours
    assert problems == [], "\n".join(problems) + f"\n\nVoilà's log ends:\n{log}"


SABOTAGE = {
    # the page's cell fails after drawing the demo: the error must show on the page
    "cell raises": "raise RuntimeError('sabotaged by a test')",
    # every slider move fails in the kernel: nothing changes for the reader, and the kernel says why
    "callback raises": "import helpers.demos.vanishing_gradients\n\n"
    "def _broken(*args, **kwargs):\n    raise RuntimeError('sabotaged by a test')\n\n"
    "helpers.demos.vanishing_gradients.gradient_decay = _broken",
}


def test_a_broken_page_fails_the_check(chromium, tmp_path):
    require_browser()
    pages = {}
    for how, code in SABOTAGE.items():
        notebook = nbformat.read(PLAYGROUND / "gradient_decay.ipynb", as_version=4)
        notebook.cells.append(nbformat.v4.new_code_cell(code))
        pages[how] = f"sabotaged_{slug(how)}.ipynb"
        nbformat.write(notebook, tmp_path / pages[how])
    server = PlaygroundServer(tmp_path, ARTIFACTS / "voila_sabotaged.log")
    server.start()
    try:
        found = {}
        for how, name in pages.items():
            page = new_page(chromium, server, [])
            try:
                _, problems = check_page(
                    page, server, name, PAGES["gradient_decay.ipynb"][:1], ARTIFACTS / "sabotaged" / slug(how)
                )
            finally:
                page.context.close()
            found[how] = "\n".join(problems)
    finally:
        server.stop()
    assert (
        "the page shows an error" in found["cell raises"]
        and "RuntimeError: sabotaged by a test" in found["cell raises"]
    )
    assert "the readout reports a bug: '⚠" in found["callback raises"]
    assert "the kernel reported an error: RuntimeError: sabotaged by a test" in found["callback raises"]
    assert "source code is visible" not in found["cell raises"] + found["callback raises"]


def test_the_memory_playground_offers_only_measured_settings_and_reads_out_the_caches():
    """Every control value of the memory playground was measured; the readout quotes the caches seed by seed."""
    from helpers.benchmarks import span_text
    from helpers.demos.memory_playground import PlaygroundData, memory_playground_demo

    data = PlaygroundData.load()
    controls = memory_playground_demo(data).controls
    assert list(controls["length"].options) == list(data.grid.settings.lengths)
    assert list(controls["eigenvalue"].options) == list(data.grid.settings.radii)  # trained (and measured untrained)
    assert list(controls["forget"].options) == list(data.frozen.settings.forgets)
    text = data.readout(40, 1.0, 0.99)
    trained = data.grid.per_seed("rnn", 40, 1.0)
    assert f"seeds {', '.join(f'{a:.0%}' for a in trained.values())}" in text
    assert f"spans per seed {span_text(data.grid.seed_spans('rnn', 1.0))}" in text
    untrained = data.frozen.per_seed("rnn", 1.0, 40)
    assert f"seeds {', '.join(f'{a:.0%}' for a in untrained.values())}" in text
    with pytest.raises(ValueError, match="choose T from"):
        data.readout(40, 0.7, 0.99)  # the old slider showed the λ = 0.5 runs here without saying so
