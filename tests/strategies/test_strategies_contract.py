"""The ask/tell contract, run against every strategy."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import strategies
from strategies import Decision, StrategyError, Trial

MIXED: dict[str, Any] = {
    "IntegerParameterRanges": [
        {"Name": "depth", "MinValue": "1", "MaxValue": "10", "ScalingType": "Linear"},
        {"Name": "rounds", "MinValue": "10", "MaxValue": "1000", "ScalingType": "Logarithmic"},
    ],
    "ContinuousParameterRanges": [
        {"Name": "eta", "MinValue": "0.001", "MaxValue": "0.5", "ScalingType": "Logarithmic"},
        {"Name": "momentum", "MinValue": "0.5", "MaxValue": "0.999",
         "ScalingType": "ReverseLogarithmic"},
        {"Name": "alpha", "MinValue": "-2", "MaxValue": "3"},
    ],
    "CategoricalParameterRanges": [{"Name": "booster", "Values": ["gbtree", "dart", "gblinear"]}],
}  # fmt: skip
DISCRETE: dict[str, Any] = {
    "IntegerParameterRanges": [{"Name": "k", "MinValue": "1", "MaxValue": "3"}],
    "CategoricalParameterRanges": [{"Name": "c", "Values": ["a", "b"]}],
}
ALL = ["Bayesian", "Random", "Grid", "Hyperband"]
OPTIONS: dict[str, dict[str, Any]] = {"Hyperband": {"min_resource": 1, "max_resource": 9}}


def make(name: str, ranges: dict[str, Any] | None = None, **kw: Any) -> strategies.Strategy:
    if ranges is None:
        ranges = DISCRETE if name == "Grid" else MIXED
    return strategies.create(name, ranges, **{**OPTIONS.get(name, {}), **kw})


def loss(params: dict[str, Any]) -> float:
    """A deterministic objective over both spaces."""
    total = 0.0
    for _, value in sorted(params.items()):
        total += sum(map(ord, value)) % 7 / 7 if isinstance(value, str) else math.sin(float(value))
    return total


def run(s: strategies.Strategy, n: int) -> list[dict[str, Any]]:
    asked = []
    for _ in range(n):
        trial = s.ask()
        if trial is None:
            break
        asked.append(trial.params)
        s.tell(trial.id, loss(trial.params))
    return asked


def check_in_space(params: dict[str, Any], ranges: dict[str, Any]) -> None:
    names = set()
    for spec in ranges.get("IntegerParameterRanges", []):
        v = params[spec["Name"]]
        names.add(spec["Name"])
        assert type(v) is int and int(spec["MinValue"]) <= v <= int(spec["MaxValue"])
    for spec in ranges.get("ContinuousParameterRanges", []):
        v = params[spec["Name"]]
        names.add(spec["Name"])
        assert type(v) is float and float(spec["MinValue"]) <= v <= float(spec["MaxValue"])
    for spec in ranges.get("CategoricalParameterRanges", []):
        names.add(spec["Name"])
        assert params[spec["Name"]] in spec["Values"]
    assert set(params) == names


@pytest.mark.parametrize("name", ALL)
def test_lifecycle_types_and_bounds(name: str) -> None:
    s = make(name, seed=1)
    ranges = DISCRETE if name == "Grid" else MIXED
    ids = set()
    for _ in range(6):
        trial = s.ask()
        assert isinstance(trial, Trial)
        check_in_space(trial.params, ranges)
        assert trial.id not in ids
        ids.add(trial.id)
        assert s.pending() == [trial.id]
        s.tell(trial.id, loss(trial.params))
        assert s.pending() == []
    assert len(s.observations()) == 6
    assert all(isinstance(v, float) for _, v in s.observations())


@pytest.mark.parametrize("name", ALL)
def test_same_seed_same_asks(name: str) -> None:
    a = run(make(name, seed=7), 12)
    b = run(make(name, seed=7), 12)
    assert a == b


@pytest.mark.parametrize("name", ["Bayesian", "Random", "Hyperband"])
def test_other_seed_other_asks(name: str) -> None:
    assert run(make(name, seed=1), 3) != run(make(name, seed=2), 3)


@pytest.mark.parametrize("name", ALL)
def test_parallel_asks_are_pending_and_differ(name: str) -> None:
    s = make(name, seed=3)
    run(s, 8 if name != "Grid" else 0)
    trials = [s.ask() for _ in range(4)]
    assert all(t is not None for t in trials)
    assert s.pending() == sorted(t.id for t in trials if t is not None)
    keys = {tuple(sorted(t.params.items())) for t in trials if t is not None}
    assert len(keys) == 4
    for t in trials:
        assert t is not None
        s.tell(t.id, None)  # failures are accepted
    assert s.pending() == []


@pytest.mark.parametrize("name", ALL)
def test_misuse_raises_strategy_error(name: str) -> None:
    s = make(name, seed=0)
    trial = s.ask()
    assert trial is not None
    with pytest.raises(StrategyError, match="no such trial"):
        s.tell(trial.id + 100, 1.0)
    with pytest.raises(StrategyError, match="number or None"):
        s.tell(trial.id, "0.5")  # type: ignore[arg-type]
    s.tell(trial.id, 1.0)
    with pytest.raises(StrategyError, match="already been told"):
        s.tell(trial.id, 1.0)
    with pytest.raises(StrategyError, match="already been told"):
        s.report(trial.id, 1, 1.0)
    assert issubclass(StrategyError, ValueError)


@pytest.mark.parametrize("name", ALL)
def test_report_on_running_trial(name: str) -> None:
    s = make(name, seed=0)
    trial = s.ask()
    assert trial is not None
    assert s.report(trial.id, 1, 0.5) in (Decision.CONTINUE, Decision.STOP)
    with pytest.raises(StrategyError, match="resource"):
        s.report(trial.id, 0, 0.5)


@pytest.mark.parametrize("name", ALL)
def test_add_observation_is_recorded(name: str) -> None:
    s = make(name, seed=0)
    params = {"k": 2, "c": "b"} if name == "Grid" else run(make(name, seed=9), 1)[0]
    s.add_observation(params, 0.25)
    s.add_observation(params, None)
    assert s.observations() == [(params, 0.25), (params, None)]
    trial = s.ask()
    assert trial is not None and trial.id == 0


def test_maximize_is_minimizing_the_negation() -> None:
    ranges = {"ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "1"}]}
    s = strategies.create("Bayesian", ranges, objective="Maximize", seed=0)
    for _ in range(15):
        t = s.ask()
        assert t is not None
        s.tell(t.id, -((float(t.params["x"]) - 0.8) ** 2))  # maximum at 0.8
    best = max(s.observations(), key=lambda o: o[1] or -1e9)
    assert abs(best[0]["x"] - 0.8) < 0.05


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: strategies.create("Evolution", MIXED), "unknown strategy"),
        (lambda: strategies.create("Random", MIXED, colour="red"), "unknown option"),
        (lambda: strategies.create("Random", MIXED, objective="min"), "objective"),
        (lambda: strategies.create("Random", MIXED, seed="x"), "seed"),  # type: ignore[arg-type]
        (lambda: strategies.create("Grid", MIXED), "continuous range"),
        (lambda: strategies.create("Bayesian", MIXED, n_fantasies=0), "n_fantasies"),
        (lambda: strategies.create("Bayesian", MIXED, output_transform="log"), "output_transform"),
        (lambda: strategies.create("Hyperband", MIXED, min_resource=5, max_resource=2), "exceed"),
        (lambda: strategies.create("Hyperband", MIXED, reduction_factor=1), "reduction_factor"),
    ],
)
def test_bad_creation(call: Any, message: str) -> None:
    with pytest.raises(StrategyError, match=message):
        call()


def test_grid_is_exhaustive_lexicographic_and_skips_added() -> None:
    s = strategies.create("Grid", DISCRETE, seed=123)
    s.add_observation({"k": 2, "c": "a"}, 1.0)
    s.add_observation({"k": 9, "c": "a"}, 1.0)  # off the grid: marks nothing
    asked = run(s, 10)
    assert asked == [
        {"k": 1, "c": "a"},
        {"k": 1, "c": "b"},
        {"k": 2, "c": "b"},
        {"k": 3, "c": "a"},
        {"k": 3, "c": "b"},
    ]
    assert s.ask() is None
    assert run(strategies.create("Grid", DISCRETE, seed=5), 10) == run(
        strategies.create("Grid", DISCRETE, seed=6), 10
    )


def test_bayesian_exhausts_discrete_space_without_repeats() -> None:
    s = strategies.create("Bayesian", DISCRETE, seed=0, n_initial=2)
    s.add_observation({"k": 1, "c": "a"}, 3.0)
    asked = run(s, 10)
    keys = [tuple(sorted(p.items())) for p in asked]
    assert len(keys) == 5 and len(set(keys)) == 5
    assert (("c", "a"), ("k", 1)) not in keys
    assert s.ask() is None


def test_bayesian_returns_none_only_when_rest_is_pending() -> None:
    s = strategies.create("Bayesian", DISCRETE, seed=0)
    trials = [s.ask() for _ in range(6)]
    assert all(t is not None for t in trials)
    assert s.ask() is None


def test_random_ignores_observations_for_sampling() -> None:
    a = strategies.create("Random", MIXED, seed=4)
    b = strategies.create("Random", MIXED, seed=4)
    b.add_observation(run(make("Random", seed=1), 1)[0], 0.0)
    assert run(a, 5) == run(b, 5)


def test_numpy_scalars_are_accepted() -> None:
    s = make("Bayesian", seed=0)
    t = s.ask()
    assert t is not None
    s.tell(np.int64(t.id), np.float32(0.5))  # type: ignore[arg-type]
    assert s.observations()[0][1] == 0.5
