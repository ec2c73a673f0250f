"""``localtune.analytics(job)``: the SageMaker SDK's tuning-job DataFrame, without the SDK.

The frame is what ``sagemaker.HyperparameterTuningJobAnalytics(job).dataframe()`` returns
(SDK v2, ``src/sagemaker/analytics.py``): one row per training-job summary, in the order the
service lists them, with columns in order of construction —

1. every tuned hyperparameter (``float()`` of the value when that works, else the string),
2. ``TrainingJobName``, ``TrainingJobStatus``, ``FinalObjectiveValue`` (``None`` without one),
   ``TrainingStartTime``, ``TrainingEndTime``,
3. ``TrainingElapsedTimeSeconds`` only for rows with both times,
4. ``TrainingJobDefinitionName`` only for rows that have one.

The summaries come from ``ListTrainingJobsForHyperParameterTuningJob`` with ``MaxResults=100``,
following ``NextToken`` (at most 100 pages, as the SDK does). Any SageMaker client works: the
default is ``localtune.client(home)``, but a boto3 client for the real service does too.
pandas is an optional dependency (``pip install 'localtune[analytics]'``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MissingExtra", "analytics", "records", "require", "training_job_summaries"]

#: The SDK stops after this many pages.
MAX_PAGES = 100


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


def require(module: str, extra: str, purpose: str) -> Any:
    """Import ``module``, or raise :class:`MissingExtra` naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(
            f"{purpose} needs {module.split('.')[0]}, which is not installed: "
            f"pip install 'localtune[{extra}]'"
        ) from None


def _client(home: str | os.PathLike[str] | None, client: Any) -> Any:
    if client is not None:
        return client
    from localtune.interfaces.client import client as make_client

    return make_client(home)


def training_job_summaries(tuning_job_name: str, client: Any) -> list[dict[str, Any]]:
    """Every HyperParameterTrainingJobSummary of the tuning job, in the service's order."""
    out: list[dict[str, Any]] = []
    extra: dict[str, str] = {}
    for _ in range(MAX_PAGES):
        page = client.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=tuning_job_name, MaxResults=100, **extra
        )
        batch = page["TrainingJobSummaries"]
        out.extend(batch)
        if "NextToken" not in page or not batch:
            break
        extra["NextToken"] = page["NextToken"]
    return out


def _number_or_text(value: str) -> float | str:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def record(summary: Mapping[str, Any]) -> dict[str, Any]:
    """One row of the frame, built in the SDK's order of construction."""
    out: dict[str, Any] = {
        name: _number_or_text(value) for name, value in summary["TunedHyperParameters"].items()
    }
    out["TrainingJobName"] = summary["TrainingJobName"]
    out["TrainingJobStatus"] = summary["TrainingJobStatus"]
    objective = summary.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
    out["FinalObjectiveValue"] = objective.get("Value")
    start, end = summary.get("TrainingStartTime"), summary.get("TrainingEndTime")
    out["TrainingStartTime"] = start
    out["TrainingEndTime"] = end
    if start and end:
        out["TrainingElapsedTimeSeconds"] = (end - start).total_seconds()
    if "TrainingJobDefinitionName" in summary:
        out["TrainingJobDefinitionName"] = summary["TrainingJobDefinitionName"]
    return out


def records(summaries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [record(summary) for summary in summaries]


def analytics(
    tuning_job_name: str,
    home: str | os.PathLike[str] | None = None,
    *,
    client: Any = None,
) -> pd.DataFrame:
    """The tuning job's training jobs as the SDK's ``dataframe()`` builds them.

    ``client`` is any SageMaker client (default: ``localtune.client(home)``). Raises the client's
    ``ResourceNotFound`` for an unknown tuning job and :class:`MissingExtra` without pandas.
    """
    pandas = require("pandas", "analytics", "localtune.analytics()")
    summaries = training_job_summaries(tuning_job_name, _client(home, client))
    return pandas.DataFrame(records(summaries))
