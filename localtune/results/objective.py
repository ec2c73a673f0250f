"""The objective of a tuning job as its description tells it.

A single-definition job carries ``HyperParameterTuningJobObjective``, a multi-definition job one
``TuningObjective`` per definition. An Autotune job may have neither (the engine chose the
objective); then the best training job's ``FinalHyperParameterTuningJobObjectiveMetric`` names
the metric and its direction. With none of these (nothing has completed yet) the direction is
unknown and ``default_type`` is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def tuning_objective(description: Mapping[str, Any]) -> dict[str, str]:
    """``{"MetricName": ..., "Type": "Maximize" | "Minimize"}`` of a DescribeHyperParameterTuningJob
    response."""
    config = description.get("HyperParameterTuningJobConfig") or {}
    objective = config.get("HyperParameterTuningJobObjective")
    if not objective:
        definitions = description.get("TrainingJobDefinitions") or [{}]
        objective = definitions[0].get("TuningObjective")
    if not objective:
        best = description.get("BestTrainingJob") or {}
        objective = best.get("FinalHyperParameterTuningJobObjectiveMetric")
    objective = objective or {}
    return {
        "MetricName": str(objective.get("MetricName", "objective")),
        "Type": str(objective.get("Type", "Minimize")),
    }
