"""scripts/parts.py: the training scripts' shared runner of parts and of resumable grids."""

import json

import pytest

from helpers.cache import ResultCache
from scripts.parts import resumable_grid, run_parts


def square(name: str, seed: int) -> dict:
    """A cell whose record is known: the seed squared."""
    return {"name": name, "seed": seed, "value": seed**2}


def _cache(tmp_path) -> ResultCache:
    return ResultCache(tmp_path / "grid.json", "python scripts/x.py", {"size": 3}, "abc", ("name", "seed"))


def test_a_grid_saves_every_cell_in_order_and_removes_its_partial_file(tmp_path, capsys):
    cells = [("a", 0), ("a", 1), ("b", 2)]
    partial = tmp_path / "grid.partial.jsonl"
    resumable_grid(_cache(tmp_path), cells, square, partial, 2, lambda record: f"value {record['value']}")
    assert _cache(tmp_path).load(expected=cells) == [square(*cell) for cell in cells]
    assert not partial.exists()
    assert "[  3/3]" in capsys.readouterr().out


def test_a_stopped_grid_resumes_and_a_partial_file_of_other_settings_is_ignored(tmp_path, capsys):
    partial = tmp_path / "grid.partial.jsonl"
    done = {"name": "a", "seed": 0, "value": -1}  # kept as found: a resumed run does not re-train it
    partial.write_text(json.dumps({"settings": {"size": 3}}) + "\n" + json.dumps(done) + "\n")
    resumable_grid(_cache(tmp_path), [("a", 0), ("a", 1)], square, partial, 1, str)
    assert _cache(tmp_path).load()[0] == done
    out = capsys.readouterr().out
    assert "[  2/2]" in out and "[  1/2]" not in out
    partial.write_text(json.dumps({"settings": {"size": 4}}) + "\n" + json.dumps(done) + "\n")
    resumable_grid(_cache(tmp_path), [("a", 0), ("a", 1)], square, partial, 1, str)
    assert _cache(tmp_path).load()[0] == square("a", 0)


def test_run_parts_runs_the_named_parts_and_refuses_an_unknown_one(capsys):
    ran = []
    run_parts({"one": lambda: ran.append(1), "two": lambda: ran.append(2)}, ["two"])
    assert ran == [2] and "two:" in capsys.readouterr().out
    run_parts({"one": lambda: ran.append(1), "two": lambda: ran.append(2)}, [])
    assert ran == [2, 1, 2]
    with pytest.raises(SystemExit, match=r"unknown part 'three': choose from \['one', 'two'\]"):
        run_parts({"one": lambda: None, "two": lambda: None}, ["three"])
