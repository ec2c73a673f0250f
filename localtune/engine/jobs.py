"""The training jobs of one tuning run while they are in flight: launch slots, running jobs, the
runner's callbacks, and the :class:`~localtune.runtime.runner.TrainingJobSpec` a definition
becomes. Used by :mod:`localtune.engine.loop`; no decisions are taken here.
"""

from __future__ import annotations

import secrets
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localtune.engine import definitions, lifecycle
from localtune.engine.search import Suggestion
from localtune.runtime import epochgate, images
from localtune.runtime.metrics import MetricExtractor
from localtune.runtime.runner import Outcome, TrainingJobSpec

if TYPE_CHECKING:
    from collections.abc import Mapping

    from localtune.engine.loop import TuningRun

__all__ = [
    "JobEvents",
    "RunningJob",
    "Slot",
    "epoch_gate",
    "internal_error",
    "record_launch",
    "training_job_spec",
]


@dataclass
class Slot:
    """One launch slot (an NNN) and its current attempt."""

    seq: int
    definition_index: int
    tuned: dict[str, str]
    suggestion: Suggestion | None
    attempt: int = 1
    retry_of: str | None = None
    retries_used: int = 0


@dataclass
class RunningJob:
    name: str
    slot: Slot
    extractor: MetricExtractor
    future: Future[Outcome] | None = None
    stop_asked: bool = False
    pid: int | None = None
    epochs: int = 0
    done: Outcome | None = field(default=None)
    gate: Path | None = None  # the job's epoch gate (runtime.epochgate), when it has one


class JobEvents:
    """The runner's callbacks for one job (called on the job's thread)."""

    def __init__(self, run: TuningRun, job: RunningJob) -> None:
        self._run = run
        self._job = job

    def phase(self, status: str, when: float) -> None:
        lifecycle.advance(self._run.store, self._job.name, status, when)

    def started(self, pid: int) -> None:
        self._job.pid = pid
        self._run.remember_pid(self._job.name, pid)

    def lines(self, lines: list[str], when: float) -> None:
        points = self._job.extractor.feed(lines, when)
        if not points:
            return
        self._run.store.add_metric_points(
            self._job.name, [(p.name, p.value, p.timestamp, p.iteration) for p in points]
        )
        objective = self._run.objective_name(self._job.slot)
        reports = [p for p in points if p.name == objective]
        if reports and self._run.search_reports:
            for point in reports:
                self._run.reports.put((self._job, point))
            self._run.wake()


def record_launch(
    run: TuningRun,
    slot: Slot,
    definition: Mapping[str, Any],
    objective: tuple[str, str] | None,
) -> tuple[str, dict[str, str], Path]:
    """Name a new attempt of ``slot`` (``<tuning job>-NNN-<8 hex>``), compose its hyperparameters
    (static ∪ tuned ∪ ``_tuning_objective_metric``) and store it InProgress/Starting. Returns the
    name, the hyperparameters and the job directory."""
    name = f"{run.name}-{slot.seq:03d}-{secrets.token_hex(4)}"
    hyperparameters = {**(definition.get("StaticHyperParameters") or {}), **slot.tuned}
    if objective is not None:
        hyperparameters[definitions.TUNING_OBJECTIVE_KEY] = objective[0]
    root = run.engine.home / "jobs" / name
    run.store.insert_training_job(
        lifecycle.new_row(
            name=name,
            arn=run.engine.arn("training-job", name),
            tuning_job=run.name,
            seq=slot.seq,
            attempt=slot.attempt,
            retry_of=slot.retry_of,
            definition=definition,
            hyperparameters=hyperparameters,
            tuned=slot.tuned,
            objective=objective,
            job_dir=str(root),
            now=time.time(),
        )
    )
    return name, hyperparameters, root


def epoch_gate(run: TuningRun, root: Path, launch: images.Launch) -> Path | None:
    """The epoch gate of a new job, or None: only built-in XGBoost jobs whose epochs the engine
    decides on (Hyperband, TrainingJobEarlyStoppingType Auto) wait at one — their rounds take
    milliseconds, far less than a decision's round trip (:mod:`localtune.runtime.epochgate`)."""
    if not run.search_reports or launch.module != images.XGBOOST_PROGRAM:
        return None
    return root / epochgate.FILE_NAME


def internal_error(name: str, exc: BaseException) -> Outcome:
    """The outcome of a job whose runner raised (a localtune bug or a lost platform)."""
    return Outcome(
        exit_status=None,
        stop_reason=None,
        failure_text=None,
        error=f"InternalServerError: localtune could not run the training job {name}: {exc!r}",
        model_artifacts=None,
        training_start=None,
        end_time=time.time(),
        log_path="",
    )


def training_job_spec(
    run: TuningRun,
    name: str,
    root: Path,
    definition: Mapping[str, Any],
    hyperparameters: Mapping[str, str],
    launch: images.Launch,
    gate: Path | None = None,
) -> TrainingJobSpec:
    """What the executor runs for one training job of ``definition`` (held at each epoch by
    ``gate`` when given)."""
    stopping = definition.get("StoppingCondition") or {}
    environment = dict(definition.get("Environment") or {})
    if gate is not None:
        environment[epochgate.ENV] = str(gate)
    algorithm = definition["AlgorithmSpecification"]
    runtime = stopping.get("MaxRuntimeInSeconds")
    return TrainingJobSpec(
        name=name,
        arn=run.engine.arn("training-job", name),
        home=run.engine.home,
        root=root,
        hyperparameters=dict(hyperparameters),
        launch=launch,
        input_data_config=list(definition.get("InputDataConfig") or []),
        training_input_mode=algorithm.get("TrainingInputMode", "File"),
        output_data_config=dict(definition["OutputDataConfig"]),
        checkpoint_config=definition.get("CheckpointConfig"),
        resource_config=definitions.resource_config_of(definition),
        environment=environment,
        max_runtime=float(runtime) if runtime is not None else None,
        stop_grace=run.engine.stop_grace,
    )
