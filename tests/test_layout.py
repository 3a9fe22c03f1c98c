"""The shape of `helpers`: one training loop, no private names borrowed across modules, a machinery wing
that imports no topic module, and demos that load only what their notebook uses."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HELPERS = ROOT / "helpers"
MODULES = sorted(HELPERS.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[str, str | None]]:
    """(module, name) for every `import module` (name None) and `from module import name` in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_no_module_borrows_another_modules_private_names(path):
    tree = ast.parse(path.read_text())
    borrowed = [
        f"from {module} import {name}"
        for module, name in imports_of(path)
        if module.startswith("helpers") and name and name.startswith("_")
    ]
    imported_modules = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers")
        for alias in node.names
    }
    imported_modules |= {
        alias.asname or alias.name.split(".")[-1]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.startswith("helpers")
    }
    borrowed += [
        f"{node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in imported_modules
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    ]
    assert borrowed == []


@pytest.mark.parametrize("path", sorted((HELPERS / "course").glob("*.py")), ids=module_name)
def test_the_machinery_wing_imports_no_topic_module(path):
    topic = [
        module
        for module, _ in imports_of(path)
        if module.startswith("helpers") and not (module == "helpers.course" or module.startswith("helpers.course."))
    ]
    assert topic == []


def test_showing_notebook_01s_demos_loads_only_what_notebook_01_uses():
    code = (
        "import sys, helpers.demos.neurons as d; d.neuron_demo(); d.learning_rate_demo(); "
        "print(sorted(m for m in sys.modules if m.startswith('helpers')))"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.replace("'", '"')
    )
    topics = {name for name in loaded if not name.startswith(("helpers.course", "helpers.demos")) and name != "helpers"}
    assert topics == {"helpers.activations", "helpers.neuron", "helpers.training"}


def code_of_notebook(path: Path) -> str:
    return "\n".join(
        "".join(cell["source"]) for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code"
    )


SOURCES = [*MODULES, *sorted((ROOT / "scripts").glob("*.py")), *sorted((ROOT / "notebooks").glob("*.ipynb"))]


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_training_loop_is_the_one_in_helpers_training(path):
    if path == HELPERS / "training.py":
        return
    text = code_of_notebook(path) if path.suffix == ".ipynb" else path.read_text()
    assert not (".backward()" in text and re.search(r"\.step\(\)", text)), "train with helpers.training.train"
