"""Metric extraction as SageMaker reads CloudWatch lines (reference §5.4, §8.4): findings of the
runtime conformance audit."""

from __future__ import annotations

from localtune.runtime.metrics import MetricExtractor
from localtune.runtime.xgb import spec as xgb_spec


def _builtin(*names: str) -> MetricExtractor:
    wanted = [m for m in xgb_spec.metric_definitions() if m["Name"] in names]
    assert len(wanted) == len(names)
    return MetricExtractor(wanted)


def test_builtin_objective_followed_by_another_validation_metric_is_read() -> None:
    # eval_metric=logloss with objective validation:auc: XGBoost prints auc before logloss, and
    # the container's regex `…#011validation-auc:(\S+)` captures "0.95000#011validation-…"
    # (CloudWatch shows the tab as #011). The objective must still be read.
    extractor = _builtin("validation:auc", "validation:logloss")
    line = (
        "[3]\ttrain-auc:0.91000\ttrain-logloss:0.30000"
        "\tvalidation-auc:0.95000\tvalidation-logloss:0.20000"
    )
    points = extractor.feed([line], timestamp=1.0)
    assert sorted((p.name, p.value) for p in points) == [
        ("validation:auc", 0.95),
        ("validation:logloss", 0.2),
    ]


def test_text_after_a_number_without_a_tab_is_still_not_a_number() -> None:
    extractor = MetricExtractor([{"Name": "loss", "Regex": r"loss=(\S+)"}])
    assert extractor.feed(["loss=0.5abc", "loss=abc#0111"]) == []
    assert [p.value for p in extractor.feed(["loss=0.25\tacc=1"])] == [0.25]


def test_a_group_that_did_not_take_part_in_the_match_is_no_value() -> None:
    extractor = MetricExtractor([{"Name": "m", "Regex": r"loss=([0-9.]+)|cost=([0-9.]+)"}])
    assert extractor.feed(["cost=3"]) == []
    assert [p.value for p in extractor.feed(["loss=2"])] == [2.0]


def test_several_matches_in_one_line_the_last_wins() -> None:
    # Reference §5.4 (UNKNOWN, suggested reading): last match wins; one value per line.
    extractor = MetricExtractor([{"Name": "loss", "Regex": r"loss=([0-9.]+)"}])
    points = extractor.feed(["loss=1 loss=2 loss=3"])
    assert [(p.value, p.iteration) for p in points] == [(3.0, 0)]


def test_java_flavoured_regexes_accepted_at_create_time_also_run() -> None:
    # Validation (V24) accepts Java's Unicode classes such as \p{N}; the runtime must apply them.
    extractor = MetricExtractor([{"Name": "loss", "Regex": r"loss=(\p{N}+\.\p{N}+)"}])
    assert [p.value for p in extractor.feed(["epoch 3 loss=0.125"])] == [0.125]


def test_java_named_groups_and_backreferences_run() -> None:
    # Java spells a named group (?<name>…) and its backreference \k<name>; Python (?P<name>…)
    # and (?P=name). The value is still the first group.
    extractor = MetricExtractor(
        [
            {"Name": "loss", "Regex": r"val_loss=(?<loss>[0-9.]+)"},
            {"Name": "acc", "Regex": r"acc=(?<v>[0-9.]+)/\k<v>\b"},  # the same value twice
        ]
    )
    points = extractor.feed(["epoch 2 val_loss=0.25 acc=0.5/0.6 acc=0.75/0.75"])
    assert sorted((p.name, p.value) for p in points) == [("acc", 0.75), ("loss", 0.25)]


def test_lookbehind_and_literal_brackets_are_not_named_groups() -> None:
    from localtune.runtime.javaregex import translate

    assert translate(r"(?<=loss=)([0-9.]+)") == r"(?<=loss=)([0-9.]+)"
    assert translate(r"(?<!val_)loss=([0-9.]+)") == r"(?<!val_)loss=([0-9.]+)"
    assert translate(r"[(?<x>]([0-9]+)") == r"[(?<x>]([0-9]+)"  # inside a class: literal
    assert translate(r"\(?<x>([0-9]+)") == r"\(?<x>([0-9]+)"  # escaped parenthesis
    assert translate(r"(?<v1>a)\k<v1>") == r"(?P<v1>a)(?P=v1)"
    extractor = MetricExtractor([{"Name": "loss", "Regex": r"(?<=loss=)([0-9.]+)"}])
    assert [p.value for p in extractor.feed(["loss=1.5"])] == [1.5]
