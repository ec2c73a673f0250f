"""Property tests: generated valid requests are accepted; random mutations of them raise nothing
but ``ValidationException`` (never another exception)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localtune.api.validation import check_create_tuning_job, validate_create_tuning_job
from localtune.errors import ValidationException
from localtune.runtime.xgb import spec
from tests.api import validation_fixtures as fx

Request = dict[str, Any]
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
names = st.builds(
    lambda head, parts: head + "".join(parts),
    st.sampled_from(_ALNUM),
    st.lists(st.sampled_from([*_ALNUM, "-a", "-7", "--b"]), max_size=10),
)
TUNABLE = sorted(n for n, s in spec.HYPERPARAMETERS.items() if s.tunable and n != "num_round")


@st.composite
def numeric_range(draw: st.DrawFn, name: str) -> tuple[str, dict[str, Any]]:
    """A range inside the container's valid interval (clamped to a finite box)."""
    hp = spec.HYPERPARAMETERS[name]
    assert hp.interval is not None
    low = max(hp.interval.lower or 0.0, 0.0)
    high = min(hp.interval.upper if hp.interval.upper is not None else 100.0, 100.0)
    if hp.kind == "integer":
        first = draw(st.integers(int(low), int(high) - 1))
        last = draw(st.integers(first + 1, int(high)))
        return "Integer", {"Name": name, "MinValue": str(first), "MaxValue": str(last)}
    a = draw(st.floats(low + 0.01, (low + high) / 2, allow_nan=False))
    b = draw(st.floats((low + high) / 2 + 0.01, high, allow_nan=False))
    scaling = draw(st.sampled_from(["Auto", "Linear", "Logarithmic"]))
    return "Continuous", {"Name": name, "MinValue": repr(a), "MaxValue": repr(b),
                          "ScalingType": scaling}  # fmt: skip


@st.composite
def valid_xgboost_request(draw: st.DrawFn) -> Request:
    """Built-in XGBoost, Bayesian or Random, ranges drawn inside the algorithm's intervals."""
    request = fx.sdk_request()
    request["HyperParameterTuningJobName"] = draw(names)
    chosen = draw(st.lists(st.sampled_from(TUNABLE), min_size=1, max_size=8, unique=True))
    ranges: dict[str, list[dict[str, Any]]] = {
        "IntegerParameterRanges": [],
        "ContinuousParameterRanges": [],
        "CategoricalParameterRanges": [],
    }
    for name in chosen:
        kind, body = draw(numeric_range(name))
        ranges[f"{kind}ParameterRanges"].append(body)
    if not ranges["ContinuousParameterRanges"]:  # a continuous range keeps V35 out of play
        ranges["ContinuousParameterRanges"].append(
            {"Name": "eta", "MinValue": "0.1", "MaxValue": "0.5"}
        )
    config = request["HyperParameterTuningJobConfig"]
    config["ParameterRanges"] = ranges
    strategy = draw(st.sampled_from(["Bayesian", "Random"]))
    metric = draw(st.sampled_from(sorted(spec.METRICS)))
    config.update(
        Strategy=strategy,
        HyperParameterTuningJobObjective={"Type": spec.METRICS[metric], "MetricName": metric},
        ResourceLimits={
            "MaxNumberOfTrainingJobs": draw(st.integers(1, 750)),
            "MaxParallelTrainingJobs": draw(st.integers(1, 100)),
        },
        TrainingJobEarlyStoppingType=draw(st.sampled_from(["Off", "Auto"])),
    )
    if draw(st.booleans()):
        config["RandomSeed"] = draw(st.integers(0, 2**31 - 1))
    return request


@st.composite
def valid_request(draw: st.DrawFn) -> Request:
    kind = draw(st.sampled_from(["xgboost", "custom", "grid", "multi", "hyperband"]))
    if kind == "xgboost":
        return draw(valid_xgboost_request())
    base = {
        "custom": fx.custom_image_request,
        "grid": fx.grid_request,
        "multi": fx.multi_request,
        "hyperband": fx.hyperband_request,
    }[kind]()
    base["HyperParameterTuningJobName"] = draw(names)
    return base


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a member or element of the request."""
    found: list[tuple[Any, ...]] = []
    if isinstance(node, dict):
        children: list[tuple[Any, Any]] = list(node.items())
    elif isinstance(node, list):
        children = list(enumerate(node))
    else:
        children = []
    for key, child in children:
        found.append((*prefix, key))
        found.extend(_paths(child, (*prefix, key)))
    return found


def _parent(request: Request, path: tuple[Any, ...]) -> Any:
    node: Any = request
    for key in path[:-1]:
        node = node[key]
    return node


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(min_size=257, max_size=300),
    st.just("x" * 2600),
    st.just("bogus-enum"),
    st.just("line\nbreak"),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@st.composite
def mutated_request(draw: st.DrawFn) -> Request:
    request = copy.deepcopy(draw(valid_request()))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(request)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(request, path), path[-1]
        action = draw(st.sampled_from(["drop", "replace", "unknown", "swap", "number"]))
        if action == "drop":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(ODD_VALUES)
        elif action == "unknown" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(ODD_VALUES)
        elif action == "swap" and isinstance(parent, dict) and "MinValue" in parent:
            parent["MinValue"], parent["MaxValue"] = parent.get("MaxValue"), parent["MinValue"]
        elif isinstance(parent[key], int) and not isinstance(parent[key], bool):
            parent[key] = draw(st.sampled_from([-1, 0, 10**6, 2**31, 10**12]))
    return request


def _lookup(name: str) -> Request | None:
    return fx.parent_description(fx.seed()) if name.lower() == "parent-job" else None


@SETTINGS
@given(valid_request())
def test_generated_valid_requests_are_accepted(request: Request) -> None:
    assert check_create_tuning_job(request) == []


@SETTINGS
@given(valid_request(), st.randoms(use_true_random=False))
def test_range_order_does_not_matter(request: Request, rnd: Any) -> None:
    shuffled = copy.deepcopy(request)
    for definition in [shuffled.get("HyperParameterTuningJobConfig", {})]:
        for ranges in definition.get("ParameterRanges", {}).values():
            rnd.shuffle(ranges)
    assert check_create_tuning_job(shuffled) == []


@SETTINGS
@given(mutated_request())
def test_mutations_raise_only_validation_exception(request: Request) -> None:
    try:
        validate_create_tuning_job(request, parent_lookup=_lookup)
    except ValidationException as error:
        assert error.code == "ValidationException"
        assert error.problems and all(isinstance(p, str) and p for p in error.problems)


@SETTINGS
@given(mutated_request())
def test_mutated_warm_start_raises_only_validation_exception(request: Request) -> None:
    child = fx.warm_start(request)
    try:
        validate_create_tuning_job(child, parent_lookup=_lookup)
    except ValidationException as error:
        assert error.problems
