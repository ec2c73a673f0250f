"""THE one module translating between SageMaker's request and :mod:`strategies`.

- From the request: one strategy per training-job definition (``Strategy``, ``RandomSeed``,
  ``StrategyConfig``, the definition's ranges and objective), plus the median stopping rule when
  ``TrainingJobEarlyStoppingType`` is ``Auto``.
- To hyperparameters: a strategy's parameter values become SageMaker's strings — integers as plain
  decimal, floats as the shortest text that reads back to the same float (``repr``: ``0.1``,
  ``1e-05``), categorical values verbatim.
- From hyperparameters: the tuned strings of a finished job become parameter values again (to
  rebuild a strategy after a restart).

Choices where SageMaker is silent (UNKNOWN):
- Several training-job definitions: each has its own strategy (its own ranges, objective and
  seed), and launches go round-robin over the definitions (a definition whose strategy is
  exhausted is skipped), so ``MaxNumberOfTrainingJobs`` is split evenly, the first definitions
  getting one more when it does not divide. Training jobs keep the single-definition naming
  ``<tuning job>-NNN-<8 hex>`` with one launch counter for the whole tuning job (SageMaker's
  multi-definition naming is UNKNOWN); the definition shows in ``TrainingJobDefinitionName``.
- A strategy rebuilt after a restart is seeded from ``RandomSeed`` mixed with the number of jobs
  already launched, so it does not replay the draws it made before (with ``RandomSeed`` a run
  without restarts is reproducible; a restarted run is not the same run).
- Grid never launches one combination twice, also across a restart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from localtune.engine import definitions, hyperband

if TYPE_CHECKING:
    import strategies

__all__ = ["Search", "Suggestion", "format_value", "parse_values"]


@dataclass(frozen=True)
class Suggestion:
    definition_index: int
    trial_id: int
    tuned: dict[str, str]


def format_value(value: Any) -> str:
    """A parameter value as a SageMaker hyperparameter string."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError(f"a hyperparameter value cannot be a bool ({value!r})")
    if isinstance(value, int | np.integer):
        return str(int(value))
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"a hyperparameter value must be finite; got {number!r}")
    return repr(number)


def parse_values(ranges: Mapping[str, list[Any]], tuned: Mapping[str, str]) -> dict[str, Any]:
    """The parameter values of tuned hyperparameter strings (names not in ``ranges`` dropped)."""
    out: dict[str, Any] = {}
    for spec in ranges.get("IntegerParameterRanges", []):
        if spec["Name"] in tuned:
            out[spec["Name"]] = int(float(tuned[spec["Name"]]))
    for spec in ranges.get("ContinuousParameterRanges", []):
        if spec["Name"] in tuned:
            out[spec["Name"]] = float(tuned[spec["Name"]])
    for spec in ranges.get("CategoricalParameterRanges", []):
        if spec["Name"] in tuned:
            out[spec["Name"]] = tuned[spec["Name"]]
    return out


def _seed(random_seed: int | None, index: int, launched: int) -> int | None:
    if random_seed is None:
        return None
    if index == 0 and launched == 0:
        return int(random_seed)
    state = np.random.SeedSequence([int(random_seed), index, launched]).generate_state(1)
    return int(state[0])


class Search:
    """The strategies of one tuning job; the engine serialises every call."""

    def __init__(self, request: Mapping[str, Any], launched: int = 0) -> None:
        import strategies  # scipy.stats is slow to import: only when a job runs

        config = request["HyperParameterTuningJobConfig"]
        self.strategy_name: str = config["Strategy"]
        self.definitions = definitions.definitions_of(request)
        self.ranges = [definitions.parameter_ranges_of(request, d) for d in self.definitions]
        self.objectives = [definitions.objective_of(request, d) for d in self.definitions]
        self.strategies: list[strategies.Strategy] = []
        for index, ranges in enumerate(self.ranges):
            objective = self.objectives[index]
            self.strategies.append(
                strategies.create(
                    self.strategy_name,
                    ranges,
                    objective=objective[1] if objective else "Minimize",
                    seed=_seed(config.get("RandomSeed"), index, launched),
                    **hyperband.options(config, self.definitions[index]),
                )
            )
        self.stopping: list[strategies.MedianStoppingRule] | None = None
        if config.get("TrainingJobEarlyStoppingType") == "Auto":
            self.stopping = [
                strategies.MedianStoppingRule(objective[1] if objective else "Minimize")
                for objective in self.objectives
            ]
        self._exhausted: set[int] = set()
        self._next = launched % max(1, len(self.definitions))
        self._launched: set[tuple[int, tuple[tuple[str, str], ...]]] = set()

    def mark_launched(self, definition_index: int, tuned: Mapping[str, str]) -> None:
        self._launched.add((definition_index, tuple(sorted(tuned.items()))))

    def exhausted(self) -> bool:
        return len(self._exhausted) == len(self.strategies)

    def ask(self) -> Suggestion | None:
        """The next configuration, round-robin over the definitions; None when all are done."""
        for _ in range(len(self.strategies)):
            index = self._next
            self._next = (self._next + 1) % len(self.strategies)
            if index in self._exhausted:
                continue
            suggestion = self._ask_one(index)
            if suggestion is not None:
                return suggestion
            self._exhausted.add(index)
        return None

    def _ask_one(self, index: int) -> Suggestion | None:
        strategy = self.strategies[index]
        while True:
            trial = strategy.ask()
            if trial is None:
                return None
            tuned = {name: format_value(value) for name, value in trial.params.items()}
            key = (index, tuple(sorted(tuned.items())))
            if self.strategy_name == "Grid" and key in self._launched:
                strategy.tell(trial.id, None)  # taken by a job launched before a restart
                continue
            return Suggestion(index, trial.id, tuned)

    def tell(self, suggestion: Suggestion, value: float | None) -> None:
        self.strategies[suggestion.definition_index].tell(suggestion.trial_id, value)
        if self.stopping is not None:
            self.stopping[suggestion.definition_index].complete(suggestion.trial_id)

    def observe(self, definition_index: int, tuned: Mapping[str, str], value: float | None) -> None:
        """A result the strategy did not ask for (a job from before a restart)."""
        params = parse_values(self.ranges[definition_index], tuned)
        self.strategies[definition_index].add_observation(params, value)
        self.mark_launched(definition_index, tuned)

    def report(self, suggestion: Suggestion, epoch: int, value: float) -> bool:
        """An intermediate objective value (epoch counted from 1); True means stop the job."""
        import strategies

        index = suggestion.definition_index
        if self.strategy_name == "Hyperband":
            strategy = self.strategies[index]
            decision = strategy.report(suggestion.trial_id, epoch, value)
            # Hyperband answers STOP at max_resource because the trial is done; the job itself
            # decides when it is done, so only an earlier STOP stops it.
            limit = getattr(strategy, "max_resource", math.inf)
            if decision == strategies.Decision.STOP and epoch < limit:
                return True
        if self.stopping is not None:
            decision = self.stopping[index].report(suggestion.trial_id, epoch, value)
            return decision == strategies.Decision.STOP
        return False
