"""Wording of semantic messages found in the conformance audit."""

from __future__ import annotations

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
