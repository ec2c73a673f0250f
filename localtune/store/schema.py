"""The SQLite schema of a localtune home, one migration script per version.

A home's file records its version in ``PRAGMA user_version``; :class:`~localtune.store.Store`
runs the scripts above it in order when it opens the file.
"""

from __future__ import annotations

SCHEMA_VERSION = 3

SCHEMA_V1 = """
CREATE TABLE tuning_jobs (
    name              TEXT PRIMARY KEY COLLATE NOCASE,
    arn               TEXT NOT NULL,
    request           TEXT NOT NULL,            -- the CreateHyperParameterTuningJob request as sent
    status            TEXT NOT NULL,
    creation_time     REAL NOT NULL,
    last_modified_time REAL NOT NULL,
    end_time          REAL,
    failure_reason    TEXT,
    completion_details TEXT,                    -- JSON: TuningJobCompletionDetails
    state             TEXT,                     -- JSON: engine bookkeeping (launch counter, ...)
    owner             TEXT,                     -- ownership lease: who runs this job
    heartbeat         REAL                      -- lease heartbeat, epoch seconds
);
CREATE TABLE training_jobs (
    name              TEXT PRIMARY KEY COLLATE NOCASE,
    tuning_job        TEXT COLLATE NOCASE,
    seq               INTEGER,                  -- launch number within the tuning job (1-based)
    definition_name   TEXT,
    arn               TEXT NOT NULL,
    status            TEXT NOT NULL,
    secondary_status  TEXT NOT NULL,
    failure_reason    TEXT,
    failure_kind      TEXT,                     -- 'Retryable' | 'NonRetryable' for Failed jobs
    retry_of          TEXT,                     -- name of the job this one retries
    attempt           INTEGER NOT NULL DEFAULT 1,
    hyperparameters   TEXT NOT NULL,            -- JSON: all hyperparameters (strings)
    tuned             TEXT NOT NULL,            -- JSON: tuned hyperparameters only (strings)
    definition        TEXT NOT NULL,            -- JSON: the definition it was made from
    creation_time     REAL NOT NULL,
    start_time        REAL,
    end_time          REAL,
    last_modified_time REAL NOT NULL,
    transitions       TEXT NOT NULL,            -- JSON: SecondaryStatusTransitions
    objective_metric  TEXT,                     -- the tuning objective's MetricName
    objective_type    TEXT,                     -- Maximize | Minimize
    objective_status  TEXT,                     -- Pending | Succeeded | Failed
    objective_value   REAL,
    final_metrics     TEXT,                     -- JSON: FinalMetricDataList
    model_artifacts   TEXT,
    job_dir           TEXT
);
CREATE INDEX training_jobs_by_tuning_job ON training_jobs (tuning_job, seq);
CREATE TABLE metric_points (
    training_job      TEXT NOT NULL COLLATE NOCASE,
    metric_name       TEXT NOT NULL,
    value             REAL NOT NULL,
    timestamp         REAL NOT NULL,
    iteration         INTEGER NOT NULL
);
CREATE INDEX metric_points_by_job ON metric_points (training_job, metric_name, iteration);
CREATE TABLE images (
    image             TEXT PRIMARY KEY,
    command           TEXT NOT NULL,            -- JSON list: argv prefix; "train" is appended
    registered_time   REAL NOT NULL
);
CREATE TABLE models (
    name              TEXT PRIMARY KEY COLLATE NOCASE,
    arn               TEXT NOT NULL,
    request           TEXT NOT NULL,
    creation_time     REAL NOT NULL
);
"""

# Version 2: a deleted tuning job lets go of its training jobs. ``tuning_job`` is cleared (so a new
# tuning job that reuses the name starts from nothing) and the name they were launched by moves to
# ``launched_by``, from which DescribeTrainingJob still reports their TuningJobArn.
SCHEMA_V2 = """
ALTER TABLE training_jobs ADD COLUMN launched_by TEXT;
"""

# Version 3: tags changed by AddTags/DeleteTags, one row per resource ARN. A resource without a
# row has the tags it was created with (a training job: its tuning job's).
SCHEMA_V3 = """
CREATE TABLE tags (
    arn               TEXT PRIMARY KEY COLLATE NOCASE,
    tags              TEXT NOT NULL             -- JSON list of {"Key", "Value"}
);
"""

MIGRATIONS: dict[int, str] = {1: SCHEMA_V1, 2: SCHEMA_V2, 3: SCHEMA_V3}
