"""The executor interface: where training jobs run, and nothing else.

An executor takes a :class:`~localtune.runtime.runner.TrainingJobSpec` and returns a
``concurrent.futures.Future`` of its :class:`~localtune.runtime.runner.Outcome`; it reports the
job's progress through the :class:`~localtune.runtime.runner.JobEvents` given with it. It decides
nothing about statuses: the engine does. Every implementation (local processes, Dask) must pass
the contract suite in ``tests/executors``.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Protocol

from localtune.runtime.runner import JobEvents, Outcome, TrainingJobSpec

__all__ = ["Executor", "ExecutorLost"]


class ExecutorLost(RuntimeError):
    """Raised by ``submit`` when the executor can run no more training jobs (its Dask scheduler
    is gone); the message says why. The tuning loop fails the tuning job with it."""


class Executor(Protocol):
    def submit(self, job: TrainingJobSpec, events: JobEvents) -> Future[Outcome]:
        """Start ``job`` (its own OS process tree); the future ends with its outcome."""
        ...

    def stop(self, training_job_name: str, reason: str = "Stopped") -> None:
        """Ask a running job to stop (SIGTERM, grace, SIGKILL); idempotent; unknown names and
        finished jobs are ignored. ``reason`` is "Stopped" or "MaxRuntimeExceeded"."""
        ...

    def warm_up(self) -> None:
        """Prepare to start localtune's own container programs quickly (may do nothing)."""
        ...

    def running(self) -> list[str]:
        """Names of the jobs submitted and not finished."""
        ...

    def shutdown(self, kill: bool = True) -> None:
        """Stop accepting jobs; with ``kill`` stop the running ones at once (no grace)."""
        ...
