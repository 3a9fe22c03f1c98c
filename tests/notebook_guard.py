"""Checks on committed notebooks that nbval cannot make: nbval compares only cells that were run."""

from __future__ import annotations

import json
import re

MACHINE_PATH = re.compile(r"(/root/|/home/[^/\s]+/|/Users/[^/\s]+/|/tmp/|/work/|/private/var/|[A-Za-z]:\\\\?Users)")


def notebook_problems(notebook: dict) -> list[str]:
    """What would make nbval pass vacuously or show a reader a broken notebook (or a figure without words)."""
    problems = []
    counts = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code" or not "".join(cell.get("source", "")).strip():
            continue
        count = cell.get("execution_count")
        counts.append(count)
        if count is None:
            problems.append(f"cell {index} was never executed: nbval would skip it")
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                problems.append(f"cell {index} has an error output ({output.get('ename')})")
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                problems.append(f"cell {index} writes to stderr (a warning?): {''.join(output.get('text', ''))[:80]!r}")
            if "image/png" in output.get("data", {}):
                alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
                if not alt.strip():
                    problems.append(f"cell {index} has a figure without alt text: run the notebook again")
            match = MACHINE_PATH.search(
                json.dumps({k: v for k, v in output.items() if k != "data"} | _text_data(output))
            )
            if match:
                problems.append(f"cell {index} shows a machine path in its output ({match.group(0)!r})")
    executed = [c for c in counts if c is not None]
    if executed and executed != list(range(1, len(executed) + 1)):
        problems.append(f"execution counts are {executed}, not 1..{len(executed)} in order: re-run the whole notebook")
    return problems


def _text_data(output: dict) -> dict:
    """The textual parts of an output's data (images are base64 and cannot hold paths)."""
    data = output.get("data", {})
    return {"data": {key: value for key, value in data.items() if not key.startswith("image/")}}
