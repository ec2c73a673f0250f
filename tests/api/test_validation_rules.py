"""One rejected request (at least) per validation rule, table-driven.

Each case builds a valid request, breaks exactly one rule and asserts that validation raises a
``ValidationException`` whose message names the member path — and is SageMaker's exact text
where the reference quotes it.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from localtune.api.validation import check_create_tuning_job, validate_create_tuning_job
from localtune.api.validation.create import RULES
from localtune.errors import ValidationException
from tests.api import validation_fixtures as fx

Request = dict[str, Any]

CONFIG = "HyperParameterTuningJobConfig"
RANGES = f"{CONFIG}.ParameterRanges"
DEF = "TrainingJobDefinition"


def _walk(request: Request, path: str) -> tuple[Any, str | int]:
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in path.split(".")]
    node: Any = request
    for part in parts[:-1]:
        node = node[part]
    return node, parts[-1]


def put(request: Request, path: str, value: Any) -> Request:
    node, key = _walk(request, path)
    if isinstance(node, list) and key == len(node):
        node.append(value)
    else:
        node[key] = value
    return request


def drop(request: Request, path: str) -> Request:
    node, key = _walk(request, path)
    del node[key]
    return request


def edit(base: Callable[[], Request], *changes: tuple[str, Any]) -> Callable[[], Request]:
    """A builder: ``base()`` with ``(path, value)`` changes; value ``DROP`` deletes."""

    def build() -> Request:
        request = base()
        for path, value in changes:
            if value is DROP:
                drop(request, path)
            else:
                put(request, path, copy.deepcopy(value))
        return request

    return build


DROP = object()


@dataclass(frozen=True)
class Case:
    rule: str
    build: Callable[[], Request]
    fragment: str  # the member path (or another fragment) the message must contain
    exact: str | None = None  # SageMaker's verbatim message, where the reference quotes it
    parents: tuple[Request, ...] = ()
    count: int = 1  # problems the change causes (one rule can word several)


def _ranges(n_int: int, n_cont: int, n_cat: int) -> dict[str, Any]:
    return {
        "IntegerParameterRanges": [
            {"Name": f"i{k}", "MinValue": "1", "MaxValue": "9"} for k in range(n_int)
        ],
        "ContinuousParameterRanges": [
            {"Name": f"c{k}", "MinValue": "0", "MaxValue": "1"} for k in range(n_cont)
        ],
        "CategoricalParameterRanges": [
            {"Name": f"k{k}", "Values": ["a", "b"]} for k in range(n_cat)
        ],
    }


def _with_parent_change(kind: str, *changes: tuple[str, Any]) -> Callable[[], Request]:
    return edit(lambda: fx.warm_start(fx.seed(), kind), *changes)


PARENT = fx.parent_description(fx.seed())
MULTI_PARENT = fx.parent_description(fx.multi_request())
OLD_PARENT = {**PARENT, "CreationTime": dt.datetime(2018, 9, 1)}
ENV_25 = {f"V{k}": "x" for k in range(25)}
MAP_MESSAGE = (
    "Map value must satisfy constraint: [Member must have length less than or equal to 2500, "
    "Member must have length greater than or equal to 0, Member must satisfy regular "
    "expression pattern: .*]"
)
SPOT_MESSAGE = (
    "Invalid MaxWaitTimeInSeconds. It is only supported when EnableManagedSpotTraining is set "
    "to true"
)
METRIC_MESSAGE = (
    "A metric is required for this hyperparameter tuning job objective. Provide a metric in "
    "the metric definitions."
)
COMBINATIONS_MESSAGE = (
    "You don't have enough combinations of hyperparameter ranges. The total number of "
    "hyperparameter combinations for the provided ranges [3.0] must be equal or greater than "
    "the value of MaxNumberOfJobs, [10]. Provide additional ranges."
)
NAME_SET_MESSAGE = (
    "The set of tunable plus static HyperParameter names is not the same across current and "
    "parent tuning jobs. Please ensure this set is constant when warm starting. Note that "
    "previously static HyperParameters can be tuned in warm start jobs and vice versa."
)

CASES = [
    # V1 required members, V2 constraints, V3 unknown members (model level)
    Case("V1", edit(fx.seed, (f"{CONFIG}.ResourceLimits.MaxParallelTrainingJobs", DROP)),
         "hyperParameterTuningJobConfig.resourceLimits.maxParallelTrainingJobs",
         "1 validation error detected: Value null at 'hyperParameterTuningJobConfig."
         "resourceLimits.maxParallelTrainingJobs' failed to satisfy constraint: Member must "
         "not be null"),
    Case("V1", edit(fx.seed, (f"{DEF}.InputDataConfig.1.ChannelName", DROP)),
         "trainingJobDefinition.inputDataConfig.2.member.channelName"),
    Case("V1", edit(fx.seed, ("HyperParameterTuningJobName", DROP)),
         "'hyperParameterTuningJobName'"),
    Case("V2", edit(fx.seed, (f"{CONFIG}.ResourceLimits.MaxParallelTrainingJobs", 0)),
         "hyperParameterTuningJobConfig.resourceLimits.maxParallelTrainingJobs",
         "1 validation error detected: Value '0' at 'hyperParameterTuningJobConfig."
         "resourceLimits.maxParallelTrainingJobs' failed to satisfy constraint: Member must "
         "have value greater than or equal to 1"),
    Case("V2", edit(fx.seed, ("HyperParameterTuningJobName", "a" * 33)),
         "Member must have length less than or equal to 32", count=2),
    Case("V2", edit(fx.seed, (f"{CONFIG}.Strategy", "bayesian")),
         "hyperParameterTuningJobConfig.strategy",
         "1 validation error detected: Value 'bayesian' at 'hyperParameterTuningJobConfig."
         "strategy' failed to satisfy constraint: Member must satisfy enum value set: "
         "[Bayesian, Random, Hyperband, Grid]"),
    Case("V2", edit(fx.seed, (f"{DEF}.StaticHyperParameters.note", "two\nlines")),
         "trainingJobDefinition.staticHyperParameters", None),
    Case("V2", edit(fx.seed, (f"{CONFIG}.ResourceLimits.MaxRuntimeInSeconds", 20_000_000)),
         "hyperParameterTuningJobConfig.resourceLimits.maxRuntimeInSeconds"),
    Case("V2", edit(fx.seed, (f"{CONFIG}.ResourceLimits.MaxNumberOfTrainingJobs", "20")),
         "hyperParameterTuningJobConfig.resourceLimits.maxNumberOfTrainingJobs"),
    Case("V2", edit(fx.seed, (f"{CONFIG}.ResourceLimits.MaxNumberOfTrainingJobs", True)),
         "Member must be of type integer, got boolean"),
    Case("V2", edit(fx.custom_image_request, (f"{RANGES}.CategoricalParameterRanges.0.Values",
                                              [str(k) for k in range(31)])),
         "hyperParameterTuningJobConfig.parameterRanges.categoricalParameterRanges.1.member."
         "values"),
    Case("V2", edit(fx.sdk_request, ("Tags.0.Value", "semi;colon")), "tags.1.member.value"),
    Case("V2", edit(fx.seed, (f"{DEF}.EnableManagedSpotTraining", "true")),
         "trainingJobDefinition.enableManagedSpotTraining"),
    Case("V3", edit(fx.seed, (f"{CONFIG}.ResourceLimits.MaxParallelTrainingJob", 2)),
         "Unknown parameter 'MaxParallelTrainingJob' at "
         "'hyperParameterTuningJobConfig.resourceLimits'"),
    Case("V18", edit(fx.seed, (f"{DEF}.RoleArn", "arn:aws:iam::12345:role/too-short-acct")),
         "trainingJobDefinition.roleArn"),
    # V10–V17 training job definitions
    Case("V10", edit(fx.multi_request, (DEF, fx.sdk_request()[DEF])), "TrainingJobDefinitions"),
    Case("V10", edit(fx.seed, (DEF, DROP)), "TrainingJobDefinition"),
    Case("V11", edit(fx.multi_request, ("TrainingJobDefinitions.1.DefinitionName", DROP)),
         "TrainingJobDefinitions[1].DefinitionName"),
    Case("V11", edit(fx.multi_request, ("TrainingJobDefinitions.1.DefinitionName", "xgb")),
         "TrainingJobDefinitions[1].DefinitionName"),
    Case("V11", edit(fx.multi_request, ("TrainingJobDefinitions.0.TuningObjective", DROP)),
         "TrainingJobDefinitions[0].TuningObjective"),
    Case("V11", edit(fx.multi_request, ("TrainingJobDefinitions.0.HyperParameterRanges", DROP)),
         "TrainingJobDefinitions[0].HyperParameterRanges"),
    Case("V12", edit(fx.multi_request, (f"{CONFIG}.TrainingJobEarlyStoppingType", "Auto")),
         "HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType"),
    Case("V12", lambda: fx.warm_start(fx.multi_request()), "WarmStartConfig"),
    Case("V13", edit(fx.seed, (f"{DEF}.AlgorithmSpecification.AlgorithmName", "my-algo")),
         "TrainingJobDefinition.AlgorithmSpecification"),
    Case("V13", edit(fx.seed, (f"{DEF}.AlgorithmSpecification.TrainingImage", "")),
         "TrainingJobDefinition.AlgorithmSpecification"),
    Case("V14", edit(fx.sdk_request, (f"{DEF}.ResourceConfig", fx.seed()[DEF]["ResourceConfig"])),
         "TrainingJobDefinition"),
    Case("V14", edit(fx.seed, (f"{DEF}.ResourceConfig", DROP)), "TrainingJobDefinition"),
    Case("V14", edit(fx.sdk_request, (f"{DEF}.HyperParameterTuningResourceConfig.InstanceConfigs",
                                      [{"InstanceType": "ml.m5.xlarge", "InstanceCount": 1,
                                        "VolumeSizeInGB": 30}])),
         "TrainingJobDefinition.HyperParameterTuningResourceConfig.InstanceConfigs"),
    Case("V14", edit(fx.seed, (f"{DEF}.ResourceConfig.InstanceCount", 0)),
         "TrainingJobDefinition.ResourceConfig.InstanceCount"),
    Case("V14", edit(fx.seed, (f"{DEF}.ResourceConfig.InstanceType", "ml.g5.xlarge"),
                     (f"{DEF}.ResourceConfig.VolumeKmsKeyId", "alias/my-key")),
         "TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId"),
    Case("V15", edit(fx.seed, (f"{DEF}.StoppingCondition.MaxWaitTimeInSeconds", 7200)),
         "MaxWaitTimeInSeconds", SPOT_MESSAGE),
    Case("V15", edit(fx.seed, (f"{DEF}.EnableManagedSpotTraining", True),
                     (f"{DEF}.StoppingCondition.MaxWaitTimeInSeconds", 1800)),
         "TrainingJobDefinition.StoppingCondition.MaxWaitTimeInSeconds"),
    Case("V15", edit(fx.seed, (f"{DEF}.StoppingCondition.MaxRuntimeInSeconds", 2_419_201)),
         "TrainingJobDefinition.StoppingCondition.MaxRuntimeInSeconds"),
    Case("V16", edit(fx.seed, (f"{DEF}.InputDataConfig.1.ChannelName", "train")),
         "TrainingJobDefinition.InputDataConfig[1].ChannelName"),
    Case("V16", edit(fx.seed, (f"{DEF}.InputDataConfig.0.DataSource.S3DataSource.S3DataType",
                               "AugmentedManifestFile")),
         "TrainingJobDefinition.InputDataConfig[0]"),
    Case("V16", edit(fx.seed, (f"{DEF}.InputDataConfig.0.InputMode", "FastFile"),
                     (f"{DEF}.InputDataConfig.0.DataSource.S3DataSource.S3DataType",
                      "ManifestFile")),
         "TrainingJobDefinition.InputDataConfig[0]"),
    Case("V16", edit(fx.seed, (f"{DEF}.InputDataConfig.0.DataSource", {})),
         "TrainingJobDefinition.InputDataConfig[0].DataSource"),
    Case("V16", edit(fx.seed, (f"{DEF}.AlgorithmSpecification.TrainingInputMode", "Pipe"),
                     (f"{DEF}.InputDataConfig.0.DataSource", {"FileSystemDataSource": {
                         "FileSystemId": "fs-0123456789", "FileSystemAccessMode": "ro",
                         "FileSystemType": "FSxLustre", "DirectoryPath": "/fsx/train"}})),
         "TrainingJobDefinition.InputDataConfig[0]"),
    Case("V17", edit(fx.multi_request, ("TrainingJobDefinitions.0.Environment", ENV_25),
                     ("TrainingJobDefinitions.1.Environment", ENV_25)),
         "Environment"),
    # V20–V24 objective and metrics
    Case("V20", edit(fx.seed, (f"{CONFIG}.HyperParameterTuningJobObjective", DROP)),
         "HyperParameterTuningJobConfig.HyperParameterTuningJobObjective"),
    Case("V21", edit(fx.custom_image_request,
                     (f"{CONFIG}.HyperParameterTuningJobObjective.MetricName", "val:acc")),
         "metric definitions", METRIC_MESSAGE),
    Case("V22", edit(fx.seed, (f"{CONFIG}.HyperParameterTuningJobObjective.MetricName",
                               "train:auc")),
         "HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.MetricName"),
    Case("V22", edit(fx.seed, (f"{CONFIG}.HyperParameterTuningJobObjective.Type", "Minimize")),
         "HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.Type"),
    Case("V23", edit(fx.custom_image_request,
                     (f"{DEF}.AlgorithmSpecification.MetricDefinitions.1",
                      {"Name": "val:loss", "Regex": "loss: ([0-9.]+)"})),
         "TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions[1].Name"),
    Case("V24", edit(fx.custom_image_request,
                     (f"{DEF}.AlgorithmSpecification.MetricDefinitions.0.Regex", "loss=([0-9")),
         "TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions[0].Regex"),
    Case("V24", edit(fx.custom_image_request,
                     (f"{DEF}.AlgorithmSpecification.MetricDefinitions.0.Regex", "loss=[0-9]+")),
         "TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions[0].Regex"),
    # V30–V37 parameter ranges
    Case("V30", edit(fx.sdk_request, (RANGES, _ranges(0, 0, 0))),
         "HyperParameterTuningJobConfig.ParameterRanges"),
    Case("V30", edit(fx.custom_image_request, (RANGES, _ranges(11, 10, 10))),
         "HyperParameterTuningJobConfig.ParameterRanges"),
    Case("V31", edit(fx.custom_image_request,
                     (f"{DEF}.StaticHyperParameters", {f"s{k}": "1" for k in range(97)})),
         "TrainingJobDefinition"),
    Case("V32", edit(fx.custom_image_request, (f"{RANGES}.IntegerParameterRanges.0.Name", "lr")),
         "HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges[0].Name"),
    Case("V32", edit(fx.custom_image_request, (f"{RANGES}.IntegerParameterRanges.0.Name",
                                               "epochs")),
         "HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges[0].Name"),
    Case("V32", edit(fx.custom_image_request, (f"{RANGES}.IntegerParameterRanges.0.Name", "")),
         "HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges[0].Name"),
    Case("V33", edit(fx.seed, (f"{RANGES}.IntegerParameterRanges.0.MinValue", "1.5")),
         "HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges[0].MinValue"),
    Case("V33", edit(fx.seed, (f"{RANGES}.ContinuousParameterRanges.0.MaxValue", "one")),
         "HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges[0].MaxValue"),
    Case("V33", edit(fx.seed, (f"{RANGES}.ContinuousParameterRanges.0.MaxValue", "Infinity")),
         "HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges[0].MaxValue"),
    Case("V33", edit(fx.seed, (f"{RANGES}.ContinuousParameterRanges.1.MaxValue", "nan")),
         "HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges[1].MaxValue"),
    Case("V33", edit(fx.seed, (f"{RANGES}.IntegerParameterRanges.0.MinValue", "11")),
         "HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges[0]"),
    Case("V33", edit(fx.seed, (f"{RANGES}.ContinuousParameterRanges.0.MinValue", "1")),
         "HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges[0]"),
    Case("V33", edit(fx.custom_image_request,
                     (f"{RANGES}.CategoricalParameterRanges.0.Values", ["adam"])),
         "HyperParameterTuningJobConfig.ParameterRanges.CategoricalParameterRanges[0].Values"),
    Case("V33", edit(fx.custom_image_request,
                     (f"{RANGES}.CategoricalParameterRanges.0.Values", ["adam", "sgd", "adam"])),
         "HyperParameterTuningJobConfig.ParameterRanges.CategoricalParameterRanges[0].Values"),
    Case("V34", edit(fx.seed, (f"{RANGES}.ContinuousParameterRanges.0.ScalingType",
                               "Logarithmic")),
         "HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges[0].ScalingType"),
    Case("V34", edit(fx.seed, (f"{RANGES}.IntegerParameterRanges.0.ScalingType",
                               "ReverseLogarithmic")),
         "HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges[0].ScalingType"),
    Case("V34", edit(fx.seed, (f"{RANGES}.ContinuousParameterRanges.0.ScalingType",
                               "ReverseLogarithmic")),
         "HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges[0].ScalingType"),
    Case("V35", edit(fx.custom_image_request,
                     (RANGES, {"IntegerParameterRanges": [
                         {"Name": "layers", "MinValue": "1", "MaxValue": "3"}]}),
                     (f"{CONFIG}.ResourceLimits.MaxNumberOfTrainingJobs", 10)),
         "MaxNumberOfJobs", COMBINATIONS_MESSAGE),
    Case("V36", edit(fx.seed, (f"{RANGES}.ContinuousParameterRanges.0.Name", "feature_xform")),
         "HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges[0].Name"),
    Case("V36", edit(fx.seed, (f"{RANGES}.CategoricalParameterRanges",
                               [{"Name": "booster", "Values": ["gbtree", "dart"]}])),
         "HyperParameterTuningJobConfig.ParameterRanges.CategoricalParameterRanges[0].Name"),
    Case("V36", edit(fx.seed, (f"{RANGES}.ContinuousParameterRanges.0.MaxValue", "2")),
         "HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges[0]"),
    Case("V36", edit(fx.seed, (f"{RANGES}.ContinuousParameterRanges.0.Name", "max_depth"),
                     (f"{RANGES}.IntegerParameterRanges.0.Name", "gamma")),
         "HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges[0]"),
    Case("V36", edit(fx.grid_request, (f"{RANGES}.CategoricalParameterRanges.0.Values",
                                       ["3", "-1", "deep"])),
         "HyperParameterTuningJobConfig.ParameterRanges.CategoricalParameterRanges[0]"),
    Case("V37", edit(fx.seed, (f"{RANGES}.AutoParameters",
                               [{"Name": "gamma", "ValueHint": "1"}])),
         "HyperParameterTuningJobConfig.ParameterRanges.AutoParameters"),
    # V40–V44 strategies and limits
    Case("V40", edit(fx.grid_request, (f"{RANGES}.IntegerParameterRanges",
                                       [{"Name": "gamma", "MinValue": "1", "MaxValue": "9"}])),
         "HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges[0]"),
    Case("V41", edit(fx.grid_request, (f"{CONFIG}.ResourceLimits.MaxNumberOfTrainingJobs", 5)),
         "HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs"),
    Case("V41", edit(fx.custom_image_request, (f"{CONFIG}.Strategy", "Grid"),
                     (f"{CONFIG}.ResourceLimits", {"MaxParallelTrainingJobs": 1}),
                     (RANGES, {"CategoricalParameterRanges": [
                         {"Name": f"k{i}", "Values": ["a", "b", "c"]} for i in range(7)]})),
         "Grid strategy can run at most 750"),
    Case("V42", edit(fx.hyperband_request, (f"{CONFIG}.TrainingJobEarlyStoppingType", "Auto")),
         "HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType"),
    Case("V42", edit(fx.hyperband_request, (f"{DEF}.StaticHyperParameters", {})),
         "HyperParameterTuningJobConfig.StrategyConfig.HyperbandStrategyConfig.MaxResource"),
    Case("V42", edit(fx.hyperband_request,
                     (f"{CONFIG}.StrategyConfig.HyperbandStrategyConfig.MaxResource", 20_001)),
         "HyperParameterTuningJobConfig.StrategyConfig.HyperbandStrategyConfig"),
    Case("V42", edit(fx.hyperband_request, (f"{DEF}.StaticHyperParameters.epochs", "ten")),
         "TrainingJobDefinition.StaticHyperParameters.epochs"),
    Case("V42", edit(fx.hyperband_request,
                     (f"{CONFIG}.StrategyConfig.HyperbandStrategyConfig.MinResource", 11)),
         "HyperParameterTuningJobConfig.StrategyConfig.HyperbandStrategyConfig.MinResource"),
    Case("V44", edit(fx.seed, (f"{CONFIG}.ResourceLimits.MaxNumberOfTrainingJobs", 751)),
         "HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs"),
    Case("V44", edit(fx.seed, (f"{CONFIG}.Strategy", "Random"),
                     (f"{CONFIG}.ResourceLimits.MaxNumberOfTrainingJobs", 10_001)),
         "HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs"),
    Case("V44", edit(fx.seed, (f"{CONFIG}.ResourceLimits.MaxParallelTrainingJobs", 101)),
         "HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs"),
    Case("V50", edit(fx.seed, (f"{CONFIG}.TuningJobCompletionCriteria",
                               {"BestObjectiveNotImproving":
                                {"MaxNumberOfTrainingJobsNotImproving": 2}})),
         "hyperParameterTuningJobConfig.tuningJobCompletionCriteria.bestObjectiveNotImproving."
         "maxNumberOfTrainingJobsNotImproving"),
    # V60–V69 warm start (the parent is the seed request, stored as "parent-job")
    Case("V60", lambda: fx.warm_start(fx.seed()),
         "WarmStartConfig.ParentHyperParameterTuningJobs[0].HyperParameterTuningJobName"),
    Case("V60", lambda: fx.warm_start(fx.seed()),
         "has status 'InProgress'",
         parents=(fx.parent_description(fx.seed(), status="InProgress"),)),
    Case("V60", _with_parent_change("TransferLearning",
                                    ("WarmStartConfig.ParentHyperParameterTuningJobs.0", {})),
         "WarmStartConfig.ParentHyperParameterTuningJobs[0].HyperParameterTuningJobName",
         parents=(PARENT,)),
    Case("V60", _with_parent_change("TransferLearning",
                                    ("WarmStartConfig.ParentHyperParameterTuningJobs.1",
                                     {"HyperParameterTuningJobName": "Parent-Job"})),
         "WarmStartConfig.ParentHyperParameterTuningJobs[1].HyperParameterTuningJobName",
         parents=(PARENT,)),
    Case("V61", lambda: fx.warm_start(fx.seed()), "before 2018-10-01", parents=(OLD_PARENT,)),
    Case("V61", lambda: fx.warm_start(fx.seed()), "created on 2018-01-01",
         parents=({**PARENT, "CreationTime": 1_514_764_800.0},)),
    Case("V62", _with_parent_change("TransferLearning",
                                    (f"{CONFIG}.HyperParameterTuningJobObjective",
                                     {"Type": "Minimize", "MetricName": "validation:logloss"})),
         "HyperParameterTuningJobConfig.HyperParameterTuningJobObjective", parents=(PARENT,)),
    Case("V63", _with_parent_change("TransferLearning", (f"{DEF}.StaticHyperParameters.seed",
                                                         "7")),
         "HyperParameter names", NAME_SET_MESSAGE, parents=(PARENT,)),
    Case("V64", _with_parent_change("TransferLearning",
                                    (f"{RANGES}.ContinuousParameterRanges.0", DROP),
                                    (f"{RANGES}.CategoricalParameterRanges",
                                     [{"Name": "eta", "Values": ["0.1", "0.2"]}])),
         "HyperParameterTuningJobConfig.ParameterRanges.CategoricalParameterRanges[0]",
         parents=(PARENT,)),
    Case("V65", _with_parent_change("TransferLearning",
                                    (f"{DEF}.StaticHyperParameters",
                                     {"eval_metric": "logloss", "num_round": "50",
                                      "objective": "reg:logistic", "rate_drop": "0.1",
                                      "tweedie_variance_power": "1.2", "eta": "0.1"}),
                                    (f"{RANGES}.ContinuousParameterRanges.0", DROP)),
         "TrainingJobDefinition.StaticHyperParameters", parents=(PARENT,)),
    Case("V66", _with_parent_change("IdenticalDataAndAlgorithm",
                                    (f"{DEF}.AlgorithmSpecification.TrainingImage",
                                     fx.XGB_IMAGE.replace("1.7-1", "1.5-1"))),
         "TrainingJobDefinition.AlgorithmSpecification.TrainingImage", parents=(PARENT,)),
    Case("V66", _with_parent_change("IdenticalDataAndAlgorithm",
                                    (f"{DEF}.InputDataConfig.0.DataSource.S3DataSource.S3Uri",
                                     "s3://elsewhere/train/")),
         "TrainingJobDefinition.InputDataConfig", parents=(PARENT,)),
    Case("V69", lambda: fx.warm_start(fx.seed()),
         "WarmStartConfig.ParentHyperParameterTuningJobs[0]", parents=(MULTI_PARENT,)),
    # V70 naming
    Case("V70", edit(fx.seed, ("HyperParameterTuningJobName", "-starts-with-hyphen")),
         "'hyperParameterTuningJobName' failed to satisfy constraint: Member must satisfy "
         "regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}"),
    Case("V70", edit(fx.seed, ("HyperParameterTuningJobName", "under_score")),
         "'hyperParameterTuningJobName'"),
]  # fmt: skip


def _lookup(parents: tuple[Request, ...]) -> Callable[[str], Request | None]:
    by_name = {p["HyperParameterTuningJobName"].lower(): p for p in parents}
    return lambda name: by_name.get(name.lower())


def _case_id(case: Case) -> str:
    return f"{case.rule}-{case.fragment[:40]}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_rule_rejects_request(case: Case) -> None:
    request = case.build()
    with pytest.raises(ValidationException) as caught:
        validate_create_tuning_job(request, parent_lookup=_lookup(case.parents))
    error = caught.value
    assert error.code == "ValidationException"
    assert case.fragment in error.message
    if case.exact is not None and case.exact.startswith("1 validation error"):
        assert error.message == case.exact
    elif case.exact is not None:
        assert case.exact in error.problems


def test_every_rule_has_a_rejected_request() -> None:
    covered = {case.rule for case in CASES}
    expected = {f"V{n}" for n in (1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21, 22, 23,
                                  24, 30, 31, 32, 33, 34, 35, 36, 37, 40, 41, 42, 44, 50, 60,
                                  61, 62, 63, 64, 65, 66, 69, 70)}  # fmt: skip
    assert expected <= covered


def test_each_case_breaks_only_its_rule() -> None:
    """The base of every case is valid, so each rejection is due to the case's own change."""
    for case in CASES:
        problems = check_create_tuning_job(case.build(), parent_lookup=_lookup(case.parents))
        assert len(problems) == case.count, (case.rule, problems)
        assert any(case.fragment in p for p in problems), (case.rule, problems)


def test_map_value_message_is_sagemakers() -> None:
    request = edit(fx.seed, (f"{DEF}.StaticHyperParameters.note", "two\nlines"))()
    problems = check_create_tuning_job(request)
    assert len(problems) == 1
    assert problems[0].startswith("Value '{")
    assert problems[0].endswith(
        "at 'trainingJobDefinition.staticHyperParameters' failed to satisfy constraint: "
        + MAP_MESSAGE
    )


def test_builtin_categorical_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    """V36 for a tunable categorical hyperparameter (none is tunable in today's container, so
    the spec is patched): values must be among the choices, and only a categorical range fits."""
    from localtune.runtime.xgb import spec

    booster = dataclasses.replace(spec.HYPERPARAMETERS["booster"], tunable=True)
    monkeypatch.setattr(spec, "HYPERPARAMETERS", {**spec.HYPERPARAMETERS, "booster": booster})
    request = fx.seed()
    ranges = request[CONFIG]["ParameterRanges"]
    ranges["CategoricalParameterRanges"] = [{"Name": "booster", "Values": ["gbtree", "dart"]}]
    assert check_create_tuning_job(request) == []
    ranges["CategoricalParameterRanges"][0]["Values"] = ["gbtree", "forest"]
    (problem,) = check_create_tuning_job(request)
    assert problem.startswith(
        "The value 'forest' of HyperParameterTuningJobConfig.ParameterRanges."
        "CategoricalParameterRanges[0] is not valid for the XGBoost hyperparameter 'booster', "
        "whose valid values are gbtree, gblinear, dart."
    )
    ranges["CategoricalParameterRanges"] = []
    ranges["IntegerParameterRanges"].append({"Name": "booster", "MinValue": "0", "MaxValue": "2"})
    (problem,) = check_create_tuning_job(request)
    assert problem.endswith("is categorical in the built-in XGBoost algorithm. Use a "
                            "CategoricalParameterRange.")  # fmt: skip


def test_every_semantic_rule_cites_its_v_number() -> None:
    for rule in RULES:
        number = rule.__name__.split("_")[0].upper()
        assert (rule.__doc__ or "").lstrip().startswith(f"{number}:"), rule.__name__
