"""Every numeric limit of the reference (§3, §10) at its boundary: the largest (or smallest)
valid value is accepted, one step beyond is rejected with exactly one problem naming the member,
the value and the limit. One violated fact gives one problem, even where a semantic rule restates
a limit of the service model (AWS reports the constraint and nothing else for it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from localtune.api.validation import check_create_tuning_job
from tests.api import validation_fixtures as fx

Request = dict[str, Any]
C = "HyperParameterTuningJobConfig"
D = "TrainingJobDefinition"


def _custom(ranges: dict[str, list[dict[str, Any]]]) -> Request:
    request = fx.custom_image_request()
    request[C]["ParameterRanges"] = ranges
    return request


def _continuous(count: int) -> list[dict[str, Any]]:
    return [{"Name": f"c{i}", "MinValue": "0", "MaxValue": "1"} for i in range(count)]


def _integer(count: int) -> list[dict[str, Any]]:
    return [{"Name": f"i{i}", "MinValue": "0", "MaxValue": "9"} for i in range(count)]


def ranges_total(n_int: int, n_cont: int) -> Request:
    return _custom(
        {
            "IntegerParameterRanges": _integer(n_int),
            "ContinuousParameterRanges": _continuous(n_cont),
        }
    )


def categorical_values(count: int) -> Request:
    values = [f"v{i}" for i in range(count)]
    return _custom({"CategoricalParameterRanges": [{"Name": "opt", "Values": values}]})


def static_count(count: int) -> Request:
    """``count`` static hyperparameters next to the 3 tuned ones (+1 objective metric)."""
    request = fx.custom_image_request()
    request[D]["StaticHyperParameters"] = {f"s{i}": "1" for i in range(count)}
    return request


def metric_definitions(count: int) -> Request:
    request = fx.custom_image_request()
    extra = [{"Name": f"m{i}", "Regex": f"m{i}=(\\S+)"} for i in range(count - 1)]
    request[D]["AlgorithmSpecification"]["MetricDefinitions"] += extra
    return request


def tags(count: int, key_len: int = 3, value_len: int = 1) -> Request:
    request = fx.sdk_request()
    request["Tags"] = [
        {"Key": f"k{i:02d}" + "k" * (key_len - 3), "Value": "v" * value_len} for i in range(count)
    ]
    return request


def environment(count: int, value_len: int = 1) -> Request:
    request = fx.sdk_request()
    request[D]["Environment"] = {f"E{i}": "v" * value_len for i in range(count)}
    return request


def limits(**values: int) -> Request:
    request = fx.sdk_request()
    # a continuous range keeps the space infinite, so V35 never interferes
    request[C]["ResourceLimits"].update(values)
    return request


def member(path: str, value: Any, base: Callable[[], Request] = fx.sdk_request) -> Request:
    request = base()
    node: Any = request
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return request


def hyperband(max_resource: int) -> Request:
    request = fx.hyperband_request()
    request[C]["StrategyConfig"]["HyperbandStrategyConfig"]["MaxResource"] = max_resource
    return request


def name(length: int) -> Request:
    return member("HyperParameterTuningJobName", "a" * length)


@dataclass(frozen=True)
class Boundary:
    label: str
    ok: Callable[[], Request]
    bad: Callable[[], Request]
    needles: tuple[str, ...]  # each must appear in the single problem of ``bad``


CASES = [
    Boundary(
        "ranges 30 in total",
        lambda: ranges_total(15, 15),
        lambda: ranges_total(15, 16),
        ("31", "30"),
    ),
    Boundary(
        "ranges 30 in one list",
        lambda: ranges_total(30, 0),
        lambda: ranges_total(31, 0),
        ("integerParameterRanges", "less than or equal to 30"),
    ),
    Boundary(
        "categorical values 30",
        lambda: categorical_values(30),
        lambda: categorical_values(31),
        ("categoricalParameterRanges.1.member.values", "less than or equal to 30"),
    ),
    Boundary(
        "hyperparameters 100",
        lambda: static_count(96),
        lambda: static_count(97),
        ("101", "100", "_tuning_objective_metric"),
    ),
    Boundary(
        "static map 100",
        lambda: static_count(96),
        lambda: static_count(101),
        ("staticHyperParameters", "less than or equal to 100"),
    ),
    Boundary(
        "metric definitions 40",
        lambda: metric_definitions(40),
        lambda: metric_definitions(41),
        ("metricDefinitions", "less than or equal to 40"),
    ),
    Boundary("tags 50", lambda: tags(50), lambda: tags(51), ("'tags'", "less than or equal to 50")),
    Boundary(
        "tag key 128",
        lambda: tags(1, key_len=128),
        lambda: tags(1, key_len=129),
        ("tags.1.member.key", "128"),
    ),
    Boundary(
        "tag value 256",
        lambda: tags(1, value_len=256),
        lambda: tags(1, value_len=257),
        ("tags.1.member.value", "256"),
    ),
    Boundary(
        "environment 48",
        lambda: environment(48),
        lambda: environment(49),
        ("trainingJobDefinition.environment", "less than or equal to 48"),
    ),
    Boundary(
        "environment value 512",
        lambda: environment(1, 512),
        lambda: environment(1, 513),
        ("trainingJobDefinition.environment", "512"),
    ),
    Boundary(
        "tuning runtime 120",
        lambda: limits(MaxRuntimeInSeconds=120),
        lambda: limits(MaxRuntimeInSeconds=119),
        ("maxRuntimeInSeconds", "greater than or equal to 120"),
    ),
    Boundary(
        "tuning runtime 15768000",
        lambda: limits(MaxRuntimeInSeconds=15_768_000),
        lambda: limits(MaxRuntimeInSeconds=15_768_001),
        ("maxRuntimeInSeconds", "15768000"),
    ),
    Boundary(
        "training jobs 750",
        lambda: limits(MaxNumberOfTrainingJobs=750),
        lambda: limits(MaxNumberOfTrainingJobs=751),
        ("MaxNumberOfTrainingJobs", "751", "750"),
    ),
    Boundary(
        "training jobs 1",
        lambda: limits(MaxNumberOfTrainingJobs=1),
        lambda: limits(MaxNumberOfTrainingJobs=0),
        ("maxNumberOfTrainingJobs", "greater than or equal to 1"),
    ),
    Boundary(
        "parallel 100",
        lambda: limits(MaxParallelTrainingJobs=100),
        lambda: limits(MaxParallelTrainingJobs=101),
        ("MaxParallelTrainingJobs", "101", "100"),
    ),
    Boundary(
        "parallel 1",
        lambda: limits(MaxParallelTrainingJobs=1),
        lambda: limits(MaxParallelTrainingJobs=0),
        ("maxParallelTrainingJobs", "greater than or equal to 1"),
    ),
    Boundary(
        "retries 30",
        lambda: member(f"{D}.RetryStrategy.MaximumRetryAttempts", 30),
        lambda: member(f"{D}.RetryStrategy.MaximumRetryAttempts", 31),
        ("maximumRetryAttempts", "30"),
    ),
    Boundary(
        "retries 1",
        lambda: member(f"{D}.RetryStrategy.MaximumRetryAttempts", 1),
        lambda: member(f"{D}.RetryStrategy.MaximumRetryAttempts", 0),
        ("maximumRetryAttempts", "1"),
    ),
    Boundary(
        "not improving 3",
        lambda: member(
            f"{C}.TuningJobCompletionCriteria.BestObjectiveNotImproving.MaxNumberOfTrainingJobsNotImproving",
            3,
        ),
        lambda: member(
            f"{C}.TuningJobCompletionCriteria.BestObjectiveNotImproving.MaxNumberOfTrainingJobsNotImproving",
            2,
        ),
        ("maxNumberOfTrainingJobsNotImproving", "3"),
    ),
    Boundary(
        "random seed 0",
        lambda: member(f"{C}.RandomSeed", 0),
        lambda: member(f"{C}.RandomSeed", -1),
        ("randomSeed", "0"),
    ),
    Boundary(
        "training runtime 28 days",
        lambda: member(f"{D}.StoppingCondition.MaxRuntimeInSeconds", 2_419_200),
        lambda: member(f"{D}.StoppingCondition.MaxRuntimeInSeconds", 2_419_201),
        ("MaxRuntimeInSeconds", "2419201", "2419200"),
    ),
    Boundary(
        "hyperband MaxResource 20000",
        lambda: hyperband(20_000),
        lambda: hyperband(20_001),
        ("MaxResource", "20001", "20000"),
    ),
    Boundary(
        "keep-alive 21600",
        lambda: member(
            f"{D}.ResourceConfig",
            {
                "InstanceType": "ml.m5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 30,
                "KeepAlivePeriodInSeconds": 21600,
            },
            _without_tuning_resources,
        ),
        lambda: member(
            f"{D}.ResourceConfig",
            {
                "InstanceType": "ml.m5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 30,
                "KeepAlivePeriodInSeconds": 21601,
            },
            _without_tuning_resources,
        ),
        ("keepAlivePeriodInSeconds", "21600"),
    ),
]


def _without_tuning_resources() -> Request:
    request = fx.sdk_request()
    del request[D]["HyperParameterTuningResourceConfig"]
    return request


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_limit_boundary(case: Boundary) -> None:
    assert check_create_tuning_job(case.ok()) == []
    problems = check_create_tuning_job(case.bad())
    assert len(problems) == 1, problems
    for needle in case.needles:
        assert needle in problems[0], (needle, problems[0])


def test_environment_over_48_across_definitions_is_one_problem() -> None:
    request = fx.multi_request()
    for definition in request["TrainingJobDefinitions"]:
        definition["Environment"] = {f"E{i}": "v" for i in range(24)}
    assert check_create_tuning_job(request) == []
    request["TrainingJobDefinitions"][1]["Environment"]["E24"] = "v"
    problems = check_create_tuning_job(request)
    assert len(problems) == 1 and "49" in problems[0] and "48" in problems[0]


def test_a_name_too_long_breaks_length_and_pattern() -> None:
    """33 characters violate both constraints of the name shape; AWS lists both."""
    assert check_create_tuning_job(name(32)) == []
    problems = check_create_tuning_job(name(33))
    assert [p.split("constraint: ")[1] for p in problems] == [
        "Member must have length less than or equal to 32",
        "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}",
    ]


def static_entry(key_len: int, value_len: int) -> Request:
    request = fx.custom_image_request()
    request[D]["StaticHyperParameters"] = {"k" * key_len: "v" * value_len}
    return request


def metric(name_len: int, regex_len: int) -> Request:
    request = fx.custom_image_request()
    regex = "m=(\\S+)" + "x" * (regex_len - 7)
    request[D]["AlgorithmSpecification"]["MetricDefinitions"].append(
        {"Name": "m" * name_len, "Regex": regex}
    )
    return request


def range_name(length: int) -> Request:
    request = fx.custom_image_request()
    request[C]["ParameterRanges"]["ContinuousParameterRanges"][0]["Name"] = "n" * length
    return request


def channels(count: int) -> Request:
    request = fx.sdk_request()
    template = request[D]["InputDataConfig"][0]
    request[D]["InputDataConfig"] = [{**template, "ChannelName": f"c{i}"} for i in range(count)]
    return request


def definitions(count: int) -> Request:
    request = fx.multi_request()
    first = request["TrainingJobDefinitions"][0]
    request["TrainingJobDefinitions"] = [{**first, "DefinitionName": f"d{i}"} for i in range(count)]
    return request


def instance_configs(count: int) -> Request:
    request = fx.sdk_request()
    config = {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}
    request[D]["HyperParameterTuningResourceConfig"] = {"InstanceConfigs": [config] * count}
    return request


MODEL_CASES = [
    Boundary(
        "static key 256",
        lambda: static_entry(256, 1),
        lambda: static_entry(257, 1),
        ("Map key must satisfy constraint", "256"),
    ),
    Boundary(
        "static value 2500",
        lambda: static_entry(3, 2500),
        lambda: static_entry(3, 2501),
        ("Map value must satisfy constraint", "2500"),
    ),
    Boundary(
        "range name 256",
        lambda: range_name(256),
        lambda: range_name(257),
        ("continuousParameterRanges.1.member.name", "256"),
    ),
    Boundary(
        "metric name 255",
        lambda: metric(255, 10),
        lambda: metric(256, 10),
        ("metricDefinitions.2.member.name", "255"),
    ),
    Boundary(
        "metric regex 500",
        lambda: metric(3, 500),
        lambda: metric(3, 501),
        ("metricDefinitions.2.member.regex", "500"),
    ),
    Boundary(
        "channels 20",
        lambda: channels(20),
        lambda: channels(21),
        ("inputDataConfig", "less than or equal to 20"),
    ),
    Boundary(
        "definitions 10",
        lambda: definitions(10),
        lambda: definitions(11),
        ("'trainingJobDefinitions'", "less than or equal to 10"),
    ),
    Boundary(
        "instance configs 6",
        lambda: instance_configs(6),
        lambda: instance_configs(7),
        ("instanceConfigs", "less than or equal to 6"),
    ),
]


@pytest.mark.parametrize("case", MODEL_CASES, ids=lambda c: c.label)
def test_model_limit_boundary(case: Boundary) -> None:
    test_limit_boundary(case)
