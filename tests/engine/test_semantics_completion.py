"""TuningJobCompletionCriteria: the rules alone, then each criterion ending a real XGBoost tuning
job early (Completed, budget not used up) with the right TuningJobCompletionDetails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import localtune
from localtune import demo
from localtune.engine import completion
from localtune.engine.completion import CompletionTracker
from localtune.interfaces import services
from tests.engine._semantics import jobs_of, objective, run, xgb_request
from tests.engine.conftest import request as script_request
from tests.engine.conftest import training_jobs, wait_done, wait_until

BUDGET = 12


# -- the rules --------------------------------------------------------------------------------
def test_one_percent_rule() -> None:
    assert completion.improves(0.5, None, maximize=True)
    assert completion.improves(1.01, 1.0, maximize=True)
    assert not completion.improves(1.0099, 1.0, maximize=True)
    assert completion.improves(-1.01, -1.0, maximize=False)
    assert not completion.improves(-1.005, -1.0, maximize=False)
    assert not completion.improves(0.0, 0.0, maximize=False)  # equal is never an improvement
    assert completion.improves(-1e-9, 0.0, maximize=False)  # |best| = 0: any gain counts


def test_target_is_reached_inclusively_in_the_objective_direction() -> None:
    maximize = CompletionTracker({"TargetObjectiveMetricValue": 0.9})
    assert not maximize.observe(0.89, maximize=True)
    assert maximize.observe(0.9, maximize=True)
    assert maximize.fired == "TargetObjectiveMetricValue"
    minimize = CompletionTracker({"TargetObjectiveMetricValue": 0.1})
    assert not minimize.observe(0.2, maximize=False)
    assert minimize.observe(0.05, maximize=False)


def test_not_improving_counter_resets_and_freezes_once_fired() -> None:
    tracker = CompletionTracker(
        {"BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 3}}
    )
    fired = [tracker.observe(v, maximize=False) for v in (10.0, 9.95, 9.0, 9.0, 8.95, 9.5)]
    assert fired == [False, False, False, False, False, True]
    assert tracker.details() == {"NumberOfTrainingJobsObjectiveNotImproving": 3}
    assert not tracker.observe(100.0, maximize=False)  # frozen: the stopped jobs do not count
    assert tracker.details() == {"NumberOfTrainingJobsObjectiveNotImproving": 3}


def test_convergence_needs_enough_jobs_and_a_flat_best() -> None:
    tracker = CompletionTracker({"ConvergenceDetected": {"CompleteOnConvergence": "Enabled"}})
    values = [0.5, 0.9, 0.7, 0.95, 0.96, 0.955, 0.951, 0.958]
    fired = [tracker.observe(v, maximize=True, now=100.0 + i) for i, v in enumerate(values)]
    # after 8 values the last 5 raised the best from 0.95 to 0.96: 0.01 > 1 % of 0.46
    assert not any(fired)
    assert not tracker.observe(0.9601, maximize=True)  # the window still holds the 0.96 job
    assert tracker.observe(0.9602, maximize=True, now=200.0)  # 5 jobs gained 0.0002
    assert tracker.fired == "ConvergenceDetected"
    assert tracker.details() == {
        "NumberOfTrainingJobsObjectiveNotImproving": 5,
        "ConvergenceDetectedTime": 200.0,
    }
    kept = tracker.details({"ConvergenceDetectedTime": 150.0})  # as stored before a restart
    assert kept is not None and kept["ConvergenceDetectedTime"] == 150.0
    disabled = CompletionTracker({"ConvergenceDetected": {"CompleteOnConvergence": "Disabled"}})
    assert not any(disabled.observe(0.5, maximize=True) for _ in range(20))
    assert CompletionTracker(None).details() is None


# -- on real tuning jobs ----------------------------------------------------------------------
def _criteria_request(name: str, criteria: dict[str, Any], parallel: int) -> dict[str, Any]:
    request = xgb_request(name, jobs=BUDGET, parallel=parallel, num_round=20)
    request["HyperParameterTuningJobConfig"]["TuningJobCompletionCriteria"] = criteria
    return request


def _in_end_order(jobs: list[dict[str, Any]]) -> list[float]:
    ended = sorted(jobs, key=lambda j: j["TrainingEndTime"])
    return [v for v in (objective(j) for j in ended) if v is not None]


@pytest.fixture
def data(home: Path) -> Path:
    demo.write_breast_cancer(home)
    return home


def test_target_objective_value_ends_the_tuning_job(sm: Any, data: Path) -> None:
    d = run(sm, _criteria_request("target", {"TargetObjectiveMetricValue": 0.95}, parallel=2))
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    jobs = jobs_of(sm, "target")
    assert len(jobs) < BUDGET
    best = d["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    assert best >= 0.95
    values = _in_end_order(jobs)
    first = next(i for i, v in enumerate(values) if v >= 0.95)
    # nothing was launched after the target was reached; the job still running was stopped
    assert len(jobs) <= first + 1 + 1
    assert d["TrainingJobStatusCounters"]["InProgress"] == 0
    # the counter is reported for any completion criteria; no convergence was detected
    assert set(d["TuningJobCompletionDetails"]) == {"NumberOfTrainingJobsObjectiveNotImproving"}


def test_best_objective_not_improving_ends_the_tuning_job(sm: Any, data: Path) -> None:
    criteria = {"BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 3}}
    d = run(sm, _criteria_request("flat", criteria, parallel=1))
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    jobs = jobs_of(sm, "flat")
    assert 4 <= len(jobs) < BUDGET
    assert d["TuningJobCompletionDetails"] == {"NumberOfTrainingJobsObjectiveNotImproving": 3}
    # replay the 1 % rule over the values in the order the jobs ended (one at a time here)
    values = _in_end_order(jobs)
    best, streak = None, 0
    for value in values:
        streak = 0 if completion.improves(value, best, maximize=True) else streak + 1
        best = value if best is None else max(best, value)
    assert streak == 3
    assert len(values) == len(jobs)


def test_convergence_ends_the_tuning_job_with_a_detection_time(sm: Any, data: Path) -> None:
    # alpha in [0, 0.001] barely moves the AUC: the search has nothing left to find
    request = _criteria_request(
        "conv", {"ConvergenceDetected": {"CompleteOnConvergence": "Enabled"}}, parallel=2
    )
    config = request["HyperParameterTuningJobConfig"]
    config["ParameterRanges"] = {
        "ContinuousParameterRanges": [{"Name": "alpha", "MinValue": "0", "MaxValue": "0.001"}]
    }
    request["TrainingJobDefinition"]["StaticHyperParameters"].update(eta="0.3", max_depth="3")
    d = run(sm, request)
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    jobs = jobs_of(sm, "conv")
    # detected at the 8th value; the one job still running then was stopped, none launched
    assert completion.CONVERGENCE_MIN_JOBS <= len(jobs) <= completion.CONVERGENCE_MIN_JOBS + 1
    replay = CompletionTracker(config["TuningJobCompletionCriteria"])
    values = _in_end_order(jobs)
    fired_at = next(i for i, v in enumerate(values, 1) if replay.observe(v, maximize=True))
    assert fired_at == completion.CONVERGENCE_MIN_JOBS
    details = d["TuningJobCompletionDetails"]
    detected = details["ConvergenceDetectedTime"]
    ended = sorted(j["TrainingEndTime"] for j in jobs)
    assert ended[fired_at - 1] <= detected <= d["HyperParameterTuningEndTime"]
    assert details["NumberOfTrainingJobsObjectiveNotImproving"] == replay.not_improving
    assert d["TrainingJobStatusCounters"]["InProgress"] == 0


def test_without_criteria_the_whole_budget_runs(sm: Any, data: Path) -> None:
    request = xgb_request("plain", jobs=3, parallel=2, num_round=5)
    d = run(sm, request)
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert len(jobs_of(sm, "plain")) == 3
    assert "TuningJobCompletionDetails" not in d


def test_criteria_state_survives_an_engine_restart(home: Path) -> None:
    """The counter is rebuilt from the stored jobs when another engine resumes the tuning job."""
    sm = localtune.client(home=home)
    request = script_request("restart", jobs=BUDGET, parallel=1, static={"sleep": "0.3"})
    request["HyperParameterTuningJobConfig"]["TuningJobCompletionCriteria"] = {
        "BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 3}
    }
    sm.create_hyper_parameter_tuning_job(**request)

    def completed() -> int:
        jobs = sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="restart"
        )["TrainingJobSummaries"]
        return sum(1 for j in jobs if j["TrainingJobStatus"] == "Completed")

    wait_until(lambda: completed() >= 2)
    services.close_service(home)  # the engine lets go: the running job is lost, retried later
    sm = localtune.client(home=home)  # a new service resumes the tuning job
    d = wait_done(sm, "restart", 60)
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TuningJobCompletionDetails"] == {"NumberOfTrainingJobsObjectiveNotImproving": 3}
    jobs = training_jobs(sm, "restart")
    values = [
        j["FinalMetricDataList"][0]["Value"]
        for j in sorted(jobs, key=lambda j: j["TrainingEndTime"])
        if j["TrainingJobStatus"] == "Completed"
    ]
    best, streak = None, 0
    for value in values:
        streak = 0 if completion.improves(value, best, maximize=False) else streak + 1
        best = value if best is None else min(best, value)
    assert streak == 3
    assert len(values) < BUDGET
