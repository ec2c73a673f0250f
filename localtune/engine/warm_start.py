"""Warm start (reference §4.7): what a child tuning job takes from its parents.

The request-side rules (V60–V67, V69) are checked by :mod:`localtune.api.validation`; here the
engine seeds the child's strategy with the parents' evaluations and gives the child its budget.

Choices where SageMaker is silent (UNKNOWN):

- Seeding: every training job of every listed parent whose objective Succeeded (Completed, or
  Stopped early with a value) becomes an observation of the child's strategy
  (``Strategy.add_observation``): Bayesian fits its model to them, so its first suggestions
  already use them; Random, Grid and Hyperband record them without changing their draws (Grid
  skips a combination a parent already evaluated). Parents' failed jobs are not used: they may
  have failed for reasons of their own data or code. Grand-parents are not used (V68).
- Values: for each range of the child, the value is the parent job's hyperparameter of that name
  — its tuned value, or the parent's static value when the name was static in the parent and is
  tuned now. For TransferLearning the ranges may have changed: a parent job with a value outside
  the child's range (a number outside [MinValue, MaxValue], a categorical value not among the
  Values, a non-number) is dropped, not clipped — clipping would credit a boundary point with the
  result of a configuration the child cannot propose. A name tuned in the parent and static in the
  child is simply not part of the child's search space. The same rules apply to
  IdenticalDataAndAlgorithm (where ranges may also have been narrowed).
- Budget (V67): the child launches its own ``MaxNumberOfTrainingJobs``, whatever its parents ran.
  The developer guide says the parents' jobs "count against the 500 maximum training jobs for a
  tuning job" — the service-wide maximum (today 750 per strategy, 10 000 for Random), which the
  request validation checks at create time (parents' jobs + ``MaxNumberOfTrainingJobs`` within
  it) — and warm start is the documented way to run more training jobs than one tuning job may.
  So the SDK's ``tuner.identical_dataset_and_algorithm_tuner()``, which keeps ``max_jobs``, runs
  ``max_jobs`` new jobs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Protocol

from localtune.engine import definitions
from localtune.store import Store

__all__ = ["budget", "observations", "parent_names", "parent_training_jobs", "seed"]


class _Observer(Protocol):
    def observe(self, definition_index: int, tuned: Mapping[str, str], value: float | None) -> None:
        """Feed a result the strategy did not ask for."""


def parent_names(request: Mapping[str, Any]) -> list[str]:
    """The parent tuning jobs named in ``WarmStartConfig`` (none without warm start)."""
    warm = request.get("WarmStartConfig") or {}
    return [
        parent["HyperParameterTuningJobName"]
        for parent in warm.get("ParentHyperParameterTuningJobs") or []
        if parent.get("HyperParameterTuningJobName")
    ]


def parent_training_jobs(store: Store, request: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every training job of every parent, parent by parent in the order they are listed."""
    return [job for name in parent_names(request) for job in store.list_training_jobs(name)]


def budget(store: Store, request: Mapping[str, Any]) -> int:
    """The number of training jobs the tuning job may launch: its own ``MaxNumberOfTrainingJobs``
    (V67: the parents' jobs count against the service-wide maximum, checked at create time, not
    against the child's own budget)."""
    del store  # the parents' jobs do not reduce the child's budget
    return definitions.max_training_jobs(request)


def _in_range(kind: str, spec: Mapping[str, Any], raw: str) -> bool:
    if kind == "Categorical":
        return raw in spec["Values"]
    try:
        value = float(raw)
    except ValueError:
        return False
    if not math.isfinite(value) or (kind == "Integer" and not value.is_integer()):
        return False
    return float(spec["MinValue"]) <= value <= float(spec["MaxValue"])


def _child_values(
    ranges: Mapping[str, list[Any]], hyperparameters: Mapping[str, str]
) -> dict[str, str] | None:
    """The parent job's values for the child's ranges; None when one is missing or outside."""
    out: dict[str, str] = {}
    for key, kind in (
        ("IntegerParameterRanges", "Integer"),
        ("ContinuousParameterRanges", "Continuous"),
        ("CategoricalParameterRanges", "Categorical"),
    ):
        for spec in ranges.get(key, []):
            raw = hyperparameters.get(spec["Name"])
            if raw is None or not _in_range(kind, spec, str(raw)):
                return None
            out[spec["Name"]] = str(raw)
    return out


def observations(
    request: Mapping[str, Any], parent_jobs: list[dict[str, Any]]
) -> list[tuple[dict[str, str], float]]:
    """``(tuned values for the child's ranges, objective value)`` of the parents' jobs that can
    seed the child (see the module docstring)."""
    child = definitions.definitions_of(request)
    if len(child) != 1:
        return []  # warm start is for single-definition jobs only (V12, V69)
    ranges = definitions.parameter_ranges_of(request, child[0])
    out = []
    for job in parent_jobs:
        if job["objective_status"] != "Succeeded" or job["objective_value"] is None:
            continue
        values = _child_values(ranges, job["hyperparameters"] or {})
        if values is not None:
            out.append((values, float(job["objective_value"])))
    return out


def seed(search: _Observer, store: Store, request: Mapping[str, Any]) -> int:
    """Feed the parents' evaluations to ``search``; returns how many were fed."""
    seen = observations(request, parent_training_jobs(store, request))
    for tuned, value in seen:
        search.observe(0, tuned, value)
    return len(seen)
