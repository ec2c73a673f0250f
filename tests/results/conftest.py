"""Fixtures for the results tests: a localtune home holding a real XGBoost model in its local S3,
and tuning jobs recorded in a real store."""

from __future__ import annotations

import io
import tarfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xgboost as xgb
from sklearn.datasets import load_breast_cancer

import localtune
from localtune.interfaces import services
from localtune.interfaces.services import get_service

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
ROLE = "arn:aws:iam::123456789012:role/service-role/LocaltuneExecutionRole"


@dataclass
class TrainedModel:
    home: Path
    uri: str
    booster: xgb.Booster
    rows: np.ndarray  # feature rows never seen in training


def write_model_tar(booster: xgb.Booster, target: Path) -> None:
    """``model.tar.gz`` holding ``xgboost-model`` as the built-in image writes it."""
    raw = bytes(booster.save_raw(raw_format="ubj"))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(target, "w:gz") as archive:
        info = tarfile.TarInfo("xgboost-model")
        info.size = len(raw)
        archive.addfile(info, io.BytesIO(raw))


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrainedModel]:
    """A binary:logistic booster on breast_cancer, as model.tar.gz in a home's local S3."""
    home = tmp_path_factory.mktemp("results") / "home"
    X, y = load_breast_cancer(return_X_y=True)
    train = xgb.DMatrix(X[:400], label=y[:400], nthread=1)
    params = {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "nthread": 1}
    booster = xgb.train(params, train, num_boost_round=15)
    uri = "s3://results-bucket/output/job-1/output/model.tar.gz"
    write_model_tar(booster, home / "s3" / "results-bucket/output/job-1/output/model.tar.gz")
    yield TrainedModel(home, uri, booster, X[400:])
    services.close_service(home)  # stop the home's engine thread; nothing is left running


@pytest.fixture(scope="session")
def sm(trained: TrainedModel) -> Any:
    """One client for the session (creating a botocore client costs about a second)."""
    return localtune.client(trained.home)


def create_xgb_model(sm: Any, name: str, uri: str, **extra: Any) -> dict[str, Any]:
    container = {"Image": IMAGE, "ModelDataUrl": uri, **extra}
    response: dict[str, Any] = sm.create_model(
        ModelName=name, PrimaryContainer=container, ExecutionRoleArn=ROLE
    )
    return response


def record_tuning_job(
    home: Path,
    name: str,
    jobs: Sequence[Mapping[str, Any]],
    ranges: Mapping[str, Any] | None = None,
) -> None:
    """Record a tuning job and its training jobs in the home's store, as the engine would.

    Each job mapping gives ``tuned`` (dict), ``status`` and optionally ``objective``, ``start``,
    ``end`` (offsets in seconds from now) and ``definition_name``.
    """
    from tests.helpers import seed_request

    service = get_service(home)
    request = seed_request(name, Strategy="Random")
    if ranges is not None:
        request["HyperParameterTuningJobConfig"]["ParameterRanges"] = dict(ranges)
    now = time.time()
    arn = f"arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/{name.lower()}"
    service.store.create_tuning_job(name, arn, request, "Completed", now - 100)
    for seq, job in enumerate(jobs, start=1):
        job_name = f"{name}-{seq:03d}-{seq:08x}"
        value = job.get("objective")
        service.store.insert_training_job(
            {
                "name": job_name,
                "tuning_job": name,
                "seq": seq,
                "definition_name": job.get("definition_name"),
                "arn": f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{job_name}",
                "status": job["status"],
                "secondary_status": job["status"],
                "failure_reason": job.get("failure_reason"),
                "failure_kind": "NonRetryable" if job["status"] == "Failed" else None,
                "hyperparameters": {**job["tuned"], "num_round": "10"},
                "tuned": dict(job["tuned"]),
                "definition": request["TrainingJobDefinition"],
                "creation_time": now - 90 + seq,
                "start_time": None if job.get("start") is None else now + job["start"],
                "end_time": None if job.get("end") is None else now + job["end"],
                "last_modified_time": now,
                "transitions": [],
                "objective_metric": "validation:auc",
                "objective_type": "Maximize",
                "objective_status": "Succeeded" if value is not None else "Failed",
                "objective_value": value,
                "final_metrics": [],
                "model_artifacts": job.get("model_artifacts"),
            }
        )
