"""DescribeTrainingJob's response, built from a stored training job (reference §2.7)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from localtune.api import paging
from localtune.api.responses import _put, fill_service_defaults, when
from localtune.engine import definitions
from localtune.store import Store

_COPIED = (
    "RoleArn",
    "InputDataConfig",
    "OutputDataConfig",
    "VpcConfig",
    "StoppingCondition",
    "EnableNetworkIsolation",
    "EnableInterContainerTrafficEncryption",
    "EnableManagedSpotTraining",
    "CheckpointConfig",
    "Environment",
    "RetryStrategy",
)
_DEFAULT_FLAGS = (
    "EnableNetworkIsolation",
    "EnableInterContainerTrafficEncryption",
    "EnableManagedSpotTraining",
)


def model_artifacts_uri(definition: Mapping[str, Any], job_name: str) -> str:
    """Where SageMaker puts a job's model: ``<S3OutputPath>/<job>/output/model.tar.gz``."""
    output = definition["OutputDataConfig"]["S3OutputPath"].rstrip("/")
    return f"{output}/{job_name}/output/model.tar.gz"


def describe_training_job(job: Mapping[str, Any], tuning_job_arn: str | None) -> dict[str, Any]:
    definition = job["definition"]
    spec = definition["AlgorithmSpecification"]
    algorithm: dict[str, Any] = {
        key: spec[key] for key in ("TrainingImage", "AlgorithmName") if key in spec
    }
    algorithm["TrainingInputMode"] = spec["TrainingInputMode"]
    metrics = definitions.metric_definitions_of(definition)
    if metrics:
        algorithm["MetricDefinitions"] = metrics
    algorithm["EnableSageMakerMetricsTimeSeries"] = False

    out: dict[str, Any] = {
        "TrainingJobName": job["name"],
        "TrainingJobArn": job["arn"],
    }
    _put(out, "TuningJobArn", tuning_job_arn)
    out["ModelArtifacts"] = {
        "S3ModelArtifacts": job["model_artifacts"] or model_artifacts_uri(definition, job["name"])
    }
    out["TrainingJobStatus"] = job["status"]
    out["SecondaryStatus"] = job["secondary_status"]
    _put(out, "FailureReason", job["failure_reason"])
    out["HyperParameters"] = dict(job["hyperparameters"])
    out["AlgorithmSpecification"] = algorithm
    out["ResourceConfig"] = definitions.resource_config_of(definition)
    for key in _COPIED:
        if key in definition:
            out[key] = copy.deepcopy(definition[key])
    for key in _DEFAULT_FLAGS:
        out.setdefault(key, False)
    fill_service_defaults(out)
    out["CreationTime"] = when(job["creation_time"])
    _put(out, "TrainingStartTime", when(job["start_time"]))
    _put(out, "TrainingEndTime", when(job["end_time"]))
    out["LastModifiedTime"] = when(job["last_modified_time"])
    out["SecondaryStatusTransitions"] = [
        {key: when(value) if key.endswith("Time") else value for key, value in t.items()}
        for t in job["transitions"]
    ]
    if job["final_metrics"]:
        out["FinalMetricDataList"] = [
            {"MetricName": m["MetricName"], "Value": m["Value"], "Timestamp": when(m["Timestamp"])}
            for m in job["final_metrics"]
        ]
    if job["start_time"] is not None and job["end_time"] is not None:
        seconds = max(1, round(job["end_time"] - job["start_time"]))
        out["TrainingTimeInSeconds"] = seconds
        out["BillableTimeInSeconds"] = seconds
    return out


def training_job_list_summary(job: Mapping[str, Any]) -> dict[str, Any]:
    """TrainingJobSummary (ListTrainingJobs). localtune has no warm pools or training plans, so
    ``WarmPoolStatus`` and ``TrainingPlanArn`` are never set."""
    out: dict[str, Any] = {
        "TrainingJobName": job["name"],
        "TrainingJobArn": job["arn"],
        "CreationTime": when(job["creation_time"]),
    }
    _put(out, "TrainingEndTime", when(job["end_time"]))
    out["LastModifiedTime"] = when(job["last_modified_time"])
    out["TrainingJobStatus"] = job["status"]
    out["SecondaryStatus"] = job["secondary_status"]
    return out


def list_training_jobs(store: Store, params: Mapping[str, Any]) -> dict[str, Any]:
    """ListTrainingJobs over every training job of the home.

    Defaults from the doc strings: ``SortBy=CreationTime``, ``SortOrder=Ascending``, 10 per
    page. Filters as in ListHyperParameterTuningJobs (``NameContains`` case-insensitive, strict
    time bounds). The documented quirk that SageMaker takes ``MaxResults`` jobs *before*
    filtering by ``StatusEquals`` is not reproduced (chosen: filter, then page, so that paging
    through a filtered list returns every match). ``WarmPoolStatusEquals`` and
    ``TrainingPlanArnEquals`` match nothing: localtune has neither.
    """
    jobs = store.list_all_training_jobs()
    if params.get("WarmPoolStatusEquals") or params.get("TrainingPlanArnEquals"):
        jobs = []
    jobs = paging.filtered(jobs, params)
    jobs = paging.sort(jobs, params, paging.ROW_SORT_KEYS, default="CreationTime")
    chunk, token = paging.page(jobs, params)
    out: dict[str, Any] = {"TrainingJobSummaries": [training_job_list_summary(j) for j in chunk]}
    if token:
        out["NextToken"] = token
    return out
