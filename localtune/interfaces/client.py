"""``localtune.client()``: a real botocore SageMaker client whose requests localtune serves.

The client is botocore's own, so method names, keyword-only arguments, paginators, response
parsing (timezone-aware datetimes) and ``client.exceptions.ResourceNotFound`` are exactly boto3's.
Two event hooks make it local:

- ``before-parameter-build``: localtune validates the parameters as the service would, so every
  bad request is a ``ClientError`` with code ``ValidationException`` naming the member (botocore's
  own client-side checks are switched off, as they stop only part of what SageMaker rejects);
- ``before-send``: the signed HTTP request is answered in-process by
  :mod:`localtune.interfaces.wire` instead of going to the network.
"""

from __future__ import annotations

import os
from typing import Any

import botocore.session
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

from localtune.api.service import Service
from localtune.api.validation import validate_input
from localtune.errors import ServiceError
from localtune.interfaces import wire
from localtune.interfaces.services import get_service

LOCAL_ENDPOINT = "https://localtune.local"


class _RawResponse:
    """The minimal urllib3-like object botocore's AWSResponse reads a body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def answer(service: Service, request: AWSPreparedRequest) -> AWSResponse:
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = body.read()
    target = request.headers.get("X-Amz-Target")
    if isinstance(target, bytes):
        target = target.decode()
    status, headers, payload = wire.handle(service, target, body)
    return AWSResponse(request.url, status, headers, _RawResponse(payload))


def install_hooks(client: Any, service: Service, *, validate: bool) -> None:
    """Serve ``client``'s SageMaker requests from ``service`` (and validate first if asked)."""

    def before_send(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        return answer(service, request)

    def before_parameter_build(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "CreateHyperParameterTuningJob":
            return  # the service validates it in full (model and semantic rules at once)
        try:
            validate_input(model.name, params)
        except ServiceError as exc:
            raise client.exceptions.from_code(exc.code)(
                {
                    "Error": {"Code": exc.code, "Message": exc.message},
                    "ResponseMetadata": {"HTTPStatusCode": exc.http_status},
                },
                model.name,
            ) from None

    client.meta.events.register_first("before-send.sagemaker", before_send)
    if validate:
        client.meta.events.register_first(
            "before-parameter-build.sagemaker", before_parameter_build
        )


def client(
    home: str | os.PathLike[str] | None = None,
    *,
    region_name: str | None = None,
    executor: str | None = None,
) -> Any:
    """A boto3-style SageMaker client served by localtune from ``home``
    (default ``$LOCALTUNE_HOME``, else ``~/.localtune``). ``executor="dask://HOST:PORT"`` runs
    the training jobs on that Dask cluster (default: ``$LOCALTUNE_DASK_SCHEDULER``, else local
    processes)."""
    service = get_service(home, executor=executor)
    session = botocore.session.Session()
    sm = session.create_client(
        "sagemaker",
        region_name=region_name or service.region,
        endpoint_url=LOCAL_ENDPOINT,
        aws_access_key_id="localtune",
        aws_secret_access_key="localtune",
        config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )
    install_hooks(sm, service, validate=True)
    return sm


__all__ = ["ClientError", "client", "install_hooks"]
