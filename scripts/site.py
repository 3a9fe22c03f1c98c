"""The course as a static website (`make site`), built from the committed notebooks with their stored outputs.

Nothing is executed: the pages show what the notebooks hold. This script writes the site's sources to
build/site-src (the landing page and the instructors' page from README.md, each notebook with its
exercise solutions folded and a note under each widget's stored picture), then runs Sphinx with MyST-NB
and the book theme (settings in site/conf.py) into build/site. Open build/site/index.html, or serve it:
`python -m http.server -d build/site`.

Usage: python scripts/site.py [--out build/site] [--sources build/site-src] [--sources-only]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat
from editions import exercises
from nbformat import NotebookNode
from sphinx.cmd.build import build_main

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SITE = ROOT / "site"
README = ROOT / "README.md"
WIDGET = "application/vnd.jupyter.widget-view+json"
HIDE_INPUT = "hide-input"

DEMO_NOTE = """\
```{admonition} A live widget, shown here as a picture
:class: tip
This is the widget's picture at the settings listed above it. To move its controls, run the notebook
in JupyterLab: `make lab` (see [Start here](START_HERE)). The memory playground of notebook 09 and
the gradient-decay widget of notebook 04 also run without code: `make playground`.
```"""
QUIZ_NOTE = """\
```{admonition} A quiz
:class: tip
Pick your answer, then open *Answer* under the question to check it. In JupyterLab (`make lab`) the
quiz has buttons and tells you at once why an answer is right or wrong.
```"""


def readme_section(readme: str, heading: str) -> str:
    """The text under a README `## heading`, up to the next `## ` heading (the heading itself left out)."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    if match is None:
        raise ValueError(f"README.md has no section '## {heading}'")
    return match.group(1).strip()


def notebook_rows(readme: str) -> list[tuple[str, str, str]]:
    """(title with its number, notebook path, what you do) for each row of README's notebook table."""
    rows = re.findall(r"^\| (\d\d) \| \[([^\]]+)\]\((notebooks/[^)]+\.ipynb)\) \| (.+?) \|$", readme, re.M)
    if not rows:
        raise ValueError("README.md's notebook table has no rows of the form | 00 | [title](notebooks/...) | ... |")
    return [(f"{number} · {title}", path, what) for number, title, path, what in rows]


def site_links(text: str, here: str = "") -> str:
    """Links to files the site does not hold become plain text; links to notebooks stay (as seen from `here`)."""

    def relink(match: re.Match) -> str:
        label, target = match.group(1), match.group(2)
        if target.startswith(("http://", "https://", "#")):
            return match.group(0)
        if target.startswith("notebooks/") and target.endswith(".ipynb"):
            return f"[{label}]({here}{target})"
        return label

    return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", relink, text)


def landing_page(readme: str) -> str:
    """The site's first page: what the course is, who it is for, the two commands and the notebook list."""
    intro = readme.split("\n## ", 1)[0].split("\n", 1)[1].strip().split("\n\n")[0]  # the first paragraph
    commands = re.search(r"```bash\n.*?```", readme_section(readme, "Start here: two commands"), re.S)
    if commands is None:
        raise ValueError("README.md's 'Start here' section has no ```bash block with the two commands")
    notebooks = "\n".join(f"- [{title}]({path}): {what}" for title, path, what in notebook_rows(readme))
    toctree = "\n".join(path for _, path, _ in notebook_rows(readme))
    return f"""# Recurrent Neural Networks, Interactively

{intro}

## Who it is for

Anyone who can read a little Python and numpy and wants to understand recurrent networks by building
them: students taking a course on sequence models, self-learners, and instructors looking for material
to teach from. You need no GPU.

## Start here: two commands

These pages show each notebook with the outputs stored in it, so you can read the whole course before
installing anything. To run it yourself (and move the widgets), you need Python 3.11 and `make`.
From a clone of the course's repository:

{commands.group(0)}

## The notebooks

{notebooks}

Teaching with the course? See [For instructors](instructors.md): presenting a notebook as a deck,
how long each one takes, the playground without code, handing out and grading.

```{{toctree}}
:hidden:
:caption: Notebooks

{toctree}
```

```{{toctree}}
:hidden:
:caption: Teaching

instructors
```
"""


def instructors_page(readme: str) -> str:
    """README's instructor sections and its playground paragraph, as one page."""
    playground = re.search(r"^\*\*Just the playground, without code:\*\*.*?(?=\n\n)", readme, re.M | re.S)
    if playground is None:
        raise ValueError("README.md has no '**Just the playground, without code:**' paragraph")
    parts = ["# For instructors", ""]
    for heading in ("For instructors: presenting a notebook", "For instructors: handing out and grading"):
        title = heading.split(": ", 1)[1]
        parts += [f"## {title[0].upper()}{title[1:]}", "", readme_section(readme, heading), ""]
    parts += ["## The playground without code", "", playground.group(0), ""]
    return site_links("\n".join(parts))


def site_notebook(notebook: NotebookNode) -> NotebookNode:
    """A notebook as the site shows it: solutions folded, a note under each widget, no slide metadata."""
    for exercise in exercises(notebook):
        tags = notebook.cells[exercise.solution].metadata.setdefault("tags", [])
        if HIDE_INPUT not in tags:
            tags.append(HIDE_INPUT)
    cells = []
    for cell in notebook.cells:
        cells.append(cell)
        widgets = [o for o in cell.get("outputs", []) if WIDGET in o.get("data", {})]
        if any("image/png" in o["data"] for o in widgets):
            cells.append(
                nbformat.v4.new_markdown_cell(DEMO_NOTE.replace("START_HERE", "../index.md#start-here-two-commands"))
            )
        elif any("text/html" in o["data"] for o in widgets):
            cells.append(nbformat.v4.new_markdown_cell(QUIZ_NOTE))
    notebook.cells = cells
    for cell in notebook.cells:
        cell.metadata.pop("slideshow", None)
    return notebook


def write_sources(out: Path) -> list[Path]:
    """The site's sources in `out`: Sphinx's settings, the two pages and every notebook; return the pages."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(SITE, out, ignore=shutil.ignore_patterns("__pycache__"))
    readme = README.read_text()
    pages = [out / "index.md", out / "instructors.md"]
    pages[0].write_text(landing_page(readme))
    pages[1].write_text(instructors_page(readme))
    (out / "notebooks").mkdir()
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        target = out / "notebooks" / path.name
        nbformat.write(site_notebook(nbformat.read(path, as_version=4)), target)
        pages.append(target)
    return pages


def build(out: Path, sources: Path) -> None:
    """Write the sources and build the HTML site; a Sphinx warning (a broken link, a figure without alt text) fails."""
    write_sources(sources)
    shutil.rmtree(out, ignore_errors=True)
    status = build_main(["-b", "html", "-q", "-W", "--keep-going", "-j", "2", str(sources), str(out)])
    if status != 0:
        raise SystemExit(f"the site did not build cleanly (Sphinx exit status {status}): see the warnings above")


def main(arguments: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--sources", type=Path, default=ROOT / "build" / "site-src")
    parser.add_argument("--sources-only", action="store_true", help="write the sources, do not run Sphinx")
    options = parser.parse_args(arguments)
    if options.sources_only:
        pages = write_sources(options.sources)
        print(f"site sources: {len(pages)} pages in {options.sources}")
        return
    start = time.perf_counter()
    build(options.out, options.sources)
    print(f"site: {options.out / 'index.html'} built in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
