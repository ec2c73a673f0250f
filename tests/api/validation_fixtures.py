"""Valid CreateHyperParameterTuningJob requests of every kind, for the validation tests."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SEED_PATH = ROOT / "localtune" / "examples" / "seed-xgboost-bayesian.json"
XGB_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
CUSTOM_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-trainer:latest"
ROLE = "arn:aws:iam::123456789012:role/service-role/LocaltuneExecutionRole"


def seed() -> dict[str, Any]:
    """The project's seed example (built-in XGBoost, Bayesian)."""
    request: dict[str, Any] = json.loads(SEED_PATH.read_text())
    return request


def _channel(name: str, uri: str) -> dict[str, Any]:
    return {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": uri,
                "S3DataDistributionType": "FullyReplicated",
            }
        },
        "ContentType": "text/csv",
    }


def sdk_request() -> dict[str, Any]:
    """The request SageMaker Python SDK v2 sends for a generic Estimator on the XGBoost image
    (ecosystem.md §3): every hyperparameter a string, all three range lists present (empty when
    unused), ``ScalingType: "Auto"``, ``TrainingJobEarlyStoppingType: "Off"``,
    ``HyperParameterTuningResourceConfig`` instead of ResourceConfig, no MetricDefinitions."""
    return {
        "HyperParameterTuningJobName": "sagemaker-xgboost-261129-1329",
        "HyperParameterTuningJobConfig": {
            "Strategy": "Bayesian",
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 1, "MaxParallelTrainingJobs": 1},
            "TrainingJobEarlyStoppingType": "Off",
            "HyperParameterTuningJobObjective": {
                "Type": "Maximize",
                "MetricName": "validation:auc",
            },
            "ParameterRanges": {
                "ContinuousParameterRanges": [
                    {"Name": "eta", "MinValue": "0.1", "MaxValue": "0.5", "ScalingType": "Auto"}
                ],
                "CategoricalParameterRanges": [],
                "IntegerParameterRanges": [
                    {"Name": "max_depth", "MinValue": "1", "MaxValue": "10", "ScalingType": "Auto"}
                ],
            },
        },
        "TrainingJobDefinition": {
            "StaticHyperParameters": {
                "objective": "binary:logistic",
                "num_round": "100",
                "eval_metric": "auc",
            },
            "RoleArn": ROLE,
            "OutputDataConfig": {"S3OutputPath": "s3://sagemaker-us-east-1-123456789012/out"},
            "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
            "HyperParameterTuningResourceConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeSizeInGB": 30,
            },
            "AlgorithmSpecification": {"TrainingInputMode": "File", "TrainingImage": XGB_IMAGE},
            "InputDataConfig": [
                _channel("train", "s3://bucket/prefix/train"),
                _channel("validation", "s3://bucket/prefix/validation"),
            ],
        },
        "Tags": [{"Key": "project", "Value": "localtune"}],
    }


def custom_image_request() -> dict[str, Any]:
    """A bring-your-own-container job with its own metric definitions."""
    request = sdk_request()
    request["HyperParameterTuningJobName"] = "byoc-job"
    config = request["HyperParameterTuningJobConfig"]
    config["HyperParameterTuningJobObjective"] = {"Type": "Minimize", "MetricName": "val:loss"}
    config["ParameterRanges"] = {
        "ContinuousParameterRanges": [
            {"Name": "lr", "MinValue": "0.0001", "MaxValue": "0.1", "ScalingType": "Logarithmic"}
        ],
        "IntegerParameterRanges": [{"Name": "layers", "MinValue": "1", "MaxValue": "4"}],
        "CategoricalParameterRanges": [{"Name": "optimizer", "Values": ["adam", "sgd"]}],
    }
    definition = request["TrainingJobDefinition"]
    definition["StaticHyperParameters"] = {"epochs": "10"}
    definition["AlgorithmSpecification"] = {
        "TrainingImage": CUSTOM_IMAGE,
        "TrainingInputMode": "File",
        "MetricDefinitions": [{"Name": "val:loss", "Regex": "val_loss=([0-9.eE+-]+)"}],
    }
    return request


def multi_request() -> dict[str, Any]:
    """Two algorithms in one tuning job (TrainingJobDefinitions)."""
    base = sdk_request()
    first = copy.deepcopy(base["TrainingJobDefinition"])
    first["DefinitionName"] = "xgb"
    first["TuningObjective"] = base["HyperParameterTuningJobConfig"].pop(
        "HyperParameterTuningJobObjective"
    )
    first["HyperParameterRanges"] = base["HyperParameterTuningJobConfig"].pop("ParameterRanges")
    custom = custom_image_request()
    second = copy.deepcopy(custom["TrainingJobDefinition"])
    second["DefinitionName"] = "byoc"
    second["TuningObjective"] = custom["HyperParameterTuningJobConfig"][
        "HyperParameterTuningJobObjective"
    ]
    second["HyperParameterRanges"] = custom["HyperParameterTuningJobConfig"]["ParameterRanges"]
    del base["TrainingJobDefinition"]
    base["TrainingJobDefinitions"] = [first, second]
    base["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 10
    return base


def grid_request() -> dict[str, Any]:
    """Grid search over categorical values of XGBoost hyperparameters (3 x 2 = 6 jobs)."""
    request = sdk_request()
    config = request["HyperParameterTuningJobConfig"]
    config["Strategy"] = "Grid"
    config["ResourceLimits"] = {"MaxNumberOfTrainingJobs": 6, "MaxParallelTrainingJobs": 2}
    config["ParameterRanges"] = {
        "CategoricalParameterRanges": [
            {"Name": "max_depth", "Values": ["3", "5", "7"]},
            {"Name": "eta", "Values": ["0.1", "0.3"]},
        ],
        "IntegerParameterRanges": [],
        "ContinuousParameterRanges": [],
    }
    return request


def hyperband_request() -> dict[str, Any]:
    """Hyperband on a custom image that takes ``epochs`` (MaxResource inferred from it)."""
    request = custom_image_request()
    config = request["HyperParameterTuningJobConfig"]
    config["Strategy"] = "Hyperband"
    config["StrategyConfig"] = {"HyperbandStrategyConfig": {"MinResource": 1}}
    config["ResourceLimits"] = {"MaxNumberOfTrainingJobs": 30, "MaxParallelTrainingJobs": 4}
    return request


def parent_description(request: dict[str, Any], *, status: str = "Completed") -> dict[str, Any]:
    """A DescribeHyperParameterTuningJob response for ``request`` as its stored parent."""
    parent = copy.deepcopy(request)
    for member in ("Tags", "WarmStartConfig", "Autotune"):
        parent.pop(member, None)
    parent["HyperParameterTuningJobName"] = "parent-job"
    parent["HyperParameterTuningJobStatus"] = status
    parent["CreationTime"] = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    definition = parent.get("TrainingJobDefinition")
    if definition is not None:
        objective = parent["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
        static = definition.setdefault("StaticHyperParameters", {})
        static["_tuning_objective_metric"] = objective["MetricName"]
    return parent


def warm_start(request: dict[str, Any], kind: str = "TransferLearning") -> dict[str, Any]:
    """``request`` warm-started from one parent called ``parent-job``."""
    child = copy.deepcopy(request)
    child["HyperParameterTuningJobName"] = "child-job"
    child["WarmStartConfig"] = {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "parent-job"}],
        "WarmStartType": kind,
    }
    return child
