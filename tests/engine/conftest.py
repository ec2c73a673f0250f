"""Engine test fixtures: a fresh home with the test training image registered, a client whose
engine is shut down after the test (no process left behind), and request builders."""

from __future__ import annotations

import copy
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import localtune
from localtune import images
from localtune.interfaces import services

SCRIPT = Path(__file__).with_name("job_script.py")
IMAGE = "localtune-test/job:1"
TERMINAL = ("Completed", "Failed", "Stopped")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("LOCALTUNE_STOP_GRACE_SECONDS", "1")
    images.register(IMAGE, [sys.executable, str(SCRIPT)], home=tmp_path)
    yield tmp_path
    services.close_service(tmp_path)


@pytest.fixture
def sm(home: Path) -> Any:
    return localtune.client(home=home)


def request(
    name: str = "tj",
    *,
    jobs: int = 4,
    parallel: int = 2,
    strategy: str = "Random",
    static: dict[str, str] | None = None,
    categorical: dict[str, list[str]] | None = None,
    continuous: bool = True,
    max_runtime: int = 60,
    retries: int | None = None,
    image: str = IMAGE,
) -> dict[str, Any]:
    ranges: dict[str, Any] = {}
    if continuous:
        ranges["ContinuousParameterRanges"] = [{"Name": "x", "MinValue": "0", "MaxValue": "1"}]
    if categorical:
        ranges["CategoricalParameterRanges"] = [
            {"Name": key, "Values": values} for key, values in categorical.items()
        ]
    definition: dict[str, Any] = {
        "StaticHyperParameters": dict(static or {}),
        "AlgorithmSpecification": {
            "TrainingImage": image,
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": "loss", "Regex": r"loss=(\S+)"}],
        },
        "RoleArn": "arn:aws:iam::123456789012:role/test",
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime},
    }
    if retries is not None:
        definition["RetryStrategy"] = {"MaximumRetryAttempts": retries}
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": strategy,
            "RandomSeed": 7,
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "loss"},
            "ResourceLimits": {
                "MaxNumberOfTrainingJobs": jobs,
                "MaxParallelTrainingJobs": parallel,
            },
            "ParameterRanges": ranges,
        },
        "TrainingJobDefinition": copy.deepcopy(definition),
    }


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def wait_done(sm: Any, name: str, timeout: float = 30.0) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        return d if d["HyperParameterTuningJobStatus"] in TERMINAL else None

    result: dict[str, Any] = wait_until(done, timeout)
    return result


def training_jobs(sm: Any, name: str) -> list[dict[str, Any]]:
    pages = sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
        HyperParameterTuningJobName=name, PaginationConfig={"PageSize": 100}
    )
    summaries = [s for page in pages for s in page["TrainingJobSummaries"]]
    out = []
    for summary in summaries:
        job = sm.describe_training_job(TrainingJobName=summary["TrainingJobName"])
        job.pop("ResponseMetadata", None)
        out.append(job)
    return out
