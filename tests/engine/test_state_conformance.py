"""Counters while a tuning job is Stopping (reference §3.3, §5.1): a training job being stopped
is still InProgress for TrainingJobStatusCounters and Pending for ObjectiveStatusCounters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.engine.conftest import request, training_jobs, wait_done, wait_until


def test_counters_while_stopping_then_stopped(sm: Any, home: Path) -> None:
    # The job ignores SIGTERM, so it stays Stopping for the grace period (1 s in these tests).
    sm.create_hyper_parameter_tuning_job(
        **request("halt", jobs=1, parallel=1, static={"mode": "ignoreterm", "sleep": "30"})
    )

    def running() -> list[dict[str, Any]] | None:
        jobs = training_jobs(sm, "halt")
        pid_written = jobs and (home / "jobs" / jobs[0]["TrainingJobName"] / "pid").is_file()
        return jobs if pid_written else None

    wait_until(running, 20)
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="halt")
    d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="halt")
    assert d["HyperParameterTuningJobStatus"] == "Stopping"
    assert d["TrainingJobStatusCounters"]["InProgress"] == 1
    assert d["ObjectiveStatusCounters"]["Pending"] == 1
    assert "HyperParameterTuningEndTime" not in d
    d = wait_done(sm, "halt", 20)
    assert d["HyperParameterTuningJobStatus"] == "Stopped"
    assert d["TrainingJobStatusCounters"] == {
        "Completed": 0,
        "InProgress": 0,
        "RetryableError": 0,
        "NonRetryableError": 0,
        "Stopped": 1,
    }
    assert d["ObjectiveStatusCounters"]["Pending"] == 0
    assert d["HyperParameterTuningEndTime"] >= d["CreationTime"]
    assert d["LastModifiedTime"] == d["HyperParameterTuningEndTime"]
