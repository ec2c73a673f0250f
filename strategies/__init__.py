"""Search strategies for hyperparameter tuning, ask/tell, standalone (stdlib + numpy + scipy).

Usage::

    import strategies
    s = strategies.create("Bayesian", parameter_ranges, objective="Minimize", seed=0)
    trial = s.ask()                 # Trial(id, params) or None when exhausted
    s.tell(trial.id, 0.25)          # or None when the job failed
    s.report(trial.id, 3, 0.30)     # Decision.CONTINUE / Decision.STOP (Hyperband)

``parameter_ranges`` is SageMaker's ``ParameterRanges`` dict. Options per strategy:

* ``Bayesian``: n_initial, n_candidates, n_fantasies, output_transform, max_model_points
* ``Hyperband``: min_resource, max_resource, reduction_factor
* ``Random``, ``Grid``: none
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from strategies.base import Decision, Strategy, Trial
from strategies.bayesian import BayesianStrategy
from strategies.errors import StrategyError
from strategies.grid import GridStrategy
from strategies.hyperband import HyperbandStrategy
from strategies.median_stopping import MedianStoppingRule
from strategies.random import RandomStrategy
from strategies.space import CategoricalParam, NumericParam, SearchSpace

STRATEGIES: dict[str, type[Strategy]] = {
    "Bayesian": BayesianStrategy,
    "Random": RandomStrategy,
    "Grid": GridStrategy,
    "Hyperband": HyperbandStrategy,
}


def create(
    name: str,
    parameter_ranges: Mapping[str, Any],
    *,
    objective: str = "Minimize",
    seed: int | None = None,
    **options: Any,
) -> Strategy:
    """Build the strategy SageMaker calls ``name`` over ``parameter_ranges``.

    Raises :class:`StrategyError` for an unknown name or option, or bad ranges."""
    if name not in STRATEGIES:
        raise StrategyError(f"unknown strategy {name!r}; expected one of {', '.join(STRATEGIES)}")
    cls = STRATEGIES[name]
    unknown = sorted(set(options) - set(cls.OPTIONS))
    if unknown:
        allowed = ", ".join(cls.OPTIONS) or "none"
        raise StrategyError(
            f"unknown option(s) for {name}: {', '.join(unknown)} (allowed: {allowed})"
        )
    space = SearchSpace.from_parameter_ranges(parameter_ranges)
    return cls(space, objective=objective, seed=seed, **options)


__all__ = [
    "STRATEGIES",
    "BayesianStrategy",
    "CategoricalParam",
    "Decision",
    "GridStrategy",
    "HyperbandStrategy",
    "MedianStoppingRule",
    "NumericParam",
    "RandomStrategy",
    "SearchSpace",
    "Strategy",
    "StrategyError",
    "Trial",
    "create",
]
