"""One training job, start to end, as SageMaker's platform runs a training container.

``run(spec, events, stop)`` blocks: it lays out the job directory (``contract.write_job_dir``),
puts the channels in place from the local S3 (SecondaryStatus Downloading), starts the container
program in its own process group (Training), streams its log lines to ``events`` while it runs,
stops it when asked or when ``StoppingCondition.MaxRuntimeInSeconds`` passes (SIGTERM to the
group, a grace period, SIGKILL), then uploads ``model/`` and ``output/data/`` for a job that exited
0 or was stopped (Uploading). It returns an :class:`Outcome` — facts, not a verdict: the engine
decides the status from them.

The job's stdout and stderr go to ``<job dir>/training.log`` (kept after the job), which the runner
tails; so the log reaches the engine line by line whatever the program's buffering (Python
programs also get ``PYTHONUNBUFFERED=1`` unless their Environment says otherwise).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from localtune.runtime import contract, epochgate, processes
from localtune.runtime.images import Launch

__all__ = [
    "LOG_NAME",
    "SHUTDOWN",
    "JobEvents",
    "Outcome",
    "StopSignal",
    "TrainingJobSpec",
    "job_process_environment",
    "run",
]

LOG_NAME = "training.log"
#: How often the runner looks at the log and the clocks while the process runs.
POLL_SECONDS = 0.05
#: The same for a job held at an epoch gate (:mod:`localtune.runtime.epochgate`): each epoch
#: waits for the engine to read its line, so the log is read often.
GATED_POLL_SECONDS = 0.002
#: Read at most this much of ``output/failure``; FailureReason keeps 1024 characters.
FAILURE_READ_LIMIT = 8192


@dataclass(frozen=True)
class TrainingJobSpec:
    """Everything needed to run one training job (picklable, no callbacks)."""

    name: str
    arn: str
    home: Path
    root: Path
    hyperparameters: Mapping[str, str]
    launch: Launch
    input_data_config: Sequence[Mapping[str, Any]] = ()
    training_input_mode: str = "File"
    output_data_config: Mapping[str, Any] = field(default_factory=dict)
    checkpoint_config: Mapping[str, Any] | None = None
    resource_config: Mapping[str, Any] | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    max_runtime: float | None = None
    stop_grace: float = 120.0


@dataclass(frozen=True)
class Outcome:
    """What happened to one job."""

    exit_status: int | None  # None: the process never started; negative: killed by that signal
    stop_reason: str | None  # "Stopped" | "MaxRuntimeExceeded" when a stop was asked for
    failure_text: str | None  # output/failure as the program wrote it
    error: str | None  # a FailureReason from the platform side (data, launch, upload)
    model_artifacts: str | None
    training_start: float | None
    end_time: float
    log_path: str


class JobEvents(Protocol):
    """What a runner tells while the job runs (called from the runner's thread)."""

    def phase(self, status: str, when: float) -> None: ...
    def started(self, pid: int) -> None: ...
    def lines(self, lines: list[str], when: float) -> None: ...


#: The stop reason of an engine shutting down: kill at once, upload nothing.
SHUTDOWN = "Shutdown"


class StopSignal:
    """A stop request with its reason; the first reason wins, except that a shutdown overrides
    any other (it kills at once)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason: str | None = None
        self._lock = threading.Lock()

    def request(self, reason: str = "Stopped") -> None:
        with self._lock:
            if self.reason is None or reason == SHUTDOWN:
                self.reason = reason
                self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()


def job_process_environment(spec: TrainingJobSpec, job: contract.JobDir) -> dict[str, str]:
    """The job process's environment: this process's, single-threaded BLAS/OpenMP and unbuffered
    Python by default, the container contract's variables, ``LOCALTUNE_HOME``; the definition's
    ``Environment`` wins over all but the contract's job-directory variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SM_", "SAGEMAKER_"))}
    env.update(processes.FORK_SERVER_ENV)
    env["PYTHONUNBUFFERED"] = "1"
    env["LOCALTUNE_HOME"] = str(spec.home)
    env.update(
        contract.job_environment(
            job,
            training_job_name=spec.name,
            training_job_arn=spec.arn,
            environment=spec.environment,
        )
    )
    return env


class _LogTail:
    """Complete lines appended to a file since the last read."""

    def __init__(self, path: Path) -> None:
        self._file: BinaryIO = open(path, "rb")  # noqa: SIM115
        self._partial = b""

    def read(self, final: bool = False) -> list[str]:
        data = self._partial + self._file.read()
        *complete, self._partial = data.split(b"\n")
        if final and self._partial:
            complete.append(self._partial)
            self._partial = b""
        return [line.decode("utf-8", errors="replace") for line in complete]

    def close(self) -> None:
        self._file.close()


def _prepare(spec: TrainingJobSpec, events: JobEvents) -> contract.JobDir:
    from localtune.runtime.s3 import LocalS3

    job = contract.write_job_dir(
        spec.root,
        hyperparameters=spec.hyperparameters,
        input_data_config=spec.input_data_config,
        training_input_mode=spec.training_input_mode,
        checkpoint_config=spec.checkpoint_config,
        resource_config=spec.resource_config,
    )
    events.phase("Downloading", time.time())
    s3 = LocalS3.from_home(spec.home)
    for channel in spec.input_data_config:
        s3.materialize(channel, job.channel_dir(channel["ChannelName"]))
    if spec.checkpoint_config and spec.checkpoint_config.get("S3Uri"):
        s3.restore_checkpoints(spec.checkpoint_config, job.checkpoints_dir)
    return job


def _start(spec: TrainingJobSpec, job: contract.JobDir, log: Path) -> processes.ProcessHandle:
    env = job_process_environment(spec, job)
    if spec.launch.module is not None:
        if processes.can_fork(env):
            return processes.start_program(spec.launch.module, env, job.root, log)
        argv: tuple[str, ...] = (sys.executable, "-m", spec.launch.module, "train")
    else:
        argv = spec.launch.argv
    return processes.start_command(argv, env, job.root, log)


def _supervise(
    spec: TrainingJobSpec,
    handle: processes.ProcessHandle,
    tail: _LogTail,
    events: JobEvents,
    stop: StopSignal,
) -> int:
    """Wait for the process, streaming its log; stop it when asked or out of time."""
    started = time.monotonic()
    kill_at: float | None = None
    poll = GATED_POLL_SECONDS if epochgate.ENV in spec.environment else POLL_SECONDS
    while True:
        status = handle.wait(poll)
        lines = tail.read(final=status is not None)
        if lines:
            events.lines(lines, time.time())
        if status is not None:
            processes.kill_group(handle.pid, signal.SIGKILL)  # whatever it left behind
            return status
        now = time.monotonic()
        if spec.max_runtime is not None and now - started >= spec.max_runtime:
            stop.request("MaxRuntimeExceeded")
        if stop.reason == SHUTDOWN:
            processes.kill_group(handle.pid, signal.SIGKILL)
        if stop.is_set() and kill_at is None:
            processes.kill_group(handle.pid, signal.SIGTERM)
            kill_at = now + spec.stop_grace
        if kill_at is not None and now >= kill_at:
            processes.kill_group(handle.pid, signal.SIGKILL)
            kill_at = float("inf")


def _failure_text(job: contract.JobDir) -> str | None:
    try:
        with open(job.failure_file, encoding="utf-8", errors="replace") as handle:
            return handle.read(FAILURE_READ_LIMIT)
    except OSError:
        return None


def _upload(spec: TrainingJobSpec, job: contract.JobDir) -> str:
    from localtune.runtime.s3 import LocalS3

    s3 = LocalS3.from_home(spec.home)
    output = spec.output_data_config
    uri = s3.upload_artifacts(
        job, output["S3OutputPath"], spec.name, output.get("CompressionType") or "GZIP"
    )
    if spec.checkpoint_config and spec.checkpoint_config.get("S3Uri"):
        s3.save_checkpoints(job.checkpoints_dir, spec.checkpoint_config)
    return uri


def run(spec: TrainingJobSpec, events: JobEvents, stop: StopSignal) -> Outcome:
    """Run one training job to its end (see the module docstring)."""
    log = Path(spec.root) / LOG_NAME

    def outcome(**fields: Any) -> Outcome:
        base: dict[str, Any] = {
            "exit_status": None,
            "stop_reason": stop.reason,
            "failure_text": None,
            "error": None,
            "model_artifacts": None,
            "training_start": None,
            "end_time": time.time(),
            "log_path": str(log),
        }
        base.update(fields)
        return Outcome(**base)

    try:
        Path(spec.root).mkdir(parents=True, exist_ok=True)
        log.touch()
        job = _prepare(spec, events)
    except (OSError, ValueError) as exc:
        return outcome(error=f"ClientError: {exc}")
    if stop.is_set():
        return outcome()
    training_start = time.time()
    events.phase("Training", training_start)
    tail = _LogTail(log)
    try:
        try:
            handle = _start(spec, job, log)
        except OSError as exc:
            return outcome(
                error=f"ClientError: cannot start {spec.launch.describe()!r}: {exc}",
                training_start=training_start,
            )
        events.started(handle.pid)
        status = _supervise(spec, handle, tail, events, stop)
    finally:
        tail.close()
    failure = _failure_text(job)
    artifacts = None
    error = None
    if (status == 0 or stop.is_set()) and stop.reason != SHUTDOWN:
        events.phase("Uploading", time.time())
        try:
            artifacts = _upload(spec, job)
        except (OSError, ValueError) as exc:
            error = f"ClientError: uploading the model artifacts failed: {exc}"
    return outcome(
        exit_status=status,
        stop_reason=stop.reason,
        failure_text=failure,
        error=error,
        model_artifacts=artifacts,
        training_start=training_start,
    )
