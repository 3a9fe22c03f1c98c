"""One format for results that take longer than a notebook may run: kept in data/, re-verified by tests.

A cache is one JSON file holding
- the format version and the script that rebuilds it (`python scripts/...`),
- the settings that decide the results (change one and the cache must be rebuilt),
- a fingerprint of the data the runs learned from (it changes if a generator writes anything differently),
- one record per run, each named by its key fields (seed included): scores, first losses, loss curve, ….

Loading refuses a file made with other settings, other data or missing runs, and names the script to run.
Tests re-run a sample of the records and compare them with `differences`; a number altered by hand in
the file makes them fail. Notebook 08's translators keep their weights beside the file (`<name>.pt`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

FORMAT = 1
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
KEPT_LOSSES = 50  # the first losses of a run are kept exactly, so a re-run can be compared update by update
CURVE_EVERY = 100  # the rest of the loss curve is kept as means over blocks of this many updates


def fingerprint(*parts: object) -> str:
    """A short hash of texts, tensors and JSON-able values, in order: it changes if any of them changes."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, torch.Tensor):
            array = part.detach().cpu().contiguous().numpy()
            digest.update(f"{array.dtype}{array.shape}".encode() + array.tobytes())
        elif isinstance(part, str):
            digest.update(part.encode())
        else:
            digest.update(json.dumps(part, sort_keys=True).encode())
        digest.update(b"\x00")  # ("ab", "c") and ("a", "bc") hash differently
    return digest.hexdigest()[:16]


def loss_summary(losses: list[float]) -> dict[str, list[float]]:
    """What a cache keeps of a loss curve: the first KEPT_LOSSES exactly, then means over blocks of CURVE_EVERY."""
    values = np.array(losses, dtype=float)
    curve = [float(values[i : i + CURVE_EVERY].mean()) for i in range(0, len(values), CURVE_EVERY)]
    return {"first_losses": [float(v) for v in losses[:KEPT_LOSSES]], "loss_curve": curve}


def _as_json(value: object) -> Any:
    """The value as it reads back from JSON (tuples become lists), so settings compare equal after a round trip."""
    return json.loads(json.dumps(value))


@dataclass(frozen=True)
class ResultCache:
    """A cached set of runs: where it lives, how to rebuild it, and what must match for it to be used."""

    path: Path
    script: str  # the command that rebuilds it, e.g. "python scripts/train_memory_grid.py recall"
    settings: dict  # everything that decides the results
    data_fingerprint: str  # see fingerprint(): the data the runs learned from
    key: tuple[str, ...]  # the record fields that name one run, e.g. ("kind", "length", "seed")

    def key_of(self, record: dict) -> tuple:
        """The values of a record's key fields."""
        missing = [name for name in self.key if name not in record]
        if missing:
            raise ValueError(f"a record of {self.path.name} lacks the key fields {missing}: {sorted(record)}")
        return tuple(record[name] for name in self.key)

    def save(self, records: list[dict]) -> None:
        """Write the records with the settings and the data fingerprint, in the order of their keys."""
        keys = [self.key_of(record) for record in records]
        if len(set(keys)) != len(keys):
            raise ValueError(f"two records share a key {self.key}: every run must be named once")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {
            "format": FORMAT,
            "script": self.script,
            "settings": self.settings,
            "data_fingerprint": self.data_fingerprint,
            "key": list(self.key),
            "records": records,
        }
        self.path.write_text(json.dumps(body, indent=1) + "\n")

    def load(self, expected: Iterable[tuple] | None = None) -> list[dict]:
        """The cached records, refused when the file was made with other settings or data or lacks an expected run."""
        rebuild = f"run `{self.script}` to rebuild it"
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path} is missing: {rebuild}")
        body = json.loads(self.path.read_text())
        if body.get("format") != FORMAT:
            raise ValueError(f"{self.path} has cache format {body.get('format')!r}, the code reads {FORMAT}: {rebuild}")
        lacking = [field for field in ("settings", "data_fingerprint", "key", "records") if field not in body]
        if lacking or body["key"] != list(self.key):
            raise ValueError(
                f"{self.path} is not a cache of this kind (lacks {lacking} or names its runs by "
                f"{body.get('key')}, not {list(self.key)}): {rebuild}"
            )
        stored = body["settings"]
        wanted = _as_json(self.settings)
        if stored != wanted:
            changed = sorted(name for name in set(stored) | set(wanted) if stored.get(name) != wanted.get(name))
            raise ValueError(
                f"{self.path} was made with other settings than the code's (they differ in "
                f"{', '.join(changed)}): {rebuild}"
            )
        if body["data_fingerprint"] != self.data_fingerprint:
            raise ValueError(
                f"{self.path} was made from other data than the generators write now "
                f"(fingerprint {body['data_fingerprint']}, now {self.data_fingerprint}): {rebuild}"
            )
        records = body["records"]
        keys = [self.key_of(record) for record in records]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.path} names a run twice: {rebuild}")
        have = set(keys)
        missing = [tuple(key) for key in (expected or ()) if tuple(key) not in have]
        if missing:
            raise ValueError(
                f"{self.path} lacks {len(missing)} runs (e.g. {dict(zip(self.key, missing[0]))}): {rebuild}"
            )
        return records


def find_record(records: Iterable[dict], what_there_is: str, **key: object) -> dict:
    """The record whose fields equal `key`; a ValueError naming the key and `what_there_is` if there is none."""
    for record in records:
        if all(record.get(name) == value for name, value in key.items()):
            return record
    asked = ", ".join(f"{name}={value!r}" for name, value in key.items())
    raise ValueError(f"no cached record for {asked}; {what_there_is}")


@dataclass(frozen=True)
class Tolerance:
    """How far a re-run may differ from the cache: |fresh − cached| ≤ abs + rel · |cached|."""

    rel: float = 0.0
    abs: float = 0.0


def differences(cached: dict, fresh: dict, tolerances: dict[str, Tolerance]) -> list[str]:
    """Each number (or list of numbers) of the named fields where a re-run differs from the cache, in words."""
    found = []
    for name, tolerance in tolerances.items():
        if name not in cached or name not in fresh:
            found.append(f"{name}: missing from the {'cache' if name not in cached else 're-run'}")
            continue
        old, new = cached[name], fresh[name]
        if old is None or new is None:
            if old is not new:
                found.append(f"{name}: cached {_short(old)}, re-run {_short(new)}")
            continue
        if isinstance(old, list) != isinstance(new, list) or (isinstance(old, list) and len(old) != len(new)):
            found.append(f"{name}: cached {_short(old)}, re-run {_short(new)}")
            continue
        pairs = zip(old, new) if isinstance(old, list) else [(old, new)]
        for i, (a, b) in enumerate(pairs):
            if not abs(b - a) <= tolerance.abs + tolerance.rel * abs(a):
                where = f"{name}[{i}]" if isinstance(old, list) else name
                found.append(
                    f"{where}: cached {a:.6g}, re-run {b:.6g} (tolerance rel {tolerance.rel:g}, abs {tolerance.abs:g})"
                )
    return found


def _short(value: object) -> str:
    return f"a list of {len(value)}" if isinstance(value, list) else repr(value)
