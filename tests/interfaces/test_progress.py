"""The progress display and the end-of-run table of `localtune tune`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from localtune.interfaces.progress import live_lines, summary_lines

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def _description(objective_type: str = "Maximize") -> dict:
    return {
        "HyperParameterTuningJobName": "job",
        "HyperParameterTuningJobStatus": "InProgress",
        "HyperParameterTuningJobConfig": {
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 10, "MaxParallelTrainingJobs": 2},
            "HyperParameterTuningJobObjective": {"MetricName": "auc", "Type": objective_type},
        },
        "TrainingJobStatusCounters": {
            "Completed": 4,
            "InProgress": 2,
            "RetryableError": 0,
            "NonRetryableError": 1,
            "Stopped": 0,
        },
        "BestTrainingJob": {
            "TrainingJobName": "job-003-aaaaaaaa",
            "FinalHyperParameterTuningJobObjectiveMetric": {"MetricName": "auc", "Value": 0.9812},
        },
    }


def test_live_block_has_bar_counters_best_and_running_jobs_with_elapsed_time():
    running = [
        {
            "TrainingJobName": "job-006-bbbbbbbb",
            "SecondaryStatus": "Training",
            "TrainingStartTime": NOW - timedelta(seconds=12.5),
        }
    ]
    lines = live_lines(_description(), running, now=NOW)
    assert lines[0] == "job  InProgress  [###############...............] 5/10"
    assert "Completed 4" in lines[1] and "NonRetryableError 1" in lines[1]
    assert lines[2] == "best: auc = 0.9812  (job-003-aaaaaaaa)"
    assert lines[3].split() == ["job-006-bbbbbbbb", "Training", "12.5", "s"]


def _summary(name: str, value: float | None, status: str = "Completed") -> dict:
    out = {"TrainingJobName": name, "TrainingJobStatus": status, "TunedHyperParameters": {
        "eta": "0.123456789", "max_depth": "7"}}  # fmt: skip
    if value is not None:
        out["FinalHyperParameterTuningJobObjectiveMetric"] = {"MetricName": "auc", "Value": value}
    return out


def test_summary_ranks_best_first_for_either_direction_and_failures_last():
    jobs = [_summary("a", 0.5), _summary("b", None, "Failed"), _summary("c", 0.9)]
    table = summary_lines(_description("Maximize"), jobs)
    rows = [line.split() for line in table[4:]]
    assert [row[1] for row in rows] == ["c", "a", "b"]
    assert rows[0][2:] == ["0.9", "Completed", "0.123457", "7"]
    assert rows[2][2:4] == ["-", "Failed"]
    minimize = summary_lines(_description("Minimize"), jobs)
    assert [line.split()[1] for line in minimize[4:]] == ["a", "c", "b"]


def test_summary_of_a_job_without_an_objective_ranks_by_the_best_jobs_direction():
    # An Autotune job may omit the objective (the engine chose it): the best training job's
    # objective metric then tells the metric name and the direction.
    description = _description()
    del description["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
    description["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"] = {
        "MetricName": "validation:auc",
        "Type": "Maximize",
        "Value": 0.9,
    }
    jobs = [_summary("a", 0.5), _summary("c", 0.9), _summary("b", 0.7)]
    table = summary_lines(description, jobs)
    assert "validation:auc" in table[3]
    assert [line.split()[1] for line in table[4:]] == ["c", "b", "a"]
