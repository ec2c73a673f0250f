"""SageMaker's JSON 1.1 protocol: one request in, one response out.

``handle(service, target, body)`` takes the ``X-Amz-Target`` header and the JSON body, calls the
service and returns ``(HTTP status, headers, body)``. The HTTP server, the in-process boto3 mock and
``localtune.client()`` all go through here, so botocore parses localtune's answers exactly as it
parses SageMaker's.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime
from typing import Any

from localtune.api.service import Service
from localtune.errors import ServiceError

TARGET_PREFIX = "SageMaker."
CONTENT_TYPE = "application/x-amz-json-1.1"

log = logging.getLogger(__name__)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()  # JSON 1.1 timestamps are epoch seconds
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"__type": code, "message": message}


def dispatch(service: Service, target: str | None, body: bytes) -> tuple[int, dict[str, Any]]:
    """Run one request; returns the HTTP status and the JSON document to send."""
    if not target or not target.startswith(TARGET_PREFIX):
        return _error(
            400, "UnknownOperationException", f"Missing or unknown X-Amz-Target: {target!r}"
        )
    operation = target[len(TARGET_PREFIX) :]
    try:
        params = json.loads(body or b"{}")
    except ValueError as exc:
        return _error(400, "SerializationException", f"The request body is not JSON: {exc}")
    if not isinstance(params, dict):
        return _error(400, "SerializationException", "The request body must be a JSON object.")
    try:
        return 200, service.call(operation, params)
    except ServiceError as exc:
        return _error(exc.http_status, exc.code, exc.message)
    except Exception as exc:  # a bug: answer like AWS and keep serving
        log.exception("internal error in %s", operation)
        return _error(500, "InternalFailure", f"localtune failed on {operation}: {exc!r}")


def handle(service: Service, target: str | None, body: bytes) -> tuple[int, dict[str, str], bytes]:
    status, document = dispatch(service, target, body)
    payload = json.dumps(document, default=_default).encode()
    headers = {
        "Content-Type": CONTENT_TYPE,
        "Content-Length": str(len(payload)),
        "x-amzn-RequestId": str(uuid.uuid4()),
    }
    return status, headers, payload
