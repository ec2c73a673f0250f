"""The default executor: every training job is a local OS process, supervised by a thread.

Concurrency comes from a ``ThreadPoolExecutor`` (one thread per running job, waiting on its
process); the number of jobs running at once is the engine's business (MaxParallelTrainingJobs),
not the executor's. localtune's own container programs start in children of a preloaded fork
server (:mod:`localtune.runtime.processes`), so a job starts in milliseconds.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

from localtune.runtime import processes, runner
from localtune.runtime.runner import JobEvents, Outcome, StopSignal, TrainingJobSpec

__all__ = ["LocalExecutor"]


class LocalExecutor:
    """Run jobs as local processes (see the module docstring)."""

    def __init__(self, max_workers: int = 256) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="localtune-job")
        self._lock = threading.Lock()
        self._stops: dict[str, StopSignal] = {}
        self._closed = False

    def warm_up(self) -> None:
        """Start the fork server in the background (before the first built-in job needs it)."""
        threading.Thread(target=processes.warm_up, name="localtune-forkserver", daemon=True).start()

    def submit(self, job: TrainingJobSpec, events: JobEvents) -> Future[Outcome]:
        stop = StopSignal()
        with self._lock:
            if self._closed:
                raise RuntimeError("the executor has been shut down")
            if job.name in self._stops:
                raise ValueError(f"training job {job.name} is already running")
            self._stops[job.name] = stop
        try:
            future = self._pool.submit(runner.run, job, events, stop)
        except BaseException:
            with self._lock:
                self._stops.pop(job.name, None)
            raise
        future.add_done_callback(lambda _: self._forget(job.name, stop))
        return future

    def _forget(self, name: str, stop: StopSignal) -> None:
        with self._lock:
            if self._stops.get(name) is stop:
                del self._stops[name]

    def stop(self, training_job_name: str, reason: str = "Stopped") -> None:
        with self._lock:
            stop = self._stops.get(training_job_name)
        if stop is not None:
            stop.request(reason)

    def running(self) -> list[str]:
        with self._lock:
            return sorted(self._stops)

    def shutdown(self, kill: bool = True) -> None:
        with self._lock:
            self._closed = True
            stops = list(self._stops.values())
        if kill:
            for stop in stops:
                stop.request(runner.SHUTDOWN)
        self._pool.shutdown(wait=kill, cancel_futures=True)
