"""Random search: every configuration drawn independently from the ranges per scaling type.

Results never inform later choices (as in SageMaker), so pending trials and added observations
do not change the sampling; the space is never exhausted (discrete spaces may repeat a
configuration, as independent sampling does).
"""

from __future__ import annotations

from strategies.base import Strategy
from strategies.space import ParamValue


class RandomStrategy(Strategy):
    def _suggest(self) -> dict[str, ParamValue]:
        return self.space.from_unit(self.rng.random(self.space.n_params))
