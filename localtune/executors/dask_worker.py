"""The worker side of the Dask executor: one training job, run by a task on a Dask worker.

:func:`run_job` is the task. It runs the job exactly as the local executor does — the runner of
:mod:`localtune.runtime.runner`, the job's own OS process (group), the container contract — and
talks to the engine through two Dask queues that the engine created for the job:

- *control* (engine → worker): first a ticket, put there before the task was submitted, then any
  stop reasons. The task takes the ticket before it does anything; a task that finds no ticket is
  Dask running it a second time because the worker that ran it first died. That run must not
  train (the engine has already recorded the job as lost and a RetryStrategy decides about a
  retry), so it returns :data:`LOST` at once;
- *events* (worker → engine): what the runner reports — phases, the process id, log lines as
  they come — ending with ``["end"]``. Every ``put`` returns only once the scheduler holds the
  item, so every event is queued before the task's result exists.

Data and artifacts travel through the localtune home, which every worker must see at the same
path (a shared filesystem): the job directory ``<home>/jobs/<name>``, the channels from the local
S3 ``<home>/s3`` and the model artifacts back into it. :func:`home_problem` checks this on the
worker before anything runs, against a token the engine wrote in the home.

A job stops when the engine puts a reason on *control* (SIGTERM, the grace period, SIGKILL — the
runner's own rules), and at once (SIGKILL, nothing uploaded) when the engine is gone: its client
released the task (the worker marks it cancelled) or the scheduler cannot be reached.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

from localtune.runtime import runner
from localtune.runtime.runner import SHUTDOWN, Outcome, StopSignal, TrainingJobSpec

__all__ = [
    "END",
    "HOME_TOKEN_NAME",
    "LOST",
    "TICKET",
    "WORKER_NOTE",
    "home_problem",
    "home_token",
    "run_job",
]

TICKET = "localtune-ticket"
LOST = "localtune-lost"
END = "end"
#: A file in the home whose random content identifies the home on every machine.
HOME_TOKEN_NAME = ".localtune-home-id"
#: Where a job ran: ``{"worker": address, "host": hostname, "pid": worker pid}``.
WORKER_NOTE = "dask-worker.json"
#: How often the worker looks for stop requests and at the task's state.
WATCH_SECONDS = 0.25
_CLOSING = ("closing", "closed", "failed")
#: How long log lines may wait on the worker to be sent with the next ones.
LINES_SECONDS = 0.1


def home_token(home: Path) -> str:
    """The home's identity token (created on first use; engine side)."""
    path = Path(home) / HOME_TOKEN_NAME
    try:
        with open(path, "x", encoding="utf-8") as handle:
            token = os.urandom(16).hex()
            handle.write(token)
            return token
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()


def home_problem(home: Path, token: str) -> str | None:
    """Why this machine cannot use the home the engine uses at the same path (None: it can)."""
    home = Path(home)
    if not home.is_dir():
        return f"{home} does not exist here"
    try:
        found = (home / HOME_TOKEN_NAME).read_text(encoding="utf-8").strip()
    except OSError as exc:
        return f"{home} is not the engine's home here (cannot read {HOME_TOKEN_NAME}: {exc})"
    if found != token:
        return f"{home} is a different directory here than on the engine's machine"
    if not os.access(home, os.W_OK | os.X_OK):
        return f"{home} is not writable here"
    return None


class _QueueEvents:
    """:class:`~localtune.runtime.runner.JobEvents` that put the events on a Dask queue from a
    thread of their own, so the runner never waits for the scheduler. Log lines wait up to
    :data:`LINES_SECONDS` to travel with the next ones (one queue item carries a list of
    events); anything else goes at once. :meth:`close` returns once everything is queued."""

    def __init__(self, queue: Any) -> None:
        self._queue = queue
        self._cond = threading.Condition()
        self._pending: list[list[Any]] = []
        self._urgent = False
        self._closed = False
        self._thread = threading.Thread(target=self._send, name="localtune-dask-events")
        self._thread.daemon = True
        self._thread.start()

    def put(self, event: list[Any]) -> None:
        with self._cond:
            self._pending.append(event)
            self._urgent = self._urgent or event[0] != "lines"
            self._cond.notify()

    def close(self, timeout: float = 30.0) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout)

    def _send(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._pending) or self._closed)
                if not (self._urgent or self._closed):
                    self._cond.wait_for(lambda: self._urgent or self._closed, LINES_SECONDS)
                batch, self._pending, self._urgent = self._pending, [], False
                closed = self._closed
            if batch:
                with contextlib.suppress(Exception):  # the scheduler is gone: nobody listens
                    self._queue.put(batch)
            if closed:
                with self._cond:
                    if not self._pending:
                        return

    def phase(self, status: str, when: float) -> None:
        self.put(["phase", status, when])

    def started(self, pid: int) -> None:
        self.put(["started", pid])

    def lines(self, lines: list[str], when: float) -> None:
        self.put(["lines", lines, when])


def _allow_children() -> None:
    """Let this worker process start the job's process through the fork server.

    Dask's nanny starts workers as daemonic processes (``distributed.worker.daemon``, default
    True), and multiprocessing refuses to start children from a daemonic process. The flag only
    guards that check here (whether the nanny kills the worker at exit is decided by the nanny's
    copy), so clearing it is what ``distributed.worker.daemon: False`` would do, without asking
    every user to configure their workers. The job's process still dies with the worker: the
    fork server exits with it and its children get SIGKILL (``PR_SET_PDEATHSIG``)."""
    current = multiprocessing.current_process()
    if current.daemon:
        with contextlib.suppress(AssertionError, AttributeError):
            current.daemon = False


def _engine_gone(worker: Any, key: str) -> bool:
    """Whether nobody will collect this job: the worker is closing (it does when it loses the
    scheduler), or the scheduler let go of the task (its client, the engine, is gone)."""
    if getattr(getattr(worker, "status", None), "name", "running") in _CLOSING:
        return True
    tasks = getattr(getattr(worker, "state", None), "tasks", None)
    if tasks is None:
        return False
    task = tasks.get(key)
    return task is None or task.state in ("cancelled", "released", "forgotten")


def _watch_worker(worker: Any, key: str, stop: StopSignal, done: threading.Event) -> None:
    """Kill the job (SIGKILL, nothing uploaded) once nobody will collect it."""
    while not done.wait(WATCH_SECONDS):
        if _engine_gone(worker, key):
            stop.request(SHUTDOWN)
            return


def _watch_control(control: Any, stop: StopSignal, done: threading.Event) -> None:
    """Pass stop reasons from *control* to the runner. Polls: a Dask queue ``get`` that times
    out is logged as an error by the scheduler."""
    while not done.wait(WATCH_SECONDS):
        try:
            reasons = control.get(batch=True)
        except Exception:
            if not done.is_set():
                stop.request(SHUTDOWN)  # the scheduler is gone: nobody would see the result
            return
        for reason in reasons:
            if isinstance(reason, str) and reason != TICKET:
                stop.request(reason)


def _home_failure(spec: TrainingJobSpec, address: str, problem: str) -> Outcome:
    return Outcome(
        exit_status=None,
        stop_reason=None,
        failure_text=None,
        error=(
            f"ClientError: the localtune home is not visible on Dask worker {address} (host "
            f"{socket.gethostname()}): {problem}. Every Dask worker must see the localtune home "
            "at the same path as the engine (a shared filesystem)."
        ),
        model_artifacts=None,
        training_start=None,
        end_time=time.time(),
        log_path=str(Path(spec.root) / runner.LOG_NAME),
    )


def _note_worker(spec: TrainingJobSpec, address: str) -> None:
    """Write where the job runs to ``<job dir>/dask-worker.json`` (for people and tests)."""
    root = Path(spec.root)
    note = {"worker": address, "host": socket.gethostname(), "pid": os.getpid()}
    with contextlib.suppress(OSError):  # the runner reports a job directory it cannot make
        root.mkdir(parents=True, exist_ok=True)
        (root / WORKER_NOTE).write_text(json.dumps(note), encoding="utf-8")


def run_job(spec: TrainingJobSpec, events_name: str, control_name: str, token: str) -> Any:
    """The Dask task of one training job: an :class:`Outcome`, or :data:`LOST` (see above)."""
    from distributed import Queue, get_client, get_worker

    worker = get_worker()
    client = get_client()
    control = Queue(control_name, client=client)
    events = Queue(events_name, client=client)
    reporter = _QueueEvents(events)
    try:
        pending = control.get(batch=True)
        if not pending or pending[0] != TICKET:
            return LOST
        stop = StopSignal()
        for reason in pending[1:]:
            stop.request(str(reason))
        reporter.put(["claimed", worker.address, socket.gethostname()])
        problem = home_problem(spec.home, token)
        if problem is not None:
            return _home_failure(spec, worker.address, problem)
        _note_worker(spec, worker.address)
        _allow_children()
        done = threading.Event()
        key = str(worker.get_current_task())
        for target, args in ((_watch_control, (control,)), (_watch_worker, (worker, key))):
            threading.Thread(
                target=target, args=(*args, stop, done), name="localtune-dask-watch", daemon=True
            ).start()
        try:
            return runner.run(spec, reporter, stop)
        finally:
            done.set()
    finally:
        reporter.put([END])
        reporter.close()
        with contextlib.suppress(Exception):
            control.close()
            events.close()


async def warm_up_worker() -> None:
    """Start the fork server of this worker in the background (run by ``Client.run`` on the
    worker's event loop, which must not wait for the imports; a coroutine, as ``run(...,
    wait=False)`` requires)."""
    from localtune.runtime import processes

    threading.Thread(target=processes.warm_up, name="localtune-forkserver", daemon=True).start()


def dask_setup(worker: Any) -> None:
    """Dask's preload hook (``dask worker ... --preload localtune.executors.dask_worker``):
    start the worker's fork server as the worker starts, so its first training job does not
    wait for the imports of numpy and XGBoost."""
    from localtune.runtime import processes

    threading.Thread(target=processes.warm_up, name="localtune-forkserver", daemon=True).start()
