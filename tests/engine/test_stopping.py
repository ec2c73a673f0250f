"""Stops: the tuning job, one training job, per-job MaxRuntimeInSeconds; SIGTERM, grace, SIGKILL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from localtune.runtime.s3 import LocalS3
from tests.engine.conftest import request, training_jobs, wait_done, wait_until


def _running(sm: Any, name: str, count: int) -> list[str]:
    def find() -> list[str] | None:
        jobs = sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=name
        )["TrainingJobSummaries"]
        names = [j["TrainingJobName"] for j in jobs if j["TrainingJobStatus"] == "InProgress"]
        return names if len(names) >= count else None

    found: list[str] = wait_until(find, 20)
    return found


def test_stop_tuning_job_stops_every_running_job(sm: Any, home: Path) -> None:
    req = request(
        "stopme",
        jobs=6,
        parallel=2,
        strategy="Grid",
        continuous=False,
        categorical={"mode": ["ok", "ignoreterm"]},
        static={"sleep": "30"},
    )
    req["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 2
    sm.create_hyper_parameter_tuning_job(**req)
    names = _running(sm, "stopme", 2)
    wait_until(lambda: all((home / "jobs" / n / "pid").is_file() for n in names))
    started = time.monotonic()
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="stopme")
    status = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="stopme")[
        "HyperParameterTuningJobStatus"
    ]
    assert status in ("Stopping", "Stopped")
    d = wait_done(sm, "stopme", 20)
    elapsed = time.monotonic() - started
    assert d["HyperParameterTuningJobStatus"] == "Stopped"
    assert elapsed < 1.0 + 3.0  # grace 1 s (LOCALTUNE_STOP_GRACE_SECONDS) plus bookkeeping
    assert d["TrainingJobStatusCounters"]["Stopped"] == 2
    assert d["TrainingJobStatusCounters"]["InProgress"] == 0
    assert "HyperParameterTuningEndTime" in d
    for job in training_jobs(sm, "stopme"):
        assert job["TrainingJobStatus"] == "Stopped"
        assert job["SecondaryStatus"] == "Stopped"
        statuses = [t["Status"] for t in job["SecondaryStatusTransitions"]]
        assert statuses[-2:] == ["Stopping", "Stopped"]
        # the SIGTERM handler ran in both; the one ignoring it was killed after the grace
        model = home / "jobs" / job["TrainingJobName"] / "model"
        assert (model / "on_term").read_text() == "stopped"
        # a stopped job's model directory is uploaded too
        uri = job["ModelArtifacts"]["S3ModelArtifacts"]
        assert LocalS3.from_home(home).path(uri).is_file()
    # stopping again is allowed while Stopping, refused once Stopped
    try:
        sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="stopme")
        raise AssertionError("expected a ValidationException")
    except sm.exceptions.ClientError as exc:
        assert exc.response["Error"]["Code"] == "ValidationException"


def test_stop_training_job_stops_only_that_job(sm: Any) -> None:
    sm.create_hyper_parameter_tuning_job(
        **request("one", jobs=3, parallel=1, static={"sleep": "0.4"})
    )
    first = _running(sm, "one", 1)[0]
    sm.stop_training_job(TrainingJobName=first)
    d = wait_done(sm, "one")
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    jobs = {j["TrainingJobName"]: j for j in training_jobs(sm, "one")}
    assert jobs[first]["TrainingJobStatus"] == "Stopped"
    assert [t["Status"] for t in jobs[first]["SecondaryStatusTransitions"]][-2:] == [
        "Stopping",
        "Stopped",
    ]
    assert d["TrainingJobStatusCounters"]["Stopped"] == 1
    assert d["TrainingJobStatusCounters"]["Completed"] == 2


def test_max_runtime_exceeded(sm: Any) -> None:
    sm.create_hyper_parameter_tuning_job(
        **request("slow", jobs=1, parallel=1, max_runtime=1, static={"sleep": "30"})
    )
    d = wait_done(sm, "slow", 15)
    job = training_jobs(sm, "slow")[0]
    assert job["TrainingJobStatus"] == "Stopped"
    assert job["SecondaryStatus"] == "MaxRuntimeExceeded"
    assert job["SecondaryStatusTransitions"][-1]["StatusMessage"] == (
        "Training job runtime exceeded MaxRuntimeInSeconds provided"
    )
    assert 1 <= (job["TrainingEndTime"] - job["TrainingStartTime"]).total_seconds() < 5
    assert d["TrainingJobStatusCounters"]["Stopped"] == 1
    assert d["HyperParameterTuningJobStatus"] == "Completed"
