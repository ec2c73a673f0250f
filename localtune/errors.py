"""Service errors, raised inside localtune and turned into botocore ``ClientError``s at the edge.

Every error carries the wire code SageMaker uses (``ValidationException``, ``ResourceNotFound``,
``ResourceInUse``, ``ResourceLimitExceeded``), the HTTP status the JSON 1.1 protocol sends with it
and the message. The client, the in-process mock and the HTTP server all translate the same
exception, so every way in reports a problem identically.
"""

from __future__ import annotations

from typing import ClassVar


class ServiceError(Exception):
    """An error the service answers with: a wire ``code``, an HTTP status and a message."""

    code: ClassVar[str] = "InternalFailure"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationException(ServiceError):
    """Bad input: a constraint of the service model or a semantic rule is violated."""

    code = "ValidationException"
    http_status = 400

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems) if problems else [message]


class ResourceNotFound(ServiceError):
    code = "ResourceNotFound"
    http_status = 400


class ResourceInUse(ServiceError):
    code = "ResourceInUse"
    http_status = 400


class ResourceLimitExceeded(ServiceError):
    code = "ResourceLimitExceeded"
    http_status = 400


class UnknownOperationException(ServiceError):
    """An operation of the SageMaker API that localtune does not implement."""

    code = "UnknownOperationException"
    http_status = 400


def validation_error(problems: list[str]) -> ValidationException:
    """One ``ValidationException`` for every problem found, in AWS's wording.

    ``problems`` are complete sentences such as ``Value '0' at 'a.b' failed to satisfy
    constraint: Member must have value greater than or equal to 1``. A single semantic problem is
    reported as it is; constraint problems are prefixed with the count as AWS does
    ("2 validation errors detected: ...; ...").
    """
    if not problems:
        raise ValueError("validation_error() needs at least one problem")
    if len(problems) == 1 and not problems[0].startswith("Value "):
        return ValidationException(problems[0], problems)
    noun = "error" if len(problems) == 1 else "errors"
    message = f"{len(problems)} validation {noun} detected: " + _join(problems)
    return ValidationException(message, problems)


def _join(problems: list[str]) -> str:
    """``"a; b; c"`` as AWS joins constraint messages: a semantic problem is a full sentence
    ending with ``.``; that full stop is dropped before a ``; `` separator (the last problem keeps
    it), so the message never reads ``….; …``."""
    parts = [p[:-1] if p.endswith(".") and not p.endswith("..") else p for p in problems[:-1]]
    return "; ".join([*parts, problems[-1]])
