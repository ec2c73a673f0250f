"""One training job through the runner: real processes, live log lines, stops, timeouts."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from localtune.runtime import contract, runner
from localtune.runtime.images import XGBOOST_PROGRAM, Launch
from localtune.runtime.runner import StopSignal, TrainingJobSpec
from localtune.runtime.s3 import LocalS3


class Recorder:
    def __init__(self) -> None:
        self.phases: list[str] = []
        self.received: list[tuple[float, str]] = []
        self.pid: int | None = None

    def phase(self, status: str, when: float) -> None:
        self.phases.append(status)

    def started(self, pid: int) -> None:
        self.pid = pid

    def lines(self, lines: list[str], when: float) -> None:
        self.received.extend((time.monotonic(), line) for line in lines)


def _spec(tmp_path: Path, code: str, **fields: Any) -> TrainingJobSpec:
    base: dict[str, Any] = {
        "name": "job-1",
        "arn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/job-1",
        "home": tmp_path,
        "root": tmp_path / "jobs" / "job-1",
        "hyperparameters": {"a": "1"},
        "launch": Launch(argv=(sys.executable, "-c", code)),
        "output_data_config": {"S3OutputPath": "s3://b/out"},
        "stop_grace": 1.0,
    }
    base.update(fields)
    return TrainingJobSpec(**base)


def test_lines_arrive_while_the_job_runs_and_artifacts_are_uploaded(tmp_path: Path) -> None:
    code = (
        "import os, time\n"
        "print('first', flush=False)\n"
        "time.sleep(0.6)\n"
        "open(os.environ['SM_MODEL_DIR'] + '/m.txt', 'w').write('model')\n"
        "print('last', end='')\n"
    )
    recorder = Recorder()
    started = time.monotonic()
    outcome = runner.run(_spec(tmp_path, code), recorder, StopSignal())
    ended = time.monotonic()
    assert outcome.exit_status == 0 and outcome.error is None
    assert [line for _, line in recorder.received] == ["first", "last"]
    first_seen = recorder.received[0][0]
    assert first_seen - started < 0.5 < ended - first_seen  # streamed, not at exit
    assert recorder.phases == ["Downloading", "Training", "Uploading"]
    assert outcome.model_artifacts == "s3://b/out/job-1/output/model.tar.gz"
    assert LocalS3.from_home(tmp_path).path(outcome.model_artifacts).is_file()
    assert (tmp_path / "jobs" / "job-1" / "training.log").read_text() == "first\nlast"


def test_stop_reaches_the_whole_process_group_and_kills_after_the_grace(tmp_path: Path) -> None:
    code = (
        "import os, signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "child = subprocess.Popen(['sleep', '60'])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    recorder = Recorder()
    stop = StopSignal()
    result: dict[str, Any] = {}
    thread = threading.Thread(
        target=lambda: result.update(outcome=runner.run(_spec(tmp_path, code), recorder, stop))
    )
    thread.start()
    deadline = time.monotonic() + 20
    while not recorder.received and time.monotonic() < deadline:
        time.sleep(0.02)
    grandchild = int(recorder.received[0][1])
    asked = time.monotonic()
    stop.request("Stopped")
    thread.join(20)
    took = time.monotonic() - asked
    outcome = result["outcome"]
    assert outcome.stop_reason == "Stopped"
    assert outcome.exit_status == -9  # SIGTERM ignored: SIGKILL after the 1 s grace
    assert 0.9 <= took < 4
    time.sleep(0.1)
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.split()[2] != "Z"


def test_max_runtime_stops_with_max_runtime_exceeded(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "import time; time.sleep(30)", max_runtime=0.5)
    started = time.monotonic()
    outcome = runner.run(spec, Recorder(), StopSignal())
    assert outcome.stop_reason == "MaxRuntimeExceeded"
    assert time.monotonic() - started < 5
    assert outcome.model_artifacts is not None  # a stopped job's model is uploaded too


def test_failure_file_and_missing_command(tmp_path: Path) -> None:
    code = (
        "import os, sys\n"
        "open(os.environ['SAGEMAKER_BASE_DIR'] + '/output/failure', 'w').write('bad input')\n"
        "sys.exit(4)\n"
    )
    outcome = runner.run(_spec(tmp_path, code), Recorder(), StopSignal())
    assert (outcome.exit_status, outcome.failure_text) == (4, "bad input")
    assert outcome.model_artifacts is None
    missing = _spec(
        tmp_path,
        "",
        name="job-2",
        root=tmp_path / "jobs" / "job-2",
        launch=Launch(argv=("/nonexistent/trainer", "train")),
    )
    outcome = runner.run(missing, Recorder(), StopSignal())
    assert outcome.exit_status is None
    assert outcome.error is not None and "/nonexistent/trainer" in outcome.error


def test_missing_channel_data_is_a_client_error(tmp_path: Path) -> None:
    channel = {
        "ChannelName": "train",
        "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://nobucket/none/"}},
    }
    outcome = runner.run(
        _spec(tmp_path, "pass", input_data_config=[channel]), Recorder(), StopSignal()
    )
    assert outcome.error is not None and outcome.error.startswith("ClientError:")
    assert outcome.exit_status is None


def test_builtin_program_runs_in_a_forked_child_with_the_job_environment(tmp_path: Path) -> None:
    # The XGBoost program without its required hyperparameters: a quick, real failure.
    spec = _spec(
        tmp_path, "", launch=Launch(module=XGBOOST_PROGRAM), hyperparameters={"objective": "x"}
    )
    recorder = Recorder()
    outcome = runner.run(spec, recorder, StopSignal())
    assert outcome.exit_status not in (0, None)
    assert outcome.failure_text is not None and "num_round" in outcome.failure_text
    assert recorder.pid is not None and recorder.pid != os.getpid()
    env = runner.job_process_environment(spec, contract.JobDir(spec.root))
    assert env["OMP_NUM_THREADS"] == "1" and env["TRAINING_JOB_NAME"] == "job-1"
    assert env["LOCALTUNE_HOME"] == str(tmp_path)
