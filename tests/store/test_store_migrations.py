"""Schema migrations and the detaching delete of a tuning job."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from localtune.store import SCHEMA_VERSION, Store
from localtune.store.schema import SCHEMA_V1


def _training_row(name: str, tuning_job: str) -> dict[str, Any]:
    return {
        "name": name,
        "tuning_job": tuning_job,
        "seq": 1,
        "arn": f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{name}",
        "status": "Completed",
        "secondary_status": "Completed",
        "hyperparameters": {},
        "tuned": {},
        "definition": {},
        "creation_time": 1.0,
        "last_modified_time": 1.0,
        "transitions": [],
    }


def test_a_version_1_home_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "db.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(re.sub(r"--[^\n]*", "", SCHEMA_V1))
    conn.execute(
        "INSERT INTO training_jobs (name, tuning_job, arn, status, secondary_status,"
        " hyperparameters, tuned, definition, creation_time, last_modified_time, transitions)"
        " VALUES ('t-001-aaaaaaaa', 't', 'arn', 'Completed', 'Completed', '{}', '{}', '{}',"
        " 1, 1, '[]')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = Store(path)
    job = store.get_training_job("t-001-aaaaaaaa")
    assert job is not None and job["tuning_job"] == "t" and job["launched_by"] is None
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_deleting_a_tuning_job_detaches_its_training_jobs(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    store.create_tuning_job("Tj", "arn", {}, "Completed", 1.0)
    store.insert_training_job(_training_row("Tj-001-aaaaaaaa", "Tj"))
    assert store.delete_tuning_job("tj")  # case-insensitive, like every name
    assert store.get_tuning_job("Tj") is None
    assert store.list_training_jobs("Tj") == []
    job = store.get_training_job("Tj-001-aaaaaaaa")
    assert job is not None and job["tuning_job"] is None and job["launched_by"] == "Tj"
    store.create_tuning_job("TJ", "arn", {}, "InProgress", 2.0)
    assert store.list_training_jobs("TJ") == []
