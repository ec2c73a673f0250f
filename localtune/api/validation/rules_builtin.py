"""Rules for the built-in XGBoost algorithm image: V22 (objective) and V36 (ranges), §4.3/§4.4.

The algorithm's hyperparameters and metrics come from :mod:`localtune.runtime.xgb.spec`.

Decisions (see the README's "Validation rules"):

* Only *algorithm mode* is checked. With ``sagemaker_program`` among the static hyperparameters
  (script mode on the XGBoost framework image) the user's script defines its own
  hyperparameters and metrics, so nothing here applies.
* V22: the objective must be a ``validation:*`` metric the algorithm emits (or one the request
  defines itself in MetricDefinitions), and its ``Type`` must be the metric's direction — a
  contradicting Type (maximizing ``validation:rmse``) is rejected: it can only be a mistake.
* V36: tuned names must be tunable hyperparameters of the algorithm (aliases accepted); a
  continuous range for an integer hyperparameter is rejected (its values would not parse);
  numeric bounds and categorical values must lie inside the container's valid interval.
* Static hyperparameters are *not* checked here: SageMaker passes them to the container, which
  rejects unknown names ("Extraneous hyperparameter found") and bad values when the training
  job runs. localtune's XGBoost runtime does the same, so such jobs fail at run time exactly
  as on SageMaker instead of the request being refused.
"""

from __future__ import annotations

from localtune.api.validation.images import is_script_mode, xgboost_version
from localtune.api.validation.request import (
    Definition,
    Range,
    Request,
    parse_float,
    parse_int,
    text,
)
from localtune.api.validation.rules_objective import metric_names
from localtune.runtime.xgb import spec


def _xgboost_definitions(req: Request) -> list[Definition]:
    return [d for d in req.definitions if xgboost_version(d) and not is_script_mode(d)]


def v22_builtin_objective(req: Request) -> list[str]:
    """V22: the objective is a metric the XGBoost algorithm emits, in its direction."""
    problems = []
    for definition in _xgboost_definitions(req):
        name = definition.metric_name
        if name is None or name in metric_names(definition):
            continue
        where = definition.objective_path
        direction = spec.METRICS.get(name)
        if direction is None:
            problems.append(
                f"The value '{name}' of {where}.MetricName is not a metric of the built-in "
                f"XGBoost algorithm. Choose one of: {', '.join(spec.METRICS)}."
            )
            continue
        kind = text(definition.objective, "Type")
        if kind is not None and kind != direction:
            verb = "maximizes" if direction == "Maximize" else "minimizes"
            problems.append(
                f"The value '{kind}' of {where}.Type contradicts the objective metric '{name}', "
                f"which the built-in XGBoost algorithm {verb}. Set Type to '{direction}'."
            )
    return problems


def _tunable() -> list[str]:
    names = [n for n, s in spec.HYPERPARAMETERS.items() if s.tunable]
    aliases = [a for a, n in spec.ALIASES.items() if spec.HYPERPARAMETERS[n].tunable]
    return sorted(names + aliases)


def v36_builtin_ranges(req: Request) -> list[str]:
    """V36: tuned names are tunable XGBoost hyperparameters and ranges are inside the valid
    values the container declares."""
    problems: list[str] = []
    for definition in _xgboost_definitions(req):
        for rng in definition.iter_ranges():
            problems.extend(_range_problems(rng))
        problems.extend(_alias_problems(definition))
    return problems


def _alias_problems(definition: Definition) -> list[str]:
    """A tuned XGBoost hyperparameter also given under its other name (``eta`` and its alias
    ``learning_rate``), tuned or static: every training job would fail with "given twice"
    (chosen, in the spirit of V32; identical names are V32's own)."""
    problems = []
    tuned: dict[str, str] = {}  # canonical name -> the name the first range uses
    for rng in definition.iter_ranges():
        name = rng.name
        if not name:
            continue
        canonical = spec.ALIASES.get(name, name)
        first = tuned.setdefault(canonical, name)
        if first != name:
            problems.append(_twice(name, f"{rng.path}.Name", first, canonical))
    for key in definition.static:
        canonical = spec.ALIASES.get(key, key)
        if canonical in tuned and tuned[canonical] != key:
            where = f"{definition.path}.StaticHyperParameters.{key}"
            problems.append(_twice(key, where, tuned[canonical], canonical))
    return problems


def _twice(name: str, where: str, tuned_as: str, canonical: str) -> str:
    alias = name if name != canonical else tuned_as
    return (
        f"The hyperparameter '{name}' of {where} is the XGBoost hyperparameter "
        f"'{canonical}' (alias '{alias}'), which is already tuned as '{tuned_as}'. Give each "
        "hyperparameter once, under one of its names."
    )


def _range_problems(rng: Range) -> list[str]:
    name = rng.name
    if not name:
        return []
    hp = spec.HYPERPARAMETERS.get(spec.ALIASES.get(name, name))
    if hp is None or not hp.tunable:
        return [
            f"The hyperparameter '{name}' of {rng.path}.Name is not a tunable hyperparameter "
            f"of the built-in XGBoost algorithm. Tunable hyperparameters: {', '.join(_tunable())}."
        ]
    wanted = {"integer": "Integer", "continuous": "Continuous"}.get(hp.kind, "Categorical")
    if rng.kind not in _ALLOWED_KINDS[wanted]:
        return [
            f"The hyperparameter '{name}' of {rng.path} is {hp.kind} in the built-in XGBoost "
            f"algorithm. Use {' or '.join(_range_names(_ALLOWED_KINDS[wanted]))}."
        ]
    bad = _bad_values(hp, rng)
    if not bad:
        return []
    listed = ", ".join(f"'{v}'" for v in bad)
    subject = (
        f"The value {listed} of {rng.path} is"
        if len(bad) == 1
        else (f"The values {listed} of {rng.path} are")
    )
    allowed = str(hp.interval) if hp.interval is not None else ", ".join(hp.choices or ())
    return [
        f"{subject} not valid for the XGBoost hyperparameter '{name}', whose valid values are "
        f"{allowed}. Provide values within {allowed}."
    ]


# A continuous range over an integer hyperparameter would produce values int() cannot parse;
# an integer range over a continuous one is fine (its values parse as floats).
_ALLOWED_KINDS = {
    "Integer": ("Integer", "Categorical"),
    "Continuous": ("Continuous", "Integer", "Categorical"),
    "Categorical": ("Categorical",),
}


def _range_names(kinds: tuple[str, ...]) -> list[str]:
    return [f"{'an' if k == 'Integer' else 'a'} {k}ParameterRange" for k in kinds]


def _bad_values(hp: spec.HyperparameterSpec, rng: Range) -> list[str]:
    """The bounds or categorical values of ``rng`` the container would not accept for ``hp``."""
    if rng.kind == "Categorical":
        values = rng.values
    else:
        values = [v for m in ("MinValue", "MaxValue") if (v := text(rng.body, m)) is not None]
    bad = []
    for value in values:
        if hp.interval is None:
            if hp.choices is not None and value not in hp.choices:
                bad.append(value)
            continue
        number = parse_int(value) if hp.kind == "integer" else parse_float(value)
        if number is None:
            if rng.kind == "Categorical":  # bounds that do not parse are reported by V33
                bad.append(value)
        elif number not in hp.interval:
            bad.append(value)
    return bad
