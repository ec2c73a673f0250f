"""SageMaker's automatic early stopping (``TrainingJobEarlyStoppingType=Auto``): the median rule.

After each epoch ``r`` of a job, its objective value is compared with the median, over *earlier*
jobs, of each job's running average of the objective up to epoch ``r``; the job is stopped when
its value is worse (higher when minimising, lower when maximising).

Choices where SageMaker's behaviour is UNKNOWN:

* "Earlier jobs" are the jobs that reported their first value before this one did and that have
  themselves reported at epoch ``r`` or later (their running average uses their values at epochs
  ``1 … r``). Finished and running jobs both count; a job removed with :meth:`forget` does not.
* The rule applies only once at least ``min_trials`` (default 3) earlier jobs qualify at that
  epoch; before that every job continues.
* A non-finite value is worse than any median (the job is stopped once the rule applies).
* Epochs are the count of objective values reported so far, as the engine numbers them; a
  repeated epoch replaces the earlier value.
"""

from __future__ import annotations

import math

import numpy as np

from strategies.base import OBJECTIVES, Decision, check_value
from strategies.errors import StrategyError


class MedianStoppingRule:
    def __init__(self, objective: str = "Minimize", min_trials: int = 3) -> None:
        if objective not in OBJECTIVES:
            raise StrategyError(f"objective must be 'Minimize' or 'Maximize'; got {objective!r}")
        if isinstance(min_trials, bool) or not isinstance(min_trials, int) or min_trials < 1:
            raise StrategyError(f"min_trials must be an integer >= 1; got {min_trials!r}")
        self.objective = objective
        self.min_trials = min_trials
        self._history: dict[object, dict[int, float]] = {}  # insertion order = arrival order
        self._completed: set[object] = set()

    def report(self, trial_id: object, resource: int, value: float) -> Decision:
        """Record ``value`` at epoch ``resource`` for ``trial_id`` and decide."""
        if trial_id in self._completed:
            raise StrategyError(f"cannot report on trial {trial_id!r}: it is already complete")
        if isinstance(resource, bool) or not isinstance(resource, int | np.integer) or resource < 1:
            raise StrategyError(f"resource must be an integer >= 1; got {resource!r}")
        checked = check_value(value, "value")
        if checked is None:
            raise StrategyError("report needs a number as value; got None")
        loss = checked if self.objective == "Minimize" else -checked
        if not math.isfinite(loss):
            loss = math.inf
        history = self._history.setdefault(trial_id, {})
        history[int(resource)] = loss
        averages = self._earlier_running_averages(trial_id, int(resource))
        if len(averages) < self.min_trials:
            return Decision.CONTINUE
        return Decision.STOP if loss > float(np.median(averages)) else Decision.CONTINUE

    def complete(self, trial_id: object) -> None:
        """The trial ended (finished or stopped); its history keeps counting for later trials."""
        self._completed.add(trial_id)

    def forget(self, trial_id: object) -> None:
        """Drop a trial entirely (e.g. a failed job whose values should not count)."""
        self._history.pop(trial_id, None)
        self._completed.discard(trial_id)

    def _earlier_running_averages(self, trial_id: object, epoch: int) -> list[float]:
        averages: list[float] = []
        for other, values in self._history.items():
            if other == trial_id:
                break  # later arrivals come after this trial in insertion order
            if max(values) < epoch:
                continue
            upto = [v for r, v in values.items() if r <= epoch]
            if upto:
                averages.append(sum(upto) / len(upto))
        return averages
