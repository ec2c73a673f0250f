"""The executor contract, run against every executor implementation.

An executor runs each submitted job as its own process tree and returns a future of its outcome;
``stop`` is idempotent and ignores unknown names; ``running`` lists unfinished jobs; ``shutdown``
kills what runs. Add a factory to ``EXECUTORS`` for a new implementation.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from localtune.executors import Executor, LocalExecutor
from localtune.runtime.images import Launch
from localtune.runtime.runner import SHUTDOWN, TrainingJobSpec

EXECUTORS: dict[str, Callable[[], Executor]] = {"local": LocalExecutor}


class Recorder:
    def __init__(self) -> None:
        self.received: list[str] = []
        self.phases: list[str] = []
        self.pid: int | None = None

    def phase(self, status: str, when: float) -> None:
        self.phases.append(status)

    def started(self, pid: int) -> None:
        self.pid = pid

    def lines(self, lines: list[str], when: float) -> None:
        self.received.extend(lines)


@pytest.fixture(params=sorted(EXECUTORS))
def executor(request: pytest.FixtureRequest) -> Iterator[Executor]:
    made = EXECUTORS[request.param]()
    yield made
    made.shutdown(kill=True)


def _spec(tmp_path: Path, name: str, code: str) -> TrainingJobSpec:
    return TrainingJobSpec(
        name=name,
        arn=f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{name}",
        home=tmp_path,
        root=tmp_path / "jobs" / name,
        hyperparameters={},
        launch=Launch(argv=(sys.executable, "-c", code)),
        output_data_config={"S3OutputPath": "s3://b/out"},
        stop_grace=1.0,
    )


def test_jobs_run_concurrently_and_report_lines(executor: Executor, tmp_path: Path) -> None:
    code = "import time, os; time.sleep(0.5); print(os.environ['TRAINING_JOB_NAME'])"
    recorders = [Recorder() for _ in range(3)]
    started = time.monotonic()
    futures = [executor.submit(_spec(tmp_path, f"job-{i}", code), recorders[i]) for i in range(3)]
    assert sorted(executor.running()) == ["job-0", "job-1", "job-2"]
    outcomes = [f.result(30) for f in futures]
    assert time.monotonic() - started < 1.4  # three 0.5 s jobs, not one after another
    assert [o.exit_status for o in outcomes] == [0, 0, 0]
    assert [r.received for r in recorders] == [["job-0"], ["job-1"], ["job-2"]]
    assert len({r.pid for r in recorders}) == 3
    time.sleep(0.05)
    assert executor.running() == []


def test_stop_is_idempotent_and_ignores_unknown_names(executor: Executor, tmp_path: Path) -> None:
    executor.stop("no-such-job")
    future = executor.submit(_spec(tmp_path, "long", "import time; time.sleep(30)"), Recorder())
    with pytest.raises(ValueError, match="already running"):
        executor.submit(_spec(tmp_path, "long", "pass"), Recorder())
    time.sleep(0.3)
    executor.stop("long")
    executor.stop("long", "MaxRuntimeExceeded")  # the first reason wins
    outcome = future.result(10)
    assert outcome.stop_reason == "Stopped"
    executor.stop("long")  # finished: ignored


def test_shutdown_kills_running_jobs_at_once(executor: Executor, tmp_path: Path) -> None:
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(30)"
    future = executor.submit(_spec(tmp_path, "stuck", code), Recorder())
    time.sleep(0.3)
    started = time.monotonic()
    executor.shutdown(kill=True)
    outcome: Any = future.result(10)
    assert time.monotonic() - started < 3  # no grace period on shutdown
    assert outcome.stop_reason == SHUTDOWN
    assert outcome.model_artifacts is None
    with pytest.raises(RuntimeError):
        executor.submit(_spec(tmp_path, "late", "pass"), Recorder())
