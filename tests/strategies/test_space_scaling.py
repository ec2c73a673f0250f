"""Parsing ParameterRanges and the scaling types, checked by counting samples."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pytest

import strategies
from strategies import CategoricalParam, NumericParam, SearchSpace, StrategyError

N = 20_000


def draw(ranges: dict[str, Any], name: str, n: int = N) -> list[Any]:
    s = strategies.create("Random", ranges, seed=0)
    out = []
    for _ in range(n):
        t = s.ask()
        assert t is not None
        out.append(t.params[name])
        s.tell(t.id, 0.0)
    return out


def integer(lo: str, hi: str, scaling: str) -> dict[str, Any]:
    return {
        "IntegerParameterRanges": [
            {"Name": "k", "MinValue": lo, "MaxValue": hi, "ScalingType": scaling}
        ]
    }


def continuous(lo: str, hi: str, scaling: str) -> dict[str, Any]:
    return {
        "ContinuousParameterRanges": [
            {"Name": "x", "MinValue": lo, "MaxValue": hi, "ScalingType": scaling}
        ]
    }


def chi2_ok(counts: Counter[int], probs: dict[int, float], n: int) -> bool:
    """Pearson χ² below the 99.9 % quantile (df ≤ 20 here, so < 50 is a safe bound)."""
    stat = sum((counts.get(k, 0) - n * p) ** 2 / (n * p) for k, p in probs.items())
    return stat < 50.0 and set(counts) <= set(probs)


def test_linear_integers_get_equal_shares_including_end_points() -> None:
    values = draw(integer("1", "5", "Linear"), "k")
    assert chi2_ok(Counter(values), {k: 0.2 for k in range(1, 6)}, N)


def test_log_integers_get_log_bin_shares() -> None:
    values = draw(integer("1", "10", "Logarithmic"), "k")
    width = math.log(10.5 / 0.5)
    probs = {k: math.log((k + 0.5) / (k - 0.5)) / width for k in range(1, 11)}
    assert chi2_ok(Counter(values), probs, N)
    assert Counter(values)[1] > 4 * Counter(values)[10]  # log scale favours small values


def test_log_continuous_is_uniform_in_log_space() -> None:
    values = np.array(draw(continuous("0.001", "10", "Logarithmic"), "x", 20_000))
    assert values.min() >= 0.001 and values.max() <= 10
    decades = Counter(np.floor(np.log10(values)).astype(int).tolist())
    assert chi2_ok(decades, {-3: 0.25, -2: 0.25, -1: 0.25, 0: 0.25}, len(values))


def test_reverse_log_concentrates_near_one() -> None:
    values = np.array(draw(continuous("0.0", "0.999", "ReverseLogarithmic"), "x", 20_000))
    assert values.min() >= 0.0 and values.max() <= 0.999
    # uniform on log(1 - x): 1 - x ∈ [0.001, 1] log-uniform → each decade of (1 - x) ≈ 1/3
    decades = Counter(np.floor(np.log10(1.0 - values)).clip(-3, -1).astype(int).tolist())
    assert chi2_ok(decades, {-3: 1 / 3, -2: 1 / 3, -1: 1 / 3}, len(values))


def test_linear_continuous_is_uniform() -> None:
    values = np.array(draw(continuous("-2", "3", "Linear"), "x", 20_000))
    counts = Counter(np.floor(values).astype(int).tolist())
    assert chi2_ok(counts, {k: 0.2 for k in range(-2, 3)}, len(values))


@pytest.mark.parametrize(
    ("lo", "hi", "is_int", "expected"),
    [
        ("0.001", "1", False, "Logarithmic"),  # ratio 1000 → log
        ("0.01", "1", False, "Linear"),  # ratio 100 → linear
        ("0", "1000", False, "Linear"),  # min 0 → never log
        ("1", "1000", True, "Logarithmic"),
        ("1", "999", True, "Linear"),
    ],
)
def test_auto_rule(lo: str, hi: str, is_int: bool, expected: str) -> None:
    key = "IntegerParameterRanges" if is_int else "ContinuousParameterRanges"
    space = SearchSpace.from_parameter_ranges(
        {key: [{"Name": "p", "MinValue": lo, "MaxValue": hi}]}
    )
    param = space.params[0]
    assert isinstance(param, NumericParam) and param.scaling == expected


def test_order_and_types_of_parameters() -> None:
    space = SearchSpace.from_parameter_ranges(
        {
            "CategoricalParameterRanges": [{"Name": "c", "Values": ["x", "y"]}],
            "ContinuousParameterRanges": [{"Name": "b", "MinValue": "0", "MaxValue": "1"}],
            "IntegerParameterRanges": [{"Name": "a", "MinValue": "0", "MaxValue": "3"}],
        }
    )
    assert space.names == ("a", "b", "c")
    assert isinstance(space.params[2], CategoricalParam)
    assert space.n_encoded == 4 and space.cardinality() is None


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        (integer("5", "1", "Linear"), "greater than MaxValue"),
        (integer("1.5", "3", "Linear"), "must be an integer"),
        (continuous("abc", "1", "Linear"), "must be a number"),
        (continuous("0", "inf", "Linear"), "finite"),
        (continuous("0", "1", "Logarithmic"), "MinValue > 0"),
        (continuous("0.5", "1.0", "ReverseLogarithmic"), "MaxValue < 1"),
        (continuous("-0.1", "0.5", "ReverseLogarithmic"), "0 <= MinValue"),
        (integer("0", "5", "ReverseLogarithmic"), "only for continuous"),
        (continuous("0", "1", "Cubic"), "ScalingType"),
        ({"CategoricalParameterRanges": [{"Name": "c", "Values": []}]}, "non-empty list"),
        ({"CategoricalParameterRanges": [{"Name": "c", "Values": ["a", "a"]}]}, "duplicates"),
        ({"ContinuousParameterRanges": [{"MinValue": "0", "MaxValue": "1"}]}, "Name"),
        ({"IntegerRanges": []}, "unknown keys"),
        ({}, "at least one range"),
        (
            {
                "IntegerParameterRanges": [{"Name": "a", "MinValue": "0", "MaxValue": "1"}],
                "CategoricalParameterRanges": [{"Name": "a", "Values": ["x"]}],
            },
            "unique",
        ),
    ],
)
def test_bad_ranges_name_field_value_and_rule(ranges: dict[str, Any], message: str) -> None:
    with pytest.raises(StrategyError, match=message):
        strategies.create("Random", ranges)


def test_error_names_the_field_and_parameter() -> None:
    with pytest.raises(StrategyError) as info:
        strategies.create("Random", continuous("0", "1", "Logarithmic"))
    assert "ContinuousParameterRanges[0]" in str(info.value) and "(x)" in str(info.value)


def test_singleton_ranges_always_give_their_value() -> None:
    ranges = {
        "IntegerParameterRanges": [{"Name": "k", "MinValue": "4", "MaxValue": "4"}],
        "ContinuousParameterRanges": [{"Name": "x", "MinValue": "0.5", "MaxValue": "0.5"}],
    }
    for name in ("Random", "Bayesian"):
        s = strategies.create(name, ranges, seed=0)
        t = s.ask()
        assert t is not None and t.params == {"k": 4, "x": 0.5}


def test_to_unit_clips_and_parses_strings() -> None:
    space = SearchSpace.from_parameter_ranges(
        {
            **integer("1", "10", "Linear"),
            "CategoricalParameterRanges": [{"Name": "c", "Values": ["x", "y"]}],
        }
    )
    row = space.to_unit({"k": "25", "c": "zzz"})
    assert space.from_unit(np.nan_to_num(row, nan=0.0))["k"] == 10
    assert np.isnan(row[1])  # unknown categorical value
    assert space.contains({"k": "3", "c": "y"}) and not space.contains({"k": 11, "c": "y"})
    with pytest.raises(StrategyError, match="must be a number"):
        space.to_unit({"k": "three", "c": "x"})
