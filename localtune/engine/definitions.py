"""What a tuning request means, read once: its training-job definitions, each definition's
objective, ranges and metric definitions, the training-job budget, and the request as Describe
echoes it (with the values SageMaker fills in).

Everything here is a pure function of the request dict as stored.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from localtune.runtime.xgb import spec as xgb_spec

TUNING_OBJECTIVE_KEY = "_tuning_objective_metric"


def definitions_of(request: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The training-job definitions: ``[TrainingJobDefinition]`` or ``TrainingJobDefinitions``."""
    if "TrainingJobDefinition" in request:
        return [request["TrainingJobDefinition"]]
    return list(request.get("TrainingJobDefinitions", []))


def objective_of(
    request: Mapping[str, Any], definition: Mapping[str, Any]
) -> tuple[str, str] | None:
    """``(MetricName, Type)`` of the objective that applies to ``definition``: its own
    ``TuningObjective`` (multi-definition jobs), else the tuning config's objective."""
    objective = definition.get("TuningObjective") or request["HyperParameterTuningJobConfig"].get(
        "HyperParameterTuningJobObjective"
    )
    if not objective:
        return None
    return objective["MetricName"], objective["Type"]


def parameter_ranges_of(
    request: Mapping[str, Any], definition: Mapping[str, Any]
) -> dict[str, list[Any]]:
    """The ranges tuned for ``definition``, every list present (possibly empty)."""
    ranges = definition.get("HyperParameterRanges") or request["HyperParameterTuningJobConfig"].get(
        "ParameterRanges", {}
    )
    return {
        key: list(ranges.get(key, []))
        for key in (
            "IntegerParameterRanges",
            "ContinuousParameterRanges",
            "CategoricalParameterRanges",
        )
    }


def xgboost_version(definition: Mapping[str, Any]) -> str | None:
    """The built-in XGBoost image tag when ``definition`` trains with it, else None."""
    image = definition.get("AlgorithmSpecification", {}).get("TrainingImage")
    return xgb_spec.parse_image(image) if image else None


def is_script_mode(definition: Mapping[str, Any]) -> bool:
    """SDK framework estimators put ``sagemaker_program`` in the static hyperparameters."""
    return "sagemaker_program" in definition.get("StaticHyperParameters", {})


def metric_definitions_of(definition: Mapping[str, Any]) -> list[dict[str, str]]:
    """The metric definitions applied to a job's logs: the user's, plus the built-in algorithm's
    own (SageMaker registers those for built-in images; a user definition of the same name
    wins)."""
    user = [
        dict(m) for m in definition.get("AlgorithmSpecification", {}).get("MetricDefinitions", [])
    ]
    if xgboost_version(definition) is None or is_script_mode(definition):
        return user  # framework (script) mode: the user's script prints what it likes
    names = {m["Name"] for m in user}
    return user + [m for m in xgb_spec.metric_definitions() if m["Name"] not in names]


def grid_size(ranges: Mapping[str, list[Any]]) -> int:
    """Number of combinations of the categorical (and integer) values of a Grid search."""
    sizes = [len(r["Values"]) for r in ranges.get("CategoricalParameterRanges", [])]
    sizes += [
        int(r["MaxValue"]) - int(r["MinValue"]) + 1
        for r in ranges.get("IntegerParameterRanges", [])
    ]
    return math.prod(sizes) if sizes else 0


#: The budget Autotune chooses when ``MaxNumberOfTrainingJobs`` is omitted (SageMaker's choice
#: is UNKNOWN): enough for a Bayesian search over a handful of hyperparameters to get past its
#: initial random points, small enough for a laptop.
AUTOTUNE_MAX_JOBS = 20


def max_training_jobs(request: Mapping[str, Any]) -> int:
    """The training-job budget: ``MaxNumberOfTrainingJobs``, or for Grid the number of
    combinations (V41). Without either (SageMaker: UNKNOWN, the SDK always sends it) localtune
    runs one job, the SDK's default — or, with Autotune, :data:`AUTOTUNE_MAX_JOBS`."""
    config = request["HyperParameterTuningJobConfig"]
    limit = config["ResourceLimits"].get("MaxNumberOfTrainingJobs")
    if limit is not None:
        return int(limit)
    if config["Strategy"] == "Grid":
        return sum(grid_size(parameter_ranges_of(request, d)) for d in definitions_of(request))
    autotune = request.get("Autotune") or {}
    return AUTOTUNE_MAX_JOBS if autotune.get("Mode") == "Enabled" else 1


def echo_tuning_config(request: Mapping[str, Any]) -> dict[str, Any]:
    """``HyperParameterTuningJobConfig`` as Describe shows it: as sent, plus the values SageMaker
    computes (``TrainingJobEarlyStoppingType`` defaults to Off; Grid's inferred
    ``MaxNumberOfTrainingJobs``)."""
    config = copy.deepcopy(dict(request["HyperParameterTuningJobConfig"]))
    config.setdefault("TrainingJobEarlyStoppingType", "Off")
    limits = config["ResourceLimits"]
    limits.setdefault("MaxNumberOfTrainingJobs", max_training_jobs(request))
    return config


def echo_definition(definition: Mapping[str, Any], request: Mapping[str, Any]) -> dict[str, Any]:
    """A training-job definition as Describe shows it. SageMaker adds what the SDK's
    ``HyperparameterTuner.attach()`` reads: ``_tuning_objective_metric`` in the static
    hyperparameters, a ``ResourceConfig`` (also when the request used
    ``HyperParameterTuningResourceConfig``) and a built-in algorithm's ``MetricDefinitions``."""
    out = copy.deepcopy(dict(definition))
    objective = objective_of(request, definition)
    if objective is not None:
        out.setdefault("StaticHyperParameters", {})[TUNING_OBJECTIVE_KEY] = objective[0]
    if "ResourceConfig" not in out:
        out["ResourceConfig"] = resource_config_of(definition)
    algorithm = out["AlgorithmSpecification"]
    metrics = metric_definitions_of(definition)
    if metrics:
        algorithm["MetricDefinitions"] = metrics
    return out


def resource_config_of(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The ``ResourceConfig`` a training job gets: the definition's, else the first instance
    configuration of ``HyperParameterTuningResourceConfig``."""
    if "ResourceConfig" in definition:
        return dict(definition["ResourceConfig"])
    tuning = dict(definition.get("HyperParameterTuningResourceConfig", {}))
    instance = (tuning.get("InstanceConfigs") or [tuning])[0]
    out: dict[str, Any] = {
        "InstanceType": instance.get("InstanceType", "ml.m5.xlarge"),
        "InstanceCount": instance.get("InstanceCount", 1),
        "VolumeSizeInGB": instance.get("VolumeSizeInGB", 30),
    }
    if "VolumeKmsKeyId" in tuning:
        out["VolumeKmsKeyId"] = tuning["VolumeKmsKeyId"]
    return out
