"""``localtune.mock_sagemaker()``: real ``boto3.client("sagemaker")`` calls served in-process.

While a mock is active, every SageMaker request of every botocore client is answered by localtune
through botocore's own ``before-send`` event, after botocore has validated, serialised and signed
it, and before anything reaches the network; botocore then parses localtune's JSON 1.1 answer as it
parses SageMaker's. Other services are untouched, so it composes with moto for S3 and STS.

The hook is added to botocore's built-in handlers when this module is imported (as moto does), so
it reaches clients whose session is created after ``import localtune``; clients made earlier can
be hooked with :func:`patch_client`. No credentials and no region are needed: while the mock is
active, missing ones are filled in with placeholders (and removed again afterwards).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

if TYPE_CHECKING:
    from localtune.api.service import Service

F = TypeVar("F", bound=Callable[..., Any])

_lock = threading.Lock()
_active: list[Service] = []

_PLACEHOLDERS = {
    "AWS_ACCESS_KEY_ID": "localtune",
    "AWS_SECRET_ACCESS_KEY": "localtune",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _before_send(request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
    with _lock:
        service = _active[-1] if _active else None
    if service is None:
        return None
    from localtune.interfaces.client import answer

    return answer(service, request)


botocore.handlers.BUILTIN_HANDLERS.append(("before-send.sagemaker", _before_send))


def patch_client(client: Any) -> Any:
    """Hook a SageMaker client that was created before localtune was imported."""
    client.meta.events.register_first("before-send.sagemaker", _before_send)
    return client


class mock_sagemaker:
    """Serve SageMaker from localtune: ``with localtune.mock_sagemaker(): ...`` or as a decorator.

    ``home`` is the localtune home (default ``$LOCALTUNE_HOME``, else ``~/.localtune``).
    """

    def __init__(self, home: str | os.PathLike[str] | None = None) -> None:
        self.home = home
        self._saved_env: dict[str, str | None] = {}

    def start(self) -> Service:
        from localtune.interfaces.services import get_service

        service = get_service(self.home)
        for key, value in _PLACEHOLDERS.items():
            if not os.environ.get(key):
                self._saved_env[key] = os.environ.get(key)
                os.environ[key] = value
        with _lock:
            _active.append(service)
        return service

    def stop(self) -> None:
        with _lock:
            if _active:
                _active.pop()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()

    def __enter__(self) -> Service:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
