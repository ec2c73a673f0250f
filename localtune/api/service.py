"""The SageMaker operations localtune serves, one method per operation.

``Service.call(operation, params)`` validates the input against the service model, runs the
operation and returns the response dict (datetimes for timestamps). Every way in — the Python
client, the in-process boto3 mock and the HTTP server — goes through :meth:`Service.call`, so all
of them answer identically. Errors are :class:`localtune.errors.ServiceError`s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from botocore import xform_name

from localtune import config
from localtune.api import models, paging, responses, tags
from localtune.api.training_jobs import describe_training_job, list_training_jobs
from localtune.api.validation import validate_create_tuning_job, validate_input
from localtune.errors import (
    ResourceNotFound,
    UnknownOperationException,
    ValidationException,
)
from localtune.store import Store

Handler = Callable[[Mapping[str, Any]], dict[str, Any]]

#: Concurrent (InProgress or Stopping) tuning jobs per account: 100, not raisable (reference §10).
MAX_RUNNING_TUNING_JOBS = 100


class EngineHooks(Protocol):
    """What the service asks of the engine; the store carries the state."""

    def start(self, tuning_job_name: str) -> None: ...
    def wake(self) -> None: ...


class Service:
    """SageMaker's tuning API over one home."""

    #: The operations served; each is the method of the same name in snake_case.
    OPERATIONS: tuple[str, ...] = (
        "AddTags",
        "CreateHyperParameterTuningJob",
        "CreateModel",
        "DeleteHyperParameterTuningJob",
        "DeleteModel",
        "DeleteTags",
        "DescribeHyperParameterTuningJob",
        "DescribeModel",
        "DescribeTrainingJob",
        "ListHyperParameterTuningJobs",
        "ListModels",
        "ListTags",
        "ListTrainingJobs",
        "ListTrainingJobsForHyperParameterTuningJob",
        "StopHyperParameterTuningJob",
        "StopTrainingJob",
    )

    def __init__(self, home: Path, region: str | None = None) -> None:
        self.home = home
        self.region = region or config.default_region()
        self.store = Store(home / "localtune.sqlite")
        self.engine: EngineHooks | None = None

    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if operation not in self.OPERATIONS:
            raise UnknownOperationException(
                f"localtune does not implement the SageMaker operation {operation}. "
                f"Implemented operations: {', '.join(self.OPERATIONS)}."
            )
        handler: Handler = getattr(self, xform_name(operation))
        if operation != "CreateHyperParameterTuningJob":
            validate_input(operation, params)
        return handler(params)

    # -- helpers -------------------------------------------------------------------------------
    def _tuning_row(self, name: str) -> dict[str, Any]:
        row = self.store.get_tuning_job(name)
        if row is None:
            raise ResourceNotFound(
                f"Amazon SageMaker can't find a tuning job called {name}. Type another name."
            )
        return row

    def parent_lookup(self, name: str) -> dict[str, Any] | None:
        row = self.store.get_tuning_job(name)
        if row is None:
            return None
        return responses.describe_tuning_job(row, self.store.list_training_jobs(row["name"]))

    def _touch_engine(self) -> None:
        if self.engine is not None:
            self.engine.wake()

    # -- tuning jobs ---------------------------------------------------------------------------
    def create_hyper_parameter_tuning_job(self, params: Mapping[str, Any]) -> dict[str, Any]:
        validate_create_tuning_job(dict(params), parent_lookup=self.parent_lookup)
        name = params["HyperParameterTuningJobName"]
        arn = config.arn(self.region, "hyper-parameter-tuning-job", name)
        self.store.create_tuning_job(
            name, arn, dict(params), "InProgress", time.time(), max_running=MAX_RUNNING_TUNING_JOBS
        )
        if self.engine is not None:
            self.engine.start(name)
        return {"HyperParameterTuningJobArn": arn}

    def describe_hyper_parameter_tuning_job(self, params: Mapping[str, Any]) -> dict[str, Any]:
        row = self._tuning_row(params["HyperParameterTuningJobName"])
        jobs = self.store.list_training_jobs(row["name"])
        parents_jobs = None
        warm = row["request"].get("WarmStartConfig")
        if warm and warm.get("WarmStartType") == "IdenticalDataAndAlgorithm":
            parents_jobs = [
                job
                for parent in warm["ParentHyperParameterTuningJobs"]
                for job in self.store.list_training_jobs(parent["HyperParameterTuningJobName"])
            ]
        return responses.describe_tuning_job(row, jobs, parents_jobs)

    def list_hyper_parameter_tuning_jobs(self, params: Mapping[str, Any]) -> dict[str, Any]:
        rows = self.store.list_tuning_jobs()
        rows = paging.filtered(rows, params)
        rows = paging.sort(rows, params, paging.ROW_SORT_KEYS)
        chunk, token = paging.page(rows, params)
        out: dict[str, Any] = {
            "HyperParameterTuningJobSummaries": [
                responses.tuning_job_summary(r, self.store.list_training_jobs(r["name"]))
                for r in chunk
            ]
        }
        if token:
            out["NextToken"] = token
        return out

    def delete_hyper_parameter_tuning_job(self, params: Mapping[str, Any]) -> dict[str, Any]:
        row = self._tuning_row(params["HyperParameterTuningJobName"])
        if row["status"] not in responses.TERMINAL_TUNING_STATUSES:
            # SageMaker's precondition is UNKNOWN; deleting a running job's record would orphan
            # its training jobs, so localtune asks for a stop first.
            raise ValidationException(
                f"The hyperparameter tuning job {row['name']} is {row['status']}; only a job that "
                "is Completed, Stopped or Failed can be deleted. Stop it first."
            )
        self.store.delete_tuning_job(row["name"])
        return {}

    def stop_hyper_parameter_tuning_job(self, params: Mapping[str, Any]) -> dict[str, Any]:
        row = self._tuning_row(params["HyperParameterTuningJobName"])
        changed = self.store.update_tuning_job(
            row["name"],
            expect_status=("InProgress",),
            status="Stopping",
            last_modified_time=time.time(),
        )
        if not changed:
            # The SageMaker SDK treats a ValidationException here as "already stopped".
            current = self._tuning_row(row["name"])["status"]
            if current != "Stopping":
                raise ValidationException(
                    f"The hyperparameter tuning job {row['name']} cannot be stopped because its "
                    f"status is {current}; only a job that is InProgress can be stopped."
                )
        self._touch_engine()
        return {}

    # -- training jobs ----------------------------------------------------------------------------
    def _training_row(self, name: str) -> dict[str, Any]:
        job = self.store.get_training_job(name)
        if job is None:
            # Observed: SageMaker answers an unknown training job with a ValidationException,
            # not the modelled ResourceNotFound (aws/aws-sdk#165, boto/boto3#2808).
            raise ValidationException("Requested resource not found.")
        return job

    def describe_training_job(self, params: Mapping[str, Any]) -> dict[str, Any]:
        job = self._training_row(params["TrainingJobName"])
        tuning_arn = None
        launched_by = job["tuning_job"] or job["launched_by"]  # the latter once it was deleted
        if launched_by:
            tuning_arn = config.arn(self.region, "hyper-parameter-tuning-job", launched_by)
        return describe_training_job(job, tuning_arn)

    def list_training_jobs(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return list_training_jobs(self.store, params)

    def list_training_jobs_for_hyper_parameter_tuning_job(
        self, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        row = self._tuning_row(params["HyperParameterTuningJobName"])
        jobs = self.store.list_training_jobs(row["name"])
        if params.get("StatusEquals"):
            jobs = [j for j in jobs if j["status"] == params["StatusEquals"]]
        if params.get("SortBy") == "FinalObjectiveMetricValue":
            # Documented: sorting by the objective omits jobs that did not return one.
            jobs = [j for j in jobs if j["objective_value"] is not None]
        jobs = paging.sort(
            jobs,
            params,
            {
                "Name": lambda j: j["name"],
                "CreationTime": lambda j: j["creation_time"],
                "Status": lambda j: j["status"],
                "FinalObjectiveMetricValue": lambda j: j["objective_value"],
            },
        )
        chunk, token = paging.page(jobs, params)
        out: dict[str, Any] = {
            "TrainingJobSummaries": [responses.training_job_summary(j, row["name"]) for j in chunk]
        }
        if token:
            out["NextToken"] = token
        return out

    def stop_training_job(self, params: Mapping[str, Any]) -> dict[str, Any]:
        job = self.store.get_training_job(params["TrainingJobName"])
        if job is None:
            raise ResourceNotFound(f"Training job {params['TrainingJobName']} does not exist.")
        changed = self.store.update_training_job(
            job["name"],
            expect_status=("InProgress",),
            status="Stopping",
            secondary_status="Stopping",
            last_modified_time=time.time(),
        )
        if not changed and job["status"] != "Stopping":
            raise ValidationException(
                f"The training job {job['name']} cannot be stopped because its status is "
                f"{job['status']}."
            )
        self._touch_engine()
        return {}

    # -- models (handlers in localtune.api.models) -----------------------------------------------
    def create_model(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return models.create_model(self.store, self.region, self.home, params)

    def describe_model(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return models.describe_model(self.store, self.region, params)

    def list_models(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return models.list_models(self.store, params)

    def delete_model(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return models.delete_model(self.store, self.region, params)

    # -- tags (handlers in localtune.api.tags) ----------------------------------------------------
    def add_tags(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return tags.add_tags(self.store, params)

    def list_tags(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return tags.list_tags(self.store, params)

    def delete_tags(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return tags.delete_tags(self.store, params)
