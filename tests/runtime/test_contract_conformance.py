"""The SM_* environment against the training toolkit's full list (reference §7.3): findings of the
runtime conformance audit."""

from __future__ import annotations

import json
from pathlib import Path

from localtune.runtime.contract import job_environment, write_job_dir

RESOURCE = {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 1}


def _env(tmp_path: Path, hyperparameters: dict[str, str]) -> dict[str, str]:
    job = write_job_dir(
        tmp_path / "job",
        hyperparameters=hyperparameters,
        input_data_config=[],
        resource_config=RESOURCE,
    )
    return job_environment(job, training_job_name="tj-001-0123abcd", training_job_arn="arn")


def test_instance_group_variables_of_the_toolkit(tmp_path: Path) -> None:
    env = _env(tmp_path, {"lr": "0.1"})
    assert env["SM_IS_HETERO"] == "false"
    assert json.loads(env["SM_CURRENT_INSTANCE_GROUP_HOSTS"]) == ["algo-1"]
    assert json.loads(env["SM_INSTANCE_GROUPS_DICT"]) == {
        "homogeneousCluster": {
            "hosts": ["algo-1"],
            "instance_group_name": "homogeneousCluster",
            "instance_type": "ml.m5.xlarge",
        }
    }
    assert json.loads(env["SM_DISTRIBUTION_INSTANCE_GROUPS"]) == []
    training_env = json.loads(env["SM_TRAINING_ENV"])
    assert training_env["is_hetero"] is False
    assert training_env["current_instance_group_hosts"] == ["algo-1"]
    assert training_env["distribution_instance_groups"] == []


def test_distributed_training_puts_the_current_group_in_distribution_groups(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path, {"sagemaker_mpi_enabled": "true"})
    assert json.loads(env["SM_DISTRIBUTION_INSTANCE_GROUPS"]) == ["homogeneousCluster"]
    assert json.loads(env["SM_FRAMEWORK_PARAMS"]) == {"sagemaker_mpi_enabled": True}


def test_a_null_hyperparameter_is_an_empty_argument_as_the_toolkit_renders_it() -> None:
    # hyperparameters.json {"opt": "null"} decodes to None; the toolkit's to_cmd_args gives "".
    from localtune.runtime.contract import to_cli_args, user_hyperparameters

    user, _ = user_hyperparameters({"opt": "null", "n": "3"})
    assert to_cli_args(user) == ["-n", "3", "--opt", ""]
