"""The ask/tell contract shared by every strategy, and its bookkeeping.

Contract (the engine serialises calls on one strategy object):

* ``ask()`` returns a new :class:`Trial` or ``None`` when nothing is left to try. A trial asked and
  not yet told is *pending*; later asks take pending trials into account.
* ``tell(trial_id, value)`` ends a trial exactly once. ``value`` is the objective in the user's
  direction (``objective`` = "Minimize" or "Maximize"), or ``None`` when the job failed or produced
  no objective. A non-finite value (NaN, ±inf) is kept as told in :meth:`observations` but counts
  as a failure for the search (strategies cannot learn from it).
* ``report(trial_id, resource, value)`` gives an intermediate value of a running trial and returns
  a :class:`Decision`; only multi-fidelity strategies (Hyperband) ever answer ``STOP``.
* ``add_observation(params, value)`` feeds an evaluation made elsewhere (warm start, restart).

Internally every strategy minimises: ``_loss(value)`` flips the sign for "Maximize".
"""

from __future__ import annotations

import abc
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from strategies.errors import StrategyError
from strategies.space import ParamValue, SearchSpace

OBJECTIVES = ("Minimize", "Maximize")


@dataclass(frozen=True)
class Trial:
    """One configuration to evaluate: ``params`` maps each range name to an int, float or str."""

    id: int
    params: dict[str, ParamValue] = field(hash=False)


class Decision(StrEnum):
    CONTINUE = "Continue"
    STOP = "Stop"


def check_value(value: object, what: str) -> float | None:
    """Accept None or a real number (numpy scalars included); anything else is misuse."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise StrategyError(f"{what} must be a number or None; got {value!r}")
    return float(value)


class Strategy(abc.ABC):
    """Base class: trial ids, pending set, observations, argument checks."""

    #: Options accepted as keyword arguments by ``strategies.create`` for this strategy.
    OPTIONS: tuple[str, ...] = ()

    def __init__(
        self, space: SearchSpace, *, objective: str = "Minimize", seed: int | None = None
    ) -> None:
        if objective not in OBJECTIVES:
            raise StrategyError(f"objective must be 'Minimize' or 'Maximize'; got {objective!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
            raise StrategyError(f"seed must be an integer or None; got {seed!r}")
        self.space = space
        self.objective = objective
        self.rng = np.random.default_rng(seed)
        self._next_id = 0
        self._pending: dict[int, dict[str, ParamValue]] = {}
        self._finished: set[int] = set()
        self._observations: list[tuple[dict[str, Any], float | None]] = []

    # -- public API ---------------------------------------------------------------------------
    def ask(self) -> Trial | None:
        params = self._suggest()
        if params is None:
            return None
        trial = Trial(self._next_id, dict(params))
        self._next_id += 1
        self._pending[trial.id] = dict(params)
        return trial

    def tell(self, trial_id: int, value: float | None) -> None:
        checked = check_value(value, "value")
        params = self._pending_params(trial_id, "tell")
        tid = int(trial_id)
        del self._pending[tid]
        self._finished.add(tid)
        self._observations.append((dict(params), checked))
        self._on_tell(tid, params, self._loss(checked))

    def report(self, trial_id: int, resource: int, value: float) -> Decision:
        self._pending_params(trial_id, "report on")
        trial_id = int(trial_id)
        if isinstance(resource, bool) or not isinstance(resource, int | np.integer) or resource < 1:
            raise StrategyError(f"resource must be an integer >= 1; got {resource!r}")
        checked = check_value(value, "value")
        if checked is None:
            raise StrategyError("report needs a number as value; got None")
        loss = self._loss(checked)
        return self._on_report(trial_id, int(resource), math.inf if loss is None else loss)

    def add_observation(self, params: Mapping[str, Any], value: float | None) -> None:
        if not isinstance(params, Mapping):
            raise StrategyError(f"params must be a dict; got {type(params).__name__}")
        checked = check_value(value, "value")
        unit = self.space.to_unit(params)  # validates numbers, clips into the space
        self._observations.append((dict(params), checked))
        self._on_added(params, unit, self._loss(checked))

    def pending(self) -> list[int]:
        return sorted(self._pending)

    def observations(self) -> list[tuple[dict[str, Any], float | None]]:
        """(params, value) of every trial told and observation added, values as given."""
        return [(dict(p), v) for p, v in self._observations]

    # -- hooks for subclasses -------------------------------------------------------------------
    @abc.abstractmethod
    def _suggest(self) -> Mapping[str, ParamValue] | None:
        """The next configuration, or None when exhausted."""

    def _on_tell(self, trial_id: int, params: Mapping[str, ParamValue], loss: float | None) -> None:
        self._on_observation(self.space.to_unit(params), loss)

    def _on_added(self, params: Mapping[str, Any], unit: np.ndarray, loss: float | None) -> None:
        self._on_observation(unit, loss)

    def _on_observation(self, unit: np.ndarray, loss: float | None) -> None:  # noqa: B027
        """Use an observation (unit-space row; loss to minimise, None = failed)."""

    def _on_report(self, trial_id: int, resource: int, loss: float) -> Decision:
        return Decision.CONTINUE

    # -- helpers --------------------------------------------------------------------------------
    def _loss(self, value: float | None) -> float | None:
        """Value in the user's direction → loss to minimise; None for failures and non-finite."""
        if value is None or not math.isfinite(value):
            return None
        return value if self.objective == "Minimize" else -value

    def _pending_params(self, trial_id: object, verb: str) -> dict[str, ParamValue]:
        if isinstance(trial_id, bool) or not isinstance(trial_id, int | np.integer):
            raise StrategyError(f"trial id must be an integer; got {trial_id!r}")
        tid = int(trial_id)
        if tid in self._pending:
            return self._pending[tid]
        if tid in self._finished:
            raise StrategyError(f"cannot {verb} trial {tid}: it has already been told")
        raise StrategyError(f"cannot {verb} trial {tid}: no such trial was asked")
