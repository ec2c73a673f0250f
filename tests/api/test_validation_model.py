"""Model-level validation of any SageMaker operation, driven by botocore's service model."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from localtune.api.validation import check_input, validate_input
from localtune.api.validation.patterns import full_match, translate
from localtune.api.validation.render import java_double
from localtune.errors import UnknownOperationException, ValidationException
from tests.api import validation_fixtures as fx

CREATE = "CreateHyperParameterTuningJob"


def _problems(operation: str, params: Any) -> list[str]:
    return check_input(operation, params)


def _limits(**limits: Any) -> dict[str, Any]:
    request = fx.seed()
    request["HyperParameterTuningJobConfig"]["ResourceLimits"].update(limits)
    return request


def test_valid_requests_pass_the_model() -> None:
    for request in (fx.seed(), fx.sdk_request(), fx.multi_request(), fx.hyperband_request()):
        validate_input(CREATE, request)


def test_message_has_aws_form_with_lower_camel_path() -> None:
    with pytest.raises(ValidationException) as caught:
        validate_input(CREATE, _limits(MaxParallelTrainingJobs=0))
    assert caught.value.code == "ValidationException"
    assert str(caught.value) == (
        "1 validation error detected: Value '0' at "
        "'hyperParameterTuningJobConfig.resourceLimits.maxParallelTrainingJobs' failed to "
        "satisfy constraint: Member must have value greater than or equal to 1"
    )


def test_every_problem_is_reported_and_counted() -> None:
    request = _limits(MaxParallelTrainingJobs=0, MaxRuntimeInSeconds=100)
    request["HyperParameterTuningJobConfig"]["Strategy"] = "Bayes"
    with pytest.raises(ValidationException) as caught:
        validate_input(CREATE, request)
    message = caught.value.message
    assert message.startswith("3 validation errors detected: Value ")
    assert message.count("; Value ") == 2
    assert "Member must satisfy enum value set: [Bayesian, Random, Hyperband, Grid]" in message
    assert "'hyperParameterTuningJobConfig.resourceLimits.maxRuntimeInSeconds'" in message
    assert len(caught.value.problems) == 3


def test_one_value_violating_two_constraints_gives_two_problems() -> None:
    request = fx.seed()
    request["HyperParameterTuningJobName"] = "x_" * 20
    problems = _problems(CREATE, request)
    assert len(problems) == 2
    assert all(
        p.startswith(f"Value '{'x_' * 20}' at 'hyperParameterTuningJobName'") for p in problems
    )


def test_list_elements_are_one_based_members() -> None:
    request = fx.seed()
    request["TrainingJobDefinition"]["InputDataConfig"][1]["CompressionType"] = "gzip"
    assert _problems(CREATE, request) == [
        "Value 'gzip' at 'trainingJobDefinition.inputDataConfig.2.member.compressionType' failed "
        "to satisfy constraint: Member must satisfy enum value set: [None, Gzip]"
    ]


def test_list_of_strings_elements() -> None:
    request = fx.custom_image_request()
    ranges = request["HyperParameterTuningJobConfig"]["ParameterRanges"]
    ranges["CategoricalParameterRanges"][0]["Values"] = ["adam", "x" * 257]
    problems = _problems(CREATE, request)
    assert problems == [
        f"Value '{'x' * 257}' at 'hyperParameterTuningJobConfig.parameterRanges."
        "categoricalParameterRanges.1.member.values.2.member' failed to satisfy constraint: "
        "Member must have length less than or equal to 256"
    ]


def test_missing_required_member_in_optional_structure() -> None:
    request = fx.seed()
    request["TrainingJobDefinition"]["RetryStrategy"] = {}
    assert _problems(CREATE, request) == [
        "Value null at 'trainingJobDefinition.retryStrategy.maximumRetryAttempts' failed to "
        "satisfy constraint: Member must not be null"
    ]


def test_null_counts_as_absent() -> None:
    request = fx.seed()
    request["Tags"] = None
    assert _problems(CREATE, request) == []
    request["HyperParameterTuningJobName"] = None
    assert _problems(CREATE, request) == [
        "Value null at 'hyperParameterTuningJobName' failed to satisfy constraint: "
        "Member must not be null"
    ]


def test_unknown_members_are_named_with_the_allowed_ones() -> None:
    request = fx.seed()
    request["HyperParameterTuningJobConfig"]["Stratgy"] = "Random"
    request["Extra"] = 1
    problems = _problems(CREATE, request)
    assert problems[0].startswith("Unknown parameter 'Extra' in the request, must be one of: ")
    assert "HyperParameterTuningJobName, HyperParameterTuningJobConfig" in problems[0]
    assert problems[1] == (
        "Unknown parameter 'Stratgy' at 'hyperParameterTuningJobConfig', must be one of: "
        "Strategy, StrategyConfig, HyperParameterTuningJobObjective, ResourceLimits, "
        "ParameterRanges, TrainingJobEarlyStoppingType, TuningJobCompletionCriteria, RandomSeed"
    )


@pytest.mark.parametrize(
    ("value", "clause"),
    [
        ("3", "Member must be of type integer, got string"),
        (True, "Member must be of type integer, got boolean"),
        (2.0, "Member must be of type integer, got number"),
        (2**40, "Member must be a 32-bit integer (between -2147483648 and 2147483647)"),
        ([3], "Member must be of type integer, got list"),
    ],
)
def test_integer_members_take_ints_only(value: Any, clause: str) -> None:
    problems = _problems(CREATE, _limits(MaxParallelTrainingJobs=value))
    assert problems == [
        f"Value '{_shown(value)}' at 'hyperParameterTuningJobConfig.resourceLimits."
        f"maxParallelTrainingJobs' failed to satisfy constraint: {clause}"
    ]


def _shown(value: Any) -> str:
    if value is True:
        return "true"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def test_float_members_take_finite_numbers() -> None:
    request = fx.seed()
    criteria: dict[str, Any] = {"TargetObjectiveMetricValue": 1}
    request["HyperParameterTuningJobConfig"]["TuningJobCompletionCriteria"] = criteria
    assert _problems(CREATE, request) == []
    criteria["TargetObjectiveMetricValue"] = 0.95
    assert _problems(CREATE, request) == []
    for bad, clause in (
        (math.nan, "Member must be a finite number"),
        ("0.9", "Member must be of type float, got string"),
        (False, "Member must be of type float, got boolean"),
    ):
        criteria["TargetObjectiveMetricValue"] = bad
        (problem,) = _problems(CREATE, request)
        assert problem.endswith(clause)
        assert "'hyperParameterTuningJobConfig.tuningJobCompletionCriteria." in problem


def test_structures_maps_and_lists_have_their_types() -> None:
    request = fx.seed()
    request["TrainingJobDefinition"]["StaticHyperParameters"] = [("num_round", "10")]
    request["TrainingJobDefinition"]["InputDataConfig"] = {"ChannelName": "train"}
    request["HyperParameterTuningJobConfig"]["ResourceLimits"] = "lots"
    problems = _problems(CREATE, request)
    assert any(p.endswith("Member must be of type object, got string") for p in problems)
    assert any(p.endswith("Member must be of type map (an object), got list") for p in problems)
    assert any(p.endswith("Member must be of type list, got object") for p in problems)


def test_map_value_type_names_the_key() -> None:
    request = fx.seed()
    request["TrainingJobDefinition"]["StaticHyperParameters"]["num_round"] = 100
    assert _problems(CREATE, request) == [
        "Value '100' at 'trainingJobDefinition.staticHyperParameters.num_round' failed to "
        "satisfy constraint: Member must be of type string, got integer"
    ]


def test_map_key_constraint_lists_key_clauses() -> None:
    request = fx.seed()
    request["TrainingJobDefinition"]["Environment"] = {"1BAD": "x"}
    (problem,) = _problems(CREATE, request)
    assert problem == (
        "Value '{1BAD=x}' at 'trainingJobDefinition.environment' failed to satisfy constraint: "
        "Map key must satisfy constraint: [Member must have length less than or equal to 512, "
        "Member must have length greater than or equal to 0, Member must satisfy regular "
        "expression pattern: [a-zA-Z_][a-zA-Z0-9_]*]"
    )


def test_tags_use_unicode_categories() -> None:
    request = fx.seed()
    request["Tags"] = [{"Key": "Équipe 名前 ٣", "Value": "données_1.0:/=+-@"}]
    assert _problems(CREATE, request) == []
    request["Tags"] = [{"Key": "ok", "Value": "no#hash"}, {"Key": "", "Value": "v"}]
    problems = _problems(CREATE, request)
    assert problems == [
        "Value 'no#hash' at 'tags.1.member.value' failed to satisfy constraint: Member must "
        "satisfy regular expression pattern: ([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)",
        "Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length "
        "greater than or equal to 1",
    ]


def test_patterns_match_the_whole_value_and_not_newlines() -> None:
    request = fx.seed()
    request["TrainingJobDefinition"]["OutputDataConfig"]["S3OutputPath"] = "see s3://b/out"
    assert len(_problems(CREATE, request)) == 1
    request = fx.seed()
    ranges = request["HyperParameterTuningJobConfig"]["ParameterRanges"]
    ranges["IntegerParameterRanges"][0]["MaxValue"] = "10\n"
    (problem,) = _problems(CREATE, request)
    assert "integerParameterRanges.1.member.maxValue" in problem
    request = fx.seed()
    request["TrainingJobDefinition"]["Environment"] = {"SCRIPT": "line 1\nline 2"}
    assert _problems(CREATE, request) == []


@pytest.mark.parametrize(
    "when",
    [
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        1_764_000_000,
        1_764_000_000.5,
        "2026-01-01T00:00:00Z",
        "2026-01-01",
        "1764000000",
    ],
)
def test_timestamps_accept_datetime_epoch_and_iso(when: Any) -> None:
    validate_input("ListHyperParameterTuningJobs", {"CreationTimeAfter": when})


@pytest.mark.parametrize("when", ["yesterday", True, math.inf, [2026]])
def test_timestamps_reject_other_values(when: Any) -> None:
    (problem,) = _problems("ListHyperParameterTuningJobs", {"CreationTimeAfter": when})
    assert "'creationTimeAfter' failed to satisfy constraint: Member must be" in problem


def test_other_operations_are_validated_from_the_same_model() -> None:
    validate_input("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "a-1"})
    validate_input("ListHyperParameterTuningJobs", {})
    validate_input(
        "ListTrainingJobsForHyperParameterTuningJob",
        {"HyperParameterTuningJobName": "a", "SortBy": "FinalObjectiveMetricValue"},
    )
    assert _problems("DescribeTrainingJob", {}) == [
        "Value null at 'trainingJobName' failed to satisfy constraint: Member must not be null"
    ]
    assert _problems("ListHyperParameterTuningJobs", {"MaxResults": 101, "SortBy": "Size"}) == [
        "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less "
        "than or equal to 100",
        "Value 'Size' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value "
        "set: [Name, Status, CreationTime]",
    ]
    problems = _problems("CreateModel", {"ModelName": "my_model"})
    assert problems == [
        "Value 'my_model' at 'modelName' failed to satisfy constraint: Member must satisfy "
        "regular expression pattern: [a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?"
    ]


def test_unknown_operation_and_non_object_input() -> None:
    with pytest.raises(UnknownOperationException, match="CreateTuningJob"):
        validate_input("CreateTuningJob", {})
    with pytest.raises(ValidationException, match="must be an object"):
        validate_input(CREATE, ["not", "a", "dict"])  # type: ignore[arg-type]


def test_java_pattern_translation() -> None:
    assert full_match("[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*", "Ça va? 😀 ✓")
    assert not full_match("[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*", "tab\there")
    surrogates = "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*"
    assert full_match(surrogates, "emoji 😀\tok")
    assert not full_match(surrogates, "bell \x07")
    assert full_match("([\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*)${1,128}", "key-1")
    assert full_match("arn:[\\p{Alnum}\\-]+:lambda:.*", "arn:aws-cn:lambda:x")
    assert not full_match("arn:[\\p{Alnum}\\-]+:lambda:.*", "arn:ä:lambda:x")
    assert translate("\\p{N}+").startswith("[")


@pytest.mark.parametrize(
    ("value", "text"),
    [(3, "3.0"), (0.5, "0.5"), (12345678.0, "1.2345678E7"), (1e-4, "1.0E-4"), (0, "0.0")],
)
def test_counts_print_as_java_doubles(value: float, text: str) -> None:
    assert java_double(value) == text
