"""Autotune (reference §3.2): what a tuning job with ``Autotune: {Mode: Enabled}`` runs.

SageMaker's Autotune "may choose" ParameterRanges, ResourceLimits, TrainingJobEarlyStoppingType,
RetryStrategy, Strategy and ConvergenceDetected; how it chooses is not documented (UNKNOWN). The
request is stored and described as it was sent; the engine runs the *effective* request
:func:`effective_request` makes of it. localtune's choices, in order of precedence:

- **What the user sent wins.** Explicit Integer/Continuous/Categorical ranges are tuned as given
  (an AutoParameter of the same name is ignored); a StaticHyperParameter keeps its value (an
  AutoParameter of the same name is ignored); ``Strategy``, ``TrainingJobEarlyStoppingType``
  (default Off), ``RetryStrategy`` and ``TuningJobCompletionCriteria`` are run as sent — Autotune
  does not switch them on behind the user's back, so a job's length stays predictable.
- **AutoParameters** (``Name`` + ``ValueHint``; the SageMaker SDK moves every static
  hyperparameter not kept static there) become ranges or stay static at their hint:

  * Built-in XGBoost (algorithm mode): a hyperparameter that is tunable in the container
    (reference §8.3, aliases such as ``learning_rate`` included) is tuned over the container's
    recommended range, widened to contain the hint when the hint lies outside. ``num_round`` is
    the exception: it is the length of training (recommended range up to 4000 rounds), so it stays
    at its hint. Every other hyperparameter (``objective``, ``eval_metric``, …) stays static.
  * Any other image (custom, script mode, other built-ins): an integer hint ``h >= 2`` becomes
    the integer range ``[ceil(h/2), 2h]``; a decimal hint ``0 < x < 1`` (rates, fractions) the
    logarithmic range ``[x/10, min(10x, (1+x)/2)]``, which stays below 1; a decimal hint
    ``x >= 1`` the logarithmic range ``[x/10, 10x]``. Hints 0, 1, negative numbers, booleans and
    other strings stay static (flags and sentinels carry no scale), and so do names that are not
    tuning material: seeds (``seed``, ``random_state``, …), SageMaker's own (``sagemaker_*``,
    ``_*``) and training lengths (``epochs`` and the other keys Hyperband reads).
  * Grid searches categorical ranges only, so under Grid every AutoParameter stays static.
- **Nothing to tune otherwise** with built-in XGBoost (no ranges, and no AutoParameter that is
  tunable — e.g. the SDK's ``autotune=True`` on an estimator with only ``num_round`` and
  ``objective``): Autotune tunes ``eta``, ``max_depth``, ``min_child_weight``, ``subsample`` and
  ``alpha`` (the hyperparameters the XGBoost tuning guide names as the most influential,
  ``num_round`` aside) over their recommended ranges, leaving out any the user set.
- **ResourceLimits.MaxNumberOfTrainingJobs** omitted: :data:`definitions.AUTOTUNE_MAX_JOBS`
  (Grid: the number of combinations), shown as such by Describe.
- **Objective** omitted (allowed with Autotune, V20): for built-in XGBoost it follows the
  ``objective`` hyperparameter — ``binary:*`` maximizes ``validation:auc``, ``multi:*`` minimizes
  ``validation:mlogloss``, ``rank:*`` maximizes ``validation:ndcg``, anything else (the default
  ``reg:squarederror`` included) minimizes ``validation:rmse``. For other images the direction of
  a metric cannot be known, and the tuning job fails with a FailureReason saying so.
- Nothing to tune at all: the request is refused at create time (V30); a tuning job that still
  gets here fails with a FailureReason naming the definition.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from localtune.engine import definitions
from localtune.runtime.xgb import spec as xgb_spec

__all__ = ["AutotuneError", "Plan", "effective_request", "enabled", "plan"]

_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SEED_NAMES = re.compile(r"(^|[_\-.])(seed|random_state|randomstate)($|[_\-.])", re.IGNORECASE)
_LENGTH_NAMES = frozenset({"epochs", "numepochs", "n-epochs", "n_epochs", "num_epochs"})
XGBOOST_STATIC = frozenset({"num_round"})
XGBOOST_DEFAULT = ("eta", "max_depth", "min_child_weight", "subsample", "alpha")
_RANGE_KEYS = {
    "Integer": "IntegerParameterRanges",
    "Continuous": "ContinuousParameterRanges",
    "Categorical": "CategoricalParameterRanges",
}


class AutotuneError(ValueError):
    """A tuning job Autotune cannot run; the message is its FailureReason."""


@dataclass
class Plan:
    """What Autotune makes of one definition's AutoParameters: ranges to add (by list key) and
    hyperparameters that stay static at their hint."""

    ranges: dict[str, list[dict[str, str]]] = field(
        default_factory=lambda: {key: [] for key in _RANGE_KEYS.values()}
    )
    static: dict[str, str] = field(default_factory=dict)

    def count(self) -> int:
        return sum(len(found) for found in self.ranges.values())


def enabled(request: Mapping[str, Any]) -> bool:
    autotune = request.get("Autotune")
    return isinstance(autotune, Mapping) and autotune.get("Mode") == "Enabled"


def _number(value: float) -> str:
    """A range bound as SageMaker's strings: shortest text, no trailing noise."""
    return format(float(f"{value:.6g}"), "g") if value != int(value) else str(int(value))


def _xgboost_range(name: str, hint: str) -> tuple[str, dict[str, str]] | None:
    canonical = xgb_spec.ALIASES.get(name, name)
    found = xgb_spec.HYPERPARAMETERS.get(canonical)
    if found is None or not found.tunable or found.recommended is None:
        return None
    if canonical in XGBOOST_STATIC:
        return None
    low, high = found.recommended
    try:
        value = float(hint)
    except ValueError:
        value = math.nan
    if math.isfinite(value) and (found.interval is None or value in found.interval):
        low, high = min(low, value), max(high, value)  # the range contains the example value
    kind = "Integer" if found.kind == "integer" else "Continuous"
    if kind == "Integer":
        low, high = math.floor(low), math.ceil(high)
    return kind, {"Name": name, "MinValue": _number(low), "MaxValue": _number(high)}


def _generic_range(name: str, hint: str) -> tuple[str, dict[str, str]] | None:
    if name.startswith(("sagemaker_", "_")) or name.lower() in _LENGTH_NAMES:
        return None
    if _SEED_NAMES.search(name):
        return None
    text = hint.strip()
    if _INT.fullmatch(text):
        whole = int(text)
        if whole < 2:
            return None  # 0, 1 and negatives are flags or sentinels more often than sizes
        bounds = {"MinValue": str(math.ceil(whole / 2)), "MaxValue": str(2 * whole)}
        return "Integer", {"Name": name, **bounds}
    if not _FLOAT.fullmatch(text):
        return None  # booleans, words, JSON strings: stay static
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        return None
    high = min(10 * value, (1 + value) / 2) if value < 1 else 10 * value
    return "Continuous", {
        "Name": name,
        "MinValue": _number(value / 10),
        "MaxValue": _number(high),
        "ScalingType": "Logarithmic",
    }


def plan(
    auto: Sequence[tuple[str, str]],
    static: Mapping[str, str],
    *,
    explicit: Collection[str],
    xgboost: bool,
    strategy: str | None,
) -> Plan:
    """Autotune's choice for one definition (see the module docstring): ``auto`` are the
    AutoParameters ``(Name, ValueHint)``, ``static`` the StaticHyperParameters, ``explicit`` the
    names of the ranges the user gave, ``xgboost`` whether it is the built-in XGBoost algorithm."""
    out = Plan()

    def key(name: str) -> str:  # XGBoost's aliases name the same hyperparameter
        return xgb_spec.ALIASES.get(name, name) if xgboost else name

    taken = {key(name) for name in [*explicit, *static]}
    for name, hint in auto:
        if key(name) in taken:
            continue  # given by the user (or twice): theirs wins
        taken.add(key(name))
        choice = None
        if strategy != "Grid":
            choice = _xgboost_range(name, hint) if xgboost else _generic_range(name, hint)
        if choice is None:
            out.static[name] = hint
        else:
            out.ranges[_RANGE_KEYS[choice[0]]].append(choice[1])
    if xgboost and not explicit and not out.count() and strategy != "Grid":
        for name in XGBOOST_DEFAULT:
            if name not in taken:
                chosen = _xgboost_range(name, "")
                if chosen is not None:
                    out.ranges[_RANGE_KEYS[chosen[0]]].append(chosen[1])
    return out


def is_xgboost_algorithm(definition: Mapping[str, Any], auto_names: Collection[str]) -> bool:
    """Built-in XGBoost in algorithm mode (script mode puts ``sagemaker_program`` in the static
    hyperparameters, or — through the SDK's Autotune — in the AutoParameters)."""
    static = definition.get("StaticHyperParameters") or {}
    script = "sagemaker_program" in static or "sagemaker_program" in auto_names
    return definitions.xgboost_version(definition) is not None and not script


def _xgboost_objective(hyperparameters: Mapping[str, str]) -> dict[str, str]:
    objective = hyperparameters.get("objective", "reg:squarederror")
    if objective.startswith("binary:"):
        return {"Type": "Maximize", "MetricName": "validation:auc"}
    if objective.startswith("multi:"):
        return {"Type": "Minimize", "MetricName": "validation:mlogloss"}
    if objective.startswith("rank:"):
        return {"Type": "Maximize", "MetricName": "validation:ndcg"}
    return {"Type": "Minimize", "MetricName": "validation:rmse"}


def _label(request: Mapping[str, Any], index: int) -> str:
    return (
        "TrainingJobDefinition"
        if "TrainingJobDefinition" in request
        else f"TrainingJobDefinitions[{index}]"
    )


def _resolve_definition(
    request: dict[str, Any], index: int, definition: dict[str, Any], ranges: dict[str, Any]
) -> dict[str, str] | None:
    """Apply Autotune's plan to one definition in place (``ranges``: its ParameterRanges dict);
    returns the objective Autotune chose, None when the user gave one."""
    strategy = request["HyperParameterTuningJobConfig"].get("Strategy")
    auto = [(p["Name"], p["ValueHint"]) for p in ranges.pop("AutoParameters", None) or []]
    static = dict(definition.get("StaticHyperParameters") or {})
    explicit = [r["Name"] for key in _RANGE_KEYS.values() for r in ranges.get(key) or []]
    xgboost = is_xgboost_algorithm(definition, [name for name, _ in auto])
    chosen = plan(auto, static, explicit=explicit, xgboost=xgboost, strategy=strategy)
    for key, found in chosen.ranges.items():
        if found:
            ranges[key] = [*(ranges.get(key) or []), *found]
    definition["StaticHyperParameters"] = {**static, **chosen.static}
    if not explicit and not chosen.count():
        raise AutotuneError(
            f"Autotune found no hyperparameter to tune in {_label(request, index)}: no "
            "ParameterRanges were given and no AutoParameter has a tunable ValueHint. Specify "
            "a range, or an AutoParameter with a numeric ValueHint."
        )
    if definitions.objective_of(request, definition) is not None:
        return None
    if not xgboost:
        raise AutotuneError(
            f"Autotune cannot choose the objective metric of {_label(request, index)}: the "
            "direction of a custom metric is unknown. Specify HyperParameterTuningJobObjective "
            "(Type and MetricName)."
        )
    return _xgboost_objective(definition["StaticHyperParameters"])


def effective_request(request: Mapping[str, Any]) -> dict[str, Any]:
    """The request the engine runs: ``request`` itself without Autotune, else a copy completed
    with Autotune's choices (module docstring). Raises :class:`AutotuneError` when Autotune
    cannot make a runnable tuning job of it."""
    out = copy.deepcopy(dict(request))
    if not enabled(request):
        return out
    config = out["HyperParameterTuningJobConfig"]
    if "TrainingJobDefinition" in out:
        ranges = config.setdefault("ParameterRanges", {})
        objective = _resolve_definition(out, 0, out["TrainingJobDefinition"], ranges)
        if objective is not None:
            config["HyperParameterTuningJobObjective"] = objective
    for index, definition in enumerate(out.get("TrainingJobDefinitions") or []):
        ranges = definition.setdefault("HyperParameterRanges", {})
        objective = _resolve_definition(out, index, definition, ranges)
        if objective is not None:
            definition["TuningObjective"] = objective
    limits = config["ResourceLimits"]
    limits.setdefault("MaxNumberOfTrainingJobs", definitions.max_training_jobs(request))
    return out
