"""The playground: the pages in playground/ served by Voilà as small apps, widgets without code.

Usage: python scripts/playground.py [--port 8866] [--dry-run]   (or `make playground [PLAYGROUND_PORT=8866]`)
then open http://localhost:8866/ (the list of pages) or http://localhost:8866/voila/render/memory.ipynb.

Voilà runs each page in a fresh kernel when it is opened and shows its outputs only. voila_command()
is the one place that says how: `make playground` runs this script, and the browser test
(tests/test_playground.py) starts its private server with the same voila_command().
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAYGROUND = ROOT / "playground"
DEFAULT_PORT = 8866  # Voilà's own default; the Makefile's PLAYGROUND_PORT says the same (a test checks)

# Voilà loads every JupyterLab extension it finds. The course's slideshow extension and its fonts need
# JupyterLab's document manager and menus, which Voilà does not have, so they fail in the browser console.
# The pages need the widgets only.
EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8")


def voila_command(port: int = DEFAULT_PORT, root: Path = PLAYGROUND) -> list[str]:
    """The command that serves every notebook in `root` on http://localhost:`port`/."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(root),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=localhost",  # this machine only
        "--Voila.port_retries=0",  # a busy port is an error, not a silent move to another port
        "--strip_sources=True",  # readers see markdown, widgets and outputs, never the code
        "--show_tracebacks=True",  # a failing cell shows its error on the page (and stderr too)
        "--classic-tree",  # http://localhost:port/ is a plain list of the pages (no kernel-less widget errors)
        *(f"--VoilaConfiguration.extension_allowlist={name}" for name in EXTENSIONS),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on localhost (default {DEFAULT_PORT})")
    parser.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
    args = parser.parse_args(argv)
    command = voila_command(args.port)
    if args.dry_run:
        print(shlex.join(command))
        return
    os.execv(command[0], command)  # Voilà takes over this process, so Ctrl-C reaches it directly


if __name__ == "__main__":
    main()
