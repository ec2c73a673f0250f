"""The tuning loop of one tuning job: launch, watch, decide, record (reference §5.1–§5.3, §5.7).

One thread per tuning job runs :meth:`TuningRun.run`. Each turn it records the training jobs
that ended, feeds their results to the strategy, acts on stop requests and limits, and launches
jobs while fewer than ``MaxParallelTrainingJobs`` run. The strategy is asked for a free slot's
configuration on a thread of its own (:mod:`localtune.engine.asking`), after the turn's results
were told, so the loop never waits for the strategy to think.

Choices where SageMaker is silent (UNKNOWN; see also :mod:`localtune.engine.lifecycle`):
- Budget: ``MaxNumberOfTrainingJobs`` counts configurations launched (the NNN of the names). A
  retry replaces a failed attempt and consumes no budget; it carries the same hyperparameters,
  the same NNN and a new 8-hex suffix, ``attempt`` + 1.
- Retries: a RetryableError job is retried up to ``RetryStrategy.MaximumRetryAttempts`` times (no
  RetryStrategy: never). A job lost because the engine died or shut down is always retried and
  does not use up those attempts: the user did nothing wrong.
- Failure: "No training job succeeded after N attempts. …" (:mod:`localtune.engine.ending`).
- ``ResourceLimits.MaxRuntimeInSeconds`` (counted from CreationTime): running jobs are stopped
  (Stopped) and the tuning job ends Completed.
- Completion criteria (:mod:`localtune.engine.completion`): once one fires nothing more is
  launched, running jobs are stopped (Stopped) and the tuning job ends Completed.
- Hyperband's MaxResource (:mod:`localtune.engine.hyperband`), warm start — parents'
  evaluations and budget (:mod:`localtune.engine.warm_start`) — and Autotune's choices
  (:mod:`localtune.engine.autotune`; a job Autotune cannot run fails with its reason).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
import traceback
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from localtune.engine import (
    autotune,
    definitions,
    ending,
    hyperband,
    lifecycle,
    recovery,
    warm_start,
)
from localtune.engine.asking import PENDING, Asker
from localtune.engine.completion import CompletionTracker
from localtune.engine.jobs import (
    JobEvents,
    RunningJob,
    Slot,
    epoch_gate,
    internal_error,
    record_launch,
    training_job_spec,
)
from localtune.engine.search import Search, Suggestion
from localtune.executors.base import ExecutorLost
from localtune.runtime import epochgate, images
from localtune.runtime.metrics import MetricExtractor, MetricPoint
from localtune.runtime.runner import Outcome

if TYPE_CHECKING:
    from localtune.engine.engine import Engine

__all__ = ["TuningRun"]

log = logging.getLogger(__name__)
POLL_SECONDS = 0.2


class TuningRun:
    """Runs one tuning job in this process while it holds the job's lease."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.store = engine.store
        self.name = name
        self.reports: queue.Queue[tuple[RunningJob, MetricPoint]] = queue.Queue()
        self.search_reports = False
        self._event = threading.Event()
        self._shutdown = threading.Event()
        self._lost_lease = False
        self._pids_lock = threading.Lock()
        self._running: dict[str, RunningJob] = {}
        self._retries: list[Slot] = []
        self._launched = 0
        self._ending: tuple[str, str | None] | None = None
        row = self.store.get_tuning_job(name)
        if row is None:
            raise KeyError(name)
        # The request as run: Autotune's choices filled in (Describe shows it as sent).
        self.setup_error: str | None = None
        try:
            self.request: dict[str, Any] = autotune.effective_request(row["request"])
        except autotune.AutotuneError as exc:
            self.request, self.setup_error = row["request"], str(exc)
        self.creation_time: float = row["creation_time"]
        self.config = self.request["HyperParameterTuningJobConfig"]
        self.budget = warm_start.budget(self.store, self.request)
        self.criteria = CompletionTracker(self.config.get("TuningJobCompletionCriteria"))
        self.parallel = int(self.config["ResourceLimits"]["MaxParallelTrainingJobs"])
        self.search: Search | None = None
        self.asks: Asker | None = None

    # -- called from other threads -------------------------------------------------------------
    def wake(self) -> None:
        self._event.set()

    def shutdown(self, lost_lease: bool = False) -> None:
        self._lost_lease = lost_lease
        self._shutdown.set()
        self._event.set()

    def remember_pid(self, job_name: str, pid: int) -> None:
        with self._pids_lock:
            row = self.store.get_tuning_job(self.name)
            state = dict((row or {}).get("state") or {})
            pids = dict(state.get("pids") or {})
            pids[job_name] = pid
            state["pids"] = pids
            self.store.update_tuning_job(self.name, state=state)

    def objective_name(self, slot: Slot) -> str | None:
        if self.search is None:
            return None
        objective = self.search.objectives[slot.definition_index]
        return objective[0] if objective else None

    # -- the loop -------------------------------------------------------------------------------
    def run(self) -> None:
        if self.setup_error is not None:  # nothing can run; say why, no traceback
            self._finalize("Failed", self.setup_error[: lifecycle.MAX_FAILURE_REASON])
            return
        try:
            self._recover()
            while True:
                self._event.clear()
                if self._step():
                    return
                self._event.wait(POLL_SECONDS)
        except Exception as exc:
            log.error("tuning job %s: engine error\n%s", self.name, traceback.format_exc())
            self._kill_all()
            self._finalize("Failed", f"InternalServerError: localtune engine error: {exc!r}"[:1024])
        finally:
            if self.asks is not None:
                self.asks.close()

    def _step(self) -> bool:
        """One turn; True when the tuning job is over (or this process let go of it)."""
        self._collect()
        self._process_reports()
        if self._shutdown.is_set():
            self._kill_all()
            self._collect(wait=True)
            return True
        row = self.store.get_tuning_job(self.name)
        if row is None or row["status"] not in ("InProgress", "Stopping"):  # deleted or ended
            self._kill_all()
            self._collect(wait=True)
            return True
        self._watch_requests(row)
        if self._ending is not None or row["status"] == "Stopping":
            if row["status"] == "Stopping":
                self._ending = ("Stopped", None)
            self._stop_all()
            if not self._running:
                assert self._ending is not None
                self._finalize(*self._ending)
                return True
            return False
        self._launch_ready()
        assert self.asks is not None
        if not self._running and not self.asks.outstanding():
            self._finalize(
                *(self._ending or ending.natural_end(self.store.list_training_jobs(self.name)))
            )
            return True
        return False

    # -- recording ------------------------------------------------------------------------------
    def _collect(self, wait: bool = False) -> None:
        for job in list(self._running.values()):
            future = job.future
            if future is None:
                continue
            if wait:
                with contextlib.suppress(Exception):  # recorded below
                    future.result()
            if not future.done():
                continue
            del self._running[job.name]
            try:
                outcome = future.result()
            except Exception as exc:
                outcome = internal_error(job.name, exc)
            self._record(job, outcome)

    def _record(self, job: RunningJob, outcome: Outcome) -> None:
        if self._lost_lease:
            return
        verdict = lifecycle.verdict(outcome)
        row = lifecycle.finish(
            self.store,
            job.name,
            verdict,
            final_metrics=job.extractor.final(),
            model_artifacts=outcome.model_artifacts,
            start_time=outcome.training_start,
            end_time=outcome.end_time,
        )
        self._touch()
        if row is None:
            return
        self._after_end(job.slot, row)

    def _after_end(self, slot: Slot, row: Mapping[str, Any]) -> None:
        """Tell the strategy, queue a retry, check the failure rule and completion criteria."""
        assert self.search is not None and self.asks is not None
        if row["status"] == "Failed" and row["failure_kind"] == "Retryable":
            lost = (row["failure_reason"] or "").startswith(lifecycle.ENGINE_LOST)
            if lost or slot.retries_used < self._max_retries(slot):
                slot.retries_used += 0 if lost else 1
                slot.attempt += 1
                slot.retry_of = row["name"]
                self._retries.append(slot)
                self._check_failures()
                return
        value = row["objective_value"] if row["objective_status"] == "Succeeded" else None
        if slot.suggestion is not None:
            self.asks.tell(slot.suggestion, value)
        else:
            self.asks.observe(slot.definition_index, slot.tuned, value)
        self._check_failures()
        if value is not None:
            self._check_criteria(value, self.search.objectives[slot.definition_index])

    def _max_retries(self, slot: Slot) -> int:
        assert self.search is not None
        strategy = self.search.definitions[slot.definition_index].get("RetryStrategy") or {}
        return int(strategy.get("MaximumRetryAttempts", 0))

    def _check_failures(self) -> None:
        failed = ending.failure_ending(self.store.list_training_jobs(self.name))
        if failed is not None and self._ending is None:
            self._ending = failed

    def _check_criteria(self, value: float, objective: tuple[str, str] | None) -> None:
        maximize = objective is not None and objective[1] == "Maximize"
        if self.criteria.observe(value, maximize):
            self._ending = self._ending or ("Completed", None)
        row = self.store.get_tuning_job(self.name)
        details = self.criteria.details((row or {}).get("completion_details"))
        if details is not None:
            self.store.update_tuning_job(self.name, completion_details=details)

    def _finalize(self, status: str, reason: str | None) -> None:
        if self._lost_lease:
            return
        now = time.time()
        row = self.store.get_tuning_job(self.name)
        if row is not None and row["status"] == "Stopping":
            status, reason = "Stopped", None
        fields: dict[str, Any] = {"status": status, "end_time": now, "last_modified_time": now}
        if reason is not None:
            fields["failure_reason"] = reason
        self.store.update_tuning_job(self.name, expect_status=("InProgress", "Stopping"), **fields)

    def _touch(self) -> None:
        if not self._lost_lease:
            self.store.update_tuning_job(self.name, last_modified_time=time.time())

    # -- stops, limits, reports ----------------------------------------------------------------
    def _watch_requests(self, row: Mapping[str, Any]) -> None:
        limit = self.config["ResourceLimits"].get("MaxRuntimeInSeconds")
        if limit is not None and time.time() - self.creation_time >= float(limit):
            self._ending = self._ending or ("Completed", None)
        for job in list(self._running.values()):
            if job.stop_asked:
                continue
            current = self.store.get_training_job(job.name)
            if current is not None and current["status"] == "Stopping":
                self._stop(job)

    def _stop(self, job: RunningJob) -> None:
        job.stop_asked = True
        lifecycle.mark_stopping(self.store, job.name)
        self.engine.executor.stop(job.name, "Stopped")

    def _stop_all(self) -> None:
        for job in list(self._running.values()):
            if not job.stop_asked:
                self._stop(job)

    def _kill_all(self) -> None:
        from localtune.runtime.runner import SHUTDOWN

        for job in list(self._running.values()):
            self.engine.executor.stop(job.name, SHUTDOWN)

    def _process_reports(self) -> None:
        """Decide on every epoch reported (Hyperband, median rule): stop the job, or let it go on
        past its epoch gate."""
        while True:
            try:
                job, point = self.reports.get_nowait()
            except queue.Empty:
                return
            if job.stop_asked or job.name not in self._running:
                continue
            job.epochs += 1
            if self._decides_stop(job, point.value):
                self._stop(job)
            elif job.gate is not None:
                epochgate.allow(job.gate, job.epochs)

    def _decides_stop(self, job: RunningJob, value: float) -> bool:
        suggestion = job.slot.suggestion
        if self.search is None or self.asks is None or suggestion is None:
            return False
        index = job.slot.definition_index
        with self.asks.lock:  # the strategy's state, not while it is being asked
            return self.search.report(suggestion, job.epochs, value) or (
                self.search.strategy_name == "Hyperband"
                and hyperband.reached_max_resource(
                    self.search.strategies[index],
                    self.search.definitions[index],
                    job.slot.tuned,
                    job.epochs,
                )
            )

    # -- launching ------------------------------------------------------------------------------
    def _launch_ready(self) -> None:
        assert self.asks is not None
        while len(self._running) < self.parallel and self._ending is None:
            if self._retries:
                self._launch(self._retries.pop(0))
                continue
            if self._launched >= self.budget:
                return
            suggestion = self.asks.take()
            if suggestion is None or suggestion is PENDING:
                return  # nothing left, or woken when the suggestion is ready
            assert isinstance(suggestion, Suggestion)
            self._launched += 1
            self._launch(
                Slot(self._launched, suggestion.definition_index, suggestion.tuned, suggestion)
            )

    def _launch(self, slot: Slot) -> None:
        assert self.search is not None and self.asks is not None
        definition = self.search.definitions[slot.definition_index]
        objective = self.search.objectives[slot.definition_index]
        self.asks.mark_launched(slot.definition_index, slot.tuned)
        name, hyperparameters, root = record_launch(self, slot, definition, objective)
        self._touch()
        metrics = definitions.metric_definitions_of(definition)
        job = RunningJob(name, slot, MetricExtractor(metrics))
        self._running[name] = job
        launch = images.resolve(definition, self.engine.registered_command)
        if isinstance(launch, images.NoRunner):
            del self._running[name]
            row = lifecycle.finish(
                self.store,
                name,
                lifecycle.Verdict("Failed", "Failed", launch.reason, "NonRetryable"),
            )
            if row is not None:
                self._after_end(slot, row)
            return
        job.gate = epoch_gate(self, root, launch)
        spec = training_job_spec(self, name, root, definition, hyperparameters, launch, job.gate)
        try:
            job.future = self.engine.executor.submit(spec, JobEvents(self, job))
        except ExecutorLost as exc:  # e.g. the Dask scheduler is gone: the tuning job fails
            del self._running[name]
            reason = f"InternalServerError: {exc}"[: lifecycle.MAX_FAILURE_REASON]
            lifecycle.finish(
                self.store, name, lifecycle.Verdict("Failed", "Failed", reason, "Retryable")
            )
            self._ending = self._ending or ("Failed", reason)
            return
        job.future.add_done_callback(lambda _: self._event.set())

    # -- recovery -------------------------------------------------------------------------------
    def _recover(self) -> None:
        """Adopt what a dead engine left (:mod:`localtune.engine.recovery`): in-flight jobs become
        lost (Retryable) and are retried; finished jobs are fed to a new strategy."""
        row = self.store.get_tuning_job(self.name)
        pids = dict(((row or {}).get("state") or {}).get("pids") or {})
        recovery.end_orphans(self.store, self.name, pids)
        finished = self.store.list_training_jobs(self.name)
        self._launched = max((j["seq"] or 0 for j in finished), default=0)
        self.search = Search(self.request, launched=self._launched)
        warm_start.seed(self.search, self.store, self.request)
        self.asks = Asker(self.search, self.wake)
        self.search_reports = self.search.strategy_name == "Hyperband" or (
            self.search.stopping is not None
        )
        launches = [
            images.resolve(d, self.engine.registered_command) for d in self.search.definitions
        ]
        if any(isinstance(x, images.Launch) and x.module is not None for x in launches):
            self.engine.executor.warm_up()
        for slot, last in recovery.slots_to_replay(finished, self.search.definitions):
            self._after_end(slot, last)
        if row is not None and row["status"] == "Stopping":
            self._ending = ("Stopped", None)
