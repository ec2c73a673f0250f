"""Semantic rules on the objective and metric definitions: V20–V24 of the reference (§4.3).

The built-in XGBoost half of V22 (the objective must be a metric the algorithm emits, in its
direction) lives with the other XGBoost checks in :mod:`rules_builtin`.
"""

from __future__ import annotations

import re

from localtune.api.validation.images import is_builtin
from localtune.api.validation.patterns import compile_user_regex
from localtune.api.validation.request import Definition, Request, items, text

# Observed verbatim (amazon-sagemaker-examples#1207, sagemaker-python-sdk#3932).
METRIC_REQUIRED = (
    "A metric is required for this hyperparameter tuning job objective. "
    "Provide a metric in the metric definitions."
)


def v20_objective_required(req: Request) -> list[str]:
    """V20: a non-Autotune single-definition job needs HyperParameterTuningJobObjective.

    (Per-definition objectives of TrainingJobDefinitions are V11.) With Autotune the service
    may choose the objective, so it can be omitted.
    """
    if req.multi or req.autotune or not req.definitions:
        return []
    if req.definitions[0].objective is not None:
        return []
    return [
        "HyperParameterTuningJobConfig.HyperParameterTuningJobObjective is required. "
        "Specify the objective metric (Type and MetricName) the tuning job optimizes."
    ]


def metric_names(definition: Definition) -> list[str]:
    """The ``Name``s of the definition's MetricDefinitions."""
    defs = items(definition.algorithm, "MetricDefinitions")
    return [name for _, d in defs if (name := text(d, "Name")) is not None]


def v21_custom_image_metric(req: Request) -> list[str]:
    """V21: with a custom image, the objective metric must be one of the MetricDefinitions.

    Built-in images (and algorithm resources) have their metrics pre-registered, so they need
    no MetricDefinitions; that includes the XGBoost image in script mode (whose objective is
    left to run time: the script decides what it prints).
    """
    problems = []
    for definition in req.definitions:
        name = definition.metric_name
        if name is None or is_builtin(definition) or name in metric_names(definition):
            continue
        if not text(definition.algorithm, "TrainingImage"):
            continue  # no image at all: V13 reports it
        problems.append(METRIC_REQUIRED)
    return problems


def v23_metric_definitions(req: Request) -> list[str]:
    """V23: metric definitions have unique names (chosen by localtune: two regexes for one
    metric make its value ambiguous). Their number (<= 40) is a model constraint."""
    problems = []
    for definition in req.definitions:
        seen: set[str] = set()
        for index, metric in items(definition.algorithm, "MetricDefinitions"):
            name = text(metric, "Name")
            if name is not None and name in seen:
                where = f"{definition.path}.AlgorithmSpecification.MetricDefinitions[{index}].Name"
                problems.append(
                    f"The metric name '{name}' of {where} is defined more than once. "
                    "Each metric definition needs a unique Name."
                )
            if name is not None:
                seen.add(name)
    return problems


def v24_metric_regex(req: Request) -> list[str]:
    """V24: each metric Regex compiles and has a capture group (the value is group 1)."""
    problems = []
    for definition in req.definitions:
        for index, metric in items(definition.algorithm, "MetricDefinitions"):
            regex = text(metric, "Regex")
            if not regex:
                continue
            where = f"{definition.path}.AlgorithmSpecification.MetricDefinitions[{index}].Regex"
            try:
                compiled = compile_user_regex(regex)
            except (re.error, OverflowError, RecursionError) as exc:
                problems.append(
                    f"The value '{regex}' of {where} is not a valid regular expression ({exc}). "
                    "Provide a valid regular expression."
                )
                continue
            if compiled.groups < 1:
                problems.append(
                    f"The value '{regex}' of {where} has no capture group. Put the metric "
                    "value in a capture group, for example 'loss=([0-9.]+)'."
                )
    return problems
