"""Hyperband as asynchronous successive halving (ASHA, stopping variant) over several brackets.

Resources are epochs: ``report(trial_id, resource, value)`` is called with ``resource`` = number of
objective values the job has emitted so far. With ``r = min_resource``, ``R = max_resource`` and
``eta = reduction_factor`` (3, as in Hyperband) there are ``s_max + 1`` brackets,
``s_max = floor(log_eta(R / r))``. Bracket ``b`` has rungs at ``r * eta**k`` for ``k = b … s_max``,
so bracket 0 is the most aggressive (first check at ``r``) and bracket ``s_max`` runs every job to
``R`` (plain random search). Each new trial draws its bracket with probability proportional to the
number of configurations Hyperband's bracket of that shape starts with,
``(s_max + 1) / (s_max - b + 1) * eta**(s_max - b)``.

When a trial reaches a rung, its value is recorded there and it continues only if it is among the
best ``ceil(n / eta)`` of the ``n`` values recorded at that rung of its bracket so far (the first
arrival always continues). A non-finite value at a rung stops the trial. A trial is never stopped
before ``min_resource``; at ``max_resource`` it gets STOP because it is done. ``tell`` ends the
trial. New configurations are drawn at random (as SageMaker documents for Hyperband); added
observations are recorded but do not steer sampling.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from strategies.base import Decision, Strategy
from strategies.errors import StrategyError
from strategies.space import ParamValue, SearchSpace


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise StrategyError(f"{name} must be an integer >= 1; got {value!r}")
    return int(value)


class HyperbandStrategy(Strategy):
    OPTIONS = ("min_resource", "max_resource", "reduction_factor")

    def __init__(
        self,
        space: SearchSpace,
        *,
        min_resource: int = 1,
        max_resource: int = 81,
        reduction_factor: int = 3,
        **kwargs: Any,
    ) -> None:
        super().__init__(space, **kwargs)
        self.min_resource = _positive_int("min_resource", min_resource)
        self.max_resource = _positive_int("max_resource", max_resource)
        self.eta = _positive_int("reduction_factor", reduction_factor)
        if self.eta < 2:
            raise StrategyError(f"reduction_factor must be >= 2; got {reduction_factor!r}")
        if self.min_resource > self.max_resource:
            raise StrategyError(
                f"min_resource ({self.min_resource}) must not exceed max_resource "
                f"({self.max_resource})"
            )
        s_max = 0
        while self.min_resource * self.eta ** (s_max + 1) <= self.max_resource:
            s_max += 1
        self.brackets: list[list[int]] = [
            [self.min_resource * self.eta**k for k in range(b, s_max + 1)] for b in range(s_max + 1)
        ]
        weights = np.array(
            [(s_max + 1) / (s_max - b + 1) * self.eta ** (s_max - b) for b in range(s_max + 1)]
        )
        self._bracket_p = weights / weights.sum()
        self._rungs: dict[tuple[int, int], list[float]] = {}
        self._state: dict[int, list[int]] = {}  # trial id → [bracket, index of next rung]

    def _suggest(self) -> dict[str, ParamValue]:
        bracket = int(self.rng.choice(len(self.brackets), p=self._bracket_p))
        self._state[self._next_id] = [bracket, 0]
        return self.space.from_unit(self.rng.random(self.space.n_params))

    def bracket_of(self, trial_id: int) -> int:
        """The bracket a pending trial was assigned to (its first rung is brackets[b][0])."""
        if trial_id not in self._state:
            raise StrategyError(f"trial {trial_id} is not a running Hyperband trial")
        return self._state[trial_id][0]

    def _on_report(self, trial_id: int, resource: int, loss: float) -> Decision:
        state = self._state[trial_id]
        bracket, idx = state
        rungs = self.brackets[bracket]
        while idx < len(rungs) and resource >= rungs[idx]:
            level = rungs[idx]
            idx += 1
            state[1] = idx
            if level >= self.max_resource:
                break
            if not self._promotable(bracket, level, loss):
                return Decision.STOP
        if resource >= self.max_resource:
            return Decision.STOP
        return Decision.CONTINUE

    def _promotable(self, bracket: int, level: int, loss: float) -> bool:
        recorded = self._rungs.setdefault((bracket, level), [])
        recorded.append(loss)
        if not math.isfinite(loss):
            return False
        keep = math.ceil(len(recorded) / self.eta)
        return loss <= sorted(recorded)[keep - 1]

    def _on_tell(self, trial_id: int, params: Mapping[str, ParamValue], loss: float | None) -> None:
        self._state.pop(trial_id, None)
