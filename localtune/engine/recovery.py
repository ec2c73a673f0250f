"""Adopting a tuning job that a dead (or departed) engine left unfinished (reference: issue #3,
"nothing completed may ever be lost").

In-flight training jobs of the dead engine are ended first — a job that was being stopped ends
Stopped; any other becomes Failed/RetryableError with a FailureReason starting with
:data:`~localtune.engine.lifecycle.ENGINE_LOST` and is retried by the loop without using up the
definition's ``RetryStrategy`` attempts. Then every launch slot (NNN) is rebuilt from its latest
attempt, so the loop can replay it through the same path as a job that has just ended.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from localtune.engine import lifecycle
from localtune.engine.jobs import Slot
from localtune.runtime import processes
from localtune.store import Store

__all__ = ["end_orphans", "is_own_retryable", "slots_to_replay"]


def is_own_retryable(job: Mapping[str, Any]) -> bool:
    """A RetryableError of the job itself (not the engine's loss), which uses up an attempt."""
    return job["failure_kind"] == "Retryable" and not (job["failure_reason"] or "").startswith(
        lifecycle.ENGINE_LOST
    )


def end_orphans(store: Store, tuning_job: str, pids: Mapping[str, Any]) -> None:
    """Kill what is left of the dead engine's training jobs and record how they ended."""
    for job in store.list_training_jobs(tuning_job):
        if job["status"] not in ("InProgress", "Stopping"):
            continue
        pid = pids.get(job["name"])
        if pid:
            processes.kill_orphan(int(pid), job["name"])
        if job["status"] == "Stopping":
            verdict = lifecycle.Verdict("Stopped", "Stopped")
        else:
            verdict = lifecycle.Verdict(
                "Failed",
                "Failed",
                f"{lifecycle.ENGINE_LOST} stopped before the job finished; the tuning job "
                "retries it.",
                "Retryable",
            )
        lifecycle.finish(store, job["name"], verdict)


def _definition_index(definitions: Sequence[Mapping[str, Any]], job: Mapping[str, Any]) -> int:
    for index, definition in enumerate(definitions):
        if definition.get("DefinitionName") == job["definition_name"]:
            return index
    return 0


def slots_to_replay(
    jobs: Sequence[Mapping[str, Any]], definitions: Sequence[Mapping[str, Any]]
) -> list[tuple[Slot, Mapping[str, Any]]]:
    """Each launch slot, in launch order, with the row of its latest attempt."""
    by_seq: dict[int, list[Mapping[str, Any]]] = {}
    for job in jobs:
        by_seq.setdefault(job["seq"], []).append(job)
    replay: list[tuple[Slot, Mapping[str, Any]]] = []
    for seq in sorted(by_seq):
        attempts = sorted(by_seq[seq], key=lambda j: (j["attempt"], j["creation_time"]))
        last = attempts[-1]
        used = sum(1 for j in attempts if is_own_retryable(j))
        # The latest attempt is replayed as "just ended": its own failure is counted again then.
        used -= 1 if is_own_retryable(last) else 0
        slot = Slot(
            seq,
            _definition_index(definitions, last),
            dict(last["tuned"]),
            None,
            attempt=last["attempt"],
            retry_of=None,
            retries_used=used,
        )
        replay.append((slot, last))
    return replay
