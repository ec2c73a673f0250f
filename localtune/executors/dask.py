"""Run training jobs on a Dask cluster (``distributed``, the ``dask`` extra).

``DaskExecutor("tcp://HOST:8786")`` connects to a running Dask scheduler; every training job is
one Dask task (:func:`localtune.executors.dask_worker.run_job`) that runs the job on a worker
exactly as the local executor runs it here: its own OS process group, the container contract, the
job directory in the home. A worker runs as many jobs at once as it has threads
(``dask worker --nthreads``); how many run across the cluster is the engine's business
(``MaxParallelTrainingJobs``) — tasks beyond the free threads wait in the scheduler, their jobs
``Starting``.

Per job the engine creates two Dask queues (see :mod:`~localtune.executors.dask_worker`): the
worker puts the runner's events on one — phases, the process id, the log lines as they come, so
metrics, early stopping and Hyperband act while the job runs — and a thread here hands them to
the engine; stop reasons go the other way. Every event is on the queue before the task's result
exists, and the queue is drained before the job's future is resolved, so the last metric line
always arrives.

Requirements: every worker imports the same localtune (and XGBoost) as the engine, and sees the
localtune home at the same path (a shared filesystem): channels are read from the home's local S3
and model artifacts written back into it by the worker itself. A worker that cannot see the home
fails the job with a ClientError naming the worker and the path.

Failures (choices where SageMaker has no Dask, written down here):
- A worker that dies (or drops out of the cluster) mid-job: the job ends Failed with an
  ``InternalServerError`` naming the worker — a RetryableError, retried per RetryStrategy (a new
  training job, as for any retry). The engine sees it within about a second (it looks the job's
  worker up in the scheduler's list of workers). Dask would run the task again by itself; the task
  refuses (it finds its ticket taken) and returns at once, so a job is never trained twice under
  one name.
- The scheduler going away: the jobs in flight end the same way, and ``submit`` raises
  :class:`~localtune.executors.base.ExecutorLost`, so the tuning job fails with a FailureReason
  naming the scheduler. Jobs that had ended keep their records; the workers kill the jobs they
  were running (nobody could collect them).
- The engine process dying: its client goes, the scheduler releases the tasks, and the workers
  kill the jobs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import contextlib
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from localtune.executors import dask_worker
from localtune.executors.base import ExecutorLost
from localtune.runtime.runner import LOG_NAME, SHUTDOWN, JobEvents, Outcome, TrainingJobSpec

__all__ = ["DaskExecutor", "DaskUnavailable", "scheduler_address", "target_for"]

log = logging.getLogger(__name__)
MISSING = (
    "running training jobs on Dask needs the 'distributed' package, the 'dask' extra of "
    "localtune: pip install 'localtune[dask]'"
)
#: How often the thread following a job collects its events.
POLL_SECONDS = 0.1
#: How old the list of the cluster's workers may be when a job's worker is looked up in it.
MEMBERS_SECONDS = 1.0
SCHEMES = ("tcp://", "tls://", "ucx://", "inproc://", "ws://", "wss://")


class DaskUnavailable(RuntimeError):
    """The Dask executor cannot be made: ``distributed`` is missing or the scheduler is
    unreachable (the message says which and what to do)."""


def _distributed() -> ModuleType:
    try:
        import distributed
    except ImportError as exc:
        raise DaskUnavailable(MISSING) from exc
    return distributed


def scheduler_address(target: str) -> str:
    """``dask://HOST:PORT``, ``tcp://HOST:PORT`` (or another Dask scheme) or ``HOST:PORT`` as
    the address a ``distributed.Client`` connects to; ``ValueError`` naming the value if it is
    not one of these."""
    text = target.strip()
    if text.startswith("dask://"):
        text = "tcp://" + text[len("dask://") :]
    elif "://" not in text:
        text = "tcp://" + text
    scheme = next((s for s in SCHEMES if text.startswith(s)), None)
    rest = text[len(scheme) :] if scheme else ""
    host, _, port = rest.rpartition(":")
    if scheme is None or (scheme != "inproc://" and not (host and port.isdigit())):
        raise ValueError(
            f"Dask scheduler address {target!r} must look like tcp://HOST:PORT "
            "(or dask://HOST:PORT, HOST:PORT)"
        )
    return text


def target_for(address: str) -> str:
    """The executor target of a scheduler address (``dask://HOST:PORT`` for TCP)."""
    return "dask://" + address[len("tcp://") :] if address.startswith("tcp://") else address


@dataclass(eq=False)
class _Job:
    spec: TrainingJobSpec
    events: JobEvents
    future: cf.Future[Outcome]
    control: Any  # distributed.Queue
    queue: Any  # distributed.Queue
    task: Any = None  # distributed.Future
    stop_reason: str | None = None
    outbox: list[str] = field(default_factory=list)
    cancelled: bool = False
    worker: str | None = None
    host: str | None = None
    claimed_at: float = 0.0

    @property
    def where(self) -> str:
        if self.worker is None:
            return "The Dask worker"
        return f"The Dask worker {self.worker} (host {self.host})"

    @property
    def lost(self) -> str:
        return (
            f"{self.where} running this training job died or left the cluster before the job "
            "finished."
        )


class DaskExecutor:
    """Training jobs as Dask tasks (see the module docstring)."""

    def __init__(self, scheduler: str | Any, *, connect_timeout: float = 10.0) -> None:
        distributed = _distributed()
        if isinstance(scheduler, str):
            self.address = scheduler_address(scheduler)
            try:
                self._client = distributed.Client(
                    self.address, timeout=connect_timeout, set_as_default=False
                )
            except (OSError, TimeoutError) as exc:
                raise DaskUnavailable(
                    f"cannot reach the Dask scheduler at {self.address}: {exc}"
                ) from None
            self._owns_client = True
        else:
            self._client = scheduler
            self.address = str(scheduler.scheduler.address)
            self._owns_client = False
        self._dask = distributed
        self._lock = threading.Lock()
        self._jobs: dict[str, _Job] = {}
        self._followers: list[cf.Future[None]] = []
        self._pool = cf.ThreadPoolExecutor(max_workers=256, thread_name_prefix="localtune-dask")
        self._control = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="localtune-dask")
        self._closed = False
        self._lost: str | None = None
        self._members: frozenset[str] = frozenset()
        self._members_at = float("-inf")

    @property
    def target(self) -> str:
        return target_for(self.address)

    # -- the executor interface -----------------------------------------------------------------
    def submit(self, job: TrainingJobSpec, events: JobEvents) -> cf.Future[Outcome]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the executor has been shut down")
            if job.name in self._jobs:
                raise ValueError(f"training job {job.name} is already running")
        self._check_scheduler()
        try:
            entry = self._start(job, events)
        except (OSError, TimeoutError) as exc:
            self._lost = f"localtune lost the Dask scheduler {self.address}: {exc}"
            raise ExecutorLost(self._lost) from None
        with self._lock:
            self._jobs[job.name] = entry
            self._followers.append(self._pool.submit(self._follow, entry))
        return entry.future

    def stop(self, training_job_name: str, reason: str = "Stopped") -> None:
        with self._lock:
            job = self._jobs.get(training_job_name)
            if job is None or job.stop_reason == SHUTDOWN:
                return
            if job.stop_reason is not None and reason != SHUTDOWN:
                return
            job.stop_reason = reason
            job.outbox.append(reason)
        with contextlib.suppress(RuntimeError):  # shut down meanwhile
            self._control.submit(self._send_stops, job)

    def warm_up(self) -> None:
        """Start the fork server on every worker now (in the background, without waiting)."""
        with contextlib.suppress(RuntimeError):
            self._control.submit(self._warm_up)

    def running(self) -> list[str]:
        with self._lock:
            return sorted(self._jobs)

    def shutdown(self, kill: bool = True, timeout: float = 30.0) -> None:
        with self._lock:
            self._closed = True
            names = list(self._jobs)
            followers = list(self._followers)
        if kill:
            for name in names:
                self.stop(name, SHUTDOWN)
            cf.wait(followers, timeout=timeout)
        self._control.shutdown(wait=kill, cancel_futures=not kill)
        self._pool.shutdown(wait=False)
        if kill or not names:
            self._close_client()

    # -- helpers ----------------------------------------------------------------------------------
    def _check_scheduler(self) -> None:
        status = getattr(self._client, "status", "running")
        if self._lost is None and status not in ("running", "connecting"):
            self._lost = f"localtune lost the Dask scheduler {self.address} (client {status})"
        if self._lost is not None or status != "running":
            raise ExecutorLost(
                self._lost or f"localtune lost the Dask scheduler {self.address} (reconnecting)"
            )

    def _start(self, job: TrainingJobSpec, events: JobEvents) -> _Job:
        token = dask_worker.home_token(Path(job.home))
        control = self._dask.Queue(f"localtune-{job.name}-control", client=self._client)
        queue = self._dask.Queue(f"localtune-{job.name}-events", client=self._client)
        control.put(dask_worker.TICKET)
        future: cf.Future[Outcome] = cf.Future()
        future.set_running_or_notify_cancel()
        entry = _Job(job, events, future, control, queue)
        entry.task = self._client.submit(
            dask_worker.run_job,
            job,
            queue.name,
            control.name,
            token,
            key=f"localtune-{job.name}",
            pure=False,
            retries=0,
        )
        return entry

    def _send_stops(self, job: _Job) -> None:
        with self._lock:
            reasons, job.outbox = job.outbox, []
            claimed = job.worker is not None
        try:
            for reason in reasons:
                job.control.put(reason, timeout=5)
            if SHUTDOWN in reasons and not claimed:
                job.cancelled = True
                job.task.cancel()
        except Exception as exc:  # the scheduler is gone: the follower sees the task end
            log.warning("could not ask Dask to stop training job %s: %r", job.spec.name, exc)

    def _warm_up(self) -> None:
        try:
            self._client.run(dask_worker.warm_up_worker, wait=False)
        except Exception as exc:
            log.warning("could not warm up the Dask workers: %r", exc)

    def _close_client(self) -> None:
        if self._owns_client:
            with contextlib.suppress(Exception):
                self._client.close(timeout=10)

    # -- following one job ---------------------------------------------------------------------
    def _follow(self, job: _Job) -> None:
        try:
            outcome = self._watch(job)
        except BaseException as exc:
            self._forget(job)
            job.future.set_exception(exc)
        else:
            self._forget(job)
            job.future.set_result(outcome)

    def _forget(self, job: _Job) -> None:
        for queue in (job.control, job.queue) if self._connected() else ():
            with contextlib.suppress(Exception):
                queue.close()
        with self._lock:
            if self._jobs.get(job.spec.name) is job:
                del self._jobs[job.spec.name]
            last = self._closed and not self._jobs
        if last:
            self._close_client()

    def _watch(self, job: _Job) -> Outcome:
        """Hand the job's events to the engine until its task ends; its outcome. Polls: a Dask
        queue ``get`` that times out is logged as an error by the scheduler."""
        ended = False
        while not ended and not job.task.done() and self._connected():
            with contextlib.suppress(Exception):  # still running / the scheduler out of reach
                self._dask.wait(job.task, timeout=POLL_SECONDS)
            try:
                ended = self._dispatch(job, job.queue.get(batch=True))
            except Exception:  # the scheduler is out of reach: the task gets cancelled
                time.sleep(POLL_SECONDS)
            if not ended and not job.task.done() and self._worker_left(job):
                # Dask would run the task again once a thread is free (and the run would find
                # its ticket taken); tell the engine now instead.
                with contextlib.suppress(Exception):
                    job.task.cancel()
                return self._failed(job, job.lost)
        if not ended and self._connected():
            with contextlib.suppress(Exception):
                self._dispatch(job, job.queue.get(batch=True))
        return self._outcome(job)

    def _worker_left(self, job: _Job) -> bool:
        """Whether the worker that claimed the job is gone from the cluster, by a list of the
        workers fetched at most every :data:`MEMBERS_SECONDS` and newer than the claim."""
        with self._lock:
            worker, claimed_at = job.worker, job.claimed_at
            members, members_at = self._members, self._members_at
        if worker is None:
            return False
        now = time.monotonic()
        if now - members_at >= MEMBERS_SECONDS:
            try:
                members = frozenset(self._client.scheduler_info()["workers"])
            except Exception:  # out of reach: the scheduler check decides
                return False
            with self._lock:
                self._members, self._members_at = members, now
            members_at = now
        return members_at > claimed_at and worker not in members

    def _connected(self) -> bool:
        """False once the client lost the scheduler (it cancels every task then; a call to the
        scheduler would wait for the connect timeout)."""
        return getattr(self._client, "status", "running") == "running"

    def _dispatch(self, job: _Job, items: list[Any]) -> bool:
        """Hand ``items`` to the job's events; True once the task's last event came."""
        ended = False
        for item in (event for batch in items for event in batch):
            kind = item[0]
            try:
                if kind == "claimed":
                    with self._lock:
                        job.worker, job.host = str(item[1]), str(item[2])
                        job.claimed_at = time.monotonic()
                elif kind == "phase":
                    job.events.phase(str(item[1]), float(item[2]))
                elif kind == "started":
                    job.events.started(int(item[1]))
                elif kind == "lines":
                    job.events.lines([str(line) for line in item[1]], float(item[2]))
                elif kind == dask_worker.END:
                    ended = True
            except Exception:
                log.exception("training job %s: handling %s from Dask", job.spec.name, kind)
        return ended

    def _outcome(self, job: _Job) -> Outcome:
        try:
            result = job.task.result()
        except self._dask.KilledWorker:
            return self._failed(job, f"{job.where} running this training job died repeatedly.")
        except (cf.CancelledError, asyncio.CancelledError) as exc:
            if job.cancelled:
                return self._failed(job, None)
            if getattr(exc, "reason", "") == "scheduler-connection-lost":
                self._lost = f"localtune lost the Dask scheduler {self.address}"
                return self._failed(job, f"{self._lost} while this training job ran.")
            return self._failed(job, f"Dask cancelled this training job's task: {exc}")
        if result == dask_worker.LOST:
            return self._failed(job, job.lost)
        if not isinstance(result, Outcome):
            raise TypeError(f"a Dask task of localtune returned {result!r}")
        return result

    def _failed(self, job: _Job, why: str | None) -> Outcome:
        """The outcome of a job whose task could not finish (``why`` None: we cancelled it)."""
        return Outcome(
            exit_status=None,
            stop_reason=job.stop_reason,
            failure_text=None,
            error=None if why is None else f"InternalServerError: {why}",
            model_artifacts=None,
            training_start=None,
            end_time=time.time(),
            log_path=str(Path(job.spec.root) / LOG_NAME),
        )
