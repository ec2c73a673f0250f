"""Completion criteria of a tuning job (reference §3.2, §5.7): ``TuningJobCompletionCriteria``.

:class:`CompletionTracker` is fed the objective value of every training job that ends with one,
in the order the jobs end, and says when a criterion has fired. The tuning loop then launches
nothing more, stops the training jobs still running and ends the tuning job Completed.

Choices where SageMaker is silent (UNKNOWN):

- ``TargetObjectiveMetricValue`` is reached by a value ≥ it (Maximize) or ≤ it (Minimize).
- ``BestObjectiveNotImproving``: a job *improves* when its value beats the best value so far by
  at least 1 % of ``|best|`` (the first value always improves). Every job that ends with a value
  and does not improve adds one to ``NumberOfTrainingJobsObjectiveNotImproving``; an improvement
  resets it to 0. Jobs without an objective value (failed) are not counted either way. The
  counter is shown (in ``TuningJobCompletionDetails``) whenever the request has
  ``TuningJobCompletionCriteria``, whichever criteria it sets.
- ``ConvergenceDetected`` (``CompleteOnConvergence: Enabled``; SageMaker's test is proprietary):
  once at least :data:`CONVERGENCE_MIN_JOBS` jobs have ended with a value, the search has
  converged when the best value improved by no more than 1 % of the spread (max − min) of all
  values seen so far over the last :data:`CONVERGENCE_WINDOW` of them. ``ConvergenceDetectedTime``
  is the time this was detected.
- Criteria combine with OR. Once one has fired the tracker is frozen: jobs that end afterwards
  (the running jobs the loop stops) change neither the counter nor the detection time, so
  Describe shows the state that ended the search.
- When criteria fire, running training jobs are stopped (SIGTERM, grace, SIGKILL) and end Stopped
  with their model and last objective value — not waited for: a criterion means "good enough,
  spend nothing more".
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

__all__ = [
    "CONVERGENCE_MIN_JOBS",
    "CONVERGENCE_WINDOW",
    "IMPROVEMENT_FRACTION",
    "CompletionTracker",
    "improves",
]

IMPROVEMENT_FRACTION = 0.01
CONVERGENCE_MIN_JOBS = 8
CONVERGENCE_WINDOW = 5


def improves(value: float, best: float | None, maximize: bool) -> bool:
    """True when ``value`` is better than ``best`` by at least 1 % of ``|best|`` (or there is no
    best yet)."""
    if best is None:
        return True
    margin = IMPROVEMENT_FRACTION * abs(best)
    if maximize:
        return value > best and value >= best + margin
    return value < best and value <= best - margin


def _reached(value: float, target: float, maximize: bool) -> bool:
    return value >= target if maximize else value <= target


class CompletionTracker:
    """The completion criteria of one tuning job and their state (see the module docstring)."""

    def __init__(self, criteria: Mapping[str, Any] | None) -> None:
        self.configured = bool(criteria)
        criteria = criteria or {}
        target = criteria.get("TargetObjectiveMetricValue")
        self.target: float | None = None if target is None else float(target)
        limit = (criteria.get("BestObjectiveNotImproving") or {}).get(
            "MaxNumberOfTrainingJobsNotImproving"
        )
        self.not_improving_limit: int | None = None if limit is None else int(limit)
        convergence = (criteria.get("ConvergenceDetected") or {}).get("CompleteOnConvergence")
        self.on_convergence = convergence == "Enabled"
        self.values: list[float] = []
        self.best: float | None = None
        self.not_improving = 0
        self.converged_at: float | None = None
        self.fired: str | None = None  # which criterion ended the search

    def observe(self, value: float, maximize: bool, now: float | None = None) -> bool:
        """Account for one finished job's objective value; True when a criterion fires now."""
        if self.fired is not None:
            return False
        self.values.append(float(value))
        if improves(value, self.best, maximize):
            self.not_improving = 0
        else:
            self.not_improving += 1
        if self.best is None or (value > self.best if maximize else value < self.best):
            self.best = float(value)
        if self.target is not None and _reached(value, self.target, maximize):
            self.fired = "TargetObjectiveMetricValue"
        elif (
            self.not_improving_limit is not None and self.not_improving >= self.not_improving_limit
        ):
            self.fired = "BestObjectiveNotImproving"
        elif self.on_convergence and self._converged(maximize):
            self.fired = "ConvergenceDetected"
            self.converged_at = time.time() if now is None else now
        return self.fired is not None

    def _converged(self, maximize: bool) -> bool:
        if len(self.values) < max(CONVERGENCE_MIN_JOBS, CONVERGENCE_WINDOW + 1):
            return False
        earlier = self.values[:-CONVERGENCE_WINDOW]
        best_before = max(earlier) if maximize else min(earlier)
        best = max(self.values) if maximize else min(self.values)
        gain = best - best_before if maximize else best_before - best
        spread = max(self.values) - min(self.values)
        return gain <= IMPROVEMENT_FRACTION * spread

    def details(self, stored: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """``TuningJobCompletionDetails`` as stored (times in epoch seconds), or None when no
        criterion reports anything. A detection time already ``stored`` (by an engine before a
        restart) is kept."""
        out: dict[str, Any] = {}
        if self.configured:
            out["NumberOfTrainingJobsObjectiveNotImproving"] = self.not_improving
        earlier = (stored or {}).get("ConvergenceDetectedTime")
        if earlier is not None:
            out["ConvergenceDetectedTime"] = earlier
        elif self.converged_at is not None:
            out["ConvergenceDetectedTime"] = self.converged_at
        return out or None
