"""The one translation between SageMaker's request and the strategies (pure, fast)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from localtune.engine.search import Search, format_value, parse_values
from tests.engine.conftest import request


def test_values_become_sagemaker_strings() -> None:
    assert format_value(7) == "7"
    assert format_value(np.int64(-3)) == "-3"
    assert format_value(0.1) == "0.1"
    assert format_value(1e-05) == "1e-05"
    assert format_value(np.float64(2.0)) == "2.0"
    assert format_value("gbtree") == "gbtree"
    for value in (0.1 + 0.2, 1 / 3, 123456.789e-20):
        assert float(format_value(value)) == value  # shortest text that reads back exactly
    with pytest.raises(ValueError):
        format_value(float("nan"))


def test_strings_become_values_again() -> None:
    ranges: dict[str, list[Any]] = {
        "IntegerParameterRanges": [{"Name": "n", "MinValue": "1", "MaxValue": "9"}],
        "ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "1"}],
        "CategoricalParameterRanges": [{"Name": "c", "Values": ["a", "b"]}],
    }
    assert parse_values(ranges, {"n": "3", "x": "0.25", "c": "b", "static": "z"}) == {
        "n": 3,
        "x": 0.25,
        "c": "b",
    }


def test_random_seed_makes_suggestions_reproducible() -> None:
    first = Search(request("a"))
    second = Search(request("a"))
    asked = [first.ask() for _ in range(3)]
    assert [s.tuned for s in asked if s] == [s.tuned for s in (second.ask() for _ in range(3)) if s]
    resumed = Search(request("a"), launched=3)  # after a restart: new draws, not a replay
    assert resumed.ask().tuned != asked[0].tuned  # type: ignore[union-attr]


def test_grid_skips_combinations_launched_before_a_restart() -> None:
    req = request("g", strategy="Grid", continuous=False, categorical={"c": ["a", "b", "c"]})
    search = Search(req, launched=1)
    search.observe(0, {"c": "a"}, 1.0)  # finished before the restart
    search.mark_launched(0, {"c": "b"})  # being retried
    got = [s.tuned["c"] for s in iter(search.ask, None)]
    assert got == ["c"]
    assert search.exhausted()


def test_several_definitions_take_turns() -> None:
    req = request("m")
    definition = req.pop("TrainingJobDefinition")
    ranges = req["HyperParameterTuningJobConfig"].pop("ParameterRanges")
    objective = req["HyperParameterTuningJobConfig"].pop("HyperParameterTuningJobObjective")
    req["TrainingJobDefinitions"] = []
    for name in ("one", "two"):
        d = copy.deepcopy(definition)
        d.update(DefinitionName=name, HyperParameterRanges=ranges, TuningObjective=objective)
        req["TrainingJobDefinitions"].append(d)
    search = Search(req)
    assert [search.ask().definition_index for _ in range(4)] == [0, 1, 0, 1]  # type: ignore[union-attr]
