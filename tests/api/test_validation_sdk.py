"""Requests built by the real SageMaker Python SDK (v2) validate; a bad range is still caught.

The SDK is driven with a recording ``sagemaker_client`` (the SDK accepts any object with the
boto3 method names), so each test validates exactly the dict ``HyperparameterTuner.fit`` sends.
Skipped when the ``sagemaker`` package is not installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from localtune.api.validation import check_create_tuning_job
from tests.api import validation_fixtures as fx

os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
sagemaker = pytest.importorskip("sagemaker")
boto3 = pytest.importorskip("boto3")
from sagemaker.estimator import Estimator  # noqa: E402
from sagemaker.inputs import TrainingInput  # noqa: E402
from sagemaker.tuner import (  # noqa: E402
    CategoricalParameter,
    ContinuousParameter,
    HyperbandStrategyConfig,
    HyperparameterTuner,
    InstanceConfig,
    IntegerParameter,
    StrategyConfig,
    TuningJobCompletionCriteriaConfig,
    WarmStartConfig,
    WarmStartTypes,
)

Request = dict[str, Any]
ROLE = "arn:aws:iam::123456789012:role/service-role/LocaltuneExecutionRole"
INPUTS = {
    "train": TrainingInput("s3://bucket/train/", content_type="text/csv"),
    "validation": TrainingInput("s3://bucket/validation/", content_type="text/csv"),
}


class RecordingClient:
    """Stands in for ``boto3.client("sagemaker")``: records the tuning-job requests."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.session: Any = None

    def create_hyper_parameter_tuning_job(self, **request: Any) -> dict[str, str]:
        self.requests.append(request)
        name = request["HyperParameterTuningJobName"]
        arn = f"arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/{name}"
        return {"HyperParameterTuningJobArn": arn}


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    """One SDK session for the module (creating one costs about a second)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_CONFIG_FILE", os.devnull)
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        boto_session = boto3.Session(
            region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
        )
        recorder = RecordingClient()
        recorder.session = sagemaker.Session(
            boto_session=boto_session, sagemaker_client=recorder, default_bucket="bucket"
        )
        yield recorder.session


@pytest.fixture
def client(session: Any) -> RecordingClient:
    recorder: RecordingClient = session.sagemaker_client
    recorder.requests.clear()
    return recorder


def _estimator(client: RecordingClient, image: str = fx.XGB_IMAGE, **kwargs: Any) -> Any:
    estimator = Estimator(
        image_uri=image,
        role=ROLE,
        instance_count=1,
        instance_type="ml.m5.xlarge",
        output_path="s3://bucket/output",
        sagemaker_session=client.session,
        **kwargs,
    )
    estimator.set_hyperparameters(num_round=50, objective="binary:logistic", eval_metric="auc")
    return estimator


XGB_RANGES: dict[Any, Any] = {
    "eta": ContinuousParameter(0.05, 0.5),
    "alpha": ContinuousParameter(0.001, 2, scaling_type="Logarithmic"),
    "max_depth": IntegerParameter(2, 10),
}


def _sent(client: RecordingClient, tuner: Any, inputs: Any = INPUTS, **fit: Any) -> Request:
    tuner.fit(inputs, wait=False, **fit)
    return client.requests[-1]


def test_bayesian_xgboost_request(client: RecordingClient) -> None:
    tuner = HyperparameterTuner(
        _estimator(client), "validation:auc", XGB_RANGES, max_jobs=20, max_parallel_jobs=3
    )
    request = _sent(client, tuner)
    assert "HyperParameterTuningResourceConfig" in request["TrainingJobDefinition"]
    assert check_create_tuning_job(request) == []


def test_random_request_with_limits_seed_criteria_and_tags(client: RecordingClient) -> None:
    tuner = HyperparameterTuner(
        _estimator(client),
        "validation:logloss",
        XGB_RANGES,
        objective_type="Minimize",
        strategy="Random",
        max_jobs=100,
        max_parallel_jobs=10,
        max_runtime_in_seconds=3600,
        random_seed=7,
        early_stopping_type="Auto",
        tags=[{"Key": "team", "Value": "ml"}],
        completion_criteria_config=TuningJobCompletionCriteriaConfig(
            max_number_of_training_jobs_not_improving=10,
            complete_on_convergence=True,
            target_objective_metric_value=0.05,
        ),
    )
    assert check_create_tuning_job(_sent(client, tuner)) == []


def test_grid_request_without_max_jobs(client: RecordingClient) -> None:
    ranges: dict[Any, Any] = {
        "max_depth": CategoricalParameter([3, 5, 7]),
        "eta": CategoricalParameter([0.1, 0.3]),
    }
    tuner = HyperparameterTuner(_estimator(client), "validation:auc", ranges, strategy="Grid")
    request = _sent(client, tuner)
    # The SDK sends a JSON null, which the service reads as an absent member.
    limits = request["HyperParameterTuningJobConfig"]["ResourceLimits"]
    assert limits["MaxNumberOfTrainingJobs"] is None
    assert check_create_tuning_job(request) == []


def test_hyperband_request_on_a_custom_image(client: RecordingClient) -> None:
    estimator = _estimator(client, image=fx.CUSTOM_IMAGE)
    estimator.set_hyperparameters(epochs=30)
    tuner = HyperparameterTuner(
        estimator,
        "val:loss",
        {"lr": ContinuousParameter(1e-4, 1e-1, scaling_type="Logarithmic")},
        metric_definitions=[{"Name": "val:loss", "Regex": "val_loss=([0-9.]+)"}],
        objective_type="Minimize",
        strategy="Hyperband",
        strategy_config=StrategyConfig(HyperbandStrategyConfig(max_resource=30, min_resource=2)),
        max_jobs=40,
        max_parallel_jobs=4,
    )
    assert check_create_tuning_job(_sent(client, tuner)) == []


def test_instance_configs_request(client: RecordingClient) -> None:
    tuner = HyperparameterTuner(_estimator(client), "validation:auc", XGB_RANGES, max_jobs=4)
    tuner.override_resource_config(
        [InstanceConfig(1, "ml.m5.xlarge", 30), InstanceConfig(1, "ml.m5.2xlarge", 30)]
    )
    request = _sent(client, tuner)
    resources = request["TrainingJobDefinition"]["HyperParameterTuningResourceConfig"]
    assert len(resources["InstanceConfigs"]) == 2
    assert check_create_tuning_job(request) == []


def test_multi_estimator_request(client: RecordingClient) -> None:
    custom = _estimator(client, image=fx.CUSTOM_IMAGE)
    tuner = HyperparameterTuner.create(
        estimator_dict={"xgb": _estimator(client), "byoc": custom},
        objective_metric_name_dict={"xgb": "validation:auc", "byoc": "val:acc"},
        hyperparameter_ranges_dict={
            "xgb": XGB_RANGES,
            "byoc": {"lr": ContinuousParameter(0.001, 0.1)},
        },
        metric_definitions_dict={"byoc": [{"Name": "val:acc", "Regex": "acc=([0-9.]+)"}]},
        max_jobs=10,
        max_parallel_jobs=2,
    )
    request = _sent(client, tuner, inputs={"xgb": INPUTS, "byoc": INPUTS}, include_cls_metadata={})
    assert {d["DefinitionName"] for d in request["TrainingJobDefinitions"]} == {"xgb", "byoc"}
    assert check_create_tuning_job(request) == []


def test_warm_start_request_from_a_stored_parent(client: RecordingClient) -> None:
    first = HyperparameterTuner(_estimator(client), "validation:auc", XGB_RANGES, max_jobs=5)
    parent = fx.parent_description(_sent(client, first))
    parent_name = parent["HyperParameterTuningJobName"]
    for kind in (WarmStartTypes.IDENTICAL_DATA_AND_ALGORITHM, WarmStartTypes.TRANSFER_LEARNING):
        tuner = HyperparameterTuner(
            _estimator(client),
            "validation:auc",
            XGB_RANGES,
            max_jobs=5,
            warm_start_config=WarmStartConfig(kind, parents={parent_name}),
        )
        request = _sent(client, tuner)
        assert (
            check_create_tuning_job(
                request, parent_lookup=lambda name: parent if name == parent_name else None
            )
            == []
        )


def test_sdk_request_with_an_invalid_range_is_rejected(client: RecordingClient) -> None:
    ranges: dict[Any, Any] = {"eta": ContinuousParameter(0, 2), "max_depth": IntegerParameter(5, 2)}
    tuner = HyperparameterTuner(_estimator(client), "validation:auc", ranges, max_jobs=5)
    problems = check_create_tuning_job(_sent(client, tuner))
    assert len(problems) == 2
    assert "ContinuousParameterRanges[0]" in problems[1] and "'eta'" in problems[1]
    assert "IntegerParameterRanges[0] is greater than its MaxValue" in problems[0]
