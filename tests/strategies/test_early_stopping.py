"""Hyperband (ASHA) decisions and the median stopping rule."""

from __future__ import annotations

from typing import Any

import pytest

import strategies
from strategies import Decision, HyperbandStrategy, MedianStoppingRule, StrategyError

RANGES: dict[str, Any] = {
    "ContinuousParameterRanges": [{"Name": "lr", "MinValue": "0", "MaxValue": "1"}]
}


def hyperband(**kw: Any) -> HyperbandStrategy:
    s = strategies.create("Hyperband", RANGES, seed=0, **kw)
    assert isinstance(s, HyperbandStrategy)
    return s


def test_brackets_follow_min_max_and_eta() -> None:
    s = hyperband(min_resource=1, max_resource=27)
    assert s.brackets == [[1, 3, 9, 27], [3, 9, 27], [9, 27], [27]]
    assert hyperband(min_resource=2, max_resource=20).brackets == [[2, 6, 18], [6, 18], [18]]


def _run_to_end(s: HyperbandStrategy, trial_id: int, curve: list[float]) -> int:
    """Report the curve epoch by epoch; return the epoch at which STOP came (or len + 1)."""
    for epoch, value in enumerate(curve, start=1):
        if s.report(trial_id, epoch, value) is Decision.STOP:
            return epoch
    return len(curve) + 1


def test_never_stops_before_min_resource_and_always_at_max() -> None:
    s = hyperband(min_resource=3, max_resource=27)
    for i in range(30):
        t = s.ask()
        assert t is not None
        curve = [10.0 - i * 0.01 + e for e in range(27)]  # later trials slightly better
        stopped = _run_to_end(s, t.id, curve)
        assert stopped >= 3
        assert stopped <= 27  # reaching max_resource means done: STOP
        s.tell(t.id, curve[stopped - 1])


def test_bad_trials_are_stopped_at_their_bracket_rung() -> None:
    s = hyperband(min_resource=1, max_resource=9)
    stops: dict[int, int] = {}
    for i in range(40):
        t = s.ask()
        assert t is not None
        quality = 1.0 if i % 2 else 100.0  # every other trial is hopeless
        stopped = _run_to_end(s, t.id, [quality] * 9)
        stops[t.id] = stopped
        first_rung = s.brackets[s.bracket_of(t.id)][0]
        if stopped < 9:
            assert stopped == first_rung or stopped in s.brackets[s.bracket_of(t.id)]
        s.tell(t.id, quality)
    hopeless = [stops[i] for i in range(40) if i % 2 == 0]
    good = [stops[i] for i in range(40) if i % 2 == 1]
    assert sum(e < 9 for e in hopeless) > sum(e < 9 for e in good)
    assert sum(e == 9 for e in good) >= len(good) // 2


def test_first_arrival_at_a_rung_continues_and_worse_later_ones_stop() -> None:
    s = hyperband(min_resource=1, max_resource=3)  # bracket 0: rungs 1, 3
    decisions = []
    for value in (1.0, 5.0, 6.0):
        while True:
            t = s.ask()
            assert t is not None
            if s.bracket_of(t.id) == 0:
                break
            s.tell(t.id, None)
        decisions.append(s.report(t.id, 1, value))
    assert decisions == [Decision.CONTINUE, Decision.STOP, Decision.STOP]


def test_hyperband_reports_are_checked() -> None:
    s = hyperband(max_resource=9)
    t = s.ask()
    assert t is not None
    with pytest.raises(StrategyError, match="resource"):
        s.report(t.id, -1, 0.5)
    with pytest.raises(StrategyError, match="None"):
        s.report(t.id, 1, None)  # type: ignore[arg-type]
    s.tell(t.id, 0.5)
    with pytest.raises(StrategyError, match="already been told"):
        s.report(t.id, 2, 0.5)
    with pytest.raises(StrategyError, match="min_resource"):
        strategies.create("Hyperband", RANGES, min_resource=0)


def test_hyperband_maximize_keeps_high_values() -> None:
    s = strategies.create("Hyperband", RANGES, objective="Maximize", seed=0, max_resource=3)
    assert isinstance(s, HyperbandStrategy)
    decisions = []
    for value in (0.9, 0.1):
        while True:
            t = s.ask()
            assert t is not None
            if s.bracket_of(t.id) == 0:
                break
            s.tell(t.id, None)
        decisions.append(s.report(t.id, 1, value))
    assert decisions == [Decision.CONTINUE, Decision.STOP]


# -- median stopping ----------------------------------------------------------------------------


def test_median_rule_needs_min_trials_then_stops_worse_than_median() -> None:
    rule = MedianStoppingRule(min_trials=3)
    for trial, curve in enumerate([[5.0, 4.0, 3.0], [6.0, 5.0, 4.0], [4.0, 3.0, 2.0]]):
        for epoch, v in enumerate(curve, start=1):
            assert rule.report(trial, epoch, v) is Decision.CONTINUE
        rule.complete(trial)
    # running averages at epoch 2: 4.5, 5.5, 3.5 → median 4.5
    assert rule.report(10, 1, 4.9) is Decision.CONTINUE  # epoch-1 median 5.0
    assert rule.report(10, 2, 4.6) is Decision.STOP
    assert rule.report(11, 1, 4.0) is Decision.CONTINUE
    assert rule.report(11, 2, 4.4) is Decision.CONTINUE


def test_median_rule_maximize_and_fewer_trials() -> None:
    rule = MedianStoppingRule(objective="Maximize", min_trials=2)
    rule.report("a", 1, 0.8)
    assert rule.report("b", 1, 0.1) is Decision.CONTINUE  # only one earlier trial
    assert rule.report("c", 1, 0.2) is Decision.STOP  # median of 0.8, 0.1 = 0.45
    assert rule.report("d", 1, 0.5) is Decision.CONTINUE


def test_median_rule_only_counts_earlier_trials_that_reached_the_epoch() -> None:
    rule = MedianStoppingRule(min_trials=3)
    rule.report("short", 1, 9.0)
    for name in ("long1", "long2"):
        rule.report(name, 1, 1.0)
        rule.report(name, 2, 1.0)
    # epoch 2: only long1 and long2 qualify (2 < min_trials) → no decision yet
    assert rule.report("new", 2, 2.0) is Decision.CONTINUE
    # epoch 1: all three qualify, running averages 9, 1, 1 → median 1 → 2.0 is worse
    assert rule.report("new2", 1, 2.0) is Decision.STOP


def test_median_rule_ignores_later_trials() -> None:
    rule = MedianStoppingRule(min_trials=1)
    assert rule.report("a", 1, 5.0) is Decision.CONTINUE
    assert rule.report("b", 1, 1.0) is Decision.CONTINUE  # better than a's 5.0
    assert rule.report("a", 2, 5.0) is Decision.CONTINUE  # b arrived later: it does not count
    assert rule.report("c", 1, 6.0) is Decision.STOP  # median of 5 and 1 is 3


def test_median_rule_misuse() -> None:
    rule = MedianStoppingRule()
    rule.report(1, 1, 0.5)
    rule.complete(1)
    with pytest.raises(StrategyError, match="complete"):
        rule.report(1, 2, 0.5)
    with pytest.raises(StrategyError, match="resource"):
        rule.report(2, 0, 0.5)
    with pytest.raises(StrategyError, match="objective"):
        MedianStoppingRule(objective="down")
    with pytest.raises(StrategyError, match="min_trials"):
        MedianStoppingRule(min_trials=0)
    rule.forget(1)
    rule.report(1, 1, float("nan"))  # allowed again after forget; NaN is just worst
