"""ResourceLimits.MaxRuntimeInSeconds of the tuning job: running jobs are stopped, the tuning job
ends Completed. (The limit is at least 120 s; the test backdates the job's CreationTime instead of
waiting.)"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import localtune
import strategies  # noqa: F401 - imported here so the engine starts within the margin
from localtune.engine.engine import Engine
from localtune.interfaces import services
from tests.engine.conftest import request, training_jobs, wait_done


def test_tuning_max_runtime_stops_running_jobs(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCALTUNE_ENGINE", "off")  # create without running
    sm = localtune.client(home=home)
    req = request("limited", jobs=6, parallel=2, static={"sleep": "30"})
    req["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxRuntimeInSeconds"] = 120
    sm.create_hyper_parameter_tuning_job(**req)
    store = services.get_service(home).store
    store.update_tuning_job("limited", creation_time=time.time() - 117)
    engine = Engine(home, store, stop_grace=1.0)
    try:
        assert engine.take("limited")
        d = wait_done(sm, "limited", 20)
    finally:
        engine.shutdown()
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert "FailureReason" not in d
    jobs = training_jobs(sm, "limited")
    assert len(jobs) == 2  # the two that were running; nothing launched after the limit
    assert all(j["TrainingJobStatus"] == "Stopped" for j in jobs)
    assert d["TrainingJobStatusCounters"]["Stopped"] == 2
    runtime = d["HyperParameterTuningEndTime"] - d["CreationTime"]
    assert 120 <= runtime.total_seconds() < 125
