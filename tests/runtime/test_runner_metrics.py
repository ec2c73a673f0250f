"""Metric extraction from log lines and the status verdict of an outcome (pure functions)."""

from __future__ import annotations

import signal

import pytest

from localtune.engine import lifecycle
from localtune.runtime.metrics import MetricExtractor, cloudwatch_line
from localtune.runtime.runner import SHUTDOWN, Outcome
from localtune.runtime.xgb import spec as xgb_spec


def test_builtin_xgboost_regexes_match_tab_separated_lines() -> None:
    auc = next(m for m in xgb_spec.metric_definitions() if m["Name"] == "validation:auc")
    extractor = MetricExtractor([auc])
    points = extractor.feed(
        [
            "[0]\ttrain-auc:0.91000\tvalidation-auc:0.88000\n",
            "[1]\ttrain-auc:0.95\tvalidation-auc:0.9",
        ],
        timestamp=5.0,
    )
    assert [(p.name, p.value, p.iteration, p.timestamp) for p in points] == [
        ("validation:auc", 0.88, 0, 5.0),
        ("validation:auc", 0.9, 1, 5.0),
    ]
    assert cloudwatch_line("a\tb\n") == "a#011b"


def test_non_numeric_and_non_finite_captures_are_ignored() -> None:
    extractor = MetricExtractor([{"Name": "loss", "Regex": r"loss=(\S+)"}])
    points = extractor.feed(["loss=abc", "loss=nan", "loss=inf", "loss=1e-3", "nothing", "loss=2"])
    assert [(p.value, p.iteration) for p in points] == [(0.001, 0), (2.0, 1)]
    final = extractor.final()
    assert [(p.name, p.value) for p in final] == [("loss", 2.0)]


def test_several_metrics_last_value_each_in_definition_order() -> None:
    extractor = MetricExtractor(
        [{"Name": "b", "Regex": r"b=([0-9.]+)"}, {"Name": "a", "Regex": r"a=([0-9.]+)"}]
    )
    extractor.feed(["a=1 b=2", "a=3"])
    assert [(p.name, p.value, p.iteration) for p in extractor.final()] == [
        ("b", 2.0, 0),
        ("a", 3.0, 1),
    ]


def test_regex_without_group_uses_the_match_and_bad_regex_names_the_definition() -> None:
    assert MetricExtractor([{"Name": "n", "Regex": r"[0-9]+"}]).feed(["x 42 y"])[0].value == 42
    with pytest.raises(ValueError, match=r"MetricDefinitions\[0\] \(n\)"):
        MetricExtractor([{"Name": "n", "Regex": "("}])


def _outcome(**fields: object) -> Outcome:
    base: dict[str, object] = {
        "exit_status": 0,
        "stop_reason": None,
        "failure_text": None,
        "error": None,
        "model_artifacts": None,
        "training_start": 1.0,
        "end_time": 2.0,
        "log_path": "",
    }
    base.update(fields)
    return Outcome(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, ("Completed", "Completed", None, None)),
        ({"exit_status": 2}, ("Failed", "Failed", "AlgorithmError: Exit Code: 2", "NonRetryable")),
        (
            {"exit_status": 1, "failure_text": "boom\n"},
            ("Failed", "Failed", "AlgorithmError: boom", "NonRetryable"),
        ),
        (
            {"exit_status": 1, "failure_text": "ClientError: bad csv"},
            ("Failed", "Failed", "ClientError: bad csv", "NonRetryable"),
        ),
        (
            {"exit_status": 1, "failure_text": "AlgorithmError: ExecuteUserScriptError: x"},
            ("Failed", "Failed", "AlgorithmError: ExecuteUserScriptError: x", "NonRetryable"),
        ),
        ({"exit_status": 1, "stop_reason": "Stopped"}, ("Stopped", "Stopped", None, None)),
        (
            {"exit_status": -9, "stop_reason": "MaxRuntimeExceeded"},
            ("Stopped", "MaxRuntimeExceeded", None, None),
        ),
        ({"exit_status": None, "stop_reason": "Stopped"}, ("Stopped", "Stopped", None, None)),
        (
            {"exit_status": None, "error": "ClientError: no data"},
            ("Failed", "Failed", "ClientError: no data", "NonRetryable"),
        ),
    ],
)
def test_verdict(fields: dict[str, object], expected: tuple[object, ...]) -> None:
    v = lifecycle.verdict(_outcome(**fields))
    assert (v.status, v.secondary, v.failure_reason, v.failure_kind) == expected


def test_signals_nobody_asked_for_are_retryable_crashes_are_not() -> None:
    killed = lifecycle.verdict(_outcome(exit_status=-signal.SIGKILL))
    assert (killed.status, killed.failure_kind) == ("Failed", "Retryable")
    assert killed.failure_reason is not None
    assert killed.failure_reason.startswith("InternalServerError:")
    assert "SIGKILL" in killed.failure_reason
    crashed = lifecycle.verdict(_outcome(exit_status=-signal.SIGSEGV))
    assert crashed.failure_kind == "NonRetryable"
    assert crashed.failure_reason == (
        "AlgorithmError: The training job's process was terminated by SIGSEGV."
    )
    lost = lifecycle.verdict(_outcome(exit_status=-9, stop_reason=SHUTDOWN))
    assert lost.failure_kind == "Retryable"
    assert lost.failure_reason is not None and lost.failure_reason.startswith(lifecycle.ENGINE_LOST)


def test_failure_reason_is_cut_at_1024_characters() -> None:
    v = lifecycle.verdict(_outcome(exit_status=1, failure_text="x" * 5000))
    assert v.failure_reason is not None
    assert len(v.failure_reason) == 1024 and v.failure_reason.startswith("AlgorithmError: xxx")
