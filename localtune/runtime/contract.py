"""The training-container contract: a job's directory laid out like ``/opt/ml``, its environment.

SageMaker runs a training container with a reserved tree under ``/opt/ml`` (reference §6.2) and a
set of environment variables (§6.1; the script-mode toolkit's ``SM_*`` variables, §7.3). localtune
runs every training job as a local process, so the tree lives under a per-job ``root`` directory
and the process is told where it is through ``SAGEMAKER_BASE_DIR`` — the training toolkit's own
variable for a base directory other than ``/opt/ml``.

Decisions where the reference is silent (UNKNOWN) or where a laptop differs from an instance:
- One host per job: ``hosts`` is always ``["algo-1"]`` whatever ``InstanceCount`` says, because the
  job runs as one local process; a distributed script therefore sees a single-node cluster.
- ``current_instance_type`` is the request's ``InstanceType`` (first ``InstanceConfigs`` entry for a
  ``HyperParameterTuningResourceConfig``), ``"local"`` when no resource config is given (the
  SageMaker Python SDK's local mode uses the same word).
- ``SM_NUM_CPUS`` is this machine's CPU count (``os.cpu_count()``, as the toolkit computes it), not
  the instance type's; ``SM_NUM_GPUS`` and ``SM_NUM_NEURONS`` are 0.
- ``CheckpointConfig.LocalPath`` under ``/opt/ml`` is rebased onto ``root``; any other path is
  mapped to ``<root>/checkpoints`` (each job keeps its own checkpoints; the file
  ``checkpointconfig.json`` records the local path actually used).
- ``SM_FRAMEWORK_PARAMS`` holds the ``sagemaker_*`` parameters the toolkit does not know by name
  (its ``additional_framework_parameters``); ``user_hyperparameters`` returns every split-out key.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from localtune.runtime.toolkit import (
    SAGEMAKER_HYPERPARAMETERS,
    instance_group_entries,
    to_cli_args,
    to_env_value,
    user_hyperparameters,
)

__all__ = [
    "CONTAINER_ROOT",
    "SAGEMAKER_HYPERPARAMETERS",
    "JobDir",
    "job_dir_from_env",
    "job_environment",
    "read_json",
    "to_cli_args",
    "to_env_value",
    "user_hyperparameters",
    "write_job_dir",
]

CONTAINER_ROOT = PurePosixPath("/opt/ml")
CURRENT_HOST = "algo-1"
GROUP_NAME = "homogeneousCluster"
DEFAULT_INSTANCE_TYPE = "local"
DEFAULT_LOG_LEVEL = 20  # logging.INFO, the toolkit's default for sagemaker_container_log_level


_CHANNEL_NAME = re.compile(r"[A-Za-z0-9.\-_]+")


@dataclass(frozen=True)
class JobDir:
    """One training job's ``/opt/ml`` equivalent; every path of §6.2 as a property."""

    root: Path

    @property
    def input_dir(self) -> Path:
        return self.root / "input"

    @property
    def config_dir(self) -> Path:
        return self.input_dir / "config"

    @property
    def data_dir(self) -> Path:
        return self.input_dir / "data"

    @property
    def model_dir(self) -> Path:
        return self.root / "model"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def output_data_dir(self) -> Path:
        return self.output_dir / "data"

    @property
    def output_intermediate_dir(self) -> Path:
        return self.output_dir / "intermediate"

    @property
    def failure_file(self) -> Path:
        return self.output_dir / "failure"

    @property
    def success_file(self) -> Path:
        return self.output_dir / "success"

    @property
    def code_dir(self) -> Path:
        return self.root / "code"

    @property
    def checkpoints_dir(self) -> Path:
        """``CheckpointConfig.LocalPath`` as written by :func:`write_job_dir`, else default."""
        if self.checkpointconfig_file.is_file():
            local = read_json(self.checkpointconfig_file).get("LocalPath")
            if isinstance(local, str) and local:
                return Path(local)
        return self.root / "checkpoints"

    @property
    def hyperparameters_file(self) -> Path:
        return self.config_dir / "hyperparameters.json"

    @property
    def inputdataconfig_file(self) -> Path:
        return self.config_dir / "inputdataconfig.json"

    @property
    def resourceconfig_file(self) -> Path:
        return self.config_dir / "resourceconfig.json"

    @property
    def checkpointconfig_file(self) -> Path:
        return self.config_dir / "checkpointconfig.json"

    def channel_dir(self, channel: str) -> Path:
        """``input/data/<channel>``; the name must be a valid SageMaker ChannelName."""
        _check_channel_name(channel)
        return self.data_dir / channel


def write_job_dir(
    root: Path,
    *,
    hyperparameters: Mapping[str, str],
    input_data_config: Sequence[Mapping[str, Any]],
    training_input_mode: str = "File",
    checkpoint_config: Mapping[str, Any] | None = None,
    resource_config: Mapping[str, Any] | None = None,
) -> JobDir:
    """Create the ``/opt/ml`` tree under ``root`` and write the config files of §6.2.

    ``input_data_config`` is the request's list of ``Channel``s; ``resource_config`` is the
    request's ``ResourceConfig`` or ``HyperParameterTuningResourceConfig``. Channel directories are
    created empty: the data is put there by :mod:`localtune.runtime.s3`.
    """
    job = JobDir(Path(root))
    for key, value in hyperparameters.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ValueError(
                f"hyperparameter {key!r} must map a string to a string (SageMaker's "
                f"HyperParameters are strings); got {type(value).__name__} {value!r}"
            )
    channels = _input_data_config_json(input_data_config, training_input_mode)
    for directory in (
        job.config_dir,
        job.data_dir,
        job.model_dir,
        job.output_data_dir,
        job.output_intermediate_dir,
        job.code_dir,
    ):
        directory.mkdir(parents=True, exist_ok=True)
    for name in channels:
        job.channel_dir(name).mkdir(exist_ok=True)
    _write_json(job.hyperparameters_file, dict(hyperparameters))
    _write_json(job.inputdataconfig_file, channels)
    _write_json(job.resourceconfig_file, _resource_config_json(resource_config))
    if checkpoint_config is not None:
        local = _checkpoint_local_path(job, checkpoint_config.get("LocalPath"))
        local.mkdir(parents=True, exist_ok=True)
        config = {"LocalPath": str(local)}
        if checkpoint_config.get("S3Uri") is not None:
            config["S3Uri"] = str(checkpoint_config["S3Uri"])
        _write_json(job.checkpointconfig_file, config)
    return job


def _check_channel_name(name: str) -> None:
    if not isinstance(name, str) or not _CHANNEL_NAME.fullmatch(name) or len(name) > 64:
        raise ValueError(
            f"ChannelName {name!r} must be 1 to 64 characters of [A-Za-z0-9.-_]"
            " (it becomes a directory under input/data)"
        )
    if name in {".", ".."}:
        raise ValueError(f"ChannelName {name!r} cannot be used as a directory name")


def _input_data_config_json(
    channels: Sequence[Mapping[str, Any]], training_input_mode: str
) -> dict[str, dict[str, str]]:
    """``inputdataconfig.json``: one entry per channel, in the request's order (§6.2)."""
    result: dict[str, dict[str, str]] = {}
    for index, channel in enumerate(channels):
        name = channel.get("ChannelName")
        if not isinstance(name, str):
            raise ValueError(f"InputDataConfig[{index}].ChannelName is missing (got {name!r})")
        _check_channel_name(name)
        if name in result:
            raise ValueError(f"InputDataConfig has the channel name {name!r} more than once")
        s3 = (channel.get("DataSource") or {}).get("S3DataSource") or {}
        entry: dict[str, str] = {}
        if channel.get("ContentType"):
            entry["ContentType"] = str(channel["ContentType"])
        entry["TrainingInputMode"] = str(channel.get("InputMode") or training_input_mode)
        entry["S3DistributionType"] = str(s3.get("S3DataDistributionType") or "FullyReplicated")
        entry["RecordWrapperType"] = str(channel.get("RecordWrapperType") or "None")
        result[name] = entry
    return result


def _resource_config_json(resource_config: Mapping[str, Any] | None) -> dict[str, Any]:
    instance_type = DEFAULT_INSTANCE_TYPE
    if resource_config:
        configs = resource_config.get("InstanceConfigs") or []
        if resource_config.get("InstanceType"):
            instance_type = str(resource_config["InstanceType"])
        elif configs and configs[0].get("InstanceType"):
            instance_type = str(configs[0]["InstanceType"])
    hosts = [CURRENT_HOST]
    return {
        "current_host": CURRENT_HOST,
        "current_instance_type": instance_type,
        "current_group_name": GROUP_NAME,
        "hosts": hosts,
        "instance_groups": [
            {"instance_group_name": GROUP_NAME, "instance_type": instance_type, "hosts": hosts}
        ],
        "network_interface_name": "eth0",
    }


def _checkpoint_local_path(job: JobDir, local_path: Any) -> Path:
    if not local_path:
        return job.root / "checkpoints"
    container = PurePosixPath(str(local_path))
    if container.is_absolute() and ".." not in container.parts:
        try:
            return job.root.joinpath(*container.relative_to(CONTAINER_ROOT).parts)
        except ValueError:
            pass
    return job.root / "checkpoints"


def read_json(path: Path) -> dict[str, Any]:
    """Read a JSON object from ``path``; a missing file or another JSON type is an error."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object, got {type(data).__name__}")
    return data


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def job_dir_from_env(environ: Mapping[str, str] | None = None) -> JobDir:
    """The job directory of the running program: ``SAGEMAKER_BASE_DIR``, else ``/opt/ml``."""
    env = os.environ if environ is None else environ
    base = env.get("SAGEMAKER_BASE_DIR")
    return JobDir(Path(base) if base else Path(str(CONTAINER_ROOT)))


def _training_env(job: JobDir, job_name: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """The toolkit's ``SM_TRAINING_ENV`` dictionary, computed from the files of ``job``."""
    raw = read_json(job.hyperparameters_file)
    user, framework = user_hyperparameters(raw)
    resource = read_json(job.resourceconfig_file)
    input_data = read_json(job.inputdataconfig_file)
    entry_point = framework.get("sagemaker_program")
    entry_point = None if entry_point is None else str(entry_point)
    module_name = None if entry_point is None else entry_point.replace(".py", "")
    hosts = list(resource.get("hosts") or [CURRENT_HOST])
    current_host = str(resource.get("current_host") or CURRENT_HOST)
    groups = resource.get("instance_groups") or []
    return instance_group_entries(resource, framework, GROUP_NAME) | {
        "additional_framework_parameters": {
            k: v for k, v in framework.items() if k not in SAGEMAKER_HYPERPARAMETERS
        },
        "channel_input_dirs": {name: str(job.data_dir / name) for name in input_data},
        "current_host": current_host,
        "current_instance_group": resource.get("current_group_name", GROUP_NAME),
        "current_instance_type": resource.get("current_instance_type", DEFAULT_INSTANCE_TYPE),
        "framework_module": environ.get("SAGEMAKER_TRAINING_MODULE"),
        "hosts": hosts,
        "hyperparameters": user,
        "input_config_dir": str(job.config_dir),
        "input_data_config": input_data,
        "input_dir": str(job.input_dir),
        "instance_groups": [g.get("instance_group_name") for g in groups],
        "is_master": current_host == sorted(hosts)[0],
        "job_name": job_name,
        "log_level": framework.get("sagemaker_container_log_level", DEFAULT_LOG_LEVEL),
        "master_hostname": sorted(hosts)[0],
        "model_dir": str(job.model_dir),
        "module_dir": framework.get("sagemaker_submit_directory"),
        "module_name": module_name,
        "network_interface_name": resource.get("network_interface_name", "eth0"),
        "num_cpus": os.cpu_count() or 1,
        "num_gpus": 0,
        "num_neurons": 0,
        "output_data_dir": str(job.output_data_dir),
        "output_dir": str(job.output_dir),
        "output_intermediate_dir": str(job.output_intermediate_dir),
        "resource_config": resource,
        "user_entry_point": entry_point,
    }


# Keys of the training environment exported under the same upper-cased name (SM_<KEY>).
_EXPORTED = (
    "current_host",
    "current_instance_group",
    "current_instance_group_hosts",
    "current_instance_type",
    "distribution_instance_groups",
    "framework_module",
    "hosts",
    "input_config_dir",
    "input_data_config",
    "input_dir",
    "instance_groups",
    "instance_groups_dict",
    "is_hetero",
    "is_master",
    "log_level",
    "master_hostname",
    "model_dir",
    "module_dir",
    "module_name",
    "network_interface_name",
    "num_cpus",
    "num_gpus",
    "num_neurons",
    "output_data_dir",
    "output_dir",
    "output_intermediate_dir",
    "resource_config",
    "user_entry_point",
)


def job_environment(
    job_dir: JobDir,
    *,
    training_job_name: str,
    training_job_arn: str,
    environment: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The variables to add to a job process's environment (§6.1, §7.3).

    ``SAGEMAKER_BASE_DIR``, ``TRAINING_JOB_NAME``, ``TRAINING_JOB_ARN``, every ``SM_*`` variable
    computed from the config files in ``job_dir`` (JSON compact with sorted keys), then the
    definition's ``Environment`` map, which wins on a clash as it would in a container.
    """
    user_env = dict(environment or {})
    env = _training_env(job_dir, training_job_name, {**os.environ, **user_env})
    values: dict[str, Any] = {key: env[key] for key in _EXPORTED}
    values["hps"] = env["hyperparameters"]
    values["framework_params"] = env["additional_framework_parameters"]
    values["channels"] = sorted(env["channel_input_dirs"])
    values["user_args"] = to_cli_args(env["hyperparameters"])
    values["training_env"] = env
    for name, path in env["channel_input_dirs"].items():
        values[f"channel_{name}"] = path
    for name, value in env["hyperparameters"].items():
        values[f"hp_{name}"] = value
    result = {
        "SAGEMAKER_BASE_DIR": str(job_dir.root),
        "TRAINING_JOB_NAME": training_job_name,
        "TRAINING_JOB_ARN": training_job_arn,
    }
    result.update({f"SM_{key.upper()}": to_env_value(value) for key, value in values.items()})
    result.update({str(k): str(v) for k, v in user_env.items()})
    return result
