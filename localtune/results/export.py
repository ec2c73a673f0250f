"""Getting results out: the analytics frame as CSV, and the best training job as a model.

* :func:`export_csv` writes :func:`localtune.results.analytics.analytics` with pandas'
  ``to_csv`` (index included), as the SDK's ``HyperparameterTuningJobAnalytics.export_csv`` does.
* :func:`best_model_request` builds the CreateModel request that turns a tuning job's
  ``BestTrainingJob`` into a model: ``PrimaryContainer.Image`` = the training image,
  ``ModelDataUrl`` = its ``ModelArtifacts.S3ModelArtifacts``, ``ExecutionRoleArn`` = its role —
  what the SDK's ``tuner.best_estimator().create_model()`` sends. Script-mode jobs (a
  ``sagemaker_program`` hyperparameter) also get the ``SAGEMAKER_PROGRAM`` /
  ``SAGEMAKER_SUBMIT_DIRECTORY`` environment the SDK sets for framework models.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from localtune.results.analytics import analytics

__all__ = ["NoBestTrainingJob", "best_model_request", "best_training_job", "export_csv"]


class NoBestTrainingJob(LookupError):
    """The tuning job has no training job with a final objective value yet."""


def export_csv(
    tuning_job_name: str,
    path: str | os.PathLike[str],
    home: str | os.PathLike[str] | None = None,
    *,
    client: Any = None,
) -> int:
    """Write the analytics frame of ``tuning_job_name`` to ``path``; returns the row count."""
    frame = analytics(tuning_job_name, home, client=client)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path)
    return len(frame)


def best_training_job(tuning_job_name: str, client: Any) -> dict[str, Any]:
    """DescribeTrainingJob of the tuning job's BestTrainingJob (:class:`NoBestTrainingJob` if
    there is none, with the SDK's message)."""
    description = client.describe_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=tuning_job_name
    )
    best = description.get("BestTrainingJob")
    if not best:
        status = description["HyperParameterTuningJobStatus"]
        raise NoBestTrainingJob(
            f"Best training job not available for tuning job: {tuning_job_name} "
            f"(status {status}; no training job has reported the objective metric yet)"
        )
    job: dict[str, Any] = client.describe_training_job(TrainingJobName=best["TrainingJobName"])
    return job


def _script_environment(hyperparameters: dict[str, str]) -> dict[str, str]:
    """The SDK's framework-model environment for a script-mode training job."""
    env: dict[str, str] = {}
    for key, variable in (
        ("sagemaker_program", "SAGEMAKER_PROGRAM"),
        ("sagemaker_submit_directory", "SAGEMAKER_SUBMIT_DIRECTORY"),
    ):
        if key in hyperparameters:
            value = hyperparameters[key]
            try:  # the SDK JSON-encodes these hyperparameters ('"train.py"')
                decoded = json.loads(value)
                value = decoded if isinstance(decoded, str) else value
            except ValueError:
                pass
            env[variable] = value
    return env


def best_model_request(tuning_job_name: str, model_name: str, client: Any) -> dict[str, Any]:
    """The CreateModel request for the best training job of ``tuning_job_name``."""
    job = best_training_job(tuning_job_name, client)
    algorithm = job.get("AlgorithmSpecification") or {}
    image = algorithm.get("TrainingImage")
    if not image:
        raise NoBestTrainingJob(
            f"the best training job {job['TrainingJobName']} names no TrainingImage "
            "(an algorithm resource); create the model with an explicit PrimaryContainer"
        )
    container: dict[str, Any] = {
        "Image": image,
        "ModelDataUrl": job["ModelArtifacts"]["S3ModelArtifacts"],
    }
    environment = _script_environment(dict(job.get("HyperParameters") or {}))
    if environment:
        container["Environment"] = environment
    request: dict[str, Any] = {"ModelName": model_name, "PrimaryContainer": container}
    if job.get("RoleArn"):
        request["ExecutionRoleArn"] = job["RoleArn"]
    return request
