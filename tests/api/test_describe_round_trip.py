"""A tuning job's description, stripped of what only a response carries, is a valid create
request again (cloning a tuning job from DescribeHyperParameterTuningJob, as users do with the
AWS CLI). Describe adds a ResourceConfig next to a HyperParameterTuningResourceConfig (what the
SDK's attach() reads); the two describe the same instances, so V14 accepts them together."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import localtune
from localtune.api.validation import check_create_tuning_job
from localtune.interfaces import services
from tests.api import validation_fixtures as fx

REQUEST_MEMBERS = (
    "HyperParameterTuningJobConfig",
    "TrainingJobDefinition",
    "TrainingJobDefinitions",
    "WarmStartConfig",
    "Autotune",
)


@pytest.fixture
def sm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("LOCALTUNE_ENGINE", "off")
    yield localtune.client(home=tmp_path)
    services.close_service(tmp_path)


@pytest.mark.parametrize(
    "build",
    [fx.sdk_request, fx.seed, fx.multi_request, fx.custom_image_request, fx.grid_request],
    ids=lambda f: f.__name__,
)
def test_a_description_can_be_submitted_again(sm: Any, build: Callable[[], dict[str, Any]]) -> None:
    request = build()
    sm.create_hyper_parameter_tuning_job(**request)
    name = request["HyperParameterTuningJobName"]
    described = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    clone = {key: described[key] for key in REQUEST_MEMBERS if key in described}
    clone["HyperParameterTuningJobName"] = "clone"
    assert check_create_tuning_job(clone) == []
    sm.create_hyper_parameter_tuning_job(**clone)


def test_resource_configs_that_disagree_are_still_rejected() -> None:
    request = fx.sdk_request()
    definition = request["TrainingJobDefinition"]
    definition["ResourceConfig"] = {
        "InstanceType": "ml.c5.xlarge",
        "InstanceCount": 1,
        "VolumeSizeInGB": 30,
    }
    problems = check_create_tuning_job(request)
    assert len(problems) == 1
    assert "ml.c5.xlarge" in problems[0] and "ml.m5.xlarge" in problems[0]
    assert "InstanceType" in problems[0]


def test_description_fills_what_sagemaker_fills(sm: Any) -> None:
    """An Autotune job on a custom image with neither objective nor metric definitions, ranges
    for one kind only, no MaxRuntimeInSeconds: the description has every range list, the
    one-day runtime and an empty MetricDefinitions (the SDK's attach() reads them all)."""
    request = fx.custom_image_request()
    request["Autotune"] = {"Mode": "Enabled"}
    config = request["HyperParameterTuningJobConfig"]
    del config["HyperParameterTuningJobObjective"]
    config["ParameterRanges"] = {
        "IntegerParameterRanges": [{"Name": "layers", "MinValue": "1", "MaxValue": "4"}]
    }
    definition = request["TrainingJobDefinition"]
    del definition["AlgorithmSpecification"]["MetricDefinitions"]
    definition["StoppingCondition"] = {}
    sm.create_hyper_parameter_tuning_job(**request)
    described = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="byoc-job")
    ranges = described["HyperParameterTuningJobConfig"]["ParameterRanges"]
    assert ranges["ContinuousParameterRanges"] == [] and ranges["CategoricalParameterRanges"] == []
    echoed = described["TrainingJobDefinition"]
    assert echoed["StoppingCondition"] == {"MaxRuntimeInSeconds": 86400}
    assert echoed["AlgorithmSpecification"]["MetricDefinitions"] == []
