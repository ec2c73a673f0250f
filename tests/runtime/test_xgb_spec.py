"""The built-in XGBoost spec: intervals, hyperparameter table, metrics and image recognition."""

from __future__ import annotations

import re

import numpy as np
import pytest

from localtune.runtime.xgb import spec


def test_interval_membership_and_spelling() -> None:
    unit_open_left = spec.Interval(0, 1, False, True)
    assert 0 not in unit_open_left
    assert 1 in unit_open_left
    assert 0.5 in unit_open_left
    assert 1.0000001 not in unit_open_left
    assert float("nan") not in unit_open_left
    assert np.float32(0.5) in unit_open_left
    assert np.int64(2) not in unit_open_left
    assert True not in unit_open_left
    assert "0.5" not in unit_open_left
    assert str(unit_open_left) == "(0, 1]"
    assert str(spec.HYPERPARAMETERS["num_round"].interval) == "[1, +inf)"
    assert str(spec.HYPERPARAMETERS["eta"].interval) == "[0, 1]"
    assert str(spec.HYPERPARAMETERS["seed"].interval) == "(-2147483648, 2147483647)"
    assert str(spec.Interval(None, 2.5, False, False)) == "(-inf, 2.5)"


def test_hyperparameter_table() -> None:
    hps = spec.HYPERPARAMETERS
    assert [n for n, s in hps.items() if s.required] == ["num_round"]
    tunable = {n for n, s in hps.items() if s.tunable}
    assert tunable == {
        "num_round", "eta", "gamma", "max_depth", "min_child_weight", "max_delta_step",
        "subsample", "colsample_bytree", "colsample_bylevel", "colsample_bynode", "lambda",
        "alpha",
    }  # fmt: skip
    assert all(hps[n].recommended is not None for n in tunable)
    assert hps["eta"].recommended == (0.1, 0.5)
    assert hps["max_depth"].kind == "integer"
    assert hps["objective"].choices is not None
    assert "multi:softprob" in hps["objective"].choices
    assert hps["eval_metric"].kind == "list"
    assert set(spec.ALIASES.values()) <= set(hps)
    assert not set(spec.ALIASES) & set(hps)
    assert "single_precision_histogram" not in hps


def test_metrics_directions_and_regexes() -> None:
    assert len(spec.METRICS) == 33
    assert list(spec.METRICS.values()).count("Maximize") == 16
    assert spec.METRICS["validation:auc"] == "Maximize"
    assert spec.METRICS["validation:rmse"] == "Minimize"
    defs = spec.metric_definitions()
    assert [d["Name"] for d in defs] == list(spec.METRICS)
    auc = next(d for d in defs if d["Name"] == "validation:auc")
    assert auc["Regex"] == r".*\[[0-9]+\].*#011validation-auc:(\S+)"
    line = "[12]#011train-auc:0.99000#011validation-auc:0.97321"
    match = re.match(auc["Regex"], line)
    assert match is not None
    assert match.group(1) == "0.97321"


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", "1.7-1"),
        ("450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:3.0-5", "3.0-5"),
        ("localhost:5000/mirror/sagemaker-xgboost:0.90-2", "0.90-2"),
        ("acct.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost@sha256:abc123", "sha256:abc123"),
        ("sagemaker-xgboost:1.5-1@sha256:abc123", "1.5-1"),
        ("sagemaker-xgboost", "latest"),
        ("683313688378.dkr.ecr.us-east-1.amazonaws.com/my-xgboost:1.7-1", None),
        ("763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1", None),
        ("sagemaker-xgboost-extra:1.7-1", None),
    ],
)
def test_parse_image(image: str, expected: str | None) -> None:
    assert spec.parse_image(image) == expected
