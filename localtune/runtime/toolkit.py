"""The SageMaker training toolkit's handling of hyperparameters (reference §7.1, §7.2).

``hyperparameters.json`` holds strings; the toolkit JSON-decodes each value when it parses, splits
off its own framework parameters, and renders the user's hyperparameters as sorted command-line
arguments and as environment values. Re-exported by :mod:`localtune.runtime.contract`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = [
    "SAGEMAKER_HYPERPARAMETERS",
    "SAGEMAKER_PREFIX",
    "instance_group_entries",
    "to_cli_args",
    "to_env_value",
    "user_hyperparameters",
]

# The framework parameters the training toolkit knows by name (§7.1); any other key starting with
# "sagemaker_" is split out too, as an "additional framework parameter".
SAGEMAKER_HYPERPARAMETERS: frozenset[str] = frozenset(
    {
        "sagemaker_program",
        "sagemaker_submit_directory",
        "sagemaker_enable_cloudwatch_metrics",
        "sagemaker_region",
        "sagemaker_container_log_level",
        "sagemaker_job_name",
        "default_user_module_name",
        "sagemaker_s3_output",
        "sagemaker_distribution_instance_groups",
        "_tuning_objective_metric",
    }
)
SAGEMAKER_PREFIX = "sagemaker_"


def _decode(value: Any) -> Any:
    """The toolkit's decoding of one hyperparameters.json value: JSON when it parses, else as is."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def user_hyperparameters(raw: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split hyperparameters.json as the training toolkit does (§7.1, §7.2).

    Returns ``(user, framework)``: every value JSON-decoded when it parses; ``framework`` holds the
    toolkit's named parameters (``sagemaker_program``, ``_tuning_objective_metric``, …) and every
    key starting with ``sagemaker_``; ``user`` holds the rest.
    """
    user: dict[str, Any] = {}
    framework: dict[str, Any] = {}
    for key, value in raw.items():
        target = framework if _is_framework_key(key) else user
        target[key] = _decode(value)
    return user, framework


def _is_framework_key(key: str) -> bool:
    return key in SAGEMAKER_HYPERPARAMETERS or key.startswith(SAGEMAKER_PREFIX)


def _arg_value(value: Any) -> str:
    if value is None:  # a JSON null: the toolkit renders it as an empty argument
        return ""
    if isinstance(value, Mapping):
        return ",".join(f"{k}={v}" for k, v in sorted(value.items()))
    return str(value)


def to_cli_args(hyperparameters: Mapping[str, Any]) -> list[str]:
    """The toolkit's command-line form (§7.2): sorted keys, ``--key value`` (``-k`` for one letter).

    Values are rendered with ``str()`` (so ``True``/``False``), mappings as ``k1=v1,k2=v2``,
    ``None`` (a JSON ``null``) as an empty argument.
    """
    args: list[str] = []
    for key in sorted(hyperparameters):
        name = str(key)
        if name:
            args.append(f"--{name}" if len(name) > 1 else f"-{name}")
        else:
            args.append("")
        args.append(_arg_value(hyperparameters[key]))
    return args


def to_env_value(value: Any) -> str:
    """The toolkit's rendering of an environment value: strings raw, None empty, others JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


# Framework parameters that make a job distributed; the toolkit then lists the current instance
# group in ``distribution_instance_groups`` (unless ``sagemaker_distribution_instance_groups``
# names the groups).
_DISTRIBUTION_FLAGS = (
    "sagemaker_mpi_enabled",
    "sagemaker_parameter_server_enabled",
    "sagemaker_distributed_dataparallel_enabled",
    "sagemaker_pytorch_ddp_enabled",
    "sagemaker_pytorch_xla_multi_worker_enabled",
    "sagemaker_multi_worker_mirrored_strategy_enabled",
)


def instance_group_entries(
    resource: Mapping[str, Any], framework: Mapping[str, Any], default_group: str
) -> dict[str, Any]:
    """The toolkit's instance-group keys of the training environment (from resourceconfig.json and
    the framework parameters): the current group's hosts, the groups by name, the groups used for
    distributed training, and whether the cluster is heterogeneous."""
    groups = [g for g in resource.get("instance_groups") or [] if isinstance(g, Mapping)]
    current = resource.get("current_group_name", default_group)
    by_name = {str(g.get("instance_group_name")): dict(g) for g in groups}
    distribution = framework.get("sagemaker_distribution_instance_groups")
    if not isinstance(distribution, list):
        distributed = any(framework.get(flag) for flag in _DISTRIBUTION_FLAGS)
        distribution = [current] if distributed else []
    return {
        "current_instance_group_hosts": list(by_name.get(str(current), {}).get("hosts") or []),
        "distribution_instance_groups": distribution,
        "instance_groups_dict": by_name,
        "is_hetero": len(by_name) > 1,
    }
