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


def test_combined_message_joins_sentences_without_doubled_punctuation(tmp_path) -> None:
    """A model problem and semantic problems in one ValidationException read as AWS's
    "N validation errors detected: a; b; c": no sentence ends with '.' before the '; '."""
    import botocore.exceptions

    import localtune

    request = fx.sdk_request()
    config = request["HyperParameterTuningJobConfig"]
    config["ResourceLimits"]["MaxParallelTrainingJobs"] = 0
    integer = config["ParameterRanges"]["IntegerParameterRanges"][0]
    integer["MinValue"] = "1.5"
    config["ParameterRanges"]["ContinuousParameterRanges"][0]["MinValue"] = "2"
    config["ParameterRanges"]["ContinuousParameterRanges"][0]["MaxValue"] = "1"
    sm = localtune.client(home=tmp_path)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        sm.create_hyper_parameter_tuning_job(**request)
    message = caught.value.response["Error"]["Message"]
    head, _, body = message.partition(": ")
    count = int(head.split()[0])
    assert head == f"{count} validation errors detected" and count >= 3
    parts = body.split("; ")
    assert len(parts) == count
    assert ".;" not in message and "..;" not in message
    assert parts[0].startswith("Value '0' at 'hyperParameterTuningJobConfig.resourceLimits")
    assert any(p.startswith("The value '1.5' of ") for p in parts)
    assert all(not p.endswith(".") for p in parts[:-1])
    assert message.endswith(".")  # the last sentence keeps its full stop


def test_single_semantic_problem_is_reported_as_it_is() -> None:
    from localtune.errors import validation_error

    sentence = "The value '1.5' of X is not an integer. Provide an integer."
    assert str(validation_error([sentence])) == sentence
    assert validation_error([sentence]).problems == [sentence]
    combined = validation_error([sentence, "Value '0' at 'a' failed to satisfy constraint: x"])
    assert str(combined) == (
        "2 validation errors detected: The value '1.5' of X is not an integer. Provide an "
        "integer; Value '0' at 'a' failed to satisfy constraint: x"
    )
    assert combined.problems[0] == sentence  # the problems themselves are unchanged


def test_v24_accepts_java_named_groups() -> None:
    """SageMaker's regexes are Java's: (?<name>…) and \\k<name> are valid there."""
    request = fx.custom_image_request()
    metrics = request["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"]
    metrics[0]["Regex"] = r"val_loss=(?<loss>[0-9.eE+-]+)"
    metrics.append({"Name": "acc", "Regex": r"(?<q>['\"])acc\k<q>=(?<acc>[0-9.]+)"})
    metrics.append({"Name": "lb", "Regex": r"(?<=loss=)([0-9.]+)"})
    assert check_create_tuning_job(request) == []


def test_v24_rejects_a_group_name_java_does_not_allow() -> None:
    request = fx.custom_image_request()
    metrics = request["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"]
    metrics[0]["Regex"] = r"val_loss=(?<val_loss>[0-9.]+)"  # Java: letters and digits only
    problems = check_create_tuning_job(request)
    assert len(problems) == 1 and "MetricDefinitions[0].Regex" in problems[0], problems
