"""Drive the course in a real browser: JupyterLab on localhost, Debian's Chromium, Playwright.

The browser tests (`test_browser.py`) use these pieces: start a private JupyterLab server over
copies of the notebooks, open a notebook, run all its cells, then move a widget's controls and
check what a reader would see: the readout text and the plot image both change, and neither the
browser console nor the kernel reports an error. `test_playground.py` does the same on the Voilà
pages of playground/ (its server is a ServerProcess too, and check_control moves each control).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 900}
RUN_ALL_TIMEOUT_S = 240  # generous: CI runs nbval on the other core at the same time
CHANGE_TIMEOUT_S = 10


def chromium_path() -> str | None:
    """Debian's Chromium (or $COURSE_CHROMIUM), or None when it is not installed."""
    candidate = os.environ.get("COURSE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if Path(candidate).is_file() and os.access(candidate, os.X_OK) else None


def unavailable_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if chromium_path() is None:
        return (
            "Chromium is not installed. `make browser` installs Debian's chromium with apt-get; it needs root or sudo"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: run `make install`"
    return None


def require_browser() -> None:
    """Skip the calling test when the browser tests cannot run here; with COURSE_REQUIRE_BROWSER=1 (CI), fail."""
    import pytest

    reason = unavailable_reason()
    if reason:
        if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here (COURSE_REQUIRE_BROWSER=1) but cannot run: {reason}")
        pytest.skip(f"browser tests skipped: {reason}")


@contextmanager
def chromium_browser():
    """Debian's Chromium, headless, driven by Playwright; closed at the end of the with-block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A server in a process group of its own, logging to a file, on a free port of 127.0.0.1.

    stop() sends SIGTERM to the group (the server then shuts down the kernels it started), SIGKILL if that
    takes too long. Subclasses give the command, the URL that answers once the server is up, env and cwd.
    """

    name = "server"

    def __init__(self, log_path: Path):
        self.log_path = log_path
        self.port = _free_port()
        self.process: subprocess.Popen | None = None
        self._log = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def ready_url(self) -> str:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    def cwd(self) -> Path | None:
        return None

    def start(self, timeout: float = 90) -> None:
        """Start the server and wait until it answers."""
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            self.command(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=self.env(),
            cwd=self.cwd(),
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.ready_url(), timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server and every kernel it started."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(15)
        if self._log:
            self._log.close()

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server log."""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


class LabServer(ServerProcess):
    """A private JupyterLab server over `root`, with its own settings, workspaces and a random token."""

    name = "JupyterLab"

    def __init__(self, root: Path, log_path: Path):
        super().__init__(log_path)
        self.root = root
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={self.port}",
            "--ip=127.0.0.1",
            f"--ServerApp.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.expose_app_in_browser=True",
            "--ServerApp.open_browser=False",
        ]
        if os.geteuid() == 0:
            command.append("--allow-root")
        return command

    def ready_url(self) -> str:
        return f"{self.url}/api/status?token={self.token}"

    def env(self) -> dict[str, str]:
        state = self.root.parent / f"{self.root.name}-jupyter"
        return dict(
            os.environ,
            JUPYTERLAB_SETTINGS_DIR=str(state / "settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"),
            JUPYTER_RUNTIME_DIR=str(state / "runtime"),
        )

    def cwd(self) -> Path:
        return self.root

    def notebook_url(self, name: str) -> str:
        """Where JupyterLab opens notebook `name` (relative to the server root), in a fresh workspace."""
        return f"{self.url}/lab/tree/{name}?token={self.token}&reset"


class ConsoleWatch:
    """Collects the errors a page reports: console.error messages and uncaught exceptions."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def since(self, count: int) -> list[str]:
        """The errors reported after the first `count`."""
        return self.errors[count:]


RUN_ALL_JS = r"""async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  await panel.sessionContext.ready;
  // Errors a kernel reports outside any cell (a failing widget callback) never reach the page: collect them.
  // When the kernel starts, JupyterLab's widget manager probes it for existing widgets through a comm of
  // its own; the kernel may answer "No such comm <id>" on stderr, and that answer can arrive after the
  // first widget opened. That is harmless, so such a line counts only when <id> is a comm the kernel
  // itself opened (a widget the page still talks to after the kernel closed it: a real bug).
  window.courseKernelErrors = [];
  const kernelComms = new Set();
  panel.sessionContext.session.kernel.iopubMessage.connect((_, message) => {
    const content = message.content;
    if (message.header.msg_type === 'comm_open') kernelComms.add(content.comm_id);
    const missing = message.header.msg_type === 'stream' && /^No such comm: (\S+)/.exec(content.text);
    if (missing && !kernelComms.has(missing[1])) return;
    // The same start-up race for the manager's own probe target, before the kernel has imported ipywidgets.
    const probe = /^No such comm target registered: jupyter\.widget\.control\s*$/;
    if (message.header.msg_type === 'stream' && probe.test(content.text)) return;
    if (message.parent_header.msg_type === 'execute_request') return;  // a cell's own output: checked per cell
    if (message.header.msg_type === 'error') window.courseKernelErrors.push(`${content.ename}: ${content.evalue}`);
    if (message.header.msg_type === 'stream' && content.name === 'stderr') window.courseKernelErrors.push(content.text);
  });
  await window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs');
  await window.jupyterapp.commands.execute('notebook:run-all-cells');
}"""

RUN_STATE_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const code = panel.content.widgets.filter(
    cell => cell.model.type === 'code' && cell.model.sharedModel.getSource().trim());
  const problems = [];
  code.forEach((cell, i) => {
    for (const output of cell.model.outputs.toJSON()) {
      if (output.output_type === 'error') problems.push(`code cell ${i + 1}: ${output.ename}: ${output.evalue}`);
      if (output.output_type === 'stream' && output.name === 'stderr')
        problems.push(`code cell ${i + 1} wrote to stderr: ${String(output.text).slice(0, 300)}`);
    }
  });
  const done = code.every(cell => cell.model.executionCount !== null);
  return {idle: !!kernel && kernel.status === 'idle', done, problems};
}"""


CHECKER_VERDICTS_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets
    .filter(cell => cell.model.type === 'code' && (cell.model.getMetadata('nbgrader') || {}).grade)
    .map(cell => cell.model.outputs.toJSON()
      .map(o => (o.data && o.data['text/plain']) || o.text || (o.ename ? `${o.ename}: ${o.evalue}` : ''))
      .map(text => Array.isArray(text) ? text.join('') : String(text)).join('\\n'));
}"""


def checker_verdicts(page) -> list[str]:
    """What each exercise's checker cell (nbgrader's grade cells of a student edition) printed after Run All."""
    return page.evaluate(CHECKER_VERDICTS_JS)


def kernel_errors(page) -> list[str]:
    """Errors and stderr text the kernel has sent outside any cell since Run All (from widget callbacks)."""
    return page.evaluate("() => window.courseKernelErrors || []")


def wait_until_drawn(demo) -> None:
    """Wait until a demo shows its readout and a loaded plot image."""
    demo.locator(".widget-html-content code").first.wait_for(state="attached")
    demo.page.wait_for_function(
        "el => el.querySelector('.widget-html-content code')?.textContent && "
        "[...el.querySelectorAll('img')].every(img => img.complete && img.naturalWidth > 0)",
        arg=demo.element_handle(),
        timeout=30_000,
    )


def open_notebook(page, lab: LabServer, name: str) -> None:
    """Open a notebook in JupyterLab and wait until its cells are on the page."""
    page.goto(lab.notebook_url(name))
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", state="attached", timeout=90_000)
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext",
        timeout=30_000,
    )


def run_all(page) -> tuple[float, list[str]]:
    """Restart-free Run All (outputs cleared first); returns the seconds it took and any cell errors."""
    start = time.monotonic()
    page.evaluate(RUN_ALL_JS)
    page.wait_for_function(
        f"() => {{ const s = ({RUN_STATE_JS})(); return s.idle && s.done; }}",
        timeout=RUN_ALL_TIMEOUT_S * 1000,
        polling=250,
    )
    seconds = time.monotonic() - start
    return seconds, page.evaluate(RUN_STATE_JS)["problems"]


class Move:
    """Move the named controls of one demo, built by `builder` from helpers.demos."""

    def __init__(self, builder, *controls: str):
        self.builder, self.controls = builder, controls

    @property
    def label(self) -> str:
        return self.builder.__name__


@dataclass(frozen=True)
class AnswerQuiz:
    """Pick an option in the quiz with this title and expect feedback."""

    title: str

    @property
    def label(self) -> str:
        return "quiz"


def slug(text: str) -> str:
    """A file-name-safe version of `text`."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "x"


def _until(condition, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def move_control(page, control) -> str:
    """Move one control the way a reader would; return what was done."""
    handle = control.locator(".noUi-handle")
    if handle.count():
        handle.first.scroll_into_view_if_needed()
        at_max = handle.first.get_attribute("aria-valuenow") == handle.first.get_attribute("aria-valuemax")
        handle.first.focus()
        key = "ArrowLeft" if at_max else "ArrowRight"
        for _ in range(3):
            page.keyboard.press(key)
        return f"pressed {key} three times"
    select = control.locator("select")
    if select.count():
        options = select.first.locator("option").all_inner_texts()
        current = select.first.input_value()
        choice = next(option for option in options if option != current)
        select.first.select_option(label=choice)
        return f"chose {choice!r}"
    checkbox = control.locator("input[type=checkbox]")
    if checkbox.count():
        checkbox.first.click()
        return "clicked the checkbox"
    text = control.locator("input[type=text]")
    if text.count():  # a Text or Combobox: type another of its suggestions and press Enter
        suggestions = [option.get_attribute("value") for option in control.locator("datalist option").all()]
        current = text.first.input_value()
        choice = next((s for s in suggestions if s != current), current + " again")
        text.first.fill(choice)
        text.first.press("Enter")
        return f"typed {choice!r}"
    raise ValueError(f"do not know how to move this control: {control.inner_html()[:200]}")


def find_control(demo, description: str):
    """The control of a demo whose label reads `description`."""
    boxes = demo.locator(".widget-slider, .widget-dropdown, .widget-checkbox, .widget-toggle-button, .widget-text")
    return boxes.filter(has=demo.page.locator(".widget-label", has_text=re.compile(f"^{re.escape(description)}$")))


def check_control(page, watch: ConsoleWatch, demo, description: str, label: str, shot: Path) -> list[str]:
    """Move the control of `demo` labelled `description`; report it if the reader sees no change or an error.

    After the move the readout text and the plot image must both change, and neither the browser console
    nor the kernel (see kernel_errors) may report an error. A screenshot of the demo goes to `shot`.
    """
    control = find_control(demo, description)
    if control.count() != 1:
        return [f"{label}: no control labelled {description!r}"]
    readout, image = demo.locator(".widget-html-content code"), demo.locator("img")
    text_before, image_before = readout.inner_text(), image.screenshot()
    errors_before, kernel_before = len(watch.errors), len(kernel_errors(page))
    action = move_control(page, control)
    text_changed = _until(lambda: readout.inner_text() != text_before, CHANGE_TIMEOUT_S)
    image_changed = _until(lambda: image.screenshot() != image_before, 3 if not text_changed else CHANGE_TIMEOUT_S, 0.2)
    time.sleep(0.3)  # let any late error arrive
    demo.screenshot(path=shot)
    where = f"{label}, control {description!r} ({action})"
    problems = []
    if not text_changed:
        problems.append(f"{where}: the readout did not change from {text_before!r}")
    if not image_changed:
        problems.append(f"{where}: the plot image did not change")
    if "a bug in the course" in readout.inner_text():
        problems.append(f"{where}: the readout reports a bug: {readout.inner_text()[:300]!r}")
        _until(lambda: len(kernel_errors(page)) > kernel_before, CHANGE_TIMEOUT_S)  # its traceback follows
    problems += [f"{where}: browser console error: {error[:300]}" for error in watch.since(errors_before)]
    problems += [
        f"{where}: the kernel reported an error: {error[-600:]}" for error in kernel_errors(page)[kernel_before:]
    ]
    return problems


def check_demo(page, watch: ConsoleWatch, move: Move, shots: Path) -> list[str]:
    """Move each listed control of a demo; report every move after which the reader sees no change."""
    model = move.builder()  # built here only to learn its title and control labels
    demo = page.locator(".course-demo").filter(has_text=model.title)
    if demo.count() != 1:
        return [f"{move.label}: expected one demo titled {model.title!r} on the page, found {demo.count()}"]
    demo.scroll_into_view_if_needed()
    wait_until_drawn(demo)
    problems = []
    for name in move.controls:
        problems += check_control(
            page, watch, demo, model.controls[name].description, move.label, shots / f"{move.label}__{slug(name)}.png"
        )
    return problems


def check_quiz(page, watch: ConsoleWatch, quiz: AnswerQuiz, shots: Path) -> list[str]:
    """Pick the first option of a quiz's first question; expect ✔ or ✘ feedback to appear."""
    box = page.locator(".course-quiz").filter(has_text=quiz.title)
    if box.count() != 1:
        return [f"quiz: expected one quiz titled {quiz.title!r} on the page, found {box.count()}"]
    box.scroll_into_view_if_needed()
    errors_before = len(watch.errors)
    option = box.locator(".widget-radio-box label").first
    option.click()
    feedback = box.locator(".widget-html-content span")
    shown = _until(lambda: feedback.count() > 0 and feedback.first.inner_text()[:1] in "✔✘", CHANGE_TIMEOUT_S)
    box.screenshot(path=shots / f"quiz__{slug(quiz.title)[:40]}.png")
    problems = [] if shown else [f"quiz {quiz.title!r}: picking {option.inner_text()!r} showed no feedback"]
    return problems + [f"quiz {quiz.title!r}: browser console error: {e[:300]}" for e in watch.since(errors_before)]


def check_notebook(page, lab: LabServer, name: str, checks: list, shots: Path) -> tuple[float, list[str]]:
    """Open and run a notebook, then run every check; returns (Run All seconds, problems)."""
    watch = ConsoleWatch(page)
    shots.mkdir(parents=True, exist_ok=True)
    open_notebook(page, lab, name)
    seconds, problems = run_all(page)
    page.wait_for_selector(".course-demo, .course-quiz", state="attached", timeout=30_000)
    problems += [f"browser console error while opening or running: {error[:300]}" for error in watch.errors]
    problems += [f"kernel error outside any cell while running: {error[-600:]}" for error in kernel_errors(page)]
    for check in checks:
        if isinstance(check, Move):
            problems += check_demo(page, watch, check, shots)
        else:
            problems += check_quiz(page, watch, check, shots)
    return seconds, problems


ON_SCREEN_JS = """el => {
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight && !!hit && (hit === el || el.contains(hit));
}"""


def on_screen(locator) -> bool:
    """Whether a reader sees the element: inside the window and not covered by anything else."""
    return locator.evaluate(ON_SCREEN_JS)


def start_deck(page) -> None:
    """Present the open notebook from its first slide (jupyterlab-slideshow's deck mode)."""
    page.evaluate("() => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
    page.evaluate("() => window.jupyterapp.commands.execute('deck:start')")
    page.wait_for_selector(".jp-Deck", timeout=15_000)


def advance_until_on_screen(page, locator, max_steps: int = 120) -> int:
    """Press Space (next fragment, sub-slide or slide) until `locator` is on screen; return the presses."""
    for presses in range(max_steps):
        if on_screen(locator):
            return presses
        page.keyboard.press("Space")
        time.sleep(0.25)
    raise AssertionError(f"not on screen after {max_steps} presses of Space")


def drag(page, handle, dx: float) -> None:
    """Drag a slider handle sideways with the mouse, as a presenter does."""
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=8)
    page.mouse.up()
