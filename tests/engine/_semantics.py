"""Shared builders for the tuning-semantics tests: real built-in XGBoost tuning jobs on
scikit-learn's breast_cancer data in the local S3 (``localtune.demo.write_breast_cancer``)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from localtune import demo
from localtune.interfaces import services
from tests.engine.conftest import training_jobs, wait_done

OBJECTIVE = "validation:auc"


def xgb_request(
    name: str,
    *,
    strategy: str = "Random",
    jobs: int = 6,
    parallel: int = 2,
    num_round: int = 30,
    seed: int = 3,
    early_stopping: str = "Off",
) -> dict[str, Any]:
    """The seed example (XGBoost, Maximize validation:auc) made small: ``num_round`` rounds, a
    wide ``eta`` range and ``max_depth`` 1..6, ``jobs`` jobs."""
    request = copy.deepcopy(demo.seed_request())
    request["HyperParameterTuningJobName"] = name
    config = request["HyperParameterTuningJobConfig"]
    config["Strategy"] = strategy
    config["RandomSeed"] = seed
    config["TrainingJobEarlyStoppingType"] = early_stopping
    config["ResourceLimits"] = {
        "MaxNumberOfTrainingJobs": jobs,
        "MaxParallelTrainingJobs": parallel,
    }
    config["ParameterRanges"] = {
        "ContinuousParameterRanges": [
            {"Name": "eta", "MinValue": "0.001", "MaxValue": "0.5", "ScalingType": "Logarithmic"}
        ],
        "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "1", "MaxValue": "6"}],
        "CategoricalParameterRanges": [],
    }
    request["TrainingJobDefinition"]["StaticHyperParameters"]["num_round"] = str(num_round)
    return request


def run(sm: Any, request: dict[str, Any], timeout: float = 90.0) -> dict[str, Any]:
    """Create the tuning job and wait for its end; the final Describe."""
    sm.create_hyper_parameter_tuning_job(**request)
    return wait_done(sm, request["HyperParameterTuningJobName"], timeout)


def jobs_of(sm: Any, name: str) -> list[dict[str, Any]]:
    """DescribeTrainingJob of every training job of the tuning job, in launch order."""
    return sorted(training_jobs(sm, name), key=lambda j: j["TrainingJobName"])


def objective_points(home: Path, training_job: str, metric: str = OBJECTIVE) -> list[float]:
    """The values of ``metric`` a job reported, in order (one per boosting round)."""
    store = services.get_service(home).store
    return [float(p["value"]) for p in store.metric_points(training_job, metric)]


def rounds(home: Path, training_job: str, metric: str = OBJECTIVE) -> int:
    """Boosting rounds a job trained, counted from its stored metric points (one per round)."""
    return len(objective_points(home, training_job, metric))


def objective(job: dict[str, Any]) -> float | None:
    """A training job's final objective value (DescribeTrainingJob), None without one."""
    for metric in job.get("FinalMetricDataList", []):
        if metric["MetricName"] == OBJECTIVE:
            return float(metric["Value"])
    return None
