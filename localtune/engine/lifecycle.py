"""A training job's record, from launch to its end, as DescribeTrainingJob shows it.

Statuses (reference §5.2): InProgress with SecondaryStatus Starting → Downloading → Training →
Uploading, then Completed/Completed; Failed/Failed; Stopping/Stopping → Stopped/Stopped; a job over
``StoppingCondition.MaxRuntimeInSeconds`` → Stopped/MaxRuntimeExceeded. Every change appends to
SecondaryStatusTransitions (closing the previous entry) and moves LastModifiedTime.

How an :class:`~localtune.runtime.runner.Outcome` becomes a status (:func:`verdict`) — choices
where SageMaker documents no exact rule:
- Exit 0 → Completed. A stop that was asked for → Stopped, whatever the exit code.
- Exit code n > 0 → Failed, NonRetryableError (the algorithm's own failure). FailureReason is the
  first 1024 characters of ``output/failure`` prefixed with ``AlgorithmError: `` unless the text
  already starts with a platform prefix (``ClientError:``, ``AlgorithmError:``,
  ``InternalServerError:``, ``CapacityError:``) — so a script-mode failure reads
  ``AlgorithmError: ExecuteUserScriptError: …`` as observed on SageMaker; without the
  file it is ``AlgorithmError: Exit Code: n`` (the string SageMaker showed before failure files).
- Killed by a signal nobody asked for — SIGKILL (also what the out-of-memory killer sends),
  SIGTERM, SIGHUP, SIGINT — is an infrastructure failure: Failed, RetryableError,
  ``InternalServerError: …``. A crash signal (SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL) comes from
  the program itself: Failed, NonRetryableError (the failure file wins if there is one).
- A job lost because the engine running it died or shut down: Failed, RetryableError, with
  FailureReason starting with :data:`ENGINE_LOST`.
- A platform error reported by the executor (``Outcome.error`` starting ``InternalServerError:``,
  e.g. the Dask worker running the job died): Failed, RetryableError; any other platform error
  (``ClientError:`` — data, launch, upload): Failed, NonRetryableError.
- The objective is the last value of the objective metric; a Completed or Stopped job without one
  has ObjectiveStatus Failed; a Failed job's ObjectiveStatus is Failed.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from localtune.runtime.metrics import MetricPoint
from localtune.runtime.runner import SHUTDOWN, Outcome
from localtune.store import Store

__all__ = [
    "ENGINE_LOST",
    "MESSAGES",
    "Verdict",
    "advance",
    "finish",
    "mark_stopping",
    "new_row",
    "verdict",
]

MAX_FAILURE_REASON = 1024
ENGINE_LOST = "InternalServerError: The localtune engine running this training job"
MESSAGES = {
    "Starting": "Preparing the instances for training",
    "Downloading": "Downloading input data",
    "Training": "Training image download completed. Training in progress.",
    "Uploading": "Uploading generated training model",
    "Completed": "Training job completed",
    "Stopping": "Stopping the training job",
    "Stopped": "Training job stopped",
    "MaxRuntimeExceeded": "Training job runtime exceeded MaxRuntimeInSeconds provided",
    "Failed": "Training job failed",
}
_RETRYABLE_SIGNALS = {signal.SIGKILL, signal.SIGTERM, signal.SIGHUP, signal.SIGINT}
# The platform's own FailureReason prefixes; any other text (a user's "ValueError: …", the
# toolkit's "ExecuteUserScriptError: …") gets "AlgorithmError: " in front, as observed.
_PREFIXED = re.compile(r"^\s*(?:ClientError|AlgorithmError|InternalServerError|CapacityError)\s*:")
_lock = threading.Lock()  # read-modify-write of transitions within this process


@dataclass(frozen=True)
class Verdict:
    status: str  # Completed | Failed | Stopped
    secondary: str  # Completed | Failed | Stopped | MaxRuntimeExceeded
    failure_reason: str | None = None
    failure_kind: str | None = None  # Retryable | NonRetryable


def new_row(
    *,
    name: str,
    arn: str,
    tuning_job: str,
    seq: int,
    attempt: int,
    retry_of: str | None,
    definition: Mapping[str, Any],
    hyperparameters: Mapping[str, str],
    tuned: Mapping[str, str],
    objective: tuple[str, str] | None,
    job_dir: str,
    now: float,
) -> dict[str, Any]:
    """The row of a training job just launched: InProgress, Starting, objective Pending."""
    return {
        "name": name,
        "tuning_job": tuning_job,
        "seq": seq,
        "definition_name": definition.get("DefinitionName"),
        "arn": arn,
        "status": "InProgress",
        "secondary_status": "Starting",
        "retry_of": retry_of,
        "attempt": attempt,
        "hyperparameters": dict(hyperparameters),
        "tuned": dict(tuned),
        "definition": dict(definition),
        "creation_time": now,
        "last_modified_time": now,
        "transitions": [
            {"Status": "Starting", "StartTime": now, "StatusMessage": MESSAGES["Starting"]}
        ],
        "objective_metric": objective[0] if objective else None,
        "objective_type": objective[1] if objective else None,
        "objective_status": "Pending",
        "job_dir": job_dir,
    }


def _transitions(
    row: Mapping[str, Any], status: str, when: float, message: str | None
) -> list[dict[str, Any]]:
    transitions = [dict(t) for t in row["transitions"]]
    if transitions and transitions[-1]["Status"] == status:
        return transitions
    if transitions and "EndTime" not in transitions[-1]:
        transitions[-1]["EndTime"] = when
    entry: dict[str, Any] = {"Status": status, "StartTime": when}
    entry["StatusMessage"] = message if message is not None else MESSAGES.get(status, status)
    transitions.append(entry)
    return transitions


def advance(store: Store, name: str, secondary: str, when: float) -> bool:
    """An InProgress job moves to the next SecondaryStatus (Downloading, Training, Uploading).
    A job being stopped stays Stopping. TrainingStartTime is set at Downloading."""
    with _lock:
        row = store.get_training_job(name)
        if row is None or row["status"] != "InProgress":
            return False
        fields: dict[str, Any] = {
            "secondary_status": secondary,
            "transitions": _transitions(row, secondary, when, None),
            "last_modified_time": when,
        }
        if secondary == "Downloading" and row["start_time"] is None:
            fields["start_time"] = when
        return store.update_training_job(name, expect_status=("InProgress",), **fields)


def mark_stopping(store: Store, name: str, when: float | None = None) -> bool:
    """InProgress → Stopping (or complete the transition the API began: it sets the statuses but
    not the transition list)."""
    when = time.time() if when is None else when
    with _lock:
        row = store.get_training_job(name)
        if row is None or row["status"] not in ("InProgress", "Stopping"):
            return False
        if row["transitions"] and row["transitions"][-1]["Status"] == "Stopping":
            return True
        return store.update_training_job(
            name,
            expect_status=("InProgress", "Stopping"),
            status="Stopping",
            secondary_status="Stopping",
            transitions=_transitions(row, "Stopping", when, None),
            last_modified_time=when,
        )


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _reason(text: str) -> str:
    text = text.strip() or "(empty failure file)"
    if not _PREFIXED.match(text):
        text = f"AlgorithmError: {text}"
    return text[:MAX_FAILURE_REASON]


def verdict(outcome: Outcome) -> Verdict:
    """The status a job ends with (see the module docstring)."""
    status = outcome.exit_status
    if outcome.stop_reason == SHUTDOWN:
        return Verdict(
            "Failed",
            "Failed",
            f"{ENGINE_LOST} shut down before the job finished; the tuning job retries it.",
            "Retryable",
        )
    if outcome.stop_reason is not None:
        return Verdict("Stopped", outcome.stop_reason)
    if outcome.error is not None:
        # SageMaker retries only InternalServerError (reference: RetryStrategy): platform failures
        # (a Dask worker or scheduler lost) are retryable, the request's (ClientError) are not.
        kind = "Retryable" if outcome.error.startswith("InternalServerError:") else "NonRetryable"
        return Verdict("Failed", "Failed", outcome.error[:MAX_FAILURE_REASON], kind)
    if status == 0:
        return Verdict("Completed", "Completed")
    if status is not None and status < 0:
        name = _signal_name(-status)
        if -status in _RETRYABLE_SIGNALS:
            return Verdict(
                "Failed",
                "Failed",
                f"InternalServerError: The training job's process was killed by {name}, which "
                "localtune did not send (out of memory, or killed from outside).",
                "Retryable",
            )
        text = outcome.failure_text or f"The training job's process was terminated by {name}."
        return Verdict("Failed", "Failed", _reason(text), "NonRetryable")
    if outcome.failure_text is not None:
        return Verdict("Failed", "Failed", _reason(outcome.failure_text), "NonRetryable")
    return Verdict("Failed", "Failed", f"AlgorithmError: Exit Code: {status}", "NonRetryable")


def finish(
    store: Store,
    name: str,
    result: Verdict,
    *,
    final_metrics: Sequence[MetricPoint] = (),
    model_artifacts: str | None = None,
    start_time: float | None = None,
    end_time: float | None = None,
) -> dict[str, Any] | None:
    """Record the end of a job; returns the updated row (None if it had already ended)."""
    end = time.time() if end_time is None else end_time
    with _lock:
        row = store.get_training_job(name)
        if row is None or row["status"] not in ("InProgress", "Stopping"):
            return None
        objective = next((p for p in final_metrics if p.name == row["objective_metric"]), None)
        succeeded = result.status != "Failed" and objective is not None
        message = result.failure_reason if result.status == "Failed" else None
        fields: dict[str, Any] = {
            "status": result.status,
            "secondary_status": result.secondary,
            "failure_reason": result.failure_reason,
            "failure_kind": result.failure_kind,
            "transitions": _transitions(row, result.secondary, end, message),
            "end_time": end,
            "last_modified_time": end,
            "final_metrics": [
                {"MetricName": p.name, "Value": p.value, "Timestamp": p.timestamp}
                for p in final_metrics
            ],
            "objective_status": "Succeeded" if succeeded else "Failed",
            "objective_value": objective.value if succeeded and objective else None,
        }
        if model_artifacts is not None:
            fields["model_artifacts"] = model_artifacts
        if row["start_time"] is None and start_time is not None:
            fields["start_time"] = start_time
        fields["transitions"][-1]["EndTime"] = end
        store.update_training_job(name, expect_status=("InProgress", "Stopping"), **fields)
        return store.get_training_job(name)
