"""Request validation as SageMaker performs it: a request fails here where SageMaker rejects it.

Two layers:

* :func:`validate_input` — model-level validation of *any* SageMaker operation's input, driven
  by the service model botocore ships (required members, unknown members, types, lengths,
  numeric bounds, enums, patterns; rules V1–V3 of the reference).
* :func:`check_create_tuning_job` / :func:`validate_create_tuning_job` — the model-level checks
  of ``CreateHyperParameterTuningJob`` followed by every semantic rule (V10–V71) that can be
  checked without AWS. Each rule lives in one function of a ``rules_*`` module and cites its
  V-number; the README's "Validation rules" lists them all.

Every problem is reported at once, in AWS's wording, in one ``ValidationException``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localtune.api.validation.create import (
    ParentLookup,
    check_create_tuning_job,
    validate_create_tuning_job,
)
from localtune.api.validation.model import check_input
from localtune.errors import validation_error

__all__ = [
    "ParentLookup",
    "check_create_tuning_job",
    "check_input",
    "validate_create_tuning_job",
    "validate_input",
]


def validate_input(operation: str, params: Mapping[str, Any]) -> None:
    """Model-level validation of the input of any SageMaker ``operation``.

    Raises :class:`localtune.errors.ValidationException` listing every problem, or
    :class:`localtune.errors.UnknownOperationException` when ``operation`` is not part of the
    SageMaker API.
    """
    problems = check_input(operation, params)
    if problems:
        raise validation_error(problems)
