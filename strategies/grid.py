"""Grid search: every combination of the categorical (and integer) values exactly once.

Order: lexicographic in the order of the parameters (all integer ranges, then categorical
ranges, each as listed in ``ParameterRanges``), the first parameter varying slowest, each
parameter's values in the order given (integers ascending). The order does not depend on the
seed, so identical requests run identical grids (SageMaker's enumeration order is UNKNOWN).
Combinations given through ``add_observation`` are marked done and never asked; a failed trial
counts as done (it is not retried). Continuous ranges are rejected: a grid over them is undefined.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from strategies.base import Strategy
from strategies.errors import StrategyError
from strategies.space import NumericParam, ParamValue, SearchSpace


class GridStrategy(Strategy):
    def __init__(self, space: SearchSpace, **kwargs: object) -> None:
        for p in space.params:
            if isinstance(p, NumericParam) and not p.is_int:
                raise StrategyError(
                    f"Grid search needs categorical or integer ranges only; "
                    f"{p.name!r} is a continuous range"
                )
        super().__init__(space, **kwargs)  # type: ignore[arg-type]
        self._grid: Iterator[np.ndarray] = space.iter_grid()
        self._done: set[tuple[float, ...]] = set()

    def _suggest(self) -> dict[str, ParamValue] | None:
        for unit in self._grid:
            key = self.space.key(unit)
            if key not in self._done:
                self._done.add(key)
                return self.space.from_unit(unit)
        return None

    def _on_added(self, params: Mapping[str, Any], unit: np.ndarray, loss: float | None) -> None:
        # Only a combination that is exactly on this grid is marked done (a clipped value from a
        # parent job with other ranges is a different combination).
        if self.space.contains(params):
            self._done.add(self.space.key(unit))
