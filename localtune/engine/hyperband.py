"""Hyperband's resources (reference §3.2, §4.5 V42, §5.5): what an epoch is, MinResource and
MaxResource of each training-job definition, and when a job has used up MaxResource.

An *epoch* (Hyperband's resource unit) is one objective value reported by the job: the resource
of a running job is the number of objective-metric values its log has yielded so far. The built-in
XGBoost prints its evaluation metrics once per boosting round, so there one round is one epoch.

- ``MaxResource`` is ``HyperbandStrategyConfig.MaxResource`` when given, else inferred from the
  first of the static hyperparameters ``epochs``, ``numepochs``, ``n-epochs``, ``n_epochs``,
  ``num_epochs`` that the definition sets (the request is rejected when neither exists, V42).
  ``MinResource`` defaults to 1.
- XGBoost's ``num_round`` is not one of SageMaker's inference keys, so localtune does not infer
  MaxResource from it either (a request relying on that is rejected, as SageMaker rejects it).
  With MaxResource given, ``num_round`` is the job's own length: a job whose ``num_round`` is at
  most MaxResource ends by itself (Completed) unless Hyperband stopped it at a rung; a job whose
  ``num_round`` exceeds MaxResource is stopped (Stopped) once it has reported MaxResource rounds
  — SageMaker: "Once a job reaches the MaxResource value, it is stopped".
- The same holds for a job whose epochs hyperparameter (static or tuned) exceeds MaxResource. A
  job whose length localtune cannot read (no such hyperparameter) is stopped at MaxResource too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localtune.engine import definitions

__all__ = ["EPOCH_KEYS", "job_length", "max_resource", "options", "reached_max_resource"]

EPOCH_KEYS = ("epochs", "numepochs", "n-epochs", "n_epochs", "num_epochs")
XGBOOST_ROUNDS = "num_round"


def _integer(text: object) -> int | None:
    try:
        number = float(str(text))
    except ValueError:
        return None
    return int(number) if number.is_integer() and number >= 1 else None


def _hyperband_config(config: Mapping[str, Any]) -> Mapping[str, Any]:
    return (config.get("StrategyConfig") or {}).get("HyperbandStrategyConfig") or {}


def max_resource(config: Mapping[str, Any], definition: Mapping[str, Any]) -> int | None:
    """MaxResource given, else inferred from the definition's static epochs hyperparameter."""
    given = _hyperband_config(config).get("MaxResource")
    if given is not None:
        return int(given)
    static = definition.get("StaticHyperParameters") or {}
    for key in EPOCH_KEYS:
        if key in static:
            return _integer(static[key])
    return None


def options(config: Mapping[str, Any], definition: Mapping[str, Any]) -> dict[str, int]:
    """Keyword options of ``strategies.create("Hyperband", …)`` for one definition ({} for the
    other strategies)."""
    if config.get("Strategy") != "Hyperband":
        return {}
    out: dict[str, int] = {}
    minimum = _hyperband_config(config).get("MinResource")
    if minimum is not None:
        out["min_resource"] = int(minimum)
    maximum = max_resource(config, definition)
    if maximum is not None:
        out["max_resource"] = maximum
    return out


def job_length(definition: Mapping[str, Any], hyperparameters: Mapping[str, str]) -> int | None:
    """The number of epochs a job runs by itself: its epochs hyperparameter, or ``num_round``
    for the built-in XGBoost; None when unknown."""
    for key in EPOCH_KEYS:
        if key in hyperparameters:
            return _integer(hyperparameters[key])
    if definitions.xgboost_version(definition) is not None and XGBOOST_ROUNDS in hyperparameters:
        return _integer(hyperparameters[XGBOOST_ROUNDS])
    return None


def reached_max_resource(
    strategy: object,
    definition: Mapping[str, Any],
    tuned: Mapping[str, str],
    epoch: int,
) -> bool:
    """True when a job of ``definition`` with ``tuned`` values has reported ``epoch`` values, has
    reached Hyperband's MaxResource and would otherwise train on (see the module docstring)."""
    limit = getattr(strategy, "max_resource", None)
    if not isinstance(limit, int) or epoch < limit:
        return False
    length = job_length(definition, {**(definition.get("StaticHyperParameters") or {}), **tuned})
    return length is None or length > epoch
