"""The /opt/ml contract: tree and config files (§6.2), SM_* environment (§7.3), CLI args (§7.2)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from localtune.runtime.contract import (
    JobDir,
    job_dir_from_env,
    job_environment,
    to_cli_args,
    user_hyperparameters,
    write_job_dir,
)

HYPERPARAMETERS = {
    "lr": "0.1",
    "n-estimators": "100",
    "optimizer": '"adam"',
    "layers": "[64, 32]",
    "verbose": "true",
    "plain": "not json",
    "sagemaker_program": '"train.py"',
    "sagemaker_submit_directory": '"s3://bucket/code/sourcedir.tar.gz"',
    "sagemaker_container_log_level": "20",
    "sagemaker_estimator_class_name": '"SKLearn"',
    "_tuning_objective_metric": "validation:rmse",
}

CHANNELS: list[dict[str, Any]] = [
    {
        "ChannelName": "train",
        "ContentType": "text/csv",
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": "s3://bucket/data/train",
                "S3DataDistributionType": "ShardedByS3Key",
            }
        },
    },
    {
        "ChannelName": "validation",
        "InputMode": "FastFile",
        "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/v"}},
    },
]


@pytest.fixture
def job(tmp_path: Path) -> JobDir:
    return write_job_dir(
        tmp_path / "job",
        hyperparameters=HYPERPARAMETERS,
        input_data_config=CHANNELS,
        checkpoint_config={"S3Uri": "s3://bucket/ckpt", "LocalPath": "/opt/ml/checkpoints"},
        resource_config={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
    )


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_tree_matches_opt_ml_layout(job: JobDir) -> None:
    root = job.root
    for relative in (
        "input/config",
        "input/data/train",
        "input/data/validation",
        "model",
        "output/data",
        "output/intermediate",
        "code",
        "checkpoints",
    ):
        assert (root / relative).is_dir(), relative
    assert job.channel_dir("train") == root / "input/data/train"
    assert job.failure_file == root / "output/failure"
    assert job.hyperparameters_file == root / "input/config/hyperparameters.json"
    assert not any(job.channel_dir("train").iterdir())  # data is put there by LocalS3
    assert not job.failure_file.exists()


def test_config_files_match_section_6_2(job: JobDir) -> None:
    assert _load(job.hyperparameters_file) == HYPERPARAMETERS
    assert _load(job.inputdataconfig_file) == {
        "train": {
            "ContentType": "text/csv",
            "TrainingInputMode": "File",
            "S3DistributionType": "ShardedByS3Key",
            "RecordWrapperType": "None",
        },
        "validation": {
            "TrainingInputMode": "FastFile",
            "S3DistributionType": "FullyReplicated",
            "RecordWrapperType": "None",
        },
    }
    resource = _load(job.resourceconfig_file)
    assert resource["current_host"] == "algo-1"
    assert resource["hosts"] == ["algo-1"]
    assert resource["network_interface_name"] == "eth0"
    assert resource["current_instance_type"] == "ml.m5.xlarge"
    assert resource["current_group_name"] == "homogeneousCluster"
    assert resource["instance_groups"] == [
        {
            "instance_group_name": "homogeneousCluster",
            "instance_type": "ml.m5.xlarge",
            "hosts": ["algo-1"],
        }
    ]
    checkpoint = _load(job.checkpointconfig_file)
    assert checkpoint == {"LocalPath": str(job.root / "checkpoints"), "S3Uri": "s3://bucket/ckpt"}
    assert job.checkpoints_dir == job.root / "checkpoints"


def test_optional_files_and_defaults(tmp_path: Path) -> None:
    job = write_job_dir(tmp_path, hyperparameters={}, input_data_config=[])
    assert not job.checkpointconfig_file.exists()
    assert _load(job.inputdataconfig_file) == {}
    assert _load(job.resourceconfig_file)["current_instance_type"] == "local"
    tuning = write_job_dir(
        tmp_path / "t",
        hyperparameters={},
        input_data_config=[],
        resource_config={"InstanceConfigs": [{"InstanceType": "ml.c5.xlarge", "InstanceCount": 1}]},
        checkpoint_config={"S3Uri": "s3://b/c", "LocalPath": "/opt/ml/ckpt/here"},
    )
    assert _load(tuning.resourceconfig_file)["current_instance_type"] == "ml.c5.xlarge"
    assert tuning.checkpoints_dir == tuning.root / "ckpt/here"
    assert tuning.checkpoints_dir.is_dir()


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"hyperparameters": {"lr": 0.1}}, "'lr' must map a string to a string"),
        ({"input_data_config": [{"ChannelName": "../x"}]}, "ChannelName '../x'"),
        ({"input_data_config": [{"ChannelName": "a"}, {"ChannelName": "a"}]}, "more than once"),
    ],
)
def test_bad_input_names_the_problem(tmp_path: Path, kwargs: dict[str, Any], needle: str) -> None:
    arguments: dict[str, Any] = {"hyperparameters": {}, "input_data_config": [], **kwargs}
    with pytest.raises(ValueError, match=needle.replace(".", r"\.")):
        write_job_dir(tmp_path, **arguments)


def test_user_hyperparameters_split_and_decode() -> None:
    user, framework = user_hyperparameters(
        {"lr": "0.1", "sagemaker_program": '"train.py"', "n-estimators": "100"}
    )
    assert user == {"lr": 0.1, "n-estimators": 100}
    assert framework == {"sagemaker_program": "train.py"}
    user, framework = user_hyperparameters(HYPERPARAMETERS)
    assert user == {
        "lr": 0.1,
        "n-estimators": 100,
        "optimizer": "adam",
        "layers": [64, 32],
        "verbose": True,
        "plain": "not json",
    }
    assert framework["_tuning_objective_metric"] == "validation:rmse"
    assert framework["sagemaker_estimator_class_name"] == "SKLearn"


def test_to_cli_args_follows_the_toolkit() -> None:
    user, _ = user_hyperparameters(
        {"lr": "0.1", "sagemaker_program": '"train.py"', "n-estimators": "100"}
    )
    assert to_cli_args(user) == ["--lr", "0.1", "--n-estimators", "100"]
    assert to_cli_args({"b": True, "a": {"y": 2, "x": 1}, "zeta": [1, 2]}) == [
        "-a",
        "x=1,y=2",
        "-b",
        "True",
        "--zeta",
        "[1, 2]",
    ]


def test_job_environment_gives_sm_variables(job: JobDir) -> None:
    env = job_environment(
        job,
        training_job_name="tune-001-abcdef12",
        training_job_arn="arn:aws:sagemaker:us-east-1:123456789012:training-job/tune-001-abcdef12",
        environment={"MY_FLAG": "1", "SM_LOG_LEVEL": "10"},
    )
    root = job.root
    assert env["SAGEMAKER_BASE_DIR"] == str(root)
    assert env["TRAINING_JOB_NAME"] == "tune-001-abcdef12"
    assert env["TRAINING_JOB_ARN"].endswith(":training-job/tune-001-abcdef12")
    assert env["SM_MODEL_DIR"] == str(root / "model")
    assert env["SM_CHANNELS"] == '["train","validation"]'
    assert env["SM_CHANNEL_TRAIN"] == str(root / "input/data/train")
    assert env["SM_CHANNEL_VALIDATION"] == str(root / "input/data/validation")
    assert json.loads(env["SM_HPS"])["layers"] == [64, 32]
    assert env["SM_HPS"].startswith('{"layers":[64,32],"lr":0.1,')  # compact, sorted
    assert env["SM_HP_LR"] == "0.1"
    assert env["SM_HP_N-ESTIMATORS"] == "100"
    assert env["SM_HP_OPTIMIZER"] == "adam"  # strings raw
    assert env["SM_HP_VERBOSE"] == "true"  # others JSON
    assert "SM_HP_SAGEMAKER_PROGRAM" not in env
    assert "SM_HP__TUNING_OBJECTIVE_METRIC" not in env
    assert json.loads(env["SM_USER_ARGS"])[:4] == ["--layers", "[64, 32]", "--lr", "0.1"]
    assert env["SM_OUTPUT_DATA_DIR"] == str(root / "output/data")
    assert env["SM_OUTPUT_DIR"] == str(root / "output")
    assert env["SM_OUTPUT_INTERMEDIATE_DIR"] == str(root / "output/intermediate")
    assert env["SM_INPUT_DIR"] == str(root / "input")
    assert env["SM_INPUT_CONFIG_DIR"] == str(root / "input/config")
    assert env["SM_NUM_CPUS"] == str(os.cpu_count())
    assert env["SM_NUM_GPUS"] == "0"
    assert env["SM_CURRENT_HOST"] == "algo-1"
    assert env["SM_HOSTS"] == '["algo-1"]'
    assert env["SM_NETWORK_INTERFACE_NAME"] == "eth0"
    assert json.loads(env["SM_RESOURCE_CONFIG"])["current_instance_type"] == "ml.m5.xlarge"
    assert json.loads(env["SM_INPUT_DATA_CONFIG"])["train"]["ContentType"] == "text/csv"
    assert env["SM_FRAMEWORK_PARAMS"] == '{"sagemaker_estimator_class_name":"SKLearn"}'
    assert env["SM_USER_ENTRY_POINT"] == "train.py"
    assert env["SM_MODULE_NAME"] == "train"
    assert env["SM_MODULE_DIR"] == "s3://bucket/code/sourcedir.tar.gz"
    training_env = json.loads(env["SM_TRAINING_ENV"])
    assert training_env["job_name"] == "tune-001-abcdef12"
    assert training_env["hyperparameters"]["n-estimators"] == 100
    assert training_env["channel_input_dirs"]["train"] == env["SM_CHANNEL_TRAIN"]
    # The definition's Environment map comes last and wins.
    assert env["MY_FLAG"] == "1"
    assert env["SM_LOG_LEVEL"] == "10"
    assert all(isinstance(v, str) for v in env.values())


def test_job_environment_without_script_mode(tmp_path: Path) -> None:
    job = write_job_dir(tmp_path, hyperparameters={"max_depth": "5"}, input_data_config=[])
    env = job_environment(job, training_job_name="j", training_job_arn="arn")
    assert env["SM_USER_ENTRY_POINT"] == ""
    assert env["SM_MODULE_DIR"] == ""
    assert env["SM_LOG_LEVEL"] == "20"
    assert env["SM_CHANNELS"] == "[]"
    assert env["SM_HP_MAX_DEPTH"] == "5"


def test_job_dir_from_env(tmp_path: Path) -> None:
    assert job_dir_from_env({"SAGEMAKER_BASE_DIR": str(tmp_path)}).root == tmp_path
    assert job_dir_from_env({}).root == Path("/opt/ml")
