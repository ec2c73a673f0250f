"""How a tuning job ends when its training jobs fail (reference §5.1, UNKNOWN rule).

SageMaker's observed FailureReason is "No training job succeeded after 5 attempts. Please take a
look at the training job failures to get more details."; its exact rule is not documented.
localtune's reading: the tuning job fails once :data:`FAILURE_ATTEMPTS` training jobs have failed
with none Completed (N = 5), or when everything launchable has ended with failures and none
Completed (N = the number of failed jobs, fewer than 5). Every failed attempt counts, retried
ones included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["FAILURE_ATTEMPTS", "failure_ending", "natural_end", "no_success_reason"]

FAILURE_ATTEMPTS = 5


def no_success_reason(attempts: int) -> str:
    return (
        f"No training job succeeded after {attempts} attempts. Please take a look at the "
        "training job failures to get more details."
    )


def _failed_without_success(jobs: Iterable[Mapping[str, Any]]) -> int | None:
    """The number of failed jobs, or None once a job has Completed."""
    failed = 0
    for job in jobs:
        if job["status"] == "Completed":
            return None
        failed += job["status"] == "Failed"
    return failed


def failure_ending(jobs: Iterable[Mapping[str, Any]]) -> tuple[str, str] | None:
    """``("Failed", reason)`` once the failures reach :data:`FAILURE_ATTEMPTS` with no success."""
    failed = _failed_without_success(jobs)
    if failed is not None and failed >= FAILURE_ATTEMPTS:
        return "Failed", no_success_reason(failed)
    return None


def natural_end(jobs: Iterable[Mapping[str, Any]]) -> tuple[str, str | None]:
    """The end of a tuning job with nothing left to launch or run."""
    failed = _failed_without_success(jobs)
    if failed:
        return "Failed", no_success_reason(failed)
    return "Completed", None
