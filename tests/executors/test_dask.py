"""Tuning jobs on a real two-worker Dask cluster: real XGBoost training jobs, a stop, a worker
killed mid-job. The cluster is shared by the tests of this module (the last test kills one of
its workers; the nanny starts a new one)."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import localtune
from localtune import images
from localtune.demo import write_breast_cancer
from localtune.executors.dask_worker import WORKER_NOTE
from localtune.interfaces import services
from localtune.runtime.s3 import LocalS3
from tests.engine.conftest import training_jobs, wait_until
from tests.helpers import small_seed_request, wait_for_status

pytestmark = pytest.mark.slow


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("LOCALTUNE_STOP_GRACE_SECONDS", "1")
    write_breast_cancer(tmp_path)
    yield tmp_path
    services.close_service(tmp_path)


@pytest.fixture
def sm(home: Path, cluster: Any) -> Any:
    return localtune.client(home=home, executor=cluster.scheduler_address)


def _note(home: Path, job_name: str) -> dict[str, Any] | None:
    try:
        note: dict[str, Any] = json.loads((home / "jobs" / job_name / WORKER_NOTE).read_text())
    except (OSError, ValueError):
        return None
    return note


def _pids(home: Path, tuning_job: str) -> dict[str, int]:
    row = services.get_service(home).store.get_tuning_job(tuning_job) or {}
    return dict((row.get("state") or {}).get("pids") or {})


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        status = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return status != "Z"


def test_tuning_job_completes_across_both_workers(sm: Any, home: Path, cluster: Any) -> None:
    request = small_seed_request("dask-xgb", jobs=4, parallel=2, rounds=10)
    sm.create_hyper_parameter_tuning_job(**request)
    described = wait_for_status(sm, "dask-xgb", 180)
    assert described["HyperParameterTuningJobStatus"] == "Completed", described.get("FailureReason")
    assert described["TrainingJobStatusCounters"]["Completed"] == 4
    jobs = training_jobs(sm, "dask-xgb")
    workers = {(_note(home, j["TrainingJobName"]) or {}).get("worker") for j in jobs}
    assert workers == set(cluster.scheduler_info["workers"])  # both workers trained
    best = described["BestTrainingJob"]
    assert 0.9 < best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] <= 1.0
    for job in jobs:  # metrics came back from the workers; models went into the local S3
        assert [m["MetricName"] for m in job["FinalMetricDataList"]] == ["validation:auc"]
        archive = LocalS3.from_home(home).path(job["ModelArtifacts"]["S3ModelArtifacts"])
        assert archive.is_file()
        assert [t["Status"] for t in job["SecondaryStatusTransitions"]] == [
            "Starting",
            "Downloading",
            "Training",
            "Uploading",
            "Completed",
        ]


def test_stop_reaches_the_jobs_on_their_workers(sm: Any, home: Path) -> None:
    request = small_seed_request("dask-stop", jobs=2, parallel=2, rounds=1_000_000)
    sm.create_hyper_parameter_tuning_job(**request)
    wait_until(lambda: len(_pids(home, "dask-stop")) == 2, timeout=60)
    pids = _pids(home, "dask-stop")
    # the log lines reach the engine while the jobs train
    wait_until(
        lambda: all((home / "jobs" / n / "training.log").stat().st_size > 0 for n in pids), 30
    )
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="dask-stop")
    described = wait_for_status(sm, "dask-stop", 60)
    assert described["HyperParameterTuningJobStatus"] == "Stopped"
    assert described["TrainingJobStatusCounters"]["Stopped"] == 2
    for job in training_jobs(sm, "dask-stop"):
        assert job["TrainingJobStatus"] == "Stopped"
        assert job["SecondaryStatus"] == "Stopped"
    wait_until(lambda: not any(_alive(pid) for pid in pids.values()), timeout=10)


def test_worker_killed_mid_job_is_retried(sm: Any, home: Path, cluster: Any) -> None:
    request = small_seed_request("dask-kill", jobs=1, parallel=1, rounds=3000)
    request["TrainingJobDefinition"]["RetryStrategy"] = {"MaximumRetryAttempts": 1}
    sm.create_hyper_parameter_tuning_job(**request)
    first, pid = wait_until(lambda: next(iter(_pids(home, "dask-kill").items()), None), 60)
    note = wait_until(lambda: _note(home, first), timeout=10)
    os.kill(int(note["pid"]), signal.SIGKILL)  # the worker process running the job
    wait_until(lambda: not _alive(pid), timeout=15)  # the job died with its worker

    described = wait_for_status(sm, "dask-kill", 180)
    assert described["HyperParameterTuningJobStatus"] == "Completed", described.get("FailureReason")
    counters = described["TrainingJobStatusCounters"]
    assert (counters["Completed"], counters["RetryableError"]) == (1, 1)
    jobs = {j["TrainingJobName"]: j for j in training_jobs(sm, "dask-kill")}
    lost = jobs.pop(first)
    assert lost["TrainingJobStatus"] == "Failed"
    assert lost["FailureReason"].startswith(
        f"InternalServerError: The Dask worker {note['worker']}"
    )
    (retry,) = jobs.values()
    assert retry["TrainingJobStatus"] == "Completed"
    assert retry["TrainingJobName"].startswith("dask-kill-001-")  # the same slot, attempt 2
    assert retry["HyperParameters"] == lost["HyperParameters"]
    assert described["BestTrainingJob"]["TrainingJobName"] == retry["TrainingJobName"]
    # the nanny replaced the dead worker: the cluster has two workers again
    wait_until(lambda: len(cluster.scheduler_info["workers"]) == 2, timeout=60)


def test_scheduler_gone_fails_the_tuning_job_and_keeps_what_completed(home: Path) -> None:
    from tests.engine.conftest import IMAGE, SCRIPT
    from tests.engine.conftest import request as engine_request
    from tests.executors.conftest import local_cluster

    # the engine tests' training image (a short Python script): no XGBoost start-up on new workers
    images.register(IMAGE, [sys.executable, str(SCRIPT)], home=home)
    own = local_cluster(threads_per_worker=1)
    try:
        sm = localtune.client(home=home, executor=own.scheduler_address)
        request = engine_request("dask-gone", jobs=20, parallel=1)
        sm.create_hyper_parameter_tuning_job(**request)

        def completed() -> int:
            d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="dask-gone")
            return int(d["TrainingJobStatusCounters"]["Completed"])

        wait_until(lambda: completed() >= 1, timeout=120)
        own.close()  # the scheduler (and its workers) go away
        described = wait_for_status(sm, "dask-gone", 60)
    finally:
        own.close()
    assert described["HyperParameterTuningJobStatus"] == "Failed"
    assert described["FailureReason"].startswith(
        f"InternalServerError: localtune lost the Dask scheduler {own.scheduler_address}"
    )
    counters = described["TrainingJobStatusCounters"]
    assert counters["Completed"] >= 1 and counters["InProgress"] == 0
    assert counters["Completed"] + counters["RetryableError"] < 20  # it stopped launching
    best = described["BestTrainingJob"]  # what completed is kept
    job = sm.describe_training_job(TrainingJobName=best["TrainingJobName"])
    assert job["TrainingJobStatus"] == "Completed"
    assert LocalS3.from_home(home).path(job["ModelArtifacts"]["S3ModelArtifacts"]).is_file()
    assert best["FinalHyperParameterTuningJobObjectiveMetric"]["MetricName"] == "loss"


def test_cli_tune_and_the_environment_choose_dask(
    home: Path, cluster: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from localtune.interfaces import cli
    from tests.engine.conftest import IMAGE, SCRIPT
    from tests.engine.conftest import request as engine_request

    images.register(IMAGE, [sys.executable, str(SCRIPT)], home=home)
    path = home / "request.json"
    path.write_text(json.dumps(engine_request("dask-cli", jobs=2, parallel=2)))
    argv = ["--home", str(home), "tune", str(path), "--dask-scheduler", cluster.scheduler_address]
    assert cli.main(argv) == 0
    assert "Completed" in capsys.readouterr().out
    sm = localtune.client(home=home)
    assert all(_note(home, j["TrainingJobName"]) for j in training_jobs(sm, "dask-cli"))
    services.close_service(home)

    monkeypatch.setenv("LOCALTUNE_DASK_SCHEDULER", cluster.scheduler_address)
    sm = localtune.client(home=home)
    sm.create_hyper_parameter_tuning_job(**engine_request("dask-env", jobs=1, parallel=1))
    assert wait_for_status(sm, "dask-env", 60)["HyperParameterTuningJobStatus"] == "Completed"
    (job,) = training_jobs(sm, "dask-env")
    assert _note(home, job["TrainingJobName"])  # it ran on a Dask worker
