"""SQLite persistence: the only module of localtune that speaks SQL.

One file, ``<home>/localtune.sqlite``, in WAL mode so that readers never block the engine and
several processes (clients, servers, CLI commands) can share one home. Writes run in ``BEGIN
IMMEDIATE`` transactions with a busy timeout; every connection belongs to one thread. The schema is
versioned with ``PRAGMA user_version`` and migrated forward on open.

Rows come back as plain dicts with JSON columns decoded and times as epoch seconds (floats); the
API layer turns them into SageMaker's response shapes. Requests are stored exactly as sent.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from localtune.errors import ResourceInUse, ResourceLimitExceeded
from localtune.store.schema import MIGRATIONS, SCHEMA_VERSION

_JSON_COLUMNS = {
    "request",
    "completion_details",
    "state",
    "hyperparameters",
    "tuned",
    "definition",
    "transitions",
    "final_metrics",
    "command",
    "tags",
}


def _decode(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    for key in _JSON_COLUMNS.intersection(out):
        if out[key] is not None:
            out[key] = json.loads(out[key])
    return out


def _encode(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: json.dumps(value) if key in _JSON_COLUMNS and value is not None else value
        for key, value in fields.items()
    }


class Store:
    """Thread- and process-safe access to one home's SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._migrate()

    # -- connections and transactions -------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=60000")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``): all or nothing, one writer at a time."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _migrate(self) -> None:
        with self.transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"{self.path} has schema version {version}, newer than this localtune "
                    f"understands ({SCHEMA_VERSION}); upgrade localtune"
                )
            for target in range(version + 1, SCHEMA_VERSION + 1):
                script = re.sub(r"--[^\n]*", "", MIGRATIONS[target])
                for statement in script.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")

    def _one(self, sql: str, args: Sequence[Any]) -> dict[str, Any] | None:
        row = self._conn().execute(sql, args).fetchone()
        return None if row is None else _decode(row)

    def _all(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [_decode(row) for row in self._conn().execute(sql, args).fetchall()]

    @staticmethod
    def _update(conn: sqlite3.Connection, table: str, name: str, fields: Mapping[str, Any]) -> int:
        if not fields:
            return 0
        encoded = _encode(fields)
        assignments = ", ".join(f"{column} = ?" for column in encoded)
        cursor = conn.execute(
            f"UPDATE {table} SET {assignments} WHERE name = ?", [*encoded.values(), name]
        )
        return cursor.rowcount

    # -- tuning jobs ---------------------------------------------------------------------------
    def create_tuning_job(
        self,
        name: str,
        arn: str,
        request: Mapping[str, Any],
        status: str,
        now: float,
        *,
        max_running: int | None = None,
    ) -> None:
        """Record a new tuning job; a name taken case-insensitively is ``ResourceInUse``; with
        ``max_running``, ``ResourceLimitExceeded`` when that many tuning jobs are InProgress or
        Stopping already (checked in the same transaction as the insert)."""
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM tuning_jobs WHERE name = ?", [name]).fetchone():
                raise ResourceInUse(
                    f"A hyperparameter tuning job with the name, {name}, already exists. "
                    "Choose a different name."
                )
            if max_running is not None:
                (running,) = conn.execute(
                    "SELECT COUNT(*) FROM tuning_jobs WHERE status IN ('InProgress', 'Stopping')"
                ).fetchone()
                if running >= max_running:
                    # SageMaker's quota message form (its text for this quota is UNKNOWN).
                    raise ResourceLimitExceeded(
                        "The account-level service limit 'Number of concurrent hyperparameter "
                        f"tuning jobs' is {max_running} hyperparameter tuning jobs, with current "
                        f"utilization of {running} hyperparameter tuning jobs and a request "
                        "delta of 1 hyperparameter tuning jobs. Wait for a running tuning job "
                        "to finish, or stop one."
                    )
            conn.execute(
                "INSERT INTO tuning_jobs (name, arn, request, status, creation_time,"
                " last_modified_time) VALUES (?, ?, ?, ?, ?, ?)",
                [name, arn, json.dumps(request), status, now, now],
            )

    def get_tuning_job(self, name: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM tuning_jobs WHERE name = ?", [name])

    def list_tuning_jobs(self) -> list[dict[str, Any]]:
        """Every tuning job in creation order (which List operations keep among equal keys)."""
        return self._all("SELECT * FROM tuning_jobs ORDER BY creation_time, rowid")

    def update_tuning_job(
        self, name: str, *, expect_status: Sequence[str] | None = None, **fields: Any
    ) -> bool:
        """Set ``fields``; with ``expect_status`` only while the status is one of those
        (compare-and-set). Returns whether the row changed."""
        with self.transaction() as conn:
            if expect_status is not None:
                row = conn.execute("SELECT status FROM tuning_jobs WHERE name = ?", [name])
                current = row.fetchone()
                if current is None or current[0] not in expect_status:
                    return False
            return self._update(conn, "tuning_jobs", name, fields) == 1

    def delete_tuning_job(self, name: str) -> bool:
        """Delete the tuning job's record. Its training jobs stay, detached: they no longer list
        under the name (which a new tuning job may reuse) and remember it in ``launched_by``."""
        with self.transaction() as conn:
            row = conn.execute("SELECT arn, request FROM tuning_jobs WHERE name = ?", [name])
            found = row.fetchone()
            if found is not None:  # its training jobs keep the tags it has now; its own go
                self._freeze_training_job_tags(conn, name, self._current_tags(conn, *found))
                conn.execute("DELETE FROM tags WHERE arn = ?", [found[0]])
            conn.execute(
                "UPDATE training_jobs SET launched_by = tuning_job, tuning_job = NULL"
                " WHERE tuning_job = ?",
                [name],
            )
            return conn.execute("DELETE FROM tuning_jobs WHERE name = ?", [name]).rowcount == 1

    # -- ownership leases ----------------------------------------------------------------------
    def acquire_lease(self, name: str, owner: str, ttl: float, now: float | None = None) -> bool:
        """Take the job for ``owner`` if it is free, already ours, or its owner's heartbeat is
        older than ``ttl`` seconds."""
        now = time.time() if now is None else now
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE tuning_jobs SET owner = ?, heartbeat = ? WHERE name = ? AND"
                " (owner IS NULL OR owner = ? OR heartbeat IS NULL OR heartbeat < ?)",
                [owner, now, name, owner, now - ttl],
            )
            return cursor.rowcount == 1

    def take_over_lease(
        self, name: str, owner: str, previous_owner: str, now: float | None = None
    ) -> bool:
        """Take the job from ``previous_owner`` (known to be dead) if it still holds it."""
        now = time.time() if now is None else now
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE tuning_jobs SET owner = ?, heartbeat = ? WHERE name = ? AND owner = ?",
                [owner, now, name, previous_owner],
            )
            return cursor.rowcount == 1

    def renew_lease(self, name: str, owner: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE tuning_jobs SET heartbeat = ? WHERE name = ? AND owner = ?",
                [now, name, owner],
            )
            return cursor.rowcount == 1

    def release_lease(self, name: str, owner: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE tuning_jobs SET owner = NULL, heartbeat = NULL"
                " WHERE name = ? AND owner = ?",
                [name, owner],
            )

    # -- training jobs -------------------------------------------------------------------------
    def insert_training_job(self, row: Mapping[str, Any]) -> None:
        encoded = _encode(row)
        columns = ", ".join(encoded)
        marks = ", ".join("?" for _ in encoded)
        with self.transaction() as conn:
            conn.execute(
                f"INSERT INTO training_jobs ({columns}) VALUES ({marks})", list(encoded.values())
            )

    def update_training_job(
        self, name: str, *, expect_status: Sequence[str] | None = None, **fields: Any
    ) -> bool:
        """Like :meth:`update_tuning_job`; terminal training jobs are never changed by callers
        that pass ``expect_status`` of the non-terminal statuses."""
        with self.transaction() as conn:
            if expect_status is not None:
                row = conn.execute("SELECT status FROM training_jobs WHERE name = ?", [name])
                current = row.fetchone()
                if current is None or current[0] not in expect_status:
                    return False
            return self._update(conn, "training_jobs", name, fields) == 1

    def get_training_job(self, name: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM training_jobs WHERE name = ?", [name])

    def list_training_jobs(self, tuning_job: str) -> list[dict[str, Any]]:
        return self._all(
            "SELECT * FROM training_jobs WHERE tuning_job = ? ORDER BY seq, creation_time",
            [tuning_job],
        )

    def list_all_training_jobs(self) -> list[dict[str, Any]]:
        """Every training job of the home, in launch order."""
        return self._all("SELECT * FROM training_jobs ORDER BY creation_time, rowid")

    def add_metric_points(
        self, training_job: str, points: Sequence[tuple[str, float, float, int]]
    ) -> None:
        """Append ``(metric_name, value, timestamp, iteration)`` points."""
        if not points:
            return
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO metric_points (training_job, metric_name, value, timestamp,"
                " iteration) VALUES (?, ?, ?, ?, ?)",
                [(training_job, *point) for point in points],
            )

    def metric_points(
        self, training_job: str, metric_name: str | None = None
    ) -> list[dict[str, Any]]:
        if metric_name is None:
            return self._all(
                "SELECT * FROM metric_points WHERE training_job = ? ORDER BY rowid",
                [training_job],
            )
        return self._all(
            "SELECT * FROM metric_points WHERE training_job = ? AND metric_name = ? ORDER BY rowid",
            [training_job, metric_name],
        )

    # -- images (local runners for custom training images) ---------------------------------------
    def register_image(self, image: str, command: Sequence[str], now: float) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO images (image, command, registered_time) VALUES (?, ?, ?)"
                " ON CONFLICT (image) DO UPDATE SET command = excluded.command,"
                " registered_time = excluded.registered_time",
                [image, json.dumps(list(command)), now],
            )

    def get_image(self, image: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM images WHERE image = ?", [image])

    def list_images(self) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM images ORDER BY image")

    # -- models ------------------------------------------------------------------------------------
    def create_model(self, name: str, arn: str, request: Mapping[str, Any], now: float) -> bool:
        """Record a model; False when the name is taken (the caller decides the error)."""
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM models WHERE name = ?", [name]).fetchone():
                return False
            conn.execute(
                "INSERT INTO models (name, arn, request, creation_time) VALUES (?, ?, ?, ?)",
                [name, arn, json.dumps(request), now],
            )
            return True

    def get_model(self, name: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM models WHERE name = ?", [name])

    def list_models(self) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM models")

    def delete_model(self, name: str) -> bool:
        with self.transaction() as conn:
            found = conn.execute("SELECT arn FROM models WHERE name = ?", [name]).fetchone()
            if found is not None:
                conn.execute("DELETE FROM tags WHERE arn = ?", [found[0]])
            return conn.execute("DELETE FROM models WHERE name = ?", [name]).rowcount == 1

    # -- tags --------------------------------------------------------------------------------------
    def get_tags(self, arn: str) -> list[dict[str, str]] | None:
        """The tags AddTags/DeleteTags left on ``arn``; ``None`` if they never changed them."""
        row = self._one("SELECT tags FROM tags WHERE arn = ?", [arn])
        return None if row is None else list(row["tags"])

    def change_tags(
        self,
        arn: str,
        created: Sequence[Mapping[str, str]],
        change: Callable[[list[dict[str, str]]], list[dict[str, str]]],
        *,
        tuning_job: str | None = None,
    ) -> list[dict[str, str]]:
        """Replace the tags of ``arn`` (``created`` until AddTags/DeleteTags first change them)
        with ``change(current)``, and return them. For a tuning job (``tuning_job`` = its name),
        the training jobs it launched so far keep the tags it had until now: SageMaker gives
        changed tags only to training jobs launched afterwards. One transaction, so neither a
        concurrent change nor a launch slips in between; an exception from ``change`` changes
        nothing."""
        with self.transaction() as conn:
            row = conn.execute("SELECT tags FROM tags WHERE arn = ?", [arn]).fetchone()
            before = json.loads(row[0]) if row is not None else [dict(t) for t in created]
            after = change(list(before))
            if tuning_job is not None:
                self._freeze_training_job_tags(conn, tuning_job, before)
            conn.execute(
                "INSERT INTO tags (arn, tags) VALUES (?, ?)"
                " ON CONFLICT (arn) DO UPDATE SET tags = excluded.tags",
                [arn, json.dumps(after)],
            )
            return after

    @staticmethod
    def _freeze_training_job_tags(
        conn: sqlite3.Connection, tuning_job: str, tags: Sequence[Mapping[str, str]]
    ) -> None:
        conn.execute(
            "INSERT OR IGNORE INTO tags (arn, tags)"
            " SELECT arn, ? FROM training_jobs WHERE tuning_job = ?",
            [json.dumps([dict(t) for t in tags]), tuning_job],
        )

    @staticmethod
    def _current_tags(conn: sqlite3.Connection, arn: str, request: str) -> list[dict[str, str]]:
        """A tuning job's tags: as changed by AddTags/DeleteTags, else as created."""
        row = conn.execute("SELECT tags FROM tags WHERE arn = ?", [arn]).fetchone()
        if row is not None:
            return list(json.loads(row[0]))
        return list(json.loads(request).get("Tags") or [])
