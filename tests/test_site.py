"""The course website (`make site`) in a real browser: it loads, links, searches, renders math and describes figures.

The site is built once from the committed notebooks (scripts/site.py, nothing executed) and served from
127.0.0.1. Every page is opened in Debian's Chromium (Playwright): no console error, no request leaving
localhost, every image with alt text in words, every internal link and anchor found, headings in order.
The same checks run on a copy with a broken link and a deleted figure, and must fail there. Screenshots of
the landing page and of notebook 04 at desktop and phone width go to artifacts/site/.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest
from lab_browser import chromium_browser, require_browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts" / "site"
NOTEBOOKS = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
RAW_MATH = re.compile(r"\$[^$\s][^$\n]*\$")
FILE_NAME = re.compile(r"^[\w./-]+\.(png|jpe?g|svg|gif)$")

# What each page tells about itself, read in the browser.
PAGE_FACTS = """() => ({
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  images: [...document.images].map(i => ({
    src: i.currentSrc || i.src, alt: i.alt, loaded: i.complete && i.naturalWidth > 0,
  })),
  headings: [...document.querySelectorAll('article h1, article h2, article h3, article h4, article h5, article h6')]
    .map(h => Number(h.tagName[1])),
  text: document.querySelector('article') ? document.querySelector('article').innerText : document.body.innerText,
  math: document.querySelectorAll('mjx-container').length,
})"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class SiteServer:
    """A static file server for one folder on a free port of 127.0.0.1, in a thread."""

    def __init__(self, folder: Path):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Crawl:
    """What a walk over every page of a site found: the pages' facts and every problem, in words."""

    pages: dict[str, dict] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def crawl(browser, folder: Path) -> Crawl:
    """Open every HTML page of a built site in Chromium and check it; links and anchors are checked at the end."""
    server = SiteServer(folder)
    result = Crawl()
    page = browser.new_page(viewport=DESKTOP)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request",
        lambda request: (
            errors.append(f"a request left localhost: {request.url}")
            if urlparse(request.url).scheme in ("http", "https", "ws", "wss")
            and not request.url.startswith(server.base)
            else None
        ),
    )
    try:
        for path in sorted(folder.rglob("*.html")):
            name = path.relative_to(folder).as_posix()
            if name.startswith("_static/"):  # the theme's template fragments, not pages
                continue
            errors.clear()
            page.goto(server.base + name)
            page.wait_for_load_state("networkidle")
            if page.locator("script[src*='mathjax']").count():
                page.wait_for_function(
                    "() => !window.MathJax || !MathJax.startup || MathJax.startup.promise", timeout=20_000
                )
                page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
            facts = page.evaluate(PAGE_FACTS)
            result.pages[name] = facts
            result.problems += [f"{name}: {error}" for error in errors]
            result.problems += page_problems(name, facts)
    finally:
        page.close()
        server.stop()
    result.problems += link_problems(result.pages, server.base)
    return result


def page_problems(name: str, facts: dict) -> list[str]:
    """Images without alt text or not loaded, raw math, headings that skip a level."""
    problems = []
    for image in facts["images"]:
        where = image["src"].rsplit("/", 1)[-1]
        if not image["alt"].strip() or FILE_NAME.match(image["alt"].strip()):
            problems.append(f"{name}: an image has no alt text in words ({where}: alt {image['alt']!r})")
        if not image["loaded"]:
            problems.append(f"{name}: an image did not load ({where})")
    raw = RAW_MATH.findall(facts["text"])
    if raw:
        problems.append(f"{name}: math left unrendered: {raw[:3]}")
    levels = facts["headings"]
    for before, after in zip(levels, levels[1:]):
        if after > before + 1:
            problems.append(f"{name}: a heading jumps from h{before} to h{after}")
            break
    return problems


def link_problems(pages: dict[str, dict], base: str) -> list[str]:
    """Internal links whose page does not exist or whose anchor is not on that page."""
    problems = []
    for name, facts in pages.items():
        for link in facts["links"]:
            if not link.startswith(base):
                continue
            target, anchor = urldefrag(link)
            path = unquote(target[len(base) :]) or "index.html"
            if path.endswith("/"):
                path += "index.html"
            path = path.split("?", 1)[0]
            if path not in pages:
                problems.append(f"{name}: a link to a page that does not exist: {path}")
            elif anchor and anchor not in pages[path]["ids"]:
                problems.append(f"{name}: a link to an anchor that is not there: {path}#{anchor}")
    return sorted(set(problems))


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    require_browser()
    out = tmp_path_factory.mktemp("site") / "html"
    sources = tmp_path_factory.mktemp("site-src") / "src"
    command = [sys.executable, str(ROOT / "scripts" / "site.py"), "--out", str(out), "--sources", str(sources)]
    built = subprocess.run(command, capture_output=True, text=True, timeout=300)  # what `make site` runs
    assert built.returncode == 0, f"the site did not build:\n{built.stdout}\n{built.stderr}"
    return out


@pytest.fixture(scope="module")
def chromium(site):
    with chromium_browser() as browser:
        yield browser


@pytest.fixture(scope="module")
def served(site):
    """The built site's address on 127.0.0.1."""
    server = SiteServer(site)
    yield server.base
    server.stop()


@pytest.fixture
def page(chromium):
    page = chromium.new_page(viewport=DESKTOP)
    yield page
    page.close()


@pytest.fixture(scope="module")
def walked(site, chromium) -> Crawl:
    return crawl(chromium, site)


# --- the checks ----------------------------------------------------------------------------------


def test_every_page_loads_cleanly_links_resolve_and_figures_have_alt_text(walked):
    assert len(walked.pages) >= len(NOTEBOOKS) + 2, sorted(walked.pages)
    assert walked.problems == [], "\n".join(walked.problems)


def test_the_landing_page_lists_every_notebook(walked):
    links = {urlparse(link).path.rsplit("/", 1)[-1] for link in walked.pages["index.html"]["links"]}
    assert {f"{notebook}.html" for notebook in NOTEBOOKS} <= links
    assert len(NOTEBOOKS) == 11
    assert "make lab" in walked.pages["index.html"]["text"] and "make test" in walked.pages["index.html"]["text"]


def test_math_is_rendered(walked):
    assert walked.pages["notebooks/01_neurons.html"]["math"] > 0, "no MathJax output on notebook 01's page"


def test_every_figure_is_there_with_words(walked):
    images = [image for facts in walked.pages.values() for image in facts["images"]]
    assert len(images) >= 40, f"only {len(images)} figures on the whole site"
    figure = next(i for i in walked.pages["notebooks/04_vanishing_gradients.html"]["images"])
    assert figure["alt"].startswith("The gradient-decay widget"), figure["alt"]


def test_search_finds_notebook_04(served, page):
    page.goto(served + "search.html?q=vanishing")
    page.wait_for_selector("#search-results li a", timeout=20_000)
    titles = page.locator("#search-results li a").all_inner_texts()
    assert any(title.startswith("04 ·") for title in titles), titles


def test_widgets_quizzes_and_solutions_read_well_without_a_kernel(served, page):
    page.goto(served + "notebooks/04_vanishing_gradients.html")
    assert page.get_by_text("A live widget, shown here as a picture").count() == 1
    assert "make lab" in page.locator(".admonition").first.inner_text()
    answers = page.locator("details", has=page.locator("summary", has_text="Answer"))
    assert answers.count() >= 4 and not answers.first.get_attribute("open")
    answers.first.locator("summary").click()
    assert answers.first.get_attribute("open") is not None
    solutions = page.locator(".tag_hide-input")
    assert solutions.count() == 2, "notebook 04 has two exercise solutions, each folded"
    assert not solutions.first.locator(".cell_input").is_visible(), "a solution shows without a click"


def test_the_site_is_usable_by_keyboard(served, page):
    page.goto(served + "index.html")
    reached = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("() => document.activeElement.getAttribute('href') || ''"))
    assert any("04_vanishing_gradients" in href for href in reached), "Tab never reached the link to notebook 04"
    page.keyboard.press("Control+k")
    page.wait_for_selector("input[name=q]:focus", timeout=5_000)  # the search box opens from the keyboard


def test_screenshots_of_the_landing_page_and_notebook_04(served, chromium):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = chromium.new_page(viewport=viewport)
        for name in ("index", "notebooks/04_vanishing_gradients"):
            page.goto(served + f"{name}.html")
            page.wait_for_load_state("networkidle")
            shot = ARTIFACTS / f"{name.rsplit('/', 1)[-1]}_{label}.png"
            page.screenshot(path=shot)
            assert shot.stat().st_size > 10_000
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 1, f"notebook 04 scrolls sideways at {label} width ({width} px)"
        page.close()


def test_a_broken_link_and_a_missing_figure_fail_the_checks(site, chromium, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(site, broken)
    page = broken / "notebooks" / "04_vanishing_gradients.html"
    html = page.read_text()
    first_image = re.search(r'src="\.\./(_images/[^"]+)"', html)
    assert first_image is not None
    (broken / first_image.group(1)).unlink()
    page.write_text(
        html.replace("</article>", '<a href="05_lstm.html#no-such-section">x</a><a href="gone.html">y</a></article>', 1)
    )
    problems = "\n".join(crawl(chromium, broken).problems)
    assert f"an image did not load ({first_image.group(1).rsplit('/', 1)[-1]})" in problems
    assert "a link to an anchor that is not there: notebooks/05_lstm.html#no-such-section" in problems
    assert "a link to a page that does not exist: notebooks/gone.html" in problems
