"""TrainingJobEarlyStoppingType Auto on real built-in XGBoost jobs: the median rule stops jobs
while they train (Stopped, model kept, last objective value kept) and saves boosting rounds
against the same tuning job without early stopping, at a comparable best objective."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from localtune import demo
from localtune.runtime.s3 import LocalS3
from tests.engine._semantics import (
    jobs_of,
    objective,
    objective_points,
    rounds,
    run,
    xgb_request,
)

NUM_ROUND = 150
JOBS = 8


def _best(d: dict[str, Any]) -> float:
    return float(d["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])


def test_early_stopping_saves_rounds_at_a_comparable_best(sm: Any, home: Path) -> None:
    demo.write_breast_cancer(home)
    off = run(sm, xgb_request("es-off", jobs=JOBS, num_round=NUM_ROUND, early_stopping="Off"))
    auto = run(sm, xgb_request("es-auto", jobs=JOBS, num_round=NUM_ROUND, early_stopping="Auto"))
    assert off["HyperParameterTuningJobStatus"] == auto["HyperParameterTuningJobStatus"]
    assert auto["HyperParameterTuningJobStatus"] == "Completed"
    assert auto["HyperParameterTuningJobConfig"]["TrainingJobEarlyStoppingType"] == "Auto"

    off_jobs, auto_jobs = jobs_of(sm, "es-off"), jobs_of(sm, "es-auto")
    # Random with the same seed proposes the same configurations: the runs differ only by stops
    assert [j["HyperParameters"] for j in off_jobs] == [j["HyperParameters"] for j in auto_jobs]
    off_rounds = [rounds(home, j["TrainingJobName"]) for j in off_jobs]
    auto_rounds = [rounds(home, j["TrainingJobName"]) for j in auto_jobs]
    assert off_rounds == [NUM_ROUND] * JOBS
    assert sum(auto_rounds) < sum(off_rounds)
    assert off["TrainingJobStatusCounters"]["Stopped"] == 0

    stopped = [j for j in auto_jobs if j["TrainingJobStatus"] == "Stopped"]
    counters = auto["TrainingJobStatusCounters"]
    assert counters["Stopped"] == len(stopped) >= 1
    assert counters["Completed"] + counters["Stopped"] == JOBS
    assert auto["ObjectiveStatusCounters"] == {"Succeeded": JOBS, "Pending": 0, "Failed": 0}
    # the median rule needs 3 earlier jobs at the same epoch: the first 3 always run to the end
    assert all(r == NUM_ROUND for r in auto_rounds[:3])
    assert any(rounds(home, j["TrainingJobName"]) < NUM_ROUND for j in stopped)
    s3 = LocalS3.from_home(home)
    for job in stopped:
        assert job["SecondaryStatus"] == "Stopped"
        assert [t["Status"] for t in job["SecondaryStatusTransitions"]][-2:] == [
            "Stopping",
            "Stopped",
        ]
        # the model trained so far is kept, and so is the last objective value reported
        assert s3.path(job["ModelArtifacts"]["S3ModelArtifacts"]).is_file()
        points = objective_points(home, job["TrainingJobName"])
        assert objective(job) == points[-1]

    # a comparable best objective: within 0.01 AUC of the run that trained everything
    assert _best(auto) >= _best(off) - 0.01


def test_a_job_stopped_early_can_be_the_best() -> None:
    """localtune's choice (SageMaker: UNKNOWN): an early-stopped job's last objective value is a
    real measurement of the model it uploaded, so it competes for BestTrainingJob."""
    from localtune.api.responses import best_job

    def row(name: str, status: str, value: float) -> dict[str, Any]:
        return {
            "name": name,
            "status": status,
            "objective_status": "Succeeded",
            "objective_value": value,
            "objective_type": "Maximize",
        }

    jobs = [row("a", "Completed", 0.97), row("b", "Stopped", 0.99), row("c", "Completed", 0.98)]
    best = best_job(jobs)
    assert best is not None and best["name"] == "b"
