"""Warm-start rules checked against the parents' descriptions: V60–V69 of the reference (§4.7).

``parent_lookup(name)`` returns a parent's DescribeHyperParameterTuningJob response (or
``None``). The checks compare the new request's single training-job definition with each
parent's.

Decisions (see the README's "Validation rules"): a missing parent is a ``ValidationException``
naming the parent (what SageMaker answers is UNKNOWN); a parent listed twice is rejected; a
parent that itself used TrainingJobDefinitions is rejected (warm start is single-algorithm
only); the objective must match in MetricName *and* Type; ``_tuning_objective_metric`` (which
SageMaker echoes among a parent's static hyperparameters) is ignored in name comparisons.
V67 (parents' jobs count toward the maximum number of training jobs of a tuning job) is checked
here from the parents' TrainingJobStatusCounters; V68 (not recursive) is a run-time matter for the
engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from localtune.api.responses import TERMINAL_TUNING_STATUSES
from localtune.api.validation.request import OBJECTIVE_HP, Definition, Request, items, sub, text
from localtune.api.validation.rules_strategy import MAX_JOBS

ParentLookup = Callable[[str], "dict[str, Any] | None"]
TERMINAL = TERMINAL_TUNING_STATUSES
EARLIEST_PARENT = dt.datetime(2018, 10, 1, tzinfo=dt.UTC)
MAX_STATIC_CHANGES = 10
_PARENTS = "WarmStartConfig.ParentHyperParameterTuningJobs"

# Observed verbatim (amazon-sagemaker-examples#861).
NAME_SET_CHANGED = (
    "The set of tunable plus static HyperParameter names is not the same across current and "
    "parent tuning jobs. Please ensure this set is constant when warm starting. Note that "
    "previously static HyperParameters can be tuned in warm start jobs and vice versa."
)


def check_warm_start(req: Request, parent_lookup: ParentLookup) -> list[str]:
    """V60–V69 for every parent of ``req``'s WarmStartConfig (``[]`` without warm start)."""
    warm = sub(req.raw, "WarmStartConfig")
    if not warm or req.multi or len(req.definitions) != 1:
        return []  # multi-definition warm start is V12
    problems: list[str] = []
    seen: set[str] = set()
    launched = 0
    for index, entry in items(warm, "ParentHyperParameterTuningJobs"):
        where = f"{_PARENTS}[{index}].HyperParameterTuningJobName"
        name = text(entry, "HyperParameterTuningJobName")
        if not name:
            problems.append(f"{where} is required. Provide the name of the parent tuning job.")
            continue
        if name.lower() in seen:
            problems.append(
                f"The parent tuning job '{name}' of {where} is listed more than once. "
                "List each parent tuning job once."
            )
            continue
        seen.add(name.lower())
        parent = parent_lookup(name)
        if parent is None:
            problems.append(
                f"The parent tuning job '{name}' of {where} does not exist. Provide the name "
                "of an existing hyperparameter tuning job."
            )
            continue
        launched += _launched(parent)
        problems.extend(
            _parent_problems(req, Request(parent), name, where, text(warm, "WarmStartType"))
        )
    return problems + v67_parent_jobs_limit(req, launched)


def _launched(parent: dict[str, Any]) -> int:
    """Training jobs a parent launched, from its TrainingJobStatusCounters."""
    counters = parent.get("TrainingJobStatusCounters")
    if not isinstance(counters, dict):
        return 0
    return sum(v for v in counters.values() if isinstance(v, int) and not isinstance(v, bool))


def v67_parent_jobs_limit(req: Request, launched: int) -> list[str]:
    """V67: the parents' training jobs count against the maximum number of training jobs of a
    tuning job (documented: "count against the 500 maximum training jobs for a tuning job"; the
    per-strategy maximum of V44 today), together with the child's MaxNumberOfTrainingJobs —
    which the child launches in full (the documentation's use case: "increase the total number
    of training jobs")."""
    limit = MAX_JOBS.get(req.strategy or "")
    max_jobs = req.max_jobs
    if limit is None or max_jobs is None or launched + max_jobs <= limit:
        return []
    return [
        f"The parent tuning jobs launched {launched} training jobs, and "
        f"HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs asks for "
        f"{max_jobs} more: {launched + max_jobs} in total. The training jobs of the parents "
        f"count against the limit of {limit} training jobs for a tuning job with the "
        f"{req.strategy} strategy; lower MaxNumberOfTrainingJobs to at most "
        f"{max(limit - launched, 0)}."
    ]


def _parent_problems(
    req: Request, parent: Request, name: str, where: str, kind: str | None
) -> list[str]:
    status_problems = v60_parent_terminal(parent, name, where) + v61_parent_age(parent, name, where)
    if parent.multi or len(parent.definitions) != 1:
        return [*status_problems, v69_parent_single_algorithm(name, where)]
    new, old = req.definitions[0], parent.definitions[0]
    problems = status_problems + v62_same_objective(new, old, name)
    if _names(new) != _names(old):
        problems.append(NAME_SET_CHANGED)  # V63
    else:
        problems += v64_same_types(new, old, name) + v65_change_budget(new, old, name)
    if kind == "IdenticalDataAndAlgorithm":
        problems += v66_identical_data_and_algorithm(new, old, name)
    return problems


def v60_parent_terminal(parent: Request, name: str, where: str) -> list[str]:
    """V60: a parent must have finished: Completed, Stopped or Failed."""
    status = text(parent.raw, "HyperParameterTuningJobStatus")
    if status in TERMINAL:
        return []
    return [
        f"The parent tuning job '{name}' of {where} has status '{status}'. A parent tuning job "
        f"must be {', '.join(TERMINAL[:-1])} or {TERMINAL[-1]}; wait for it to finish."
    ]


def v61_parent_age(parent: Request, name: str, where: str) -> list[str]:
    """V61: parents created before 2018-10-01 cannot be used."""
    created = parent.raw.get("CreationTime")
    if isinstance(created, int | float) and not isinstance(created, bool):
        try:
            created = dt.datetime.fromtimestamp(created, dt.UTC)  # epoch seconds, as on the wire
        except (OverflowError, OSError, ValueError):
            return []
    if not isinstance(created, dt.datetime):
        return []
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    if created >= EARLIEST_PARENT:
        return []
    return [
        f"The parent tuning job '{name}' of {where} was created on {created.date()}. Tuning "
        "jobs created before 2018-10-01 cannot be used as parents."
    ]


def v62_same_objective(new: Definition, old: Definition, name: str) -> list[str]:
    """V62: the objective (MetricName and Type) is the parent's."""
    mine = (text(new.objective, "MetricName"), text(new.objective, "Type"))
    theirs = (text(old.objective, "MetricName"), text(old.objective, "Type"))
    if mine[0] is None or mine == theirs:
        return []
    return [
        f"The objective '{mine[0]}' ({mine[1]}) of {new.objective_path} differs from the "
        f"objective '{theirs[0]}' ({theirs[1]}) of the parent tuning job '{name}'. A warm start "
        "tuning job must optimize the same objective metric as its parents."
    ]


def _names(definition: Definition) -> set[str]:
    return (set(definition.static) | set(definition.tuned_names())) - {OBJECTIVE_HP}


def _kinds(definition: Definition) -> dict[str, tuple[str, int]]:
    """Tuned name -> (range kind, number of categorical values)."""
    return {r.name: (r.kind, len(r.values)) for r in definition.iter_ranges() if r.name}


def v64_same_types(new: Definition, old: Definition, name: str) -> list[str]:
    """V64: a hyperparameter tuned in both jobs keeps its range type."""
    theirs = _kinds(old)
    problems = []
    for rng in new.iter_ranges():
        if rng.name in theirs and theirs[rng.name][0] != rng.kind:
            problems.append(
                f"The hyperparameter '{rng.name}' of {rng.path} is {_a(rng.kind)}ParameterRange, "
                f"but {_a(theirs[rng.name][0])}ParameterRange in the parent tuning job '{name}'. "
                "A warm start tuning job cannot change the type of a hyperparameter."
            )
    return problems


def _a(kind: str) -> str:
    """``kind`` with its article: "an Integer", "a Continuous", "a Categorical"."""
    return f"an {kind}" if kind == "Integer" else f"a {kind}"


def v65_change_budget(new: Definition, old: Definition, name: str) -> list[str]:
    """V65: (tuned in the parent, static now: 1, or the number of values if categorical) +
    (static in both with a changed value: 2 each) <= 10."""
    theirs, static_now, static_then = _kinds(old), new.static, old.static
    changes = 0
    for key in static_now:
        if key in theirs:
            kind, count = theirs[key]
            changes += count if kind == "Categorical" else 1
        elif key in static_then and static_then[key] != static_now[key] and key != OBJECTIVE_HP:
            changes += 2
    if changes <= MAX_STATIC_CHANGES:
        return []
    return [
        f"{new.path}.StaticHyperParameters makes {changes} changes relative to the parent "
        f"tuning job '{name}' (a formerly tuned hyperparameter counts 1, or its number of "
        "values if categorical; a changed static value counts 2). A warm start tuning job "
        f"allows at most {MAX_STATIC_CHANGES}."
    ]


def v66_identical_data_and_algorithm(new: Definition, old: Definition, name: str) -> list[str]:
    """V66: IdenticalDataAndAlgorithm keeps the parent's training image and input data."""
    problems = []
    for member in ("TrainingImage", "AlgorithmName"):
        mine, theirs = text(new.algorithm, member), text(old.algorithm, member)
        if mine != theirs:
            problems.append(
                f"The value '{mine}' of {new.path}.AlgorithmSpecification.{member} differs from "
                f"'{theirs}' of the parent tuning job '{name}'. A warm start of type "
                "IdenticalDataAndAlgorithm needs the same algorithm as its parents; use "
                "TransferLearning to change it."
            )
    if _data(new) != _data(old):
        problems.append(
            f"{new.path}.InputDataConfig differs from the input data of the parent tuning job "
            f"'{name}'. A warm start of type IdenticalDataAndAlgorithm needs the same input "
            "data as its parents; use TransferLearning to change it."
        )
    return problems


def _data(definition: Definition) -> dict[str | None, Any]:
    channels = items(definition.body, "InputDataConfig")
    return {text(c, "ChannelName"): c.get("DataSource") for _, c in channels}


def v69_parent_single_algorithm(name: str, where: str) -> str:
    """V69: warm start works between single-algorithm jobs; a parent with several training job
    definitions cannot be used."""
    return (
        f"The parent tuning job '{name}' of {where} uses TrainingJobDefinitions. Warm start "
        "is available only from tuning jobs with one TrainingJobDefinition."
    )
