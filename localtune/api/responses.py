"""Build SageMaker's response shapes from stored rows.

Rows come from :mod:`localtune.store` (times as epoch seconds); responses carry timezone-aware
datetimes, which the wire layer turns into JSON 1.1 epoch seconds.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from localtune.engine import definitions

#: The statuses a tuning job ends in (in the order SageMaker's messages list them).
TERMINAL_TUNING_STATUSES = ("Completed", "Stopped", "Failed")


def epoch_of(value: Any) -> float:
    """A timestamp member of a request (datetime, epoch number or ISO string, already
    validated) as epoch seconds."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def when(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` unless ``value`` is None: SageMaker omits absent optional members."""
    if value is not None:
        out[key] = value


#: StoppingCondition.MaxRuntimeInSeconds when the request leaves it out (its doc string: 1 day).
DEFAULT_MAX_RUNTIME = 86_400
DEFAULT_VOLUME_GB = 30


def fill_service_defaults(out: dict[str, Any], *, output: bool = True) -> None:
    """Members SageMaker fills in a training job's (or a tuning job's training-job definition's)
    description when the request left them out.

    ``OutputDataConfig.KmsKeyId`` is an empty string when no key was given: the SageMaker SDK's
    ``Estimator.attach()`` (and so ``tuner.best_estimator()``) reads it without a default, so
    SageMaker's answer always has it. ``CompressionType`` defaults to ``GZIP`` and
    ``MaxRuntimeInSeconds`` to one day (doc strings), which ``attach()`` also reads, as it reads
    ``ResourceConfig.VolumeSizeInGB``. ``output=False`` leaves ``OutputDataConfig`` as sent.
    """
    data = out.get("OutputDataConfig")
    if output and isinstance(data, dict):
        data.setdefault("KmsKeyId", "")
        data.setdefault("CompressionType", "GZIP")
    stopping = out.setdefault("StoppingCondition", {})
    stopping.setdefault("MaxRuntimeInSeconds", DEFAULT_MAX_RUNTIME)
    resources = out.get("ResourceConfig")
    if isinstance(resources, dict) and "InstanceGroups" not in resources:
        # attach() reads VolumeSizeInGB too. SageMaker's value for a request without one is
        # UNKNOWN; 30 GB is what localtune assumes for HyperParameterTuningResourceConfig.
        resources.setdefault("VolumeSizeInGB", DEFAULT_VOLUME_GB)


def status_counters(jobs: Iterable[Mapping[str, Any]]) -> tuple[dict[str, int], dict[str, int]]:
    """TrainingJobStatusCounters and ObjectiveStatusCounters over a tuning job's training jobs."""
    training = dict.fromkeys(
        ("Completed", "InProgress", "RetryableError", "NonRetryableError", "Stopped"), 0
    )
    objective = dict.fromkeys(("Succeeded", "Pending", "Failed"), 0)
    for job in jobs:
        status = job["status"]
        if status in ("InProgress", "Stopping"):
            training["InProgress"] += 1
        elif status == "Failed":
            kind = "RetryableError" if job["failure_kind"] == "Retryable" else "NonRetryableError"
            training[kind] += 1
        elif status in training:
            training[status] += 1
        if job["objective_status"] in objective:
            objective[job["objective_status"]] += 1
    return training, objective


def best_job(jobs: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The job with the best final objective among those whose objective Succeeded.

    Ties go to the job launched first (localtune's choice; SageMaker does not say). Jobs stopped
    early (early stopping, Hyperband) with an objective value are eligible, as their value is a
    real measurement of a real model.
    """
    best: Mapping[str, Any] | None = None
    for job in jobs:
        if job["objective_status"] != "Succeeded" or job["objective_value"] is None:
            continue
        maximize = job["objective_type"] == "Maximize"
        if best is None:
            best = job
            continue
        value, incumbent = job["objective_value"], best["objective_value"]
        if (value > incumbent) if maximize else (value < incumbent):
            best = job
    return best


def training_job_summary(job: Mapping[str, Any], tuning_job_name: str) -> dict[str, Any]:
    """HyperParameterTrainingJobSummary of one training job."""
    out: dict[str, Any] = {}
    _put(out, "TrainingJobDefinitionName", job["definition_name"])
    out["TrainingJobName"] = job["name"]
    out["TrainingJobArn"] = job["arn"]
    out["TuningJobName"] = tuning_job_name
    out["CreationTime"] = when(job["creation_time"])
    _put(out, "TrainingStartTime", when(job["start_time"]))
    _put(out, "TrainingEndTime", when(job["end_time"]))
    out["TrainingJobStatus"] = job["status"]
    out["TunedHyperParameters"] = dict(job["tuned"])
    _put(out, "FailureReason", job["failure_reason"])
    if job["objective_value"] is not None:
        out["FinalHyperParameterTuningJobObjectiveMetric"] = {
            "Type": job["objective_type"],
            "MetricName": job["objective_metric"],
            "Value": job["objective_value"],
        }
    _put(out, "ObjectiveStatus", job["objective_status"])
    return out


def _echo(definition: Mapping[str, Any], request: Mapping[str, Any]) -> dict[str, Any]:
    """A training-job definition as Describe shows it: the engine's echo (what SageMaker adds for
    ``attach()``) with the defaults SageMaker fills; ``HyperparameterTuner.attach()`` reads
    ``StoppingCondition.MaxRuntimeInSeconds``, ``ResourceConfig.VolumeSizeInGB`` and
    ``AlgorithmSpecification.MetricDefinitions`` without a default. (``OutputDataConfig.KmsKeyId``
    the tuner's attach() supplies itself, so it is left as sent here.)"""
    echoed = definitions.echo_definition(definition, request)
    fill_service_defaults(echoed, output=False)
    algorithm = echoed.get("AlgorithmSpecification")
    if isinstance(algorithm, dict):  # attach() reads it without a default, too
        algorithm.setdefault("MetricDefinitions", [])
    if isinstance(echoed.get("HyperParameterRanges"), dict):
        _all_range_lists(echoed["HyperParameterRanges"])
    return echoed


RANGE_LISTS = ("IntegerParameterRanges", "ContinuousParameterRanges", "CategoricalParameterRanges")


def _all_range_lists(ranges: dict[str, Any]) -> None:
    """ParameterRanges as Describe shows them: all three lists, empty where none was sent (the
    SDK's ``HyperparameterTuner.attach()`` reads each without a default)."""
    for key in RANGE_LISTS:
        ranges.setdefault(key, [])


def _echo_config(request: Mapping[str, Any]) -> dict[str, Any]:
    config = definitions.echo_tuning_config(request)
    if isinstance(config.get("ParameterRanges"), dict):
        _all_range_lists(config["ParameterRanges"])
    return config


def describe_tuning_job(
    row: Mapping[str, Any],
    jobs: Sequence[Mapping[str, Any]],
    parents_jobs: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """DescribeHyperParameterTuningJob's response for a stored tuning job and its training jobs."""
    request = row["request"]
    training, objective = status_counters(jobs)
    out: dict[str, Any] = {
        "HyperParameterTuningJobName": row["name"],
        "HyperParameterTuningJobArn": row["arn"],
        "HyperParameterTuningJobConfig": _echo_config(request),
    }
    if "TrainingJobDefinition" in request:
        out["TrainingJobDefinition"] = _echo(request["TrainingJobDefinition"], request)
    if "TrainingJobDefinitions" in request:
        out["TrainingJobDefinitions"] = [
            _echo(d, request) for d in request["TrainingJobDefinitions"]
        ]
    out["HyperParameterTuningJobStatus"] = row["status"]
    out["CreationTime"] = when(row["creation_time"])
    _put(out, "HyperParameterTuningEndTime", when(row["end_time"]))
    out["LastModifiedTime"] = when(row["last_modified_time"])
    out["TrainingJobStatusCounters"] = training
    out["ObjectiveStatusCounters"] = objective
    best = best_job(jobs)
    if best is not None:
        out["BestTrainingJob"] = training_job_summary(best, row["name"])
    if parents_jobs is not None:
        overall = best_job([*jobs, *parents_jobs])
        if overall is not None:
            out["OverallBestTrainingJob"] = training_job_summary(
                overall, overall["tuning_job"] or row["name"]
            )
    for key in ("WarmStartConfig", "Autotune"):
        if key in request:
            out[key] = copy.deepcopy(request[key])
    _put(out, "FailureReason", row["failure_reason"])
    if row["completion_details"]:
        details = dict(row["completion_details"])
        if "ConvergenceDetectedTime" in details:
            details["ConvergenceDetectedTime"] = when(details["ConvergenceDetectedTime"])
        out["TuningJobCompletionDetails"] = details
    end = row["end_time"] if row["end_time"] is not None else time.time()
    out["ConsumedResources"] = {"RuntimeInSeconds": max(0, int(end - row["creation_time"]))}
    return out


def tuning_job_summary(row: Mapping[str, Any], jobs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """HyperParameterTuningJobSummary (ListHyperParameterTuningJobs)."""
    request = row["request"]
    config = request["HyperParameterTuningJobConfig"]
    training, objective = status_counters(jobs)
    out: dict[str, Any] = {
        "HyperParameterTuningJobName": row["name"],
        "HyperParameterTuningJobArn": row["arn"],
        "HyperParameterTuningJobStatus": row["status"],
        "Strategy": config["Strategy"],
        "CreationTime": when(row["creation_time"]),
    }
    _put(out, "HyperParameterTuningEndTime", when(row["end_time"]))
    out["LastModifiedTime"] = when(row["last_modified_time"])
    out["TrainingJobStatusCounters"] = training
    out["ObjectiveStatusCounters"] = objective
    out["ResourceLimits"] = definitions.echo_tuning_config(request)["ResourceLimits"]
    return out
