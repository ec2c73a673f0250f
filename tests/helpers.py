"""Small builders shared by tests: requests based on the seed example."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

SEED_PATH = (
    Path(__file__).resolve().parent.parent / "localtune" / "examples" / "seed-xgboost-bayesian.json"
)


def seed_request(name: str | None = None, **config_overrides: Any) -> dict[str, Any]:
    """The seed example request, optionally renamed and with HyperParameterTuningJobConfig
    members replaced."""
    request: dict[str, Any] = json.loads(SEED_PATH.read_text())
    if name is not None:
        request["HyperParameterTuningJobName"] = name
    request["HyperParameterTuningJobConfig"].update(copy.deepcopy(config_overrides))
    return request


def small_seed_request(
    name: str, jobs: int = 3, parallel: int = 3, rounds: int = 10, strategy: str = "Random"
) -> dict[str, Any]:
    """The seed example shrunk to run in seconds (fewer jobs, fewer boosting rounds)."""
    request = seed_request(name, Strategy=strategy)
    limits = request["HyperParameterTuningJobConfig"]["ResourceLimits"]
    limits.update(MaxNumberOfTrainingJobs=jobs, MaxParallelTrainingJobs=parallel)
    request["TrainingJobDefinition"]["StaticHyperParameters"]["num_round"] = str(rounds)
    return request


def wait_for_status(sm: Any, name: str, timeout: float = 120.0) -> dict[str, Any]:
    """Poll DescribeHyperParameterTuningJob until the job is Completed, Stopped or Failed."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        described: dict[str, Any] = sm.describe_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=name
        )
        if described["HyperParameterTuningJobStatus"] in ("Completed", "Stopped", "Failed"):
            return described
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} still {described['HyperParameterTuningJobStatus']}")
        time.sleep(0.2)
