"""CreateHyperParameterTuningJob: model-level checks, then every semantic rule, all at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localtune.api.validation import (
    rules_builtin,
    rules_definition,
    rules_objective,
    rules_ranges,
    rules_strategy,
)
from localtune.api.validation.model import check_input
from localtune.api.validation.request import Request
from localtune.api.validation.rules_warmstart import ParentLookup, check_warm_start
from localtune.errors import validation_error

__all__ = ["RULES", "ParentLookup", "check_create_tuning_job", "validate_create_tuning_job"]

Rule = Callable[[Request], list[str]]

#: Every request-only semantic rule, in V-number order (warm start, which needs the parents,
#: runs last). V1–V3 and V70 are model rules; V71 (derived training-job names fit in 63
#: characters) follows from V70's 32-character limit.
RULES: tuple[Rule, ...] = (
    rules_definition.v10_one_definition_form,
    rules_definition.v11_multi_definition_members,
    rules_definition.v12_single_algorithm_features,
    rules_definition.v13_image_or_algorithm,
    rules_definition.v14_resource_config,
    rules_definition.v15_stopping_condition,
    rules_definition.v16_channels,
    rules_definition.v17_environment_total,
    rules_objective.v20_objective_required,
    rules_objective.v21_custom_image_metric,
    rules_builtin.v22_builtin_objective,
    rules_objective.v23_metric_definitions,
    rules_objective.v24_metric_regex,
    rules_ranges.v30_range_count,
    rules_ranges.v31_hyperparameter_total,
    rules_ranges.v32_range_names,
    rules_ranges.v33_range_values,
    rules_ranges.v34_scaling,
    rules_ranges.v35_enough_combinations,
    rules_builtin.v36_builtin_ranges,
    rules_ranges.v37_auto_parameters,
    rules_strategy.v40_grid_categorical_only,
    rules_strategy.v41_grid_job_count,
    rules_strategy.v42_hyperband,
    rules_strategy.v44_limits,
)


def _no_parents(name: str) -> dict[str, Any] | None:
    """The default parent lookup: no tuning job exists, so every warm-start parent is missing."""
    del name
    return None


def check_create_tuning_job(
    request: dict[str, Any], *, parent_lookup: ParentLookup = _no_parents
) -> list[str]:
    """Every problem of a CreateHyperParameterTuningJob request, ``[]`` when it is valid.

    Model-level problems come first, then each semantic rule's. Semantic rules read the request
    through a forgiving view (wrong-typed members read as absent), so they also run on a request
    with model problems; should one of them still trip over such a request, its exception is
    dropped, because the model problems already make the request invalid.
    """
    problems = check_input("CreateHyperParameterTuningJob", request)
    if not isinstance(request, dict):
        return problems
    view = Request(request)
    rules: list[Rule] = [*RULES, lambda req: check_warm_start(req, parent_lookup)]
    for rule in rules:
        try:
            found = rule(view)
        except Exception:
            if problems:
                continue
            raise
        problems.extend(p for p in found if p not in problems)
    return problems


def validate_create_tuning_job(
    request: dict[str, Any], *, parent_lookup: ParentLookup = _no_parents
) -> None:
    """Raise one ``ValidationException`` naming every problem of ``request``."""
    problems = check_create_tuning_job(request, parent_lookup=parent_lookup)
    if problems:
        raise validation_error(problems)
