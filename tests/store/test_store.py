"""The SQLite store: WAL, versioned schema, compare-and-set, leases, several processes at once."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from localtune.errors import ResourceInUse
from localtune.store import SCHEMA_VERSION, Store


def test_schema_is_versioned_and_in_wal_mode(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    conn = sqlite3.connect(tmp_path / "db.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    Store(tmp_path / "db.sqlite")  # reopening an up-to-date file migrates nothing


def test_a_newer_schema_is_refused_with_a_clear_message(tmp_path):
    Store(tmp_path / "db.sqlite").close()
    conn = sqlite3.connect(tmp_path / "db.sqlite")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer than this localtune understands"):
        Store(tmp_path / "db.sqlite")


def test_request_is_stored_exactly_as_sent(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    request = {"HyperParameterTuningJobName": "a", "Nested": {"Values": ["1", "2"], "X": 1.5}}
    store.create_tuning_job("a", "arn", request, "InProgress", 1.0)
    assert store.get_tuning_job("A")["request"] == request


def test_duplicate_names_collide_case_insensitively(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    store.create_tuning_job("Job", "arn", {}, "InProgress", 1.0)
    with pytest.raises(ResourceInUse):
        store.create_tuning_job("JOB", "arn", {}, "InProgress", 2.0)


def test_compare_and_set_transitions(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    store.create_tuning_job("j", "arn", {}, "InProgress", 1.0)
    assert store.update_tuning_job("j", expect_status=("InProgress",), status="Stopping")
    assert not store.update_tuning_job("j", expect_status=("InProgress",), status="Completed")
    assert store.get_tuning_job("j")["status"] == "Stopping"


def test_lease_is_exclusive_until_the_heartbeat_goes_stale(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    store.create_tuning_job("j", "arn", {}, "InProgress", 1.0)
    assert store.acquire_lease("j", "owner-a", ttl=10, now=100.0)
    assert not store.acquire_lease("j", "owner-b", ttl=10, now=105.0)
    assert store.renew_lease("j", "owner-a", now=108.0)
    assert not store.acquire_lease("j", "owner-b", ttl=10, now=117.0)
    assert store.acquire_lease("j", "owner-b", ttl=10, now=119.0)
    assert not store.renew_lease("j", "owner-a", now=119.5)


def _writer(path: str, worker: int, count: int) -> None:
    store = Store(path)
    for i in range(count):
        store.create_tuning_job(f"w{worker}-{i}", "arn", {"i": i}, "InProgress", float(i))
        store.add_metric_points(f"w{worker}-{i}", [("m", float(i), float(i), 0)])


def test_several_processes_write_at_once_and_nothing_is_lost(tmp_path):
    path = str(tmp_path / "db.sqlite")
    Store(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(path, w, 25)) for w in range(3)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    store = Store(path)
    assert len(store.list_tuning_jobs()) == 75
    assert store.metric_points("w2-24")[0]["value"] == 24.0
