"""A tuning job runs real processes: parallelism, budget, counters, best job, job records."""

from __future__ import annotations

import re
from typing import Any

from localtune.runtime.s3 import LocalS3
from tests.engine.conftest import request, training_jobs, wait_done


def _max_overlap(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    current = peak = 0
    for _, delta in events:  # at equal times an end (-1) sorts before a start (+1)
        current += delta
        peak = max(peak, current)
    return peak


def _check_poll(d: dict[str, Any], jobs: list[dict[str, Any]], parallel: int) -> None:
    counters = d["TrainingJobStatusCounters"]
    assert counters["InProgress"] <= parallel
    statuses = [j["TrainingJobStatus"] for j in jobs]
    # The counters were read in one call, the list in another: the list is at least as far on.
    assert counters["Completed"] <= statuses.count("Completed")
    done = [j for j in jobs if j.get("FinalHyperParameterTuningJobObjectiveMetric")]
    best = d.get("BestTrainingJob")
    if best is not None:
        value = best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
        assert value >= min(j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for j in done)


def test_parallel_budget_counters_and_best(sm: Any, home: Any) -> None:
    sm.create_hyper_parameter_tuning_job(**request("par", jobs=7, parallel=3))
    polls = 0
    while True:
        d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="par")
        jobs = sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="par", MaxResults=100
        )["TrainingJobSummaries"]
        _check_poll(d, jobs, 3)
        polls += 1
        if d["HyperParameterTuningJobStatus"] != "InProgress":
            break
    assert polls > 3
    d = wait_done(sm, "par")
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"] == {
        "Completed": 7,
        "InProgress": 0,
        "RetryableError": 0,
        "NonRetryableError": 0,
        "Stopped": 0,
    }
    assert d["ObjectiveStatusCounters"] == {"Succeeded": 7, "Pending": 0, "Failed": 0}
    assert d["HyperParameterTuningEndTime"] >= d["CreationTime"]
    assert d["LastModifiedTime"] <= d["HyperParameterTuningEndTime"]

    jobs = training_jobs(sm, "par")
    assert len(jobs) == 7
    intervals = [(j["CreationTime"].timestamp(), j["TrainingEndTime"].timestamp()) for j in jobs]
    assert _max_overlap(intervals) <= 3
    assert _max_overlap(intervals) >= 2  # it did run in parallel
    names = sorted(j["TrainingJobName"] for j in jobs)
    for number, name in enumerate(names, start=1):
        assert re.fullmatch(rf"par-{number:03d}-[0-9a-f]{{8}}", name)

    best = min(jobs, key=lambda j: j["FinalMetricDataList"][0]["Value"])
    assert d["BestTrainingJob"]["TrainingJobName"] == best["TrainingJobName"]
    for job in jobs:
        hps = job["HyperParameters"]
        assert set(hps) == {"x", "_tuning_objective_metric"}
        assert hps["_tuning_objective_metric"] == "loss"
        x = float(hps["x"])
        assert repr(x) == hps["x"] and 0 <= x <= 1
        # the script prints (x - 0.3)^2 last; the objective is the last value
        assert abs(job["FinalMetricDataList"][0]["Value"] - (x - 0.3) ** 2) < 1e-9
        assert [t["Status"] for t in job["SecondaryStatusTransitions"]] == [
            "Starting",
            "Downloading",
            "Training",
            "Uploading",
            "Completed",
        ]
        assert job["SecondaryStatus"] == "Completed"
        assert job["TrainingStartTime"] <= job["TrainingEndTime"]
        uri = job["ModelArtifacts"]["S3ModelArtifacts"]
        assert uri == f"s3://bucket/out/{job['TrainingJobName']}/output/model.tar.gz"
        assert LocalS3.from_home(home).path(uri).is_file()
        log = home / "jobs" / job["TrainingJobName"] / "training.log"
        assert "loss=" in log.read_text()


def test_metric_points_stored_with_iterations(sm: Any, home: Any) -> None:
    from localtune.interfaces.services import get_service

    sm.create_hyper_parameter_tuning_job(
        **request("pts", jobs=1, parallel=1, static={"epochs": "3"})
    )
    wait_done(sm, "pts")
    job = training_jobs(sm, "pts")[0]
    points = get_service(home).store.metric_points(job["TrainingJobName"], "loss")
    assert [p["iteration"] for p in points] == [0, 1, 2]
    assert [p["value"] for p in points][-1] == job["FinalMetricDataList"][0]["Value"]
    assert job["HyperParameters"]["epochs"] == "3"


def test_grid_runs_every_combination_once(sm: Any) -> None:
    req = request(
        "grid",
        jobs=4,
        parallel=2,
        strategy="Grid",
        continuous=False,
        categorical={"x": ["0.1", "0.3"], "sleep": ["0.1", "0.2"]},
    )
    sm.create_hyper_parameter_tuning_job(**req)
    d = wait_done(sm, "grid")
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    tuned = sorted(
        (j["HyperParameters"]["x"], j["HyperParameters"]["sleep"])
        for j in training_jobs(sm, "grid")
    )
    assert tuned == [("0.1", "0.1"), ("0.1", "0.2"), ("0.3", "0.1"), ("0.3", "0.2")]
    assert d["BestTrainingJob"]["TunedHyperParameters"]["x"] == "0.3"


def test_missing_objective_metric_fails_the_objective_only(sm: Any) -> None:
    sm.create_hyper_parameter_tuning_job(**request("nom", jobs=2, static={"mode": "nometric"}))
    d = wait_done(sm, "nom")
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["Completed"] == 2
    assert d["ObjectiveStatusCounters"] == {"Succeeded": 0, "Pending": 0, "Failed": 2}
    assert "BestTrainingJob" not in d
