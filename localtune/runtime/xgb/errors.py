"""The container's error classes and how each becomes a SageMaker ``FailureReason``.

The built-in image sorts failures into ``UserError`` (the customer can avoid it: bad
hyperparameters, bad data, known XGBoost complaints about labels) and ``AlgorithmError``
(anything else). SageMaker shows the first kind as ``ClientError: <message>`` and the second as
``AlgorithmError: <message>`` (reference §5.2, observed strings). The exact prefix rule is
UNKNOWN there; localtune writes the prefix into ``output/failure`` itself, because the engine
uses the first 1024 characters of that file verbatim as ``FailureReason``:

- ``UserError``      -> ``ClientError: <message>``
- ``AlgorithmError`` -> ``AlgorithmError: <message>``
- any other exception -> ``AlgorithmError: framework error: <ExceptionType>: <message>`` (the
  full traceback goes to the job's stderr log, not into the 1024-character reason).
"""

from __future__ import annotations

from typing import ClassVar


class ContainerError(Exception):
    """A failure the container reports in ``output/failure``."""

    prefix: ClassVar[str] = "AlgorithmError"

    def __init__(self, message: str, caused_by: BaseException | None = None) -> None:
        # The toolkit appends the underlying exception's class name: "... (caused by ValueError)".
        if caused_by is not None:
            message = f"{message} (caused by {type(caused_by).__name__})"
        super().__init__(message)
        self.message = message

    def failure_reason(self) -> str:
        return f"{self.prefix}: {self.message}"


class UserError(ContainerError):
    """A customer error: SageMaker reports it as ``ClientError: ...``."""

    prefix = "ClientError"


class AlgorithmError(ContainerError):
    """An unexpected failure inside the algorithm."""

    prefix = "AlgorithmError"


def failure_reason(error: BaseException) -> str:
    """The text ``output/failure`` gets for ``error``."""
    if isinstance(error, ContainerError):
        return error.failure_reason()
    return f"AlgorithmError: framework error: {type(error).__name__}: {error}"
