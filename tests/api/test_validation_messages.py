"""Wording of semantic messages found in the conformance audit."""

from __future__ import annotations

import pytest

from localtune.api.validation import check_create_tuning_job
from tests.api import validation_fixtures as fx


def test_warm_start_type_change_names_both_range_types_with_their_articles() -> None:
    parent_request = fx.sdk_request()
    parent = fx.parent_description(parent_request)
    child = fx.warm_start(parent_request)
    ranges = child["HyperParameterTuningJobConfig"]["ParameterRanges"]
    ranges["IntegerParameterRanges"] = []
    ranges["CategoricalParameterRanges"] = [{"Name": "max_depth", "Values": ["3", "5"]}]
    problems = check_create_tuning_job(child, parent_lookup=lambda name: parent)
    assert len(problems) == 1
    assert (
        "is a CategoricalParameterRange, but an IntegerParameterRange in the parent"
        in (problems[0])
    )


@pytest.mark.parametrize("where", ["tuned", "static"])
def test_builtin_xgboost_hyperparameter_given_twice_through_its_alias(where: str) -> None:
    """V32 + V36: 'learning_rate' is XGBoost's alias of 'eta'; tuning eta while also giving
    learning_rate (tuned or static) could only make every training job fail ("given twice")."""
    request = fx.sdk_request()
    if where == "tuned":
        request["HyperParameterTuningJobConfig"]["ParameterRanges"][
            "ContinuousParameterRanges"
        ].append({"Name": "learning_rate", "MinValue": "0.1", "MaxValue": "0.2"})
    else:
        request["TrainingJobDefinition"]["StaticHyperParameters"]["learning_rate"] = "0.1"
    problems = check_create_tuning_job(request)
    assert len(problems) == 1, problems
    assert "'learning_rate'" in problems[0] and "'eta'" in problems[0] and "alias" in problems[0]


def test_builtin_xgboost_alias_alone_is_fine() -> None:
    request = fx.sdk_request()
    ranges = request["HyperParameterTuningJobConfig"]["ParameterRanges"]
    ranges["ContinuousParameterRanges"][0]["Name"] = "learning_rate"
    request["TrainingJobDefinition"]["StaticHyperParameters"]["reg_alpha"] = "0.5"
    assert check_create_tuning_job(request) == []
