"""Predictions from a model created with CreateModel, as the built-in XGBoost container serves them.

:func:`load` turns a model name into a :class:`ServedModel`: it describes the model through a
SageMaker client (``localtune.client(home)`` by default), checks that localtune can serve it (one
container running the built-in XGBoost image in algorithm mode), resolves ``ModelDataUrl`` in the
local S3 and loads the booster. :func:`invoke` answers one ``/invocations`` request body.

What the container does and localtune copies (``sagemaker-xgboost-container``,
``algorithm_mode/handler_service.py`` and ``serve.py``):

* request ``Content-Type`` ``text/csv`` (features only, no label) or ``text/libsvm`` /
  ``text/x-libsvm``; the parsing itself is :func:`localtune.runtime.xgb.serve.predict`;
* ``Accept`` ``text/csv`` (default; ``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT`` in the model's
  Environment changes the default) or ``application/json``; ``*/*`` means the default;
* ``text/csv`` answers are the predictions joined by commas on one line for real-time endpoints,
  and one prediction per line when ``SAGEMAKER_BATCH`` is set (batch transform); each prediction
  is ``str()`` of the value, so a multi-class probability vector prints as ``[p0, p1, ...]``;
  ``application/json`` answers are the JSON array of predictions.

Where localtune differs on purpose (the container's answers give users no clue):
an empty body is a 400 with a message (the container answers 204 with no body), and a body that
cannot be parsed is a 400 (the container uses 415 for parse errors; localtune keeps 415 for an
unsupported Content-Type and 406 for an unsupported Accept).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from localtune.config import resolve_home
from localtune.runtime.s3 import LocalS3
from localtune.runtime.s3paths import S3Error
from localtune.runtime.xgb import spec

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "InvocationError",
    "ModelNotServable",
    "ServedModel",
    "format_predictions",
    "invoke",
    "load",
]

#: SageMaker real-time endpoints accept request bodies of up to 6 MB.
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
CSV = "text/csv"
JSON = "application/json"
_ACCEPTS = {"text/csv": CSV, "csv": CSV, "application/json": JSON, "json": JSON}


class ModelNotServable(Exception):
    """The model does not exist or localtune cannot serve it; the message says why."""


class InvocationError(Exception):
    """A request the model server refuses: an HTTP status and a message for the caller."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class ServedModel:
    """A loaded model: its description and the booster that answers for it."""

    name: str
    image: str
    model_data_url: str
    model_path: Path
    booster: Any
    environment: Mapping[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def batch(self) -> bool:
        return bool(self.environment.get("SAGEMAKER_BATCH"))

    @property
    def default_accept(self) -> str:
        return self.environment.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT") or CSV


def _container(name: str, description: Mapping[str, Any]) -> Mapping[str, Any]:
    containers = description.get("Containers") or []
    if description.get("PrimaryContainer"):
        return dict(description["PrimaryContainer"])
    if len(containers) == 1:
        return dict(containers[0])
    raise ModelNotServable(
        f"model {name} is an inference pipeline of {len(containers)} containers; localtune "
        "serves single-container models only"
    )


def _check_servable(name: str, container: Mapping[str, Any]) -> str:
    """Where a servable container's model data is, else :class:`ModelNotServable`."""
    image = str(container.get("Image") or "")
    if not image or spec.parse_image(image) is None:
        raise ModelNotServable(
            f"model {name} uses the image {image or '(none)'}; localtune serves only models of "
            "the built-in XGBoost image (<registry>/sagemaker-xgboost:<version>)"
        )
    environment = container.get("Environment") or {}
    if environment.get("SAGEMAKER_PROGRAM"):
        raise ModelNotServable(
            f"model {name} runs the inference script {environment['SAGEMAKER_PROGRAM']} "
            "(script mode); localtune serves the built-in XGBoost algorithm mode only"
        )
    url = container.get("ModelDataUrl")
    source = (container.get("ModelDataSource") or {}).get("S3DataSource") or {}
    if not url and source.get("S3Uri"):
        # ModelDataSource (as the SageMaker SDK sends it): a model.tar.gz (S3Object, Gzip) or
        # an uncompressed model folder (S3Prefix, None); the loader takes either.
        url = source["S3Uri"]
    if not url:
        raise ModelNotServable(
            f"model {name} has no ModelDataUrl or ModelDataSource; localtune needs the "
            "model.tar.gz of a training job"
        )
    return str(url)


def _describe(name: str, client: Any) -> Mapping[str, Any]:
    try:
        description: Mapping[str, Any] = client.describe_model(ModelName=name)
    except ClientError as exc:
        raise ModelNotServable(exc.response["Error"]["Message"]) from None
    return description


def load(
    model_name: str, *, home: str | os.PathLike[str] | None = None, client: Any = None
) -> ServedModel:
    """Describe ``model_name`` and load its booster; :class:`ModelNotServable` if it cannot be."""
    from localtune.runtime.xgb.serve import ModelLoadError, load_model

    root = resolve_home(home)
    if client is None:
        from localtune.interfaces.client import client as make_client

        client = make_client(root)
    container = _container(model_name, _describe(model_name, client))
    url = _check_servable(model_name, container)
    try:
        path = LocalS3.from_home(root).path(url)
    except S3Error as exc:
        raise ModelNotServable(f"model {model_name}: cannot resolve {url}: {exc}") from None
    try:
        booster = load_model(path)
    except ModelLoadError as exc:
        raise ModelNotServable(f"model {model_name}: cannot load {url}: {exc}") from None
    booster.set_param("nthread", "1")
    return ServedModel(
        name=model_name,
        image=str(container["Image"]),
        model_data_url=url,
        model_path=path,
        booster=booster,
        environment=dict(container.get("Environment") or {}),
    )


def negotiate(accept: str | None, default: str) -> str:
    """The answer's media type for an ``Accept`` header (406 when none is supported)."""
    if not accept or not accept.strip():
        return default
    offered = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    for media in offered:
        if media in ("*/*", "text/*", "application/*", ""):
            return default
        if media in _ACCEPTS:
            return _ACCEPTS[media]
    raise InvocationError(
        406,
        f"Accept type {accept!r} is not supported; use text/csv or application/json.",
    )


def format_predictions(predictions: list[Any], accept: str, *, batch: bool) -> bytes:
    """Encode predictions as the container does for ``accept`` (``text/csv`` or JSON)."""
    if accept == JSON:
        return json.dumps(predictions).encode()
    if batch:
        return ("\n".join(map(str, predictions)) + "\n").encode()
    return ",".join(map(str, predictions)).encode()


def invoke(
    model: ServedModel, body: bytes, content_type: str | None, accept: str | None = None
) -> tuple[bytes, str]:
    """Answer one request: ``(response body, media type)`` or :class:`InvocationError`."""
    from localtune.runtime.xgb.serve import PayloadError, UnsupportedContentType, predict

    answer_type = negotiate(accept, model.default_accept)
    if not content_type:
        raise InvocationError(415, "The request has no Content-Type; send text/csv or text/libsvm.")
    if len(body) > MAX_PAYLOAD_BYTES:
        raise InvocationError(
            413, f"The request body has {len(body)} bytes; the limit is {MAX_PAYLOAD_BYTES}."
        )
    if not body.strip():
        raise InvocationError(
            400, "The request body is empty; send one record per line (features only)."
        )
    try:
        with model.lock:  # one prediction at a time per booster
            predictions = predict(model.booster, body, content_type)
    except UnsupportedContentType as exc:
        raise InvocationError(415, f"Unsupported Content-Type: {exc}.") from None
    except PayloadError as exc:
        raise InvocationError(400, f"Unable to evaluate payload provided: {exc}.") from None
    return format_predictions(predictions, answer_type, batch=model.batch), answer_type
