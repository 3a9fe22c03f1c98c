"""One call at the top of every notebook: seeds, threads, print precision and plot style."""

from __future__ import annotations

import inspect
import platform
import random
import re
import sys
from importlib import metadata
from pathlib import Path

import matplotlib
import numpy as np
import torch
from IPython import get_ipython
from IPython.display import Markdown
from matplotlib.figure import Figure

from helpers.course import plotting

DEFAULT_SEED = 0
PRINT_DIGITS = 4  # floats agree across CPUs to about 4 decimals; never print more
REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.txt"


def seed_everything(seed: int = DEFAULT_SEED) -> torch.Generator:
    """Seed Python, numpy and torch; return a torch generator seeded the same way."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def set_threads(threads: int) -> None:
    """Fix torch's thread count: results of large sums depend on it."""
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(threads)
    except RuntimeError:  # only allowed once per process; a re-run keeps the first value
        pass


def set_print_precision(digits: int = PRINT_DIGITS) -> None:
    """Print numpy arrays, torch tensors and IPython floats with `digits` decimals."""
    np.set_printoptions(precision=digits, suppress=True)
    torch.set_printoptions(precision=digits, sci_mode=False)
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["text/plain"].float_precision = f"%.{digits}f"


def setup_notebook(seed: int = DEFAULT_SEED, threads: int = 1, quiet: bool = False) -> torch.Generator:
    """Make a notebook reproducible and consistent: seeds, threads, precision, plot style."""
    set_threads(threads)
    set_print_precision()
    plotting.use_course_style()
    describe_figures()
    generator = seed_everything(seed)
    if not quiet:
        print(f"Notebook ready: seed {seed}, {threads} torch thread(s), floats shown to {PRINT_DIGITS} decimals.")
    return generator


class _PngWithAlt:
    """The inline backend's PNG of a figure, with the figure's alt text in the output's metadata."""

    def __init__(self, printer: object):
        self.printer = printer

    def __call__(self, fig: Figure) -> tuple[object, dict[str, str]] | None:
        data = self.printer(fig)  # type: ignore[operator]
        return None if data is None else (data, {"alt": plotting.describe_figure(fig)})


def describe_figures() -> None:
    """Give every inline figure alt text, stored in its PNG's metadata ("alt") where the website reads it."""
    shell = get_ipython()
    if shell is None:
        return
    pyplot = sys.modules.get("matplotlib.pyplot")
    if (
        pyplot is not None
    ):  # start the backend now (pyplot waits for the first figure): inline registers its PNG printer
        pyplot.switch_backend(matplotlib.get_backend())
    png = shell.display_formatter.formatters["image/png"]
    try:
        printer = png.lookup_by_type(Figure)
    except KeyError:  # no inline backend: figures are not shown as PNGs here
        return
    if not isinstance(printer, _PngWithAlt):
        png.for_type(Figure, _PngWithAlt(printer))


def pinned_versions(requirements: Path = REQUIREMENTS) -> dict[str, str]:
    """The `name==version` pins of the course's requirements file."""
    pins = {}
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def installed_version(package: str) -> str | None:
    """The installed version of a package without any local tag (2.13.0+cpu -> 2.13.0)."""
    try:
        return metadata.version(package).split("+", 1)[0]
    except metadata.PackageNotFoundError:
        return None


def environment_report(
    packages: tuple[str, ...] = ("torch", "numpy", "matplotlib", "ipywidgets", "jupyterlab"),
) -> list[dict[str, str]]:
    """One row per package: the pinned version, the installed one, and whether they agree."""
    pins = pinned_versions() if REQUIREMENTS.exists() else {}
    rows = [{"package": "python", "wanted": "3.11", "installed": ".".join(platform.python_version_tuple()[:2])}]
    for name in packages:
        rows.append(
            {"package": name, "wanted": pins.get(name, "any"), "installed": installed_version(name) or "missing"}
        )
    for row in rows:
        row["ok"] = "yes" if row["wanted"] in ("any", row["installed"]) else "NO"
    return rows


def format_report(rows: list[dict[str, str]]) -> str:
    """The environment report as an aligned text table."""
    lines = [f"{'package':<12} {'wanted':<8} {'installed':<10} ok"]
    lines += [f"{r['package']:<12} {r['wanted']:<8} {r['installed']:<10} {r['ok']}" for r in rows]
    return "\n".join(lines)


def show_source(function: object) -> Markdown:
    """The tested source of a helpers function, shown in the notebook as highlighted code (nothing written twice)."""
    if not callable(function) or not getattr(function, "__module__", "").startswith("helpers"):
        raise TypeError(f"show_source shows a function or class from helpers, got {function!r}")
    source = inspect.getsource(function)
    return Markdown(f"From `{function.__module__}`:\n\n```python\n{source.rstrip()}\n```")
