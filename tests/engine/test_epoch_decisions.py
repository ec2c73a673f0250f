"""Per-epoch decisions land at the epoch they were taken at (reference §5.5, §5.6), even when a
built-in XGBoost round takes a millisecond: Hyperband stops a job at its rung or at MaxResource
("once a job reaches the MaxResource value, it is stopped"), and the median rule stops a job at
the first epoch its value is worse than the median — no rounds run on after the decision."""

from __future__ import annotations

import statistics
import tarfile
from pathlib import Path
from typing import Any

import xgboost

from localtune import demo
from localtune.runtime.s3 import LocalS3
from tests.engine._semantics import jobs_of, objective, objective_points, run, xgb_request


def test_hyperband_stops_at_the_rung_or_at_max_resource(sm: Any, home: Path) -> None:
    demo.write_breast_cancer(home)
    request = xgb_request("hbexact", strategy="Hyperband", jobs=6, num_round=40, seed=11)
    request["HyperParameterTuningJobConfig"]["StrategyConfig"] = {
        "HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 9}
    }
    d = run(sm, request)
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["Stopped"] == 6  # num_round 40 > MaxResource 9
    trained = []
    for job in jobs_of(sm, "hbexact"):
        points = objective_points(home, job["TrainingJobName"])
        trained.append(len(points))
        assert objective(job) == points[-1]
        # the model uploaded is the one the last objective value measured (built-in algorithms
        # save intermediate models when stopped)
        assert _rounds_in_model(home, job) == len(points)
    assert all(r in (1, 3, 9) for r in trained), trained  # rungs 1, 3, 9 (eta 3)
    assert min(trained) < 9


def _rounds_in_model(home: Path, job: dict[str, Any]) -> int:
    path = LocalS3.from_home(home).path(job["ModelArtifacts"]["S3ModelArtifacts"])
    with tarfile.open(path) as tar:
        member = tar.extractfile("xgboost-model")
        assert member is not None
        booster = xgboost.Booster()
        booster.load_model(bytearray(member.read()))
    return int(booster.num_boosted_rounds())


def _running_average(values: list[float], epoch: int) -> float:
    return statistics.fmean(values[:epoch])


def test_median_rule_stops_at_the_first_worse_epoch(sm: Any, home: Path) -> None:
    demo.write_breast_cancer(home)
    request = xgb_request("esexact", jobs=6, parallel=1, num_round=40, early_stopping="Auto")
    d = run(sm, request)
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    jobs = jobs_of(sm, "esexact")
    history = [objective_points(home, j["TrainingJobName"]) for j in jobs]
    stopped = [i for i, j in enumerate(jobs) if j["TrainingJobStatus"] == "Stopped"]
    assert stopped, [len(h) for h in history]
    for index in stopped:
        mine = history[index]
        earlier = history[:index]  # one job at a time: every earlier job has ended
        for epoch in range(1, len(mine) + 1):
            averages = [_running_average(h, epoch) for h in earlier if len(h) >= epoch]
            worse = len(averages) >= 3 and mine[epoch - 1] < statistics.median(averages)
            # maximizing AUC: worse = lower; the job stops at its first worse epoch, not later
            assert worse == (epoch == len(mine)), (index, epoch, len(mine))
