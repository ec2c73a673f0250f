"""Algorithm-mode hyperparameter validation, with the container's rules and messages.

Order (reference §8.3): aliases -> required -> parse -> range -> dependencies. Every failure is a
``UserError`` whose message is the container's own, e.g. ``Extraneous hyperparameter found: foo``,
``Hyperparameter eta: could not parse value (caused by ValueError)``,
``Hyperparameter eta: 1.5 is not in [0, 1]``.

Choices where the container crashes or is silent, decided here:
- An alias and its canonical name both given (``eta`` and ``learning_rate``) is a UserError
  naming both (the container's behaviour is UNKNOWN).
- ``eval_metric`` containing ``auc`` without an ``objective`` is checked against the default
  objective ``reg:squarederror`` (the container raises a KeyError there).
- ``monotone_constraints`` / ``interaction_constraints`` are parsed with ``ast.literal_eval``
  (the container uses ``eval``); a value that is not a (nested) sequence cannot be parsed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

from localtune.runtime.xgb.errors import UserError
from localtune.runtime.xgb.spec import ALIASES, HYPERPARAMETERS, HyperparameterSpec

__all__ = ["DEFAULT_OBJECTIVE", "validate"]

DEFAULT_OBJECTIVE = "reg:squarederror"
_THRESHOLD_METRICS = ("error", "ndcg", "map")
_TREE_PLUGINS = (
    "grow_colmaker", "distcol", "grow_histmaker", "grow_local_histmaker", "grow_skmaker",
    "grow_quantile_histmaker", "sync", "refresh", "prune",
)  # fmt: skip
_TREE_BUILD_PLUGINS = (
    "grow_colmaker", "distcol", "grow_histmaker", "grow_local_histmaker",
    "grow_quantile_histmaker",
)  # fmt: skip
_LINEAR_PLUGINS = ("shotgun", "coord_descent")


def validate(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate hyperparameters.json as the container does; return canonical name -> value."""
    values = _resolve_aliases(raw)
    for name, spec in HYPERPARAMETERS.items():
        if spec.required and name not in values:
            raise UserError(f"Missing required hyperparameter: {name}")
    parsed: dict[str, Any] = {}
    for name, value in values.items():
        if name not in HYPERPARAMETERS:
            raise UserError(f"Extraneous hyperparameter found: {name}")
        parsed[name] = _parse(HYPERPARAMETERS[name], value)
    for name, value in parsed.items():
        _check_range(HYPERPARAMETERS[name], value)
    _check_dependencies(parsed)
    return parsed


def _resolve_aliases(raw: Mapping[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in raw.items():
        name = ALIASES.get(key, key)
        if name in values:
            alias = key if key != name else next(a for a, c in ALIASES.items() if c == name)
            raise UserError(
                f"Hyperparameter {name} is given twice: as '{name}' and as its alias '{alias}'"
            )
        values[name] = value if isinstance(value, str) else str(value)
    return values


def _parse(spec: HyperparameterSpec, value: str) -> Any:
    try:
        if spec.kind == "integer":
            return int(value)
        if spec.kind == "continuous":
            return float(value)
        if spec.kind == "list":
            return _LIST_PARSERS[spec.name](value)
    except (ValueError, SyntaxError, TypeError) as error:
        cause = error if isinstance(error, ValueError) else ValueError(str(error))
        raise UserError(f"Hyperparameter {spec.name}: could not parse value", cause) from error
    return value


def _comma_list(value: str) -> list[str]:
    return value.split(",")


def _int_tuple(value: str) -> tuple[int, ...]:
    parsed = ast.literal_eval(value)
    if isinstance(parsed, int) and not isinstance(parsed, bool):
        parsed = (parsed,)
    if not isinstance(parsed, tuple | list) or not all(_is_int(x) for x in parsed):
        raise ValueError(f"expected a tuple of integers such as (1,-1), got {value!r}")
    return tuple(parsed)


def _nested_int_list(value: str) -> list[list[int]]:
    parsed = ast.literal_eval(value)
    if not isinstance(parsed, list | tuple) or not all(
        isinstance(inner, list | tuple) and all(_is_int(x) for x in inner) for inner in parsed
    ):
        raise ValueError(f"expected a nested list of integers such as [[1,2],[3,4]], got {value!r}")
    return [list(inner) for inner in parsed]


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


_LIST_PARSERS: dict[str, Callable[[str], Any]] = {
    "eval_metric": _comma_list,
    "updater": _comma_list,
    "monotone_constraints": _int_tuple,
    "interaction_constraints": _nested_int_list,
}


def _check_range(spec: HyperparameterSpec, value: Any) -> None:
    name = spec.name
    if spec.kind in ("integer", "continuous"):
        if spec.interval is not None and value not in spec.interval:
            raise UserError(f"Hyperparameter {name}: {value} is not in {spec.interval}")
    elif spec.kind == "categorical":
        if spec.choices is not None and value not in spec.choices:
            raise UserError(f"Hyperparameter {name}: {value} is not in {list(spec.choices)}")
    elif name == "eval_metric":
        for metric in value:
            _check_eval_metric(spec, metric, value)
    elif name == "monotone_constraints":
        if any(str(x) not in (spec.choices or ()) for x in value):
            raise UserError(f"Hyperparameter {name}: value {value} not in range [-1, 0, 1]")
    elif name == "interaction_constraints":
        interval = spec.interval
        if interval is not None and any(x not in interval for inner in value for x in inner):
            raise UserError(f"Hyperparameter {name}: value {value} not in range {interval}")
    elif spec.choices is not None and any(v not in spec.choices for v in value):
        raise UserError(f"Hyperparameter {name}: value {value} not in range {list(spec.choices)}")


def _check_eval_metric(spec: HyperparameterSpec, metric: str, value: list[str]) -> None:
    if "@" in metric:
        base, threshold = (part.strip() for part in metric.split("@", 1))
        if base not in _THRESHOLD_METRICS:
            raise UserError(
                f"Metric '{metric}' is not supported. Parameter 'eval_metric' with customized "
                "threshold should be one of these options: 'error', 'ndcg', 'map'."
            )
        try:
            float(threshold)
        except ValueError:
            raise UserError(f"Threshold value 't' in '{base}@t' expects float input.") from None
        return
    if metric not in (spec.choices or ()):
        raise UserError(
            f"Hyperparameter eval_metric: value {value} not in range {list(spec.choices or ())}"
        )


def _check_dependencies(hps: Mapping[str, Any]) -> None:
    objective = hps.get("objective", DEFAULT_OBJECTIVE)
    if objective in ("multi:softmax", "multi:softprob") and "num_class" not in hps:
        raise UserError("Require input for parameter 'num_class' for multi-classification")
    metrics = hps.get("eval_metric", [])
    if "auc" in metrics and not objective.startswith(("binary:", "rank:")):
        raise UserError("Metric 'auc' can only be applied for classification and ranking problems.")
    if "aft-nloglik" in metrics and objective != "survival:aft":
        raise UserError("Metric 'aft-nloglik' can only be applied for 'survival:aft' objective.")
    tree_method = hps.get("tree_method")
    if "monotone_constraints" in hps and tree_method not in ("exact", "hist"):
        raise UserError(
            "monotone_constraints can be used only when the tree_method parameter is set to "
            "either 'exact' or 'hist'."
        )
    if "interaction_constraints" in hps and tree_method not in ("exact", "hist", "approx"):
        raise UserError(
            "interaction_constraints can be used only when the tree_method parameter is set to "
            "either 'exact', 'hist' or 'approx'."
        )
    if "updater" in hps:
        _check_updater(hps["updater"], hps.get("booster"), hps.get("process_type"))


def _check_updater(updaters: list[str], booster: str | None, process_type: str | None) -> None:
    if booster == "gblinear":
        if not (len(updaters) == 1 and updaters[0] in _LINEAR_PLUGINS):
            raise UserError(
                "Linear updater should be one of these options: 'shotgun', 'coord_descent'."
            )
    elif process_type == "update":
        if not all(u in ("refresh", "prune") for u in updaters):
            raise UserError(
                "process_type 'update' can only be used with updater 'refresh' and 'prune'"
            )
    else:
        if not all(u in _TREE_PLUGINS for u in updaters):
            raise UserError(
                "Tree updater should be selected from these options: "
                + ", ".join(f"'{u}'" for u in _TREE_PLUGINS)
                + "."
            )
        if sum(u in _TREE_BUILD_PLUGINS for u in updaters) > 1:
            raise UserError(
                "Only one tree grow plugin can be selected. Choose one from the following: "
                + ", ".join(f"'{u}'" for u in _TREE_BUILD_PLUGINS)
            )
