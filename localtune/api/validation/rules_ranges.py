"""Semantic rules on hyperparameter ranges: V30–V35 and V37 of the reference (§4.4).

With TrainingJobDefinitions every definition has its own ranges; the per-job limits (V30,
V31) are then applied per definition (chosen by localtune: the reference does not say how they
add up across algorithms, and per definition never rejects what SageMaker accepts).
"""

from __future__ import annotations

import math

from localtune.api.validation.images import SCRIPT_MODE_KEY, is_script_mode, xgboost_version
from localtune.api.validation.render import java_double
from localtune.api.validation.request import (
    OBJECTIVE_HP,
    RANGE_KINDS,
    Definition,
    Range,
    Request,
    items,
    parse_float,
    parse_int,
    sub,
    text,
)
from localtune.engine import autotune

MAX_RANGES = 30
MAX_HYPERPARAMETERS = 100
_DISCRETE_STRATEGIES = ("Bayesian", "Random")


def v30_range_count(req: Request) -> list[str]:
    """V30: at least one range unless Autotune chooses them (chosen; the SDK insists on it
    too), and at most 30 ranges in total (integer + continuous + categorical)."""
    problems = []
    for definition in req.definitions:
        if req.multi and definition.ranges is None:
            continue  # a missing HyperParameterRanges is V11
        count = sum(1 for _ in definition.iter_ranges())
        lists = [items(definition.ranges, f"{kind}ParameterRanges") for kind in RANGE_KINDS]
        if any(len(found) > MAX_RANGES for found in lists):
            continue  # one list is over its model limit of 30: that constraint reports it
        if count == 0 and not req.autotune:
            problems.append(
                f"{definition.ranges_path} specifies no hyperparameter ranges. Specify at least "
                "one IntegerParameterRange, ContinuousParameterRange or "
                "CategoricalParameterRange, or enable Autotune."
            )
        elif count == 0 and not _autotune_finds_ranges(req, definition):
            problems.append(
                f"{definition.ranges_path} specifies no hyperparameter ranges, and Autotune "
                "finds none to tune among its AutoParameters "
                f"({_auto_names(definition) or 'none given'}): booleans, words, 0, 1, negative "
                "numbers, seeds and training lengths stay static"
                f"{', and so does everything under Grid' if req.strategy == 'Grid' else ''}. "
                "Specify a range, or an AutoParameter with a numeric ValueHint."
            )
        elif count > MAX_RANGES:
            problems.append(
                f"{definition.ranges_path} specifies {count} hyperparameter ranges. A tuning "
                f"job can tune at most {MAX_RANGES} hyperparameters (integer, continuous and "
                "categorical ranges together)."
            )
    return problems


def _auto_parameters(definition: Definition) -> list[tuple[str, str]]:
    found = items(definition.ranges, "AutoParameters")
    return [
        (name, hint)
        for _, p in found
        if (name := text(p, "Name")) is not None and (hint := text(p, "ValueHint")) is not None
    ]


def _auto_names(definition: Definition) -> str:
    return ", ".join(f"'{name}'" for name, _ in _auto_parameters(definition))


def _autotune_finds_ranges(req: Request, definition: Definition) -> bool:
    """Whether Autotune (localtune.engine.autotune, which the engine runs) chooses at least one
    range for a definition that gives none."""
    auto = _auto_parameters(definition)
    names = {name for name, _ in auto}
    xgboost = (
        xgboost_version(definition) is not None
        and not is_script_mode(definition)
        and SCRIPT_MODE_KEY not in names
    )
    chosen = autotune.plan(
        auto, definition.static, explicit=(), xgboost=xgboost, strategy=req.strategy
    )
    return chosen.count() > 0


def v31_hyperparameter_total(req: Request) -> list[str]:
    """V31: static + tuned hyperparameters <= 100, counting the ``_tuning_objective_metric``
    SageMaker adds to every training job. With Autotune the AutoParameters count too: each one
    reaches every training job, tuned or static at its hint (chosen; SageMaker: UNKNOWN)."""
    problems = []
    for definition in req.definitions:
        if len(sub(definition.body, "StaticHyperParameters")) > MAX_HYPERPARAMETERS:
            continue  # the map is over its model limit of 100: that constraint reports it
        names = set(definition.static) | set(definition.tuned_names())
        if req.autotune:
            names |= {name for name, _ in _auto_parameters(definition)}
        names.add(OBJECTIVE_HP)
        if len(names) > MAX_HYPERPARAMETERS:
            kinds = "static, tuned, AutoParameters" if req.autotune else "static, tuned"
            problems.append(
                f"{definition.path} has {len(names)} hyperparameters ({kinds} and "
                f"{OBJECTIVE_HP}). A training job can have at most {MAX_HYPERPARAMETERS}; "
                "remove some static hyperparameters or ranges."
            )
    return problems


def v32_range_names(req: Request) -> list[str]:
    """V32: range names non-empty, unique across the three lists, and not also static."""
    problems = []
    for definition in req.definitions:
        seen: dict[str, str] = {}
        static = definition.static
        for rng in definition.iter_ranges():
            name = rng.name
            if name is None:
                continue
            if not name.strip():
                problems.append(
                    f"{rng.path}.Name is empty. Provide the name of the hyperparameter to tune."
                )
            elif name in seen:
                problems.append(
                    f"The hyperparameter '{name}' of {rng.path}.Name is also defined by "
                    f"{seen[name]}. Each hyperparameter can have only one range."
                )
            elif name in static:
                problems.append(
                    f"The hyperparameter '{name}' of {rng.path}.Name is also in "
                    f"{definition.path}.StaticHyperParameters. A hyperparameter is either "
                    "static or tuned; remove one of them."
                )
            seen.setdefault(name, f"{rng.path}.Name")
    return problems


def v33_range_values(req: Request) -> list[str]:
    """V33: numeric bounds parse (integers / finite numbers) with MinValue < MaxValue;
    categorical values are at least two and distinct.

    min == max, single-value and duplicate-value categoricals are rejected: users report that
    SageMaker refuses them (amazon-sagemaker-feedback#195 asks AWS to allow them).
    """
    problems: list[str] = []
    for definition in req.definitions:
        for rng in definition.iter_ranges():
            if rng.kind == "Categorical":
                problems.extend(_categorical_problems(rng))
            else:
                problems.extend(_bound_problems(rng))
    return problems


def _bound_problems(rng: Range) -> list[str]:
    problems = []
    parse = parse_int if rng.kind == "Integer" else parse_float
    what = "an integer" if rng.kind == "Integer" else "a finite number"
    article = "an" if rng.kind == "Integer" else "a"
    for member in ("MinValue", "MaxValue"):
        value = text(rng.body, member)
        if value is not None and parse(value) is None:
            problems.append(
                f"The value '{value}' of {rng.path}.{member} is not {what}. Provide {what} "
                f"for the bounds of {article} {rng.kind}ParameterRange."
            )
    bounds = rng.bounds()
    if bounds is None or problems:
        return problems
    low, high = text(rng.body, "MinValue"), text(rng.body, "MaxValue")
    if bounds[0] > bounds[1]:
        problems.append(
            f"The MinValue '{low}' of {rng.path} is greater than its MaxValue '{high}'. "
            "MinValue must be less than MaxValue."
        )
    elif bounds[0] == bounds[1]:
        problems.append(
            f"The MinValue '{low}' and MaxValue '{high}' of {rng.path} are equal. A range needs "
            "MinValue less than MaxValue; put a fixed value in StaticHyperParameters."
        )
    return problems


def _categorical_problems(rng: Range) -> list[str]:
    values = rng.values
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        listed = ", ".join(f"'{v}'" for v in duplicates)
        return [
            f"{rng.path}.Values contains {listed} more than once. The values of a "
            "CategoricalParameterRange must be unique."
        ]
    if len(values) == 1:
        return [
            f"{rng.path}.Values contains only the value '{values[0]}'. A "
            "CategoricalParameterRange needs at least two values; put a fixed value in "
            "StaticHyperParameters."
        ]
    return []


def v34_scaling(req: Request) -> list[str]:
    """V34: Logarithmic needs MinValue > 0; ReverseLogarithmic is for continuous ranges only,
    within 0 <= MinValue and MaxValue < 1."""
    problems = []
    for definition in req.definitions:
        for rng in definition.iter_ranges():
            scaling = text(rng.body, "ScalingType")
            bounds = rng.bounds()
            where = f"{rng.path}.ScalingType"
            if scaling == "ReverseLogarithmic" and rng.kind == "Integer":
                problems.append(
                    f"The value 'ReverseLogarithmic' of {where} is not supported for an "
                    "IntegerParameterRange. Use Auto, Linear or Logarithmic."
                )
            elif scaling == "Logarithmic" and bounds is not None and bounds[0] <= 0:
                problems.append(
                    f"The value 'Logarithmic' of {where} requires MinValue greater than 0, "
                    f"but MinValue is '{text(rng.body, 'MinValue')}'."
                )
            elif (
                scaling == "ReverseLogarithmic"
                and bounds is not None
                and (bounds[0] < 0 or bounds[1] >= 1)
            ):
                problems.append(
                    f"The value 'ReverseLogarithmic' of {where} requires 0 <= MinValue and "
                    f"MaxValue < 1.0, but the range is [{text(rng.body, 'MinValue')}, "
                    f"{text(rng.body, 'MaxValue')}]."
                )
    return problems


def combinations(definition: Definition) -> float | None:
    """Distinct configurations of a fully discrete space; ``None`` if any range is continuous
    or a bound does not parse. Categorical values are counted once each."""
    total = 1.0
    for rng in definition.iter_ranges():
        if rng.kind == "Continuous":
            return None
        if rng.kind == "Categorical":
            total *= len(set(rng.values))
            continue
        bounds = rng.bounds()
        if bounds is None:
            return None
        total *= max(bounds[1] - bounds[0] + 1, 0)
    return total


def v35_enough_combinations(req: Request) -> list[str]:
    """V35: for Bayesian and Random search over a fully discrete space, the number of distinct
    combinations must be >= MaxNumberOfTrainingJobs (observed message, count printed as a
    Java double). Grid has its own equality rule (V41)."""
    max_jobs = req.max_jobs
    if req.strategy not in _DISCRETE_STRATEGIES or max_jobs is None or not req.definitions:
        return []
    counts = [combinations(d) for d in req.definitions]
    if any(c is None for c in counts) or not any(
        True for d in req.definitions for _ in d.iter_ranges()
    ):
        return []
    total = math.fsum(c for c in counts if c is not None)
    if total >= max_jobs:
        return []
    return [
        "You don't have enough combinations of hyperparameter ranges. The total number of "
        f"hyperparameter combinations for the provided ranges [{java_double(total)}] must be "
        f"equal or greater than the value of MaxNumberOfJobs, [{max_jobs}]. "
        "Provide additional ranges."
    ]


def v37_auto_parameters(req: Request) -> list[str]:
    """V37: AutoParameters only with Autotune enabled (chosen: without Autotune they would be
    silently ignored)."""
    if req.autotune:
        return []
    problems = []
    for definition in req.definitions:
        if items(definition.ranges, "AutoParameters"):
            problems.append(
                f"{definition.ranges_path}.AutoParameters can be used only when Autotune.Mode "
                "is 'Enabled'. Enable Autotune or specify the ranges explicitly."
            )
    return problems
