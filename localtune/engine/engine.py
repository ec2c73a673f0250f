"""The engine of one localtune home in one process: runs tuning jobs in the background.

``Engine.start(name)`` (called by CreateHyperParameterTuningJob) takes the job's lease and runs
its tuning loop on a thread; ``wake()`` (called by the Stop operations) makes every loop look at
the store now. A monitor thread renews the leases of the jobs this process runs (every
``heartbeat`` seconds) and adopts unfinished tuning jobs whose owner is gone — a dead process on
this machine at once, any other owner once its heartbeat is older than ``lease_ttl`` — so a tuning
job outlives the process that started it: the next localtune process in that home resumes it.

Exactly one process runs a tuning job at a time: the lease is taken and renewed with
compare-and-set writes; a process that finds its lease taken lets go of the job without writing.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
import uuid
import weakref
from collections.abc import Sequence
from pathlib import Path

from localtune import config
from localtune.engine.loop import TuningRun
from localtune.executors import Executor
from localtune.executors.choose import make_executor
from localtune.store import Store

__all__ = ["DEFAULT_STOP_GRACE", "Engine", "owner_alive", "stop_grace_from_env"]

log = logging.getLogger(__name__)
DEFAULT_STOP_GRACE = 120.0
STOP_GRACE_ENV = "LOCALTUNE_STOP_GRACE_SECONDS"
UNFINISHED = ("InProgress", "Stopping")
_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def stop_grace_from_env() -> float:
    """``$LOCALTUNE_STOP_GRACE_SECONDS``, else SageMaker's 120 s."""
    raw = os.environ.get(STOP_GRACE_ENV)
    if not raw:
        return DEFAULT_STOP_GRACE
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{STOP_GRACE_ENV} must be a number of seconds; got {raw!r}") from None
    if value < 0:
        raise ValueError(f"{STOP_GRACE_ENV} must be >= 0; got {raw!r}")
    return value


def owner_alive(owner: str) -> bool:
    """False when ``owner`` names a process of this machine that no longer exists."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Engine:
    """Runs the tuning jobs of one home (see the module docstring)."""

    def __init__(
        self,
        home: Path,
        store: Store,
        region: str | None = None,
        *,
        executor: Executor | None = None,
        stop_grace: float | None = None,
        heartbeat: float = 2.0,
        lease_ttl: float = 10.0,
    ) -> None:
        self.home = Path(home)
        self.store = store
        self.region = region or config.default_region()
        self.stop_grace = stop_grace_from_env() if stop_grace is None else float(stop_grace)
        # No executor given: $LOCALTUNE_DASK_SCHEDULER names a Dask cluster, else local processes.
        self.executor: Executor = executor or make_executor()
        self.heartbeat = heartbeat
        self.lease_ttl = lease_ttl
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lock = threading.Lock()
        self._runs: dict[str, tuple[TuningRun, threading.Thread]] = {}
        self._closed = threading.Event()
        self._monitor = threading.Thread(
            target=self._watch, name="localtune-engine-monitor", daemon=True
        )
        self._monitor.start()
        _engines.add(self)

    # -- hooks the service calls --------------------------------------------------------------
    def start(self, tuning_job_name: str) -> None:
        """Run the tuning job here if its lease can be had (see :meth:`take`)."""
        self.take(tuning_job_name)

    def take(self, tuning_job_name: str) -> bool:
        """Run the tuning job here if its lease can be had; True if this engine runs it."""
        return self._adopt(tuning_job_name, None)

    def wake(self) -> None:
        with self._lock:
            runs = [run for run, _ in self._runs.values()]
        for run in runs:
            run.wake()

    # -- helpers for the loop -----------------------------------------------------------------
    def arn(self, resource: str, name: str) -> str:
        return config.arn(self.region, resource, name)

    def registered_command(self, image: str) -> Sequence[str] | None:
        row = self.store.get_image(image)
        return None if row is None else list(row["command"])

    # -- adoption, leases -----------------------------------------------------------------------
    def resume(self) -> list[str]:
        """Adopt every unfinished tuning job of the home whose owner is gone; return the names."""
        adopted = []
        for row in self.store.list_tuning_jobs():
            if row["status"] not in UNFINISHED:
                continue
            owner = row["owner"]
            previous = owner if owner and owner != self.owner and not owner_alive(owner) else None
            if self._adopt(row["name"], previous):
                adopted.append(row["name"])
        return adopted

    def _adopt(self, name: str, dead_owner: str | None) -> bool:
        with self._lock:
            if self._closed.is_set():
                return False
            if name in self._runs:
                return True
            if dead_owner is not None:
                taken = self.store.take_over_lease(name, self.owner, dead_owner)
            else:
                taken = self.store.acquire_lease(name, self.owner, self.lease_ttl)
            if not taken:
                return False
            run = TuningRun(self, name)
            thread = threading.Thread(
                target=self._run, args=(run,), name=f"localtune-tuning-{name}", daemon=True
            )
            self._runs[name] = (run, thread)
        thread.start()
        return True

    def _run(self, run: TuningRun) -> None:
        try:
            run.run()
        finally:
            with self._lock:
                self._runs.pop(run.name, None)
            self.store.release_lease(run.name, self.owner)

    def _watch(self) -> None:
        while not self._closed.wait(self.heartbeat):
            try:
                self._renew()
                self.resume()
            except Exception:
                log.exception("localtune engine monitor")

    def _renew(self) -> None:
        with self._lock:
            runs = [run for run, _ in self._runs.values()]
        for run in runs:
            if not self.store.renew_lease(run.name, self.owner):
                log.warning("lost the lease of tuning job %s; letting go of it", run.name)
                run.shutdown(lost_lease=True)

    # -- lifetime -------------------------------------------------------------------------------
    def running(self) -> list[str]:
        with self._lock:
            return sorted(self._runs)

    def join(self, name: str, timeout: float | None = None) -> bool:
        """Wait until this engine no longer runs ``name``; False on timeout."""
        with self._lock:
            entry = self._runs.get(name)
        if entry is None:
            return True
        entry[1].join(timeout)
        return not entry[1].is_alive()

    def shutdown(self, timeout: float = 30.0) -> None:
        """Let go of every tuning job: running training jobs are killed and recorded as lost
        (they are retried when the job resumes), leases are released. Idempotent."""
        self._closed.set()
        with self._lock:
            entries = list(self._runs.values())
        for run, _ in entries:
            run.shutdown()
        for _, thread in entries:
            thread.join(timeout)
        self.executor.shutdown(kill=True)


@atexit.register
def _shutdown_all() -> None:
    for engine in list(_engines):
        try:
            engine.shutdown(timeout=10.0)
        except Exception:  # pragma: no cover - best effort at exit
            log.exception("localtune engine shutdown")
