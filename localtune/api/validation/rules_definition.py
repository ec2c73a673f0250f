"""Semantic rules on the shape of training-job definitions: V10–V17 of the reference (§4.2).

Each function takes the :class:`Request` view and returns its problems (``[]`` when satisfied).
"""

from __future__ import annotations

from typing import Any

from localtune.api.validation.request import Definition, Request, has, integer, items, sub, text

MAX_TRAINING_RUNTIME = 2_419_200  # 28 days (doc string of StoppingCondition.MaxRuntimeInSeconds)
MAX_ENVIRONMENT_ENTRIES = 48  # summed over all definitions (doc string of Environment)
# Instance families whose storage is local NVMe: SageMaker documents that VolumeKmsKeyId cannot
# be requested for them. Only the families the documentation names are listed (conservative).
NVME_FAMILIES = ("ml.p4d.", "ml.p4de.", "ml.g4dn.", "ml.g5.")


def v10_one_definition_form(req: Request) -> list[str]:
    """V10: exactly one of TrainingJobDefinition / TrainingJobDefinitions."""
    single, multi = has(req.raw, "TrainingJobDefinition"), has(req.raw, "TrainingJobDefinitions")
    if single and multi:
        return [
            "You can specify only one of TrainingJobDefinition and TrainingJobDefinitions, "
            "not both. Use TrainingJobDefinitions for a tuning job with several algorithms."
        ]
    if not single and not multi:
        return [
            "A training job definition is required: specify TrainingJobDefinition (one "
            "algorithm) or TrainingJobDefinitions (several algorithms)."
        ]
    return []


def v11_multi_definition_members(req: Request) -> list[str]:
    """V11: with TrainingJobDefinitions, each needs a unique DefinitionName, a TuningObjective
    and HyperParameterRanges.

    The top-level objective and ranges are not used then; supplying them is accepted (whether
    SageMaker rejects them is UNKNOWN, and they are harmless).
    """
    if not req.multi:
        return []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for definition in req.definitions:
        path = definition.path
        name = text(definition.body, "DefinitionName")
        if name is None:
            problems.append(
                f"{path}.DefinitionName is required when you specify TrainingJobDefinitions."
            )
        elif name in seen:
            problems.append(
                f"The value '{name}' of {path}.DefinitionName is already used by "
                f"{seen[name]}. Each training job definition needs a unique DefinitionName."
            )
        else:
            seen[name] = f"{path}.DefinitionName"
        for member in ("TuningObjective", "HyperParameterRanges"):
            if not has(definition.body, member):
                problems.append(
                    f"{path}.{member} is required when you specify TrainingJobDefinitions."
                )
    return problems


def v12_single_algorithm_features(req: Request) -> list[str]:
    """V12: warm start and early stopping (TrainingJobEarlyStoppingType=Auto) only for
    single-algorithm tuning jobs."""
    if not req.multi:
        return []
    problems = []
    if has(req.raw, "WarmStartConfig"):
        problems.append(
            "WarmStartConfig is not supported for a tuning job with TrainingJobDefinitions. "
            "Warm start is available only for tuning jobs with one TrainingJobDefinition."
        )
    if text(req.config, "TrainingJobEarlyStoppingType") == "Auto":
        problems.append(
            "The value 'Auto' of HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType is "
            "not supported for a tuning job with TrainingJobDefinitions. Early stopping is "
            "available only for tuning jobs with one TrainingJobDefinition; set it to 'Off'."
        )
    return problems


def v13_image_or_algorithm(req: Request) -> list[str]:
    """V13: AlgorithmSpecification has exactly one of TrainingImage / AlgorithmName.

    An empty TrainingImage (the model allows length 0) counts as absent.
    """
    problems = []
    for definition in req.definitions:
        spec = definition.algorithm
        if not spec:
            continue
        image, algorithm = text(spec, "TrainingImage"), text(spec, "AlgorithmName")
        path = f"{definition.path}.AlgorithmSpecification"
        if image and algorithm:
            problems.append(
                f"{path} specifies both TrainingImage '{image}' and AlgorithmName "
                f"'{algorithm}'. Specify only one of them."
            )
        elif not image and not algorithm:
            problems.append(
                f"{path} must specify a TrainingImage or an AlgorithmName. Provide one of them."
            )
    return problems


def v14_resource_config(req: Request) -> list[str]:
    """V14: instance resources given once, and InstanceConfigs alone.

    Chosen by localtune (the reference marks these UNVERIFIED): a definition needs
    ResourceConfig or HyperParameterTuningResourceConfig (both only when they agree, see
    :func:`_disagreement`), with an InstanceType (or
    InstanceGroups / InstanceConfigs) and an InstanceCount of at least 1. Documented: inside
    HyperParameterTuningResourceConfig, InstanceConfigs excludes InstanceType, InstanceCount and
    VolumeSizeInGB; VolumeKmsKeyId cannot be used with local-NVMe instance types.
    """
    problems: list[str] = []
    for definition in req.definitions:
        problems.extend(_resource_problems(definition))
    return problems


def _resource_problems(definition: Definition) -> list[str]:
    body, path = definition.body, definition.path
    plain, tuning = has(body, "ResourceConfig"), has(body, "HyperParameterTuningResourceConfig")
    if plain and tuning:
        clash = _disagreement(sub(body, "ResourceConfig"), sub(body, _HPTRC))
        if clash:
            return [
                f"{path} specifies both ResourceConfig and HyperParameterTuningResourceConfig, "
                f"with different instances ({clash}). Specify only one of them."
            ]
        return _instance_problems(sub(body, _HPTRC), f"{path}.{_HPTRC}")
    if not plain and not tuning:
        return [
            f"{path} must specify ResourceConfig or HyperParameterTuningResourceConfig "
            "with the instances to train on."
        ]
    member = "ResourceConfig" if plain else "HyperParameterTuningResourceConfig"
    return _instance_problems(sub(body, member), f"{path}.{member}")


_HPTRC = "HyperParameterTuningResourceConfig"
_INSTANCE_MEMBERS = ("InstanceType", "InstanceCount", "VolumeSizeInGB", "VolumeKmsKeyId")


def _disagreement(plain: dict[str, Any], tuning: dict[str, Any]) -> str:
    """How ResourceConfig and HyperParameterTuningResourceConfig given together differ ("" when
    they describe the same instances).

    Chosen (the reference leaves it open): DescribeHyperParameterTuningJob shows a ResourceConfig
    next to the HyperParameterTuningResourceConfig of the request (the SDK's ``attach()`` reads
    it), so a description sent back as a create request carries both; they are accepted together
    when every member given in both agrees (the first of ``InstanceConfigs`` stands for the
    instances then), and rejected when they contradict each other.
    """
    configs = tuning.get("InstanceConfigs")
    if isinstance(configs, list) and configs and isinstance(configs[0], dict):
        tuning = {**configs[0], **{k: v for k, v in tuning.items() if k == "VolumeKmsKeyId"}}
    differences = [
        f"{member} '{plain[member]}' and '{tuning[member]}'"
        for member in _INSTANCE_MEMBERS
        if member in plain and member in tuning and plain[member] != tuning[member]
    ]
    return ", ".join(differences)


def _instance_problems(config: dict[str, Any], where: str) -> list[str]:
    """The instances of one resource configuration (``where`` is its message path)."""
    if has(config, "InstanceConfigs"):
        exclusive = ("InstanceType", "InstanceCount", "VolumeSizeInGB")
        clashing = [m for m in exclusive if has(config, m)]
        if not clashing:
            return []
        return [
            f"{where}.InstanceConfigs cannot be combined with {', '.join(clashing)}. "
            "Specify the instances either in InstanceConfigs or with InstanceType, "
            "InstanceCount and VolumeSizeInGB."
        ]
    if has(config, "InstanceGroups"):
        return []
    problems = []
    if not has(config, "InstanceType"):
        problems.append(f"{where}.InstanceType is required. Choose the training instance type.")
    count = integer(config, "InstanceCount")
    if not has(config, "InstanceCount"):
        problems.append(f"{where}.InstanceCount is required. Provide a value of at least 1.")
    elif count is not None and count < 1:
        problems.append(
            f"The value '{count}' of {where}.InstanceCount is not valid. "
            "Provide a value of at least 1."
        )
    instance = text(config, "InstanceType") or ""
    if has(config, "VolumeKmsKeyId") and instance.startswith(NVME_FAMILIES):
        problems.append(
            f"{where}.VolumeKmsKeyId cannot be used with instance type '{instance}', whose "
            "storage is local NVMe. Remove VolumeKmsKeyId."
        )
    return problems


def v15_stopping_condition(req: Request) -> list[str]:
    """V15: spot wait time only with managed spot training, MaxWaitTimeInSeconds >=
    MaxRuntimeInSeconds, MaxRuntimeInSeconds <= 2 419 200 (28 days)."""
    problems: list[str] = []
    for definition in req.definitions:
        stop = sub(definition.body, "StoppingCondition")
        where = f"{definition.path}.StoppingCondition"
        runtime, wait = integer(stop, "MaxRuntimeInSeconds"), integer(stop, "MaxWaitTimeInSeconds")
        spot = definition.body.get("EnableManagedSpotTraining") is True
        if has(stop, "MaxWaitTimeInSeconds") and not spot:
            # Observed verbatim (amazon-sagemaker-examples#869).
            problems.append(
                "Invalid MaxWaitTimeInSeconds. It is only supported when "
                "EnableManagedSpotTraining is set to true"
            )
        elif spot and wait is not None and runtime is not None and wait < runtime:
            problems.append(
                f"The value '{wait}' of {where}.MaxWaitTimeInSeconds is less than "
                f"MaxRuntimeInSeconds ({runtime}). MaxWaitTimeInSeconds must be greater than "
                "or equal to MaxRuntimeInSeconds."
            )
        if runtime is not None and runtime > MAX_TRAINING_RUNTIME:
            problems.append(
                f"The value '{runtime}' of {where}.MaxRuntimeInSeconds exceeds the maximum "
                f"runtime of a training job, {MAX_TRAINING_RUNTIME} seconds (28 days)."
            )
    return problems


def v16_channels(req: Request) -> list[str]:
    """V16: channel names unique within a definition (chosen), data-source/input-mode rules
    (documented): AugmentedManifestFile needs Pipe, FastFile needs S3Prefix, file systems need
    File, and every channel names a data source.

    Not enforced (enforcement UNKNOWN, and harmless locally): CompressionType=Gzip or
    RecordWrapperType=RecordIO in File mode, which the documentation only says to leave unset.
    """
    problems: list[str] = []
    for definition in req.definitions:
        default_mode = text(definition.algorithm, "TrainingInputMode")
        seen: set[str] = set()
        for index, channel in items(definition.body, "InputDataConfig"):
            where = f"{definition.path}.InputDataConfig[{index}]"
            name = text(channel, "ChannelName")
            if name is not None and name in seen:
                problems.append(
                    f"The channel name '{name}' of {where}.ChannelName is used more than once "
                    f"in {definition.path}. Channel names must be unique."
                )
            seen.add(name or "")
            mode = text(channel, "InputMode") or default_mode
            problems.extend(_data_source_problems(sub(channel, "DataSource"), mode, where))
    return problems


def _data_source_problems(source: dict[str, object], mode: str | None, where: str) -> list[str]:
    kinds = [k for k in ("S3DataSource", "FileSystemDataSource", "DatasetSource") if has(source, k)]
    if not kinds:
        return [f"{where}.DataSource must specify S3DataSource or FileSystemDataSource."]
    if len(kinds) > 1:
        return [f"{where}.DataSource specifies {' and '.join(kinds)}. Specify only one."]
    problems = []
    s3_type = text(sub(source, "S3DataSource"), "S3DataType")
    if s3_type == "AugmentedManifestFile" and mode != "Pipe":
        problems.append(
            f"{where} uses S3DataType 'AugmentedManifestFile' with input mode '{mode}'. "
            "AugmentedManifestFile requires Pipe input mode."
        )
    if mode == "FastFile" and s3_type not in (None, "S3Prefix"):
        problems.append(
            f"{where} uses input mode 'FastFile' with S3DataType '{s3_type}'. "
            "FastFile input mode requires S3DataType 'S3Prefix'."
        )
    if kinds == ["FileSystemDataSource"] and mode not in (None, "File"):
        problems.append(
            f"{where} uses a FileSystemDataSource with input mode '{mode}'. "
            "File system data sources require File input mode."
        )
    return problems


def v17_environment_total(req: Request) -> list[str]:
    """V17: Environment entries summed over all definitions <= 48. (One map over 48 is the
    model's constraint on that map, reported by it alone.)"""
    sizes = [len(sub(d.body, "Environment")) for d in req.definitions]
    total = sum(sizes)
    if total <= MAX_ENVIRONMENT_ENTRIES or max(sizes) > MAX_ENVIRONMENT_ENTRIES:
        return []
    return [
        f"The training job definitions specify {total} Environment entries in total. "
        f"A tuning job can have at most {MAX_ENVIRONMENT_ENTRIES} environment variables "
        "across all its training job definitions."
    ]
