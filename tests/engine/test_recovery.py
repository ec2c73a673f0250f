"""kill -9 of the engine process mid-run; the next localtune in that home finishes the job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import localtune
from tests.engine.conftest import request, training_jobs, wait_done, wait_until

ENGINE_SCRIPT = """
import json, sys, time
import localtune
sm = localtune.client(home=sys.argv[1])
sm.create_hyper_parameter_tuning_job(**json.loads(sys.argv[2]))
print("created", flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_kill_9_engine_then_resume(home: Path) -> None:
    req = request("crash", jobs=6, parallel=2, static={"sleep": "0.6"}, retries=1)
    engine = subprocess.Popen(
        [sys.executable, "-c", ENGINE_SCRIPT, str(home), json.dumps(req)],
        stdout=subprocess.PIPE,
        cwd=str(Path(__file__).resolve().parents[2]),
    )
    try:
        assert engine.stdout is not None
        assert engine.stdout.readline().strip() == b"created"
        watcher = localtune.client(home=home)  # this process: describes, does not run the job

        def two_done_two_running() -> bool:
            jobs = watcher.list_training_jobs_for_hyper_parameter_tuning_job(
                HyperParameterTuningJobName="crash", MaxResults=100
            )["TrainingJobSummaries"]
            statuses = [j["TrainingJobStatus"] for j in jobs]
            running = [j for j in jobs if j["TrainingJobStatus"] == "InProgress"]
            pids = [home / "jobs" / j["TrainingJobName"] / "pid" for j in running]
            return (
                statuses.count("Completed") >= 2
                and len(running) == 2
                and all(p.is_file() and p.read_text() for p in pids)
            )

        wait_until(two_done_two_running, 30, 0.02)
        before = {
            j["TrainingJobName"]: j
            for j in training_jobs(watcher, "crash")
            if j["TrainingJobStatus"] == "Completed"
        }
        in_flight = [
            j["TrainingJobName"]
            for j in training_jobs(watcher, "crash")
            if j["TrainingJobStatus"] == "InProgress"
        ]
        orphan_pids = [int((home / "jobs" / n / "pid").read_text()) for n in in_flight]
        engine.send_signal(signal.SIGKILL)
        engine.wait(10)
    finally:
        if engine.poll() is None:
            engine.kill()
            engine.wait()
    assert engine.returncode == -signal.SIGKILL
    assert all(_alive(pid) for pid in orphan_pids)  # a dead engine leaves its jobs running

    # The watcher's engine adopts the job within a few heartbeats (its owner's pid is dead).
    started = time.monotonic()
    d = wait_done(watcher, "crash", 60)
    assert time.monotonic() - started < 30
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    wait_until(lambda: not any(_alive(pid) for pid in orphan_pids), 5)

    after = {j["TrainingJobName"]: j for j in training_jobs(watcher, "crash")}
    for name, job in before.items():
        assert after[name] == job  # completed jobs untouched
    for name in in_flight:
        lost = after[name]
        assert lost["TrainingJobStatus"] == "Failed"
        assert lost["FailureReason"].startswith("InternalServerError: The localtune engine")
        retries = [
            j
            for j in after.values()
            if j["TrainingJobName"] != name
            and j["TrainingJobName"].startswith(name[: -len("-12345678")])
        ]
        assert len(retries) == 1
        assert retries[0]["HyperParameters"] == lost["HyperParameters"]
        assert retries[0]["TrainingJobStatus"] == "Completed"
    counters = d["TrainingJobStatusCounters"]
    assert counters["Completed"] == 6  # the budget: six configurations, each completed once
    assert counters["RetryableError"] == len(in_flight)
    launches = {name.rsplit("-", 1)[0] for name in after}
    assert len(launches) == 6


def test_a_live_owner_keeps_its_job(home: Path, sm: Any) -> None:
    from localtune.interfaces.services import get_service

    store = get_service(home).store
    sm.create_hyper_parameter_tuning_job(**request("owned", jobs=2, parallel=1))
    row = store.get_tuning_job("owned")
    assert row is not None
    assert row["owner"] == get_service(home).engine.owner  # type: ignore[union-attr]
    # another engine in this home cannot take it while the owner heartbeats
    from localtune.engine.engine import Engine

    other = Engine(home, store, heartbeat=0.2)
    try:
        assert other.take("owned") is False
        assert other.resume() == []
    finally:
        other.shutdown()
    wait_done(sm, "owned")
