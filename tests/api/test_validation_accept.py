"""Requests SageMaker accepts must pass: the seed, SDK-built requests, and every decision that
chose to accept where the reference leaves the service's behaviour open."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from localtune.api.validation import check_create_tuning_job, validate_create_tuning_job
from localtune.errors import ValidationException
from tests.api import validation_fixtures as fx

Request = dict[str, Any]
CONFIG = "HyperParameterTuningJobConfig"


def _config(request: Request) -> dict[str, Any]:
    config: dict[str, Any] = request[CONFIG]
    return config


def _ranges(request: Request) -> dict[str, Any]:
    ranges: dict[str, Any] = request[CONFIG]["ParameterRanges"]
    return ranges


def _static(request: Request) -> dict[str, str]:
    static: dict[str, str] = request["TrainingJobDefinition"]["StaticHyperParameters"]
    return static


def test_seed_example_validates() -> None:
    validate_create_tuning_job(fx.seed())


def test_sdk_built_request_validates() -> None:
    request = fx.sdk_request()
    assert "ResourceConfig" not in request["TrainingJobDefinition"]
    assert _ranges(request)["CategoricalParameterRanges"] == []
    validate_create_tuning_job(request)


def _autotune() -> Request:
    request = fx.sdk_request()
    request["Autotune"] = {"Mode": "Enabled"}
    request[CONFIG] = {"Strategy": "Bayesian", "ResourceLimits": {"MaxParallelTrainingJobs": 1}}
    return request


def _script_mode() -> Request:
    """XGBoost framework image running a user script: its own names and metrics."""
    request = fx.sdk_request()
    _static(request).update(
        {"sagemaker_program": '"train.py"', "sagemaker_submit_directory": '"s3://b/src.tgz"'}
    )
    _ranges(request)["ContinuousParameterRanges"][0]["Name"] = "feature_xform"
    _config(request)["HyperParameterTuningJobObjective"]["MetricName"] = "val:f1"
    request["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"] = [
        {"Name": "val:f1", "Regex": "f1=(\\S+)"}
    ]
    return request


def _discrete_with_jobs(request: Request, jobs: int) -> None:
    """Drop the continuous ranges (2 x 4 = 8 combinations remain) and ask for ``jobs`` jobs."""
    _ranges(request)["ContinuousParameterRanges"] = []
    _config(request)["ResourceLimits"]["MaxNumberOfTrainingJobs"] = jobs


def _set(path: str, value: Any) -> Callable[[Request], None]:
    def apply(request: Request) -> None:
        *parents, last = (int(p) if p.isdigit() else p for p in path.split("."))
        node: Any = request
        for part in parents:
            node = node[part]
        node[last] = copy.deepcopy(value)

    return apply


ACCEPTED: list[tuple[str, Callable[[], Request], Callable[[Request], None] | None]] = [
    ("custom image with metric definitions", fx.custom_image_request, None),
    ("two algorithms", fx.multi_request, None),
    ("grid over categorical values", fx.grid_request, None),
    ("hyperband inferring MaxResource from epochs", fx.hyperband_request, None),
    ("autotune without objective or ranges", _autotune, None),
    ("xgboost script mode with its own names", _script_mode, None),
    # V43: a StrategyConfig with another strategy is ignored
    ("bayesian with a hyperband config", fx.seed,
     _set(f"{CONFIG}.StrategyConfig", {"HyperbandStrategyConfig": {"MaxResource": 10}})),
    # V45: MaxNumberOfTrainingJobs may be omitted
    ("no MaxNumberOfTrainingJobs", fx.seed,
     _set(f"{CONFIG}.ResourceLimits", {"MaxParallelTrainingJobs": 2})),
    # V46: more parallel jobs than jobs
    ("parallel above max jobs", fx.seed,
     _set(f"{CONFIG}.ResourceLimits",
          {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 5})),
    ("grid without MaxNumberOfTrainingJobs", fx.grid_request,
     _set(f"{CONFIG}.ResourceLimits", {"MaxParallelTrainingJobs": 2})),
    ("random at its 10000 maximum", fx.seed,
     lambda r: _config(r).update(Strategy="Random", ResourceLimits={
         "MaxNumberOfTrainingJobs": 10_000, "MaxParallelTrainingJobs": 100})),
    ("hyperband with explicit MaxResource", fx.hyperband_request,
     _set(f"{CONFIG}.StrategyConfig.HyperbandStrategyConfig",
          {"MinResource": 2, "MaxResource": 20_000})),
    # V36: aliases, integer ranges over continuous hyperparameters, numeric categoricals
    ("xgboost alias learning_rate", fx.seed,
     _set(f"{CONFIG}.ParameterRanges.ContinuousParameterRanges.0.Name", "learning_rate")),
    ("integer range over a continuous hyperparameter", fx.seed,
     _set(f"{CONFIG}.ParameterRanges.IntegerParameterRanges.0",
          {"Name": "gamma", "MinValue": "0", "MaxValue": "5"})),
    ("xgboost eta at the bounds of its interval", fx.sdk_request,
     _set(f"{CONFIG}.ParameterRanges.ContinuousParameterRanges.0",
          {"Name": "eta", "MinValue": "0", "MaxValue": "1", "ScalingType": "Linear"})),
    # V36: static hyperparameters are left to the container at run time
    ("unknown static hyperparameter for xgboost", fx.seed,
     _set("TrainingJobDefinition.StaticHyperParameters.not_an_xgboost_name", "1")),
    ("out-of-range static hyperparameter for xgboost", fx.seed,
     _set("TrainingJobDefinition.StaticHyperParameters.subsample", "7")),
    # V33/V34 number spellings and scaling
    ("signed and exponent bounds", fx.custom_image_request,
     lambda r: _ranges(r).update(
         IntegerParameterRanges=[{"Name": "layers", "MinValue": "+1", "MaxValue": "12"}],
         ContinuousParameterRanges=[{"Name": "lr", "MinValue": "1e-5", "MaxValue": ".5",
                                     "ScalingType": "Logarithmic"},
                                    {"Name": "m", "MinValue": "0", "MaxValue": "0.999",
                                     "ScalingType": "ReverseLogarithmic"}])),
    # V35: exactly enough combinations
    ("discrete space exactly MaxNumberOfTrainingJobs", fx.custom_image_request,
     lambda r: _discrete_with_jobs(r, 8)),
    # V14: resources via InstanceConfigs, and V15 spot with enough wait
    ("instance configs", fx.sdk_request,
     _set("TrainingJobDefinition.HyperParameterTuningResourceConfig",
          {"InstanceConfigs": [{"InstanceType": "ml.m5.xlarge", "InstanceCount": 1,
                                "VolumeSizeInGB": 30}], "AllocationStrategy": "Prioritized"})),
    ("managed spot training", fx.seed,
     lambda r: r["TrainingJobDefinition"].update(
         EnableManagedSpotTraining=True,
         StoppingCondition={"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200})),
    ("completion criteria", fx.seed,
     _set(f"{CONFIG}.TuningJobCompletionCriteria", {
         "TargetObjectiveMetricValue": 0.99, "ConvergenceDetected": {
             "CompleteOnConvergence": "Enabled"},
         "BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 3}})),
    ("a 32-character name", fx.seed, _set("HyperParameterTuningJobName", "a-" * 15 + "bc")),
]  # fmt: skip


@pytest.mark.parametrize(("label", "base", "change"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted(
    label: str, base: Callable[[], Request], change: Callable[[Request], None] | None
) -> None:
    request = base()
    if change is not None:
        change(request)
    assert check_create_tuning_job(request) == [], label


def _lookup(parent: Request) -> Callable[[str], Request | None]:
    return lambda name: parent if name.lower() == "parent-job" else None


@pytest.mark.parametrize("kind", ["IdenticalDataAndAlgorithm", "TransferLearning"])
@pytest.mark.parametrize("status", ["Completed", "Stopped", "Failed"])
def test_warm_start_from_finished_parent(kind: str, status: str) -> None:
    parent = fx.parent_description(fx.seed(), status=status)
    validate_create_tuning_job(fx.warm_start(fx.seed(), kind), parent_lookup=_lookup(parent))


def test_warm_start_may_swap_static_and_tuned() -> None:
    """A name can move between static and tuned; up to 10 static changes are allowed."""
    parent = fx.parent_description(fx.seed())
    child = fx.warm_start(fx.seed(), "TransferLearning")
    ranges, static = _ranges(child), _static(child)
    ranges["ContinuousParameterRanges"] = [
        r for r in ranges["ContinuousParameterRanges"] if r["Name"] != "eta"
    ]
    ranges["IntegerParameterRanges"].append(
        {"Name": "num_round", "MinValue": "10", "MaxValue": "200"}
    )
    del static["num_round"]
    static.update(eta="0.2", objective="reg:logistic", eval_metric="logloss")
    # 1 (eta: tuned -> static) + 2 changed values x 2 = 5
    assert check_create_tuning_job(child, parent_lookup=_lookup(parent)) == []
    static.update(rate_drop="0.1", tweedie_variance_power="1.2")  # 9
    assert check_create_tuning_job(child, parent_lookup=_lookup(parent)) == []
    ranges["IntegerParameterRanges"] = ranges["IntegerParameterRanges"][1:]
    static["max_depth"] = "4"  # 10
    assert check_create_tuning_job(child, parent_lookup=_lookup(parent)) == []
    ranges["ContinuousParameterRanges"] = ranges["ContinuousParameterRanges"][1:]
    static["alpha"] = "0.5"  # 11
    (problem,) = check_create_tuning_job(child, parent_lookup=_lookup(parent))
    assert "makes 11 changes" in problem


def test_transfer_learning_may_change_image_and_data() -> None:
    parent = fx.parent_description(fx.seed())
    child = fx.warm_start(fx.seed(), "TransferLearning")
    spec = child["TrainingJobDefinition"]["AlgorithmSpecification"]
    spec["TrainingImage"] = spec["TrainingImage"].replace("1.7-1", "3.0-5")
    channel = child["TrainingJobDefinition"]["InputDataConfig"][0]
    channel["DataSource"]["S3DataSource"]["S3Uri"] = "s3://new-data/train/"
    assert check_create_tuning_job(child, parent_lookup=_lookup(parent)) == []


def test_v31_with_autotune_counts_the_auto_parameters() -> None:
    # static + tuned + 40 AutoParameters + _tuning_objective_metric = 101 per training job
    request = fx.custom_image_request()
    request["Autotune"] = {"Mode": "Enabled"}
    tuned = sum(len(v) for k, v in _ranges(request).items() if k.endswith("ParameterRanges"))
    static = _static(request)
    static.update({f"s{k}": "1" for k in range(60 - tuned - len(static))})
    _ranges(request)["AutoParameters"] = [{"Name": f"a{k}", "ValueHint": "0.5"} for k in range(40)]
    with pytest.raises(ValidationException) as info:
        validate_create_tuning_job(request)
    assert "has 101 hyperparameters (static, tuned, AutoParameters and" in str(info.value)
    _ranges(request)["AutoParameters"].pop()
    validate_create_tuning_job(request)  # 100 is the limit
