"""The course's own Sphinx extension: alt text for every figure, and MathJax served from the site itself.

The notebooks store every figure's alt text in the output's metadata (`{"image/png": {"alt": ...}}`,
written by helpers.course.notebook.describe_figures and by every widget's stored picture). MyST-NB
writes each image to a file named by the SHA-256 of its bytes but reads alt text only from cell
metadata, so this extension maps each image's hash to its alt text and sets it on the image node.
A figure without alt text is a warning, which fails `make site`.

MathJax comes from the sphinx-mathjax-offline package's copy and is written into the site's _static, so
no page loads anything from the internet.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
from pathlib import Path

import nbformat
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.fileutil import copy_asset

logger = logging.getLogger(__name__)


def alt_texts(notebooks: list[Path]) -> dict[str, str]:
    """SHA-256 of each stored PNG → its alt text, over the given notebooks."""
    texts = {}
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                png = output.get("data", {}).get("image/png")
                alt = output.get("metadata", {}).get("image/png", {}).get("alt")
                if png and alt:
                    texts[hashlib.sha256(base64.b64decode(png)).hexdigest()] = alt
    return texts


def _collect(app: Sphinx) -> None:
    app.env.course_alt_texts = alt_texts(sorted(Path(app.srcdir).rglob("*.ipynb")))  # type: ignore[attr-defined]


def _set_alt(app: Sphinx, doctree: nodes.document) -> None:
    texts = getattr(app.env, "course_alt_texts", {})
    for image in doctree.findall(nodes.image):
        if image.get("alt"):
            continue
        digest = Path(image["uri"]).stem
        if digest in texts:
            image["alt"] = texts[digest]
        else:
            logger.warning(f"a figure has no alt text: {image['uri']}", location=image)


def mathjax_folder() -> Path:
    """The MathJax 3 files that the sphinx-mathjax-offline package ships."""
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise RuntimeError("the site needs the package sphinx-mathjax-offline (it is in requirements.txt)")
    return Path(spec.origin).parent / "static" / "mathjax"


def _copy_mathjax(app: Sphinx, error: Exception | None) -> None:
    if error is None and app.builder.format == "html":
        copy_asset(str(mathjax_folder()), str(Path(app.outdir) / "_static" / "mathjax"))


def setup(app: Sphinx) -> dict:
    app.config.mathjax_path = "mathjax/tex-chtml.js"
    app.connect("builder-inited", _collect)
    app.connect("doctree-read", _set_alt)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
