"""requirements.txt, environment.yml and the lock file agree; torch is pinned to the CPU wheel's version."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pins(lines):
    found = {}
    for line in lines:
        line = line.split("#", 1)[0].strip().lstrip("- ").strip()
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line)
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def environment_yml_pins():
    text = (ROOT / "environment.yml").read_text()
    pip_section = text.split("- pip:", 1)[1]
    return pins(pip_section.splitlines())


def test_environment_yml_and_requirements_list_the_same_pins():
    requirements = pins((ROOT / "requirements.txt").read_text().splitlines())
    assert requirements == environment_yml_pins()
    assert requirements["torch"] == "2.13.0"


def test_every_requirement_is_pinned_exactly():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        assert not line or "==" in line, f"not pinned exactly: {line}"


def test_environment_yml_asks_for_python_3_11():
    assert re.search(r"^\s*- python=3\.11\s*$", (ROOT / "environment.yml").read_text(), re.M)


def test_the_lock_file_agrees_with_the_pins():
    lock = pins((ROOT / "requirements-lock.txt").read_text().splitlines())
    requirements = pins((ROOT / "requirements.txt").read_text().splitlines())
    assert {name: lock.get(name) for name in requirements} == requirements
