"""Failures as SageMaker reports them: the algorithm's own (NonRetryableError) and the
infrastructure's (RetryableError, retried per RetryStrategy), and the tuning job's failure rule."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from tests.engine.conftest import request, training_jobs, wait_done, wait_until


def test_failure_file_and_exit_codes_are_nonretryable(sm: Any) -> None:
    req = request(
        "bad",
        jobs=3,
        parallel=3,
        strategy="Grid",
        continuous=False,
        categorical={"failure_text": ["disk on fire", "ClientError: bad label column", "-"]},
    )
    req["TrainingJobDefinition"]["StaticHyperParameters"]["mode"] = "fail"
    sm.create_hyper_parameter_tuning_job(**req)
    d = wait_done(sm, "bad")
    reasons = {
        j["HyperParameters"]["failure_text"]: j["FailureReason"] for j in training_jobs(sm, "bad")
    }
    assert reasons == {
        "disk on fire": "AlgorithmError: disk on fire",
        "ClientError: bad label column": "ClientError: bad label column",
        "-": "AlgorithmError: -",
    }
    assert d["TrainingJobStatusCounters"]["NonRetryableError"] == 3
    assert d["ObjectiveStatusCounters"]["Failed"] == 3
    # fewer than 5 jobs can be launched and all failed
    assert d["HyperParameterTuningJobStatus"] == "Failed"
    assert d["FailureReason"] == (
        "No training job succeeded after 3 attempts. Please take a look at the training job "
        "failures to get more details."
    )
    for job in training_jobs(sm, "bad"):
        assert job["TrainingJobStatus"] == "Failed"
        assert job["SecondaryStatus"] == "Failed"
        assert job["SecondaryStatusTransitions"][-1]["Status"] == "Failed"


def test_five_failures_without_success_fail_the_tuning_job(sm: Any) -> None:
    sm.create_hyper_parameter_tuning_job(
        **request("five", jobs=9, parallel=2, static={"mode": "exit3", "sleep": "0.05"})
    )
    d = wait_done(sm, "five")
    assert d["HyperParameterTuningJobStatus"] == "Failed"
    assert d["FailureReason"].startswith("No training job succeeded after 5 attempts.")
    jobs = training_jobs(sm, "five")
    assert 5 <= len(jobs) <= 6  # at most one more was already running when the fifth failed
    failed = [j for j in jobs if j["TrainingJobStatus"] == "Failed"]
    assert len(failed) >= 5
    assert all(j["FailureReason"] == "AlgorithmError: Exit Code: 3" for j in failed)
    # a job still running when the rule fired is stopped
    assert all(j["TrainingJobStatus"] == "Stopped" for j in jobs if j not in failed)


def _pid_of_running_job(sm: Any, home: Path, name: str) -> tuple[str, int]:
    def find() -> tuple[str, int] | None:
        for job in sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=name
        )["TrainingJobSummaries"]:
            pid_file = home / "jobs" / job["TrainingJobName"] / "pid"
            if job["TrainingJobStatus"] == "InProgress" and pid_file.is_file():
                text = pid_file.read_text()
                if text:
                    return job["TrainingJobName"], int(text)
        return None

    found: tuple[str, int] = wait_until(find, 20)
    return found


def test_sigkill_from_outside_is_retryable_and_retried(sm: Any, home: Path) -> None:
    sm.create_hyper_parameter_tuning_job(
        **request("kill", jobs=1, parallel=1, retries=1, static={"sleep": "1.0"})
    )
    victim, pid = _pid_of_running_job(sm, home, "kill")
    os.kill(pid, signal.SIGKILL)
    d = wait_done(sm, "kill")
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["RetryableError"] == 1
    assert d["TrainingJobStatusCounters"]["Completed"] == 1
    jobs = {j["TrainingJobName"]: j for j in training_jobs(sm, "kill")}
    assert len(jobs) == 2
    killed = jobs.pop(victim)
    retry = next(iter(jobs.values()))
    assert killed["TrainingJobStatus"] == "Failed"
    assert killed["FailureReason"].startswith("InternalServerError:")
    assert "SIGKILL" in killed["FailureReason"]
    assert retry["TrainingJobName"].startswith("kill-001-")  # same launch number, new suffix
    assert retry["HyperParameters"] == killed["HyperParameters"]
    assert retry["SecondaryStatusTransitions"][0]["Status"] == "Starting"
    assert d["BestTrainingJob"]["TrainingJobName"] == retry["TrainingJobName"]


def test_without_retry_strategy_a_killed_job_is_not_retried(sm: Any, home: Path) -> None:
    sm.create_hyper_parameter_tuning_job(
        **request("noretry", jobs=2, parallel=1, static={"sleep": "1.0"})
    )
    _, pid = _pid_of_running_job(sm, home, "noretry")
    os.kill(pid, signal.SIGKILL)
    d = wait_done(sm, "noretry")
    counters = d["TrainingJobStatusCounters"]
    assert (counters["RetryableError"], counters["Completed"]) == (1, 1)
    assert len(training_jobs(sm, "noretry")) == 2
    assert d["HyperParameterTuningJobStatus"] == "Completed"


def test_unregistered_image_fails_with_the_fix(sm: Any) -> None:
    sm.create_hyper_parameter_tuning_job(
        **request("noimg", jobs=1, parallel=1, image="example.com/nobody/here:1")
    )
    d = wait_done(sm, "noimg")
    job = training_jobs(sm, "noimg")[0]
    assert "example.com/nobody/here:1" in job["FailureReason"]
    assert "localtune images register" in job["FailureReason"]
    assert job["FailureReason"].startswith("ClientError:")
    assert d["HyperParameterTuningJobStatus"] == "Failed"
