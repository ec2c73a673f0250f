"""CreateModel, DescribeModel, ListModels and DeleteModel (reference §2.9).

The input has already passed model-level validation (:meth:`Service.call`); these handlers add the
semantic checks SageMaker makes at create time and answer from the store's ``models`` table. The
request is stored exactly as sent and echoed by DescribeModel.

Observed real messages, used verbatim as templates (both are ``ValidationException``s, which the
SageMaker SDK relies on: ``Session.create_model`` reuses a model when it sees the first one):

* duplicate name: ``Cannot create already existing model "<model arn>".``
* unknown name on Describe/Delete: ``Could not find model "<model arn>".``

Decisions where SageMaker's behaviour is UNKNOWN (written down here and in the report):

* ``PrimaryContainer`` and ``Containers`` are mutually exclusive and one is required (the API
  reference says a model needs a container; the exact wording of SageMaker's error is unknown).
* ``ModelDataUrl`` must be an ``s3://`` URI of an existing object in the local S3: SageMaker
  checks at create time that the object exists (observed: ``Could not find model data at
  <url>.``), but not what it holds — a corrupt archive fails only when a container loads it, and
  so it does here (``serve-model``/``predict``). ``https://`` URLs are rejected: localtune has no
  HTTP S3.
* The built-in XGBoost image needs model data (``ModelDataUrl`` or ``ModelDataSource``): the docs
  say it is required for built-in algorithms.
* ``ListModels``: ``NameContains`` matches case-insensitively (model names are case-insensitive);
  ``CreationTimeAfter`` is inclusive (``>=``, as its doc string says) and ``CreationTimeBefore``
  strict; defaults ``SortBy=CreationTime``, ``SortOrder=Descending`` (doc strings).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from localtune import config
from localtune.api import paging
from localtune.api.responses import when
from localtune.errors import ValidationException, validation_error
from localtune.runtime.s3 import LocalS3
from localtune.runtime.s3paths import S3Error
from localtune.runtime.xgb import spec
from localtune.store import Store

__all__ = ["create_model", "delete_model", "describe_model", "list_models", "model_arn"]


def model_arn(region: str, name: str) -> str:
    return config.arn(region, "model", name)


def _not_found(region: str, name: str) -> ValidationException:
    return ValidationException(f'Could not find model "{model_arn(region, name)}".')


def _containers(params: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """``(path, container)`` for every container definition of the request."""
    if params.get("PrimaryContainer") is not None:
        return [("primaryContainer", params["PrimaryContainer"])]
    return [(f"containers.{i}.member", c) for i, c in enumerate(params.get("Containers") or [], 1)]


def _check_model_data(home: Path, where: str, url: str, *, prefix: bool = False) -> list[str]:
    """SageMaker's create-time check that the model data exists (its observed message first,
    then what localtune looked at). ``prefix``: an S3Prefix (uncompressed model) is a folder."""
    if not url.startswith("s3://"):
        return [
            f"Could not find model data at {url}. ('{where}': localtune serves model data from "
            "its local S3 only, so the URL must start with s3://.)"
        ]
    try:
        local = LocalS3.from_home(home).path(url)
    except S3Error as exc:
        return [f"Could not find model data at {url}. ('{where}': {exc})"]
    if not (local.is_dir() if prefix else local.is_file()):
        kind = "prefix (folder)" if prefix else "object"
        return [
            f"Could not find model data at {url}. ('{where}': there is no such {kind} in the "
            "local S3; use the S3ModelArtifacts of a completed training job.)"
        ]
    return []


def _check_container(home: Path, path: str, container: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    image = container.get("Image")
    if not image and not container.get("ModelPackageName"):
        problems.append(f"'{path}.image' is required: name the inference image of the model.")
    url = container.get("ModelDataUrl")
    source = (container.get("ModelDataSource") or {}).get("S3DataSource")
    if url:
        problems += _check_model_data(home, f"{path}.modelDataUrl", url)
    if source:
        # What the SageMaker SDK sends for a training job's artifacts: S3Object + Gzip for
        # model.tar.gz, S3Prefix + None for an uncompressed model folder.
        problems += _check_model_data(
            home,
            f"{path}.modelDataSource.s3DataSource.s3Uri",
            source["S3Uri"],
            prefix=source.get("S3DataType") == "S3Prefix",
        )
    if not url and not source and image and spec.parse_image(image) is not None:
        problems.append(
            f"'{path}.modelDataUrl' is required for the built-in XGBoost image {image}: point it "
            "at the model.tar.gz of a training job (its ModelArtifacts.S3ModelArtifacts)."
        )
    return problems


def _check_create(home: Path, params: Mapping[str, Any]) -> list[str]:
    has_primary = params.get("PrimaryContainer") is not None
    has_list = bool(params.get("Containers"))
    if has_primary and has_list:
        return ["Specify either PrimaryContainer or Containers, not both."]
    if not has_primary and not has_list:
        return [
            "A model needs a container: specify PrimaryContainer (Image and ModelDataUrl) "
            "or Containers."
        ]
    problems: list[str] = []
    for path, container in _containers(params):
        problems += _check_container(home, path, container)
    return problems


def create_model(
    store: Store, region: str, home: Path, params: Mapping[str, Any]
) -> dict[str, Any]:
    name = params["ModelName"]
    problems = _check_create(home, params)
    if problems:
        raise validation_error(problems)
    arn = model_arn(region, name)
    # Millisecond precision, as SageMaker's timestamps (and round trips through clients) have.
    if not store.create_model(name, arn, dict(params), round(time.time(), 3)):
        existing = store.get_model(name)
        shown = existing["arn"] if existing else arn
        raise ValidationException(f'Cannot create already existing model "{shown}".')
    return {"ModelArn": arn}


def _row(store: Store, region: str, name: str) -> dict[str, Any]:
    row = store.get_model(name)
    if row is None:
        raise _not_found(region, name)
    return row


def describe_model(store: Store, region: str, params: Mapping[str, Any]) -> dict[str, Any]:
    row = _row(store, region, params["ModelName"])
    request = row["request"]
    out: dict[str, Any] = {"ModelName": row["name"]}
    for key in ("PrimaryContainer", "Containers", "InferenceExecutionConfig", "ExecutionRoleArn"):
        if request.get(key) is not None:
            out[key] = request[key]
    if request.get("VpcConfig") is not None:
        out["VpcConfig"] = request["VpcConfig"]
    out["CreationTime"] = when(row["creation_time"])
    out["ModelArn"] = row["arn"]
    out["EnableNetworkIsolation"] = bool(request.get("EnableNetworkIsolation", False))
    return out


def _millis(value: Any) -> int:
    """Epoch milliseconds of a timestamp member (datetime, epoch number or ISO string)."""
    if isinstance(value, datetime):
        seconds = value.timestamp()
    elif isinstance(value, int | float):
        seconds = float(value)
    else:
        seconds = datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    return round(seconds * 1000)


def list_models(store: Store, params: Mapping[str, Any]) -> dict[str, Any]:
    rows = store.list_models()
    if params.get("NameContains"):
        needle = params["NameContains"].lower()
        rows = [r for r in rows if needle in r["name"].lower()]
    # Compared in whole milliseconds, so a CreationTime read from DescribeModel and sent back
    # as a bound selects that very model (After is inclusive).
    if params.get("CreationTimeAfter") is not None:
        after = _millis(params["CreationTimeAfter"])
        rows = [r for r in rows if _millis(r["creation_time"]) >= after]
    if params.get("CreationTimeBefore") is not None:
        before = _millis(params["CreationTimeBefore"])
        rows = [r for r in rows if _millis(r["creation_time"]) < before]
    keys = {"Name": lambda r: r["name"], "CreationTime": lambda r: r["creation_time"]}
    descending = (params.get("SortOrder") or "Descending") == "Descending"
    rows = sorted(rows, key=keys[params.get("SortBy") or "CreationTime"], reverse=descending)
    chunk, token = paging.page(rows, params)
    out: dict[str, Any] = {
        "Models": [
            {"ModelName": r["name"], "ModelArn": r["arn"], "CreationTime": when(r["creation_time"])}
            for r in chunk
        ]
    }
    if token:
        out["NextToken"] = token
    return out


def delete_model(store: Store, region: str, params: Mapping[str, Any]) -> dict[str, Any]:
    name = params["ModelName"]
    if not store.delete_model(name):
        raise _not_found(region, name)
    return {}
