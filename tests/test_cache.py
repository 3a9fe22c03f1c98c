"""The course's one cache format: what it stores, what it refuses, and how a re-run is compared with it."""

import json

import pytest
import torch

from helpers.cache import (
    CURVE_EVERY,
    KEPT_LOSSES,
    ResultCache,
    Tolerance,
    differences,
    find_record,
    fingerprint,
    loss_summary,
)


def make_cache(tmp_path, settings=None, data="abc") -> ResultCache:
    return ResultCache(
        tmp_path / "runs.json",
        "python scripts/make_runs.py",
        settings or {"steps": 10, "sizes": (4, 8)},
        fingerprint(data),
        key=("kind", "seed"),
    )


RECORDS = [{"kind": "rnn", "seed": 0, "accuracy": 0.5}, {"kind": "rnn", "seed": 1, "accuracy": 0.75}]


def test_records_come_back_as_saved_with_settings_fingerprint_and_script(tmp_path):
    cache = make_cache(tmp_path)
    cache.save(RECORDS)
    assert cache.load(expected=[("rnn", 0), ("rnn", 1)]) == RECORDS
    body = json.loads(cache.path.read_text())
    assert body["format"] == 1 and body["script"] == "python scripts/make_runs.py"
    assert body["settings"] == {"steps": 10, "sizes": [4, 8]} and body["key"] == ["kind", "seed"]
    assert body["data_fingerprint"] == fingerprint("abc")


def test_a_cache_from_other_settings_data_or_missing_runs_is_refused_with_the_script_to_run(tmp_path):
    make_cache(tmp_path).save(RECORDS)
    with pytest.raises(ValueError, match=r"other settings than the code's \(they differ in steps\).*make_runs.py"):
        make_cache(tmp_path, settings={"steps": 11, "sizes": (4, 8)}).load()
    with pytest.raises(ValueError, match="made from other data.*make_runs.py"):
        make_cache(tmp_path, data="abd").load()
    with pytest.raises(ValueError, match=r"lacks 1 runs \(e.g. \{'kind': 'gru', 'seed': 0\}\)"):
        make_cache(tmp_path).load(expected=[("rnn", 0), ("gru", 0)])
    with pytest.raises(FileNotFoundError, match="make_runs.py"):
        make_cache(tmp_path / "elsewhere").load()


def test_records_need_their_key_fields_and_unique_keys(tmp_path):
    with pytest.raises(ValueError, match=r"lacks the key fields \['seed'\]"):
        make_cache(tmp_path).save([{"kind": "rnn", "accuracy": 0.5}])
    with pytest.raises(ValueError, match="share a key"):
        make_cache(tmp_path).save([RECORDS[0], RECORDS[0]])


def test_fingerprints_change_with_any_part_and_its_order():
    ids = torch.arange(6)
    assert fingerprint("ab", "c") != fingerprint("a", "bc")
    assert (
        fingerprint(ids) == fingerprint(torch.arange(6)) != fingerprint(ids.reshape(2, 3)) != fingerprint(ids.float())
    )
    assert fingerprint({"a": 1, "b": 2}) == fingerprint({"b": 2, "a": 1}) != fingerprint({"a": 1, "b": 3})
    assert len(fingerprint("x")) == 16


def test_loss_summary_keeps_the_first_losses_and_block_means():
    losses = [float(i) for i in range(250)]
    summary = loss_summary(losses)
    assert summary["first_losses"] == losses[:KEPT_LOSSES]
    assert summary["loss_curve"] == [49.5, 149.5, 224.5] and CURVE_EVERY == 100


def test_differences_name_every_number_beyond_its_tolerance():
    cached = {"accuracy": 0.90, "first_losses": [2.0, 1.0, 0.5], "forget": None}
    assert (
        differences(
            cached,
            {"accuracy": 0.91, "first_losses": [2.0, 1.001, 0.5], "forget": None},
            {"accuracy": Tolerance(abs=0.02), "first_losses": Tolerance(rel=2e-3), "forget": Tolerance()},
        )
        == []
    )
    found = differences(
        cached,
        {"accuracy": 0.95, "first_losses": [2.0, 1.01, 0.5], "forget": [0.9]},
        {"accuracy": Tolerance(abs=0.02), "first_losses": Tolerance(rel=2e-3), "forget": Tolerance()},
    )
    assert found == [
        "accuracy: cached 0.9, re-run 0.95 (tolerance rel 0, abs 0.02)",
        "first_losses[1]: cached 1, re-run 1.01 (tolerance rel 0.002, abs 0)",
        "forget: cached None, re-run a list of 1",
    ]
    assert differences(cached, {"first_losses": [2.0]}, {"first_losses": Tolerance(), "accuracy": Tolerance()}) == [
        "first_losses: cached a list of 3, re-run a list of 1",
        "accuracy: missing from the re-run",
    ]


def test_a_file_naming_a_run_twice_or_by_other_fields_is_refused(tmp_path):
    cache = make_cache(tmp_path)
    cache.save(RECORDS)
    body = json.loads(cache.path.read_text())
    body["records"].append(RECORDS[0])
    cache.path.write_text(json.dumps(body))
    with pytest.raises(ValueError, match="names a run twice"):
        cache.load()
    body["records"].pop()
    body["key"] = ["kind"]
    cache.path.write_text(json.dumps(body))
    with pytest.raises(ValueError, match="not a cache of this kind"):
        cache.load()


def test_a_tolerance_allows_abs_plus_rel_times_the_cached_value():
    tolerance = {"x": Tolerance(rel=0.1, abs=0.5)}
    assert differences({"x": 10.0}, {"x": 11.5}, tolerance) == []  # 1.5 = 0.5 + 0.1 · 10
    assert differences({"x": 10.0}, {"x": 11.6}, tolerance) != []


def test_find_record_matches_every_key_field_or_says_what_there_is():
    records = [{"kind": "rnn", "seed": 0, "x": 1}, {"kind": "rnn", "seed": 1, "x": 2}, {"kind": "lstm", "seed": 1}]
    assert find_record(records, "unused", kind="rnn", seed=1) is records[1]
    assert find_record(records, "unused", seed=1) is records[1], "the first match, in the records' order"
    with pytest.raises(ValueError, match=r"^no cached record for kind='gru', seed=1; the cache has rnn and lstm$"):
        find_record(records, "the cache has rnn and lstm", kind="gru", seed=1)
